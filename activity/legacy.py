"""Legacy mapping of `activity_log` and `activity_log_archive`.

An entry whose user no longer exists keeps its history with `user_id` NULL, as the database's
ON DELETE SET NULL would have done (reported as fixed). The export writes both back.
"""

from legacy import fast
from legacy.export import ExportTable, flag, iso
from legacy.mapping import Parent, Table
from legacy.values import Cleaner

from .models import ActivityLog, ActivityLogArchive

DEPENDS_ON = ("accounts",)
ORDER = 70


# What the converter does with clean values, so that SQLite loads clean rows itself (`legacy.fast`).
@fast.path(
    fast.raw("id"),
    fast.text("user_id"),
    fast.text("action", required=True),
    fast.text("entity_type"),
    fast.text("entity_id"),
    fast.json("metadata"),
    fast.text("ip_address"),
    fast.text("user_agent"),
    fast.boolean("anonymized"),
    fast.timestamp("created_at", required=True),
)
def convert_log(row: dict, c: Cleaner, ctx) -> tuple:
    return (
        row["id"],
        c.text("user_id", row.get("user_id")),
        c.text("action", row["action"], required=True),
        c.text("entity_type", row.get("entity_type")),
        c.text("entity_id", row.get("entity_id")),
        c.json_text("metadata", row.get("metadata"), default=None),
        c.text("ip_address", row.get("ip_address")),
        c.text("user_agent", row.get("user_agent")),
        c.boolean("anonymized", row.get("anonymized")),
        c.timestamp("created_at", row.get("created_at"), required=True),
    )


def convert_archive(row: dict, c: Cleaner, ctx) -> tuple:
    archived = c.timestamp("archived_at", row.get("archived_at"), required=True)
    return (
        row["id"],
        c.text("action", row["action"], required=True),
        c.text("entity_type", row.get("entity_type")),
        c.json_text("metadata", row.get("metadata"), default=None),
        c.timestamp("original_created_at", row.get("original_created_at"), fallback=archived, required=True),
        archived,
    )


TABLES = [
    Table(
        "activity_log",
        ActivityLog,
        (
            "id",
            "user_id",
            "action",
            "entity_type",
            "entity_id",
            "metadata",
            "ip_address",
            "user_agent",
            "anonymized",
            "created_at",
        ),
        convert_log,
        parents=(Parent("user_id", "user", detach=True),),
    ),
    Table(
        "activity_log_archive",
        ActivityLogArchive,
        ("id", "action", "entity_type", "metadata", "original_created_at", "archived_at"),
        convert_archive,
    ),
]


# -- export -----------------------------------------------------------------------------------------

EXPORT_TABLES = [
    ExportTable(
        "activity_log",
        ActivityLog,
        ("id", "user_id", "action", "entity_type", "entity_id", "metadata", "ip_address", "user_agent",
         flag("anonymized"), iso("created_at")),
    ),
    ExportTable(
        "activity_log_archive",
        ActivityLogArchive,
        ("id", "action", "entity_type", "metadata", iso("original_created_at"), iso("archived_at")),
    ),
]
