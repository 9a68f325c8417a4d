"""Legacy mapping of `sandboxes`, and of the release 0-1 `projects` (no owner, no PostgreSQL table:
counted and listed by id and name in the report, not imported).

The export writes sandboxes back (ISO timestamps, as the model wrote them); the legacy `projects`
table is written empty, since nothing of it was kept.
"""

from legacy.export import ExportTable, iso
from legacy.mapping import Parent, Table
from legacy.values import Cleaner

from .models import Sandbox, SandboxStatus

DEPENDS_ON = ("accounts",)
ORDER = 50

_STATUSES = set(SandboxStatus.values)


def convert_sandbox(row: dict, c: Cleaner, ctx) -> tuple:
    created, updated = c.created_updated(row)
    return (
        row["id"],
        c.text("user_id", row["user_id"], required=True),
        c.text("name", row["name"], required=True),
        c.text("slug", row["slug"], required=True),
        c.text("description", row.get("description")),
        c.text("repo_name", row["repo_name"], required=True),
        c.text("github_url", row.get("github_url")),
        c.text("resource_tier_id", row.get("resource_tier_id")),
        c.text("flavor_id", row.get("flavor_id")),
        c.json_text("addon_ids", row.get("addon_ids"), default="[]"),
        c.text("container_id", row.get("container_id")),
        c.text("container_name", row.get("container_name")),
        c.choice("status", row.get("status"), _STATUSES),
        c.text("error_message", row.get("error_message")),
        c.text("opencode_url", row.get("opencode_url")),
        c.text("acp_gateway_url", row.get("acp_gateway_url")),
        c.text("vnc_url", row.get("vnc_url")),
        c.text("code_server_url", row.get("code_server_url")),
        created,
        updated,
        c.timestamp("last_accessed_at", row.get("last_accessed_at")),
    )


TABLES = [
    Table(
        "sandboxes",
        Sandbox,
        (
            "id",
            "user_id",
            "name",
            "slug",
            "description",
            "repo_name",
            "github_url",
            "resource_tier_id",
            "flavor_id",
            "addon_ids",
            "container_id",
            "container_name",
            "status",
            "error_message",
            "opencode_url",
            "acp_gateway_url",
            "vnc_url",
            "code_server_url",
            "created_at",
            "updated_at",
            "last_accessed_at",
        ),
        convert_sandbox,
        parents=(Parent("user_id", "user"),),
        unique=(("user_id", "slug"),),
    ),
    Table(
        "projects",
        skip_reason="legacy project (release 0-1): no owner and no PostgreSQL table, not imported",
        skip_value="name",
    ),
]


# -- export -----------------------------------------------------------------------------------------

EXPORT_TABLES = [
    ExportTable(
        "sandboxes",
        Sandbox,
        ("id", "user_id", "name", "slug", "description", "repo_name", "github_url", "resource_tier_id",
         "flavor_id", "addon_ids", "container_id", "container_name", "status", "error_message",
         "opencode_url", "acp_gateway_url", "vnc_url", "code_server_url", iso("created_at"),
         iso("updated_at"), iso("last_accessed_at")),
    ),
    ExportTable(
        "projects",
        note="projects: the legacy release 0-1 projects were not imported (no PostgreSQL table), the table "
        "is written empty",
    ),
]
