"""Writes of chat history. Sessions and messages themselves are created by the OpenCode sync."""

from core.activity import activity_report

from .models import ChatSession, ChatSessionStatus


def chat_session_archive(*, session: ChatSession, request=None) -> ChatSession:
    """A soft delete; archiving an archived session changes nothing (idempotent)."""
    if session.status != ChatSessionStatus.ARCHIVED:
        session.status = ChatSessionStatus.ARCHIVED
        session.save(update_fields=["status", "updated_at"])
    activity_report(action="chat.session_archive", user=session.user, entity_type="chat_session",
                    entity_id=session.pk, metadata={"params": {"id": session.sandbox_id, "sessionId": session.pk}},
                    request=request)
    return session
