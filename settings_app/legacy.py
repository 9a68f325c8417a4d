"""Legacy mapping of `settings`, `user_opencode_config`, `user_opencode_files`, `user_preferences`.

OpenCode config and files of the pseudo-user `default-user` (the Tauri client default and the
API_TOKEN fallback user) are single-tenant data: they go to the owner (--owner, or the only user).

The export writes all four back. OpenCode config, files and preferences are per user in the legacy
schema too, so every user's rows go back under their own id (the owner's former `default-user` rows
included: the import's reported fix is not undone). The owner's default provider becomes the global
`default_provider` again; other users' per-user keys are written as they are: the old server ignores
them, and a later import brings them back unchanged.
"""

from core.models import Setting
from legacy.export import ExportTable, flag, iso, sqlite_time
from legacy.mapping import Parent, Table
from legacy.values import Cleaner, Reject, Skip

from .models import (
    OpencodeFileExtension,
    OpencodeFileType,
    ThemeMode,
    UserOpencodeConfig,
    UserOpencodeFile,
    UserPreferences,
)

DEPENDS_ON = ("accounts",)
ORDER = 30

DEFAULT_USER = "default-user"
SINGLE_TENANT_DATA = f"'{DEFAULT_USER}' OpenCode config"  # named in the engine's no-owner hint
_FILE_TYPES = set(OpencodeFileType.values)
_EXTENSIONS = set(OpencodeFileExtension.values)
_THEMES = set(ThemeMode.values)


def _user(row: dict, c: Cleaner, ctx) -> str:
    user_id = c.text("user_id", row["user_id"], required=True)
    if user_id == DEFAULT_USER:
        owner = ctx.owner_id()
        c.fix("user_id", user_id, f"single-tenant row of '{DEFAULT_USER}' given to the owner {owner}")
        return owner
    return user_id


LEGACY_DEFAULT_PROVIDER = "default_provider"


def convert_setting(row: dict, c: Cleaner, ctx) -> tuple:
    key = c.text("key", row["key"], required=True)
    if key == LEGACY_DEFAULT_PROVIDER:
        # The old default provider was one global row; it is per user now (DECISIONS 5), so it becomes
        # the owner's, under the key the providers app reads.
        try:
            owner = ctx.owner_id()
        except Reject:
            raise Skip("global default provider with no owner to give it to (re-run with --owner EMAIL "
                       "to keep it)", row["value"]) from None
        key = Setting.user_key(name=LEGACY_DEFAULT_PROVIDER, user_id=owner)
        c.fix("key", LEGACY_DEFAULT_PROVIDER, f"the global default provider becomes the owner's ({owner})")
    return (
        key,
        c.text("value", row["value"], required=True),
        c.timestamp("updated_at", row.get("updated_at"), required=True),
    )


def convert_config(row: dict, c: Cleaner, ctx) -> tuple:
    created, updated = c.created_updated(row)
    return (
        row["id"],
        _user(row, c, ctx),
        c.json_text("settings", row["settings"], default="{}") or "{}",
        c.text("agents_md", row.get("agents_md")),
        created,
        updated,
    )


def convert_file(row: dict, c: Cleaner, ctx) -> tuple:
    created, updated = c.created_updated(row)
    return (
        row["id"],
        _user(row, c, ctx),
        c.choice("type", row["type"], _FILE_TYPES, required=True),
        c.text("name", row["name"], required=True),
        c.choice("extension", row["extension"], _EXTENSIONS, required=True),
        c.text("content", row["content"], required=True),
        created,
        updated,
    )


def convert_preferences(row: dict, c: Cleaner, ctx) -> tuple:
    created, updated = c.created_updated(row)
    return (
        row["id"],
        c.text("user_id", row["user_id"], required=True),
        c.choice("theme_mode", row.get("theme_mode"), _THEMES),
        c.text("theme_preset", row.get("theme_preset")),
        c.integer("auto_refresh_interval", row.get("auto_refresh_interval"), default=30),
        c.boolean("in_app_notifications", row.get("in_app_notifications"), default=True),
        c.boolean("system_notifications", row.get("system_notifications"), default=True),
        c.text("default_resource_tier_id", row.get("default_resource_tier_id")),
        c.text("default_flavor_id", row.get("default_flavor_id")),
        c.json_text("default_addon_ids", row.get("default_addon_ids"), default='["code-server"]'),
        c.text("default_agent_id", row.get("default_agent_id")),
        c.integer("settings_version", row.get("settings_version"), default=1),
        created,
        updated,
    )


TABLES = [
    Table("settings", Setting, ("key", "value", "updated_at"), convert_setting, key="key", needs_db=True),
    Table(
        "user_opencode_config",
        UserOpencodeConfig,
        ("id", "user_id", "settings", "agents_md", "created_at", "updated_at"),
        convert_config,
        parents=(Parent("user_id", "user"),),
        unique=(("user_id",),),
        needs_db=True,
    ),
    Table(
        "user_opencode_files",
        UserOpencodeFile,
        ("id", "user_id", "type", "name", "extension", "content", "created_at", "updated_at"),
        convert_file,
        parents=(Parent("user_id", "user"),),
        unique=(("user_id", "type", "name"),),
        needs_db=True,
    ),
    Table(
        "user_preferences",
        UserPreferences,
        (
            "id",
            "user_id",
            "theme_mode",
            "theme_preset",
            "auto_refresh_interval",
            "in_app_notifications",
            "system_notifications",
            "default_resource_tier_id",
            "default_flavor_id",
            "default_addon_ids",
            "default_agent_id",
            "settings_version",
            "created_at",
            "updated_at",
        ),
        convert_preferences,
        parents=(Parent("user_id", "user"),),
        unique=(("user_id",),),
    ),
]


# -- export -----------------------------------------------------------------------------------------

def export_setting(row: dict, ctx) -> dict:
    prefix = Setting.user_key(name=LEGACY_DEFAULT_PROVIDER, user_id="")
    if row["key"].startswith(prefix):
        if ctx.has_owner() and row["key"] == Setting.user_key(name=LEGACY_DEFAULT_PROVIDER, user_id=ctx.owner_id()):
            row["key"] = LEGACY_DEFAULT_PROVIDER
        else:
            kept = ctx.state.setdefault("inert_default_providers", [])
            if not kept:
                ctx.report.notes.append(
                    "per-user default providers of users other than the owner are written as settings rows "
                    "the old server ignores (it has one global default, the owner's); a later import "
                    "restores them"
                )
            kept.append(row["key"])
    return row


_STAMPS = (iso("created_at"), iso("updated_at"))

EXPORT_TABLES = [
    ExportTable("settings", Setting, ("key", "value", sqlite_time("updated_at")), convert=export_setting),
    ExportTable(
        "user_opencode_config",
        UserOpencodeConfig,
        ("id", "user_id", "settings", "agents_md", *_STAMPS),
    ),
    ExportTable(
        "user_opencode_files",
        UserOpencodeFile,
        ("id", "user_id", "type", "name", "extension", "content", *_STAMPS),
    ),
    ExportTable(
        "user_preferences",
        UserPreferences,
        ("id", "user_id", "theme_mode", "theme_preset", "auto_refresh_interval", flag("in_app_notifications"),
         flag("system_notifications"), "default_resource_tier_id", "default_flavor_id", "default_addon_ids",
         "default_agent_id", "settings_version", *_STAMPS),
    ),
]
