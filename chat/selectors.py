"""Reads of chat history, always through a sandbox the caller owns."""

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from sandboxes.models import Sandbox

from .models import ChatMessage, ChatSession


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
