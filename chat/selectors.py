"""Reads of chat history, always through a sandbox the caller owns."""

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.serializers import iso_datetime
from sandboxes.models import Sandbox

from .models import ChatMessage, ChatSession, ChatSyncState

# A worker that has not touched its state for this long is gone (it touches it every scan).
HEARTBEAT_STALE_SECONDS = 60


def chat_sessions_of(*, sandbox: Sandbox):
    return ChatSession.objects.filter(sandbox=sandbox)


def chat_stats(*, sandbox: Sandbox) -> dict:
    """`{total, active, archived, totalMessages, totalTokens}` of a sandbox's sessions, in one query."""
    stats = ChatSession.objects.filter(sandbox=sandbox).aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(status="active")),
        archived=Count("id", filter=Q(status="archived")),
        totalMessages=Coalesce(Sum("message_count"), 0),
        totalTokens=Coalesce(Sum(F("total_input_tokens") + F("total_output_tokens")), 0),
    )
    return {key: int(value) for key, value in stats.items()}


def chat_sessions_list(*, sandbox: Sandbox, status: str | None = None):
    """Most recently active first; sessions without messages first of all (as PostgreSQL's DESC did)."""
    sessions = ChatSession.objects.filter(sandbox=sandbox)
    if status:
        sessions = sessions.filter(status=status)
    return sessions.order_by(F("last_message_at").desc(nulls_first=True), "-created_at", "id")


def chat_messages_page(*, session: ChatSession, limit: int, offset: int, descending: bool = False):
    order = ["-created_at", "-id"] if descending else ["created_at", "id"]
    return ChatMessage.objects.filter(session=session).order_by(*order)[offset:offset + limit]


def chat_messages_recent(*, session: ChatSession, count: int = 50) -> list[ChatMessage]:
    """The last `count` messages, in chronological order."""
    newest = ChatMessage.objects.filter(session=session).order_by("-created_at", "-id")[:count]
    return list(reversed(newest))


def chat_messages_count(*, session: ChatSession) -> int:
    return ChatMessage.objects.filter(session=session).count()


def chat_sync_state(*, sandbox: Sandbox) -> dict:
    """`sync` of `GET .../chat/sync/status`: `{"active": false}`, or, while a live `sync_chats` worker
    follows the sandbox, `{"active": true, "lastSyncTime"?, "reconnectAttempts"}`."""
    state = ChatSyncState.objects.filter(sandbox=sandbox).first()
    if state is None or not state.active:
        return {"active": False}
    if (timezone.now() - state.heartbeat_at).total_seconds() >= HEARTBEAT_STALE_SECONDS:
        return {"active": False}
    body: dict = {"active": True, "reconnectAttempts": state.reconnect_attempts}
    if state.last_sync_at:
        body["lastSyncTime"] = iso_datetime(state.last_sync_at)
    return body
