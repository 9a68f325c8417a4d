"""Writes of chat history: archiving (one session, or all of a deleted sandbox's), and the one function
that keeps a sandbox's OpenCode conversations in PostgreSQL (`chat_sync_opencode_session`).

Every way of syncing goes through that function: the sync after a message sent through the proxy, the
manual sync endpoints, and the `sync_chats` worker that follows each running sandbox's event stream. It
is idempotent: messages are upserted by (session, external message id), and the session's counters and
token totals are recomputed from the stored messages, so running it twice, or from two places at once,
stores every message once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.activity import activity_report
from sandboxes.models import Sandbox
from sandboxes.services import sandbox_hold

from .models import (
    ChatMessage,
    ChatMessageRole,
    ChatMessageStatus,
    ChatSession,
    ChatSessionStatus,
    ChatSource,
    ChatSyncState,
)

Json = dict[str, Any]


def chat_session_archive(*, session: ChatSession, request=None) -> ChatSession:
    """A soft delete; archiving an archived session changes nothing (idempotent)."""
    if session.status != ChatSessionStatus.ARCHIVED:
        session.status = ChatSessionStatus.ARCHIVED
        session.save(update_fields=["status", "updated_at"])
    activity_report(action="chat.session_archive", user=session.user, entity_type="chat_session",
                    entity_id=session.pk, metadata={"params": {"id": session.sandbox_id, "sessionId": session.pk}},
                    request=request)
    return session


def chat_sandbox_archive(*, sandbox) -> int:
    """A deleted sandbox's history is kept (the old server's database cascaded it away): its sessions
    become archived, those deleted stay deleted, messages are untouched. Its sync state goes, as the
    cascade took it. Returns the number of sessions archived now."""
    ChatSyncState.objects.filter(sandbox_id=sandbox.pk).delete()
    return (ChatSession.objects.filter(sandbox_id=sandbox.pk)
            .exclude(status__in=[ChatSessionStatus.ARCHIVED, ChatSessionStatus.DELETED])
            .update(status=ChatSessionStatus.ARCHIVED, updated_at=timezone.now()))


# -- OpenCode → PostgreSQL ---------------------------------------------------------------------------------

_ROLES = {ChatMessageRole.USER, ChatMessageRole.ASSISTANT, ChatMessageRole.SYSTEM}
_MESSAGE_FIELDS = ["role", "content", "model_provider", "model_id", "agent_id", "input_tokens", "output_tokens",
                   "status", "error_message", "created_at", "completed_at"]


def _moment(milliseconds) -> datetime | None:
    if not isinstance(milliseconds, (int, float)) or isinstance(milliseconds, bool):
        return None
    try:
        return datetime.fromtimestamp(milliseconds / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _tokens(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31 else None


def message_is_complete(info: Json) -> bool:
    """A user message is complete when sent; an assistant's when OpenCode stamped `time.completed` or
    recorded an error. An answer still being written is never stored (it is stored once it completes)."""
    if info.get("role") != ChatMessageRole.ASSISTANT:
        return True
    return bool((info.get("time") or {}).get("completed")) or bool(info.get("error"))


def message_row_values(message: Json) -> Json | None:
    """An OpenCode message `{info, parts}` as the columns of `chat_messages`, or None when it cannot be
    stored (no id, an unknown role, or an answer not complete yet). `content` holds the contract's
    `{parts, model?, time}`."""
    info, parts = message.get("info") or {}, message.get("parts") or []
    role = info.get("role")
    if not isinstance(info.get("id"), str) or role not in _ROLES or not message_is_complete(info):
        return None
    time = info.get("time") or {}
    content: Json = {"parts": parts, "time": time}
    if info.get("providerID") or info.get("modelID"):
        content["model"] = {"providerID": info.get("providerID"), "modelID": info.get("modelID")}
    tokens = info.get("tokens") or {}
    error = info.get("error")
    created = _moment(time.get("created")) or timezone.now()
    return {
        "role": role,
        "content": content,
        "model_provider": info.get("providerID"),
        "model_id": info.get("modelID"),
        "agent_id": info.get("mode") or info.get("agent"),
        "input_tokens": _tokens(tokens.get("input")),
        "output_tokens": _tokens(tokens.get("output")),
        "status": ChatMessageStatus.ERROR if error else ChatMessageStatus.COMPLETE,
        "error_message": ((error.get("data") or {}).get("message") or error.get("name")) if isinstance(error, dict)
        else None,
        "created_at": created,
        "completed_at": _moment(time.get("completed")) or (created if role == ChatMessageRole.USER else None),
    }


def _session_row(*, sandbox, opencode_session: Json) -> ChatSession:
    """The session row of an OpenCode session, created on first sight, locked for this transaction."""
    external_id = opencode_session["id"]
    title = opencode_session.get("title") or None
    try:
        with transaction.atomic():
            session, created = ChatSession.objects.get_or_create(
                sandbox=sandbox, opencode_session_id=external_id,
                defaults={"user_id": sandbox.user_id, "source": ChatSource.OPENCODE, "title": title})
    except IntegrityError:  # created meanwhile by another sync
        created = False
    session = ChatSession.objects.select_for_update().get(sandbox=sandbox, opencode_session_id=external_id)
    if not created and title and session.title != title:
        session.title = title
    return session


@transaction.atomic
def chat_sync_opencode_session(*, sandbox, opencode_session: Json, messages: list[Json]) -> ChatSession:
    """Store one OpenCode session and its complete messages; return the session with fresh counters.

    The session row is locked while its messages are written, so two syncs of one session (the proxy
    and the worker) run one after the other and never store a message twice. A constant number of
    queries whatever the number of messages.

    A sandbox deleted meanwhile raises `Sandbox.DoesNotExist` and stores nothing; one deleted while this
    runs waits for it, then archives what it stored.
    """
    if not sandbox_hold(sandbox_id=sandbox.pk):
        raise Sandbox.DoesNotExist(f"Sandbox {sandbox.pk} was deleted")
    session = _session_row(sandbox=sandbox, opencode_session=opencode_session)
    rows = {}
    for message in messages:
        values = message_row_values(message)
        if values is not None:
            rows[message["info"]["id"]] = values
    existing = {m.external_message_id: m for m in ChatMessage.objects.filter(
        session=session, external_message_id__in=list(rows))}
    changed, new = [], []
    for external_id, values in rows.items():
        stored = existing.get(external_id)
        if stored is None:
            new.append(ChatMessage(session=session, external_message_id=external_id, **values))
        elif any(getattr(stored, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(stored, name, value)
            changed.append(stored)
    ChatMessage.objects.bulk_create(new, batch_size=1000)
    ChatMessage.objects.bulk_update(changed, _MESSAGE_FIELDS, batch_size=1000)
    totals = ChatMessage.objects.filter(session=session).aggregate(
        messages=Count("id"),
        user=Count("id", filter=Q(role=ChatMessageRole.USER)),
        assistant=Count("id", filter=Q(role=ChatMessageRole.ASSISTANT)),
        input=Coalesce(Sum("input_tokens"), 0),
        output=Coalesce(Sum("output_tokens"), 0),
        last=Max("created_at"),
    )
    session.message_count, session.user_message_count = totals["messages"], totals["user"]
    session.assistant_message_count = totals["assistant"]
    session.total_input_tokens, session.total_output_tokens = totals["input"], totals["output"]
    session.last_message_at, session.last_synced_at = totals["last"], timezone.now()
    session.save()
    return session
