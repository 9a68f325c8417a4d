"""Legacy mapping of `chat_sessions` and `chat_messages`.

Session counters were overwritten by each OpenCode sync and bumped by SSE events, so they need not
match the messages; after the messages are in, `finalize` recomputes the counters of every imported
session from its imported messages where they disagree (reported as fixed). Counters beyond 32 bits
are recomputed the same way. Invalid message content is kept as a JSON string.

The export writes both back as PostgreSQL holds them (ISO timestamps, JSON text verbatim), except the
history of deleted sandboxes, which the old server would have deleted with them: skipped, the sessions
listed in the report, the messages counted (sandboxes/legacy.py says it in one note).
"""

from django.db import connection

from legacy import fast
from legacy.export import ExportTable, Withheld, iso
from legacy.mapping import Parent, Table
from legacy.values import INT32_MAX, Cleaner
from sandboxes.legacy import DELETED_SANDBOX_IDS, DELETED_SANDBOXES_NOTE

from .models import (
    ChatMessage,
    ChatMessageRole,
    ChatMessageStatus,
    ChatSession,
    ChatSessionStatus,
    ChatSource,
)

DEPENDS_ON = ("accounts", "sandboxes")
ORDER = 60

_SOURCES = set(ChatSource.values)
_SESSION_STATUSES = set(ChatSessionStatus.values)
_ROLES = set(ChatMessageRole.values)
_MESSAGE_STATUSES = set(ChatMessageStatus.values)
COUNTERS = (
    "message_count",
    "user_message_count",
    "assistant_message_count",
    "total_input_tokens",
    "total_output_tokens",
)


def convert_session(row: dict, c: Cleaner, ctx) -> tuple:
    created, updated = c.created_updated(row)
    return (
        row["id"],
        c.text("sandbox_id", row["sandbox_id"], required=True),
        c.text("user_id", row["user_id"], required=True),
        c.choice("source", row["source"], _SOURCES, required=True),
        c.text("opencode_session_id", row.get("opencode_session_id")),
        c.text("acp_session_id", row.get("acp_session_id")),
        c.text("acp_agent_id", row.get("acp_agent_id")),
        c.text("title", row.get("title")),
        c.choice("status", row.get("status"), _SESSION_STATUSES),
        *(c.counter(name, row.get(name)) for name in COUNTERS),
        c.timestamp("last_message_at", row.get("last_message_at")),
        c.timestamp("last_synced_at", row.get("last_synced_at")),
        created,
        updated,
    )


# What the converter does with clean values, so that SQLite loads clean rows itself (`legacy.fast`).
@fast.path(
    fast.raw("id"),
    fast.text("session_id", required=True),
    fast.text("external_message_id"),
    fast.choice("role", _ROLES, required=True),
    fast.json("content", required=True),
    fast.json("tool_calls"),
    fast.json("tool_results"),
    fast.json("thinking"),
    fast.text("model_provider"),
    fast.text("model_id"),
    fast.text("agent_id"),
    fast.int32("input_tokens"),
    fast.int32("output_tokens"),
    fast.choice("status", _MESSAGE_STATUSES),
    fast.text("error_message"),
    fast.timestamp("created_at", required=True),
    fast.timestamp("completed_at"),
)
def convert_message(row: dict, c: Cleaner, ctx) -> tuple:
    # The hot path of a large import (most rows are messages): plain values go through untouched.
    return (
        row["id"],
        c.text("session_id", row["session_id"], required=True),
        c.text("external_message_id", row["external_message_id"]),
        c.choice("role", row["role"], _ROLES, required=True),
        c.json_content("content", row["content"]),
        c.json_text("tool_calls", row["tool_calls"], default=None),
        c.json_text("tool_results", row["tool_results"], default=None),
        c.json_text("thinking", row["thinking"], default=None),
        c.text("model_provider", row["model_provider"]),
        c.text("model_id", row["model_id"]),
        c.text("agent_id", row["agent_id"]),
        c.integer("input_tokens", row["input_tokens"]),
        c.integer("output_tokens", row["output_tokens"]),
        c.choice("status", row["status"], _MESSAGE_STATUSES),
        c.text("error_message", row["error_message"]),
        c.timestamp("created_at", row["created_at"], required=True),
        c.timestamp("completed_at", row["completed_at"]),
    )


def finalize(ctx) -> None:
    """Recompute the counters of the imported sessions from their imported messages."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('pg_temp._legacy_keys_chat_sessions') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return
        cap = INT32_MAX
        cursor.execute(f"""
            WITH agg AS (
                SELECT session_id, count(*) AS n, count(*) FILTER (WHERE role = 'user') AS u,
                       count(*) FILTER (WHERE role = 'assistant') AS a,
                       least(coalesce(sum(input_tokens), 0), {cap}) AS ti,
                       least(coalesce(sum(output_tokens), 0), {cap}) AS t_o
                FROM chat_messages WHERE session_id IN (SELECT pk FROM _legacy_keys_chat_sessions)
                GROUP BY session_id),
            want AS (
                SELECT s.id, s.message_count AS old_n, s.user_message_count AS old_u,
                       s.assistant_message_count AS old_a, s.total_input_tokens AS old_ti,
                       s.total_output_tokens AS old_to, coalesce(agg.n, 0) AS n, coalesce(agg.u, 0) AS u,
                       coalesce(agg.a, 0) AS a, coalesce(agg.ti, 0) AS ti, coalesce(agg.t_o, 0) AS t_o
                FROM chat_sessions s JOIN _legacy_keys_chat_sessions k ON k.pk = s.id
                LEFT JOIN agg ON agg.session_id = s.id)
            UPDATE chat_sessions s SET message_count = w.n, user_message_count = w.u,
                   assistant_message_count = w.a, total_input_tokens = w.ti, total_output_tokens = w.t_o
            FROM want w
            WHERE s.id = w.id AND (w.old_n, w.old_u, w.old_a, w.old_ti, w.old_to)
                  IS DISTINCT FROM (w.n, w.u, w.a, w.ti, w.t_o)
            RETURNING s.id, w.old_n, w.old_u, w.old_a, w.old_ti, w.old_to, w.n, w.u, w.a, w.ti, w.t_o""")
        stats = ctx.report.table("chat", "chat_sessions")
        rows = cursor.fetchall()
        ctx.log(f"  chat_sessions: counters recomputed from the imported messages for {len(rows)} sessions")
        for row in rows:
            key, old, new = row[0], row[1:6], row[6:]
            for name, before, after in zip(COUNTERS, old, new):
                if before != after:
                    ctx.report.entry(
                        stats,
                        "fixed",
                        key,
                        name,
                        before,
                        f"counter recomputed from the imported messages: {after}",
                    )


TABLES = [
    Table(
        "chat_sessions",
        ChatSession,
        (
            "id",
            "sandbox_id",
            "user_id",
            "source",
            "opencode_session_id",
            "acp_session_id",
            "acp_agent_id",
            "title",
            "status",
            *COUNTERS,
            "last_message_at",
            "last_synced_at",
            "created_at",
            "updated_at",
        ),
        convert_session,
        parents=(Parent("sandbox_id", "sandboxes"), Parent("user_id", "user")),
        unique=(("sandbox_id", "opencode_session_id"), ("sandbox_id", "acp_session_id")),
        track_keys=True,
        # Counters of an existing session are recomputed by `finalize`, not taken from the file again.
        keep_on_update={name: f't."{name}"' for name in COUNTERS},
    ),
    Table(
        "chat_messages",
        ChatMessage,
        (
            "id",
            "session_id",
            "external_message_id",
            "role",
            "content",
            "tool_calls",
            "tool_results",
            "thinking",
            "model_provider",
            "model_id",
            "agent_id",
            "input_tokens",
            "output_tokens",
            "status",
            "error_message",
            "created_at",
            "completed_at",
        ),
        convert_message,
        parents=(Parent("session_id", "chat_sessions"),),
    ),
]


# -- export -----------------------------------------------------------------------------------------

_SESSIONS_OF_DELETED_SANDBOXES = (
    f'SELECT s.id FROM "{ChatSession._meta.db_table}" s WHERE s.sandbox_id IN ({DELETED_SANDBOX_IDS})'
)

EXPORT_TABLES = [
    ExportTable(
        "chat_sessions",
        ChatSession,
        ("id", "sandbox_id", "user_id", "source", "opencode_session_id", "acp_session_id", "acp_agent_id",
         "title", "status", *COUNTERS, iso("last_message_at"), iso("last_synced_at"), iso("created_at"),
         iso("updated_at")),
        withheld=Withheld(f't."sandbox_id" IN ({DELETED_SANDBOX_IDS})', "chat session of a deleted sandbox",
                          DELETED_SANDBOXES_NOTE),
    ),
    ExportTable(
        "chat_messages",
        ChatMessage,
        ("id", "session_id", "external_message_id", "role", "content", "tool_calls", "tool_results",
         "thinking", "model_provider", "model_id", "agent_id", "input_tokens", "output_tokens", "status",
         "error_message", iso("created_at"), iso("completed_at")),
        # Counted, not listed one by one: a long history is many thousand rows, and its sessions are listed.
        withheld=Withheld(f't."session_id" IN ({_SESSIONS_OF_DELETED_SANDBOXES})',
                          "chat message of a deleted sandbox", DELETED_SANDBOXES_NOTE, listed=False),
    ),
]
