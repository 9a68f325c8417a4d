"""Every anomaly of the dirty samples ends as spec/IMPORT.md decides: imported as is, fixed (with the
original value reported), skipped or rejected (with the reason)."""

import json
import sqlite3
from datetime import datetime, timezone

import pytest
from django.db import connection

from accounts.models import Session, User
from activity.models import ActivityLog
from chat.models import ChatMessage, ChatSession
from containers.models import ContainerFlavor, ResourceTier
from core.models import Setting
from legacy.mapping import discover_mappings
from legacy.values import parse_timestamp
from providers.models import ProviderCredential
from sandboxes.models import Sandbox
from settings_app.models import UserOpencodeConfig, UserPreferences
from tests.legacy.conftest import import_sample, legacy_rows, manifest, owner_email, sample_paths

pytestmark = pytest.mark.django_db
UTC = timezone.utc

# (table, issue) -> what the import does with that row, per spec/IMPORT.md.
EXPECTED = {
    ("user", "email_case_duplicate"): "rejected",
    ("user", "sqlite_datetime_format"): None,  # the same row is rejected as a duplicate
    ("user", "email_not_normalized"): "fixed",
    ("user", "empty_string"): "imported",
    ("user", "user_without_account"): "imported",
    ("user", "type_affinity"): "fixed",
    ("user", "epoch_ms_timestamp"): "imported",
    ("account", "foreign_password_hash"): "fixed",
    ("account", "duplicate_external_id"): "imported",
    ("session", "extended_year_timestamp"): "fixed",
    ("verification", "invalid_json"): "skipped",
    ("sandboxes", "emoji_name_empty_slug"): "imported",
    ("sandboxes", "null_in_nullable"): "imported",
    ("sandboxes", "invalid_json"): "fixed",
    ("sandboxes", "dangling_reference"): "imported",
    ("sandboxes", "empty_string"): "imported",
    ("sandboxes", "null_timestamp"): "fixed",
    ("sandboxes", "offset_timestamp"): "imported",
    ("sandboxes", "sqlite_datetime_format"): "imported",
    ("sandboxes", "very_long_text"): "imported",
    ("sandboxes", "check_violation"): "rejected",
    ("sandboxes", "orphan_no_user"): "rejected",
    ("chat_sessions", "nul_byte"): "fixed",
    ("chat_sessions", "unicode_text"): "imported",
    ("chat_sessions", "empty_string"): "imported",
    ("chat_sessions", "null_in_nullable"): "imported",  # status NULL stays NULL (nullable)
    ("chat_sessions", "null_in_nullable", "message_count"): "fixed",  # recomputed from the messages
    ("chat_sessions", "int32_overflow"): "fixed",
    ("chat_sessions", "epoch_ms_timestamp"): "imported",
    ("chat_sessions", "date_only_timestamp"): "imported",
    ("chat_sessions", "stale_counter"): "fixed",
    ("chat_sessions", "check_violation"): "rejected",
    ("chat_messages", "invalid_json"): "fixed",
    ("chat_messages", "json_null"): "imported",
    ("chat_messages", "json_string_scalar"): "imported",
    ("chat_messages", "json_escaped_nul"): "imported",
    ("chat_messages", "very_long_text"): "imported",
    ("chat_messages", "null_timestamp"): "fixed",
    ("chat_messages", "iso_no_millis"): "imported",
    ("chat_messages", "offset_timestamp"): "imported",
    ("chat_messages", "epoch_ms_timestamp"): "imported",
    ("chat_messages", "epoch_s_timestamp"): "imported",
    ("chat_messages", "sqlite_datetime_format"): "imported",
    ("chat_messages", "naive_timestamp"): "imported",
    ("chat_messages", "unparseable_timestamp"): "fixed",
    ("chat_messages", "blob_invalid_utf8"): "fixed",
    ("chat_messages", "type_affinity"): "fixed",
    ("chat_messages", "check_violation"): "rejected",
    ("chat_messages", "duplicate_external_id"): "imported",
    ("user_preferences", "null_in_nullable"): "imported",  # theme_mode NULL stays NULL (nullable)
    ("user_preferences", "null_in_nullable", "settings_version"): "fixed",  # NULL → its default 1, reported
    ("user_preferences", "type_affinity"): "fixed",
    ("user_preferences", "bad_boolean"): "fixed",
    ("user_preferences", "invalid_json"): "fixed",
    ("user_preferences", "check_violation"): "rejected",
    ("user_preferences", "orphan_no_user"): "rejected",
    ("user_opencode_config", "invalid_json"): "fixed",
    ("user_opencode_config", "very_long_text"): "imported",
    ("user_opencode_files", "check_violation"): "rejected",
    ("provider_credentials", "wrong_encryption_key"): "rejected",
    ("provider_credentials", "empty_ciphertext"): "fixed",
    ("provider_credentials", "not_encrypted"): "rejected",
    ("provider_credentials", "truncated_ciphertext"): "rejected",
    ("provider_credentials", "stale_secret_fields"): "imported",
    ("provider_credentials", "invalid_json"): "fixed",
    ("provider_credentials", "epoch_s_timestamp"): "imported",
    ("provider_credentials", "check_violation"): "rejected",
    ("oauth_state", "check_violation"): "skipped",
    ("settings", "empty_string"): "imported",
    ("settings", "null_timestamp"): "fixed",
    ("resource_tiers", "type_affinity"): "fixed",
    ("container_flavors", "invalid_json"): "fixed",
    ("projects", "bad_boolean"): "skipped",
    ("projects", "unknown_status"): "skipped",
    ("activity_log", "invalid_json"): "fixed",
    ("activity_log", "pii_in_metadata"): "imported",
    ("activity_log", "null_in_nullable"): "imported",
    ("activity_log", "sqlite_datetime_format"): "imported",
    ("activity_log", "orphan_no_user"): "fixed",
    ("activity_log", "inconsistent_flags"): "imported",
}


def resolve_key(name: str, anomaly: dict) -> str:
    """The primary key of the row an anomaly is about (some manifest ids are user ids)."""
    main, auth = sample_paths(name)
    table, ident = anomaly["table"], anomaly["id"]
    if table == "account":
        return legacy_rows(
            auth or main,
            "SELECT id FROM account WHERE userId = ? AND providerId = ? ",
            (ident, "credential" if anomaly["issue"] == "foreign_password_hash" else "github"),
        )[0][0]
    if table in ("user_preferences", "user_opencode_config"):
        rows = legacy_rows(main, f"SELECT id FROM {table} WHERE id = ? OR user_id = ?", (ident, ident))
        return rows[0][0]
    return ident


def outcomes(report, table: str, key) -> set[str]:
    return {e["outcome"] for e in report.entries if e["table"] == table and e["key"] == key}


@pytest.mark.parametrize("name", ["dirty", "dirty_split"])
def test_every_anomaly_is_handled_as_decided(name):
    report = import_sample(name)
    anomalies = [a for a in manifest(name)["dirty"] if a["issue"] != "orphan_parent_deleted"]
    assert {(a["table"], a["issue"]) for a in anomalies} <= set(EXPECTED)
    cascaded = 0
    for anomaly in anomalies:
        expected = EXPECTED.get(
            (anomaly["table"], anomaly["issue"], anomaly.get("column")),
            EXPECTED[(anomaly["table"], anomaly["issue"])],
        )
        if expected is None:
            continue
        key = resolve_key(name, anomaly)
        seen = outcomes(report, anomaly["table"], key)
        if any(
            e["reason"].startswith("orphan:")
            for e in report.entries
            if e["table"] == anomaly["table"] and e["key"] == key and e["outcome"] == "rejected"
        ):
            cascaded += 1  # its parent row was rejected for another anomaly: rejected too, naming it
            continue
        if expected == "imported":
            assert not seen & {"rejected", "skipped"}, anomaly
        else:
            assert expected in seen, (anomaly, seen)
        if expected == "fixed" and anomaly.get("column") and anomaly["table"] not in ("chat_sessions",):
            columns = {
                e["column"] for e in report.entries if e["table"] == anomaly["table"] and e["key"] == key
            }
            assert anomaly["column"] in columns or anomaly["column"].removesuffix("_encrypted") in columns, (
                anomaly
            )
    assert cascaded < len(anomalies) // 5


@pytest.mark.parametrize("name", ["dirty", "dirty_split"])
def test_orphans_are_rejected_naming_the_missing_parent(name):
    report = import_sample(name)
    main, auth = sample_paths(name)
    for anomaly in manifest(name)["dirty"]:
        if anomaly["issue"] != "orphan_parent_deleted":
            continue
        missing = anomaly["id"]
        if anomaly["table"] == "user":
            children = [
                ("sandboxes", "user_id", main),
                ("user_preferences", "user_id", main),
                ("account", "userId", auth or main),
            ]
        elif anomaly["table"] == "chat_sessions":
            children = [("chat_sessions", "sandbox_id", main)]
        else:
            children = [("chat_messages", "session_id", main)]
        for table, column, path in children:
            keys = {
                k for (k,) in legacy_rows(path, f'SELECT id FROM "{table}" WHERE "{column}" = ?', (missing,))
            }
            assert keys, (table, missing)
            entries = [e for e in report.entries if e["table"] == table and e["key"] in keys]
            assert {e["outcome"] for e in entries} == {"rejected"}, (table, entries)
            assert all(missing in e["reason"] for e in entries if e["value"] == missing)
            assert any(missing in e["reason"] for e in entries)
    # Activity of a deleted user is kept, detached from it (ON DELETE SET NULL), and reported.
    user_anomaly = next(
        a for a in manifest(name)["dirty"] if a["table"] == "user" and a["issue"] == "orphan_parent_deleted"
    )
    logs = {
        k
        for (k,) in legacy_rows(main, "SELECT id FROM activity_log WHERE user_id = ?", (user_anomaly["id"],))
    }
    assert ActivityLog.objects.filter(id__in=logs, user__isnull=True).count() == len(logs) > 0


def test_fixed_values_follow_the_rules():
    import_sample("dirty")
    dirty = {(a["table"], a["issue"], a.get("column")): a["id"] for a in manifest("dirty")["dirty"]}

    user = User.objects.get(id=dirty[("user", "email_not_normalized", "email")])
    assert user.email == user.email.strip().lower() and user.email.startswith("mixed.case.")
    assert User.objects.get(id=dirty[("user", "type_affinity", "emailVerified")]).email_verified is True
    epoch_user = User.objects.get(id=dirty[("user", "epoch_ms_timestamp", "createdAt")])
    (raw,) = legacy_rows(
        sample_paths("dirty")[0], 'SELECT createdAt FROM "user" WHERE id = ?', (epoch_user.id,)
    )[0]
    assert epoch_user.created_at == datetime.fromtimestamp(int(raw) / 1000, UTC)

    assert Sandbox.objects.get(id=dirty[("sandboxes", "invalid_json", "addon_ids")]).addon_ids == []
    assert Sandbox.objects.get(
        id=dirty[("sandboxes", "offset_timestamp", "updated_at")]
    ).updated_at == datetime(2025, 12, 13, 10, 11, 12, 123000, UTC)
    assert Sandbox.objects.get(
        id=dirty[("sandboxes", "sqlite_datetime_format", "last_accessed_at")]
    ).last_accessed_at == datetime(2025, 12, 13, 10, 11, 12, tzinfo=UTC)
    assert (
        len(Sandbox.objects.get(id=dirty[("sandboxes", "very_long_text", "description")]).description) > 60000
    )

    assert (
        ChatSession.objects.get(id=dirty[("chat_sessions", "nul_byte", "title")]).title
        == "Fix  bug in parser"
    )
    assert ChatSession.objects.get(
        id=dirty[("chat_sessions", "date_only_timestamp", "last_synced_at")]
    ).last_synced_at == datetime(2025, 12, 13, tzinfo=UTC)
    for issue, column in (
        ("stale_counter", "message_count"),
        ("int32_overflow", "total_input_tokens"),
        ("null_in_nullable", "message_count"),
    ):
        session = ChatSession.objects.get(id=dirty[("chat_sessions", issue, column)])
        messages = ChatMessage.objects.filter(session=session)
        assert session.message_count == messages.count()
        assert session.user_message_count == messages.filter(role="user").count()
        assert session.total_input_tokens == sum(m.input_tokens or 0 for m in messages)

    times = {
        "iso_no_millis": datetime(2025, 12, 13, 10, 11, 12, tzinfo=UTC),
        "offset_timestamp": datetime(2025, 12, 13, 10, 11, 12, 123000, UTC),
        "epoch_ms_timestamp": datetime.fromtimestamp(1765620000, UTC),
        "epoch_s_timestamp": datetime.fromtimestamp(1765620000, UTC),
        "sqlite_datetime_format": datetime(2025, 12, 13, 10, 11, 12, tzinfo=UTC),
        "naive_timestamp": datetime(2025, 12, 13, 10, 11, 12, tzinfo=UTC),
    }
    checked = 0
    for issue, expected in times.items():
        # A message whose session was rejected (another anomaly) is rejected with it, naming it.
        message = ChatMessage.objects.filter(id=dirty[("chat_messages", issue, "created_at")]).first()
        if message is not None:
            assert message.created_at == expected, issue
            checked += 1
    assert checked >= 4
    assert (
        ChatMessage.objects.get(
            id=dirty[("chat_messages", "unparseable_timestamp", "completed_at")]
        ).completed_at
        is None
    )
    assert (
        ChatMessage.objects.get(id=dirty[("chat_messages", "type_affinity", "input_tokens")]).input_tokens
        is None
    )
    invalid = [
        a["id"]
        for a in manifest("dirty")["dirty"]
        if a["table"] == "chat_messages" and a["issue"] == "invalid_json"
    ]
    for message_id in invalid:
        (raw,) = legacy_rows(
            sample_paths("dirty")[0], "SELECT content FROM chat_messages WHERE id = ?", (message_id,)
        )[0]
        assert ChatMessage.objects.get(id=message_id).content == raw  # kept, as a JSON string
    assert ChatMessage.objects.get(id=dirty[("chat_messages", "json_null", "content")]).content is None
    blob = ChatMessage.objects.get(id=dirty[("chat_messages", "blob_invalid_utf8", "thinking")])
    assert blob.thinking is None  # decoded, then not JSON: the column default

    prefs = {p.user_id: p for p in UserPreferences.objects.all()}
    assert (
        prefs[dirty[("user_preferences", "type_affinity", "auto_refresh_interval")]].auto_refresh_interval
        == 30
    )
    assert (
        prefs[dirty[("user_preferences", "bad_boolean", "in_app_notifications")]].in_app_notifications is True
    )
    assert prefs[dirty[("user_preferences", "invalid_json", "default_addon_ids")]].default_addon_ids == [
        "code-server"
    ]
    assert (
        UserOpencodeConfig.objects.get(
            user_id=dirty[("user_opencode_config", "invalid_json", "settings")]
        ).settings
        == {}
    )

    stale = ProviderCredential.objects.get(id=dirty[("provider_credentials", "invalid_json", "oauth_scopes")])
    assert stale.oauth_scopes is None and stale.token_expires_at == datetime.fromtimestamp(1765620000, UTC)
    assert stale.access_token and stale.api_key  # both secrets of the switched login are kept, encrypted
    assert (
        ProviderCredential.objects.get(
            id=dirty[("provider_credentials", "empty_ciphertext", "api_key_encrypted")]
        ).api_key
        is None
    )
    # The old global default (here unset: "") is now the owner's (DECISIONS 5).
    owner = User.objects.get(email=owner_email("dirty"))
    assert Setting.objects.get(key=f"default_provider:{owner.id}").value == ""
    assert not Setting.objects.filter(key="default_provider").exists()
    assert ResourceTier.objects.get(id="legacy-xl").price_monthly == 0
    assert ContainerFlavor.objects.get(id="custom").languages == []
    assert ActivityLog.objects.get(id=dirty[("activity_log", "invalid_json", "metadata")]).metadata is None
    assert ActivityLog.objects.get(id=dirty[("activity_log", "orphan_no_user", "user_id")]).user_id is None


def test_email_collision_keeps_the_earlier_user_and_names_both():
    report = import_sample("dirty")
    twin = next(a for a in manifest("dirty")["dirty"] if a["issue"] == "email_case_duplicate")
    original = twin["detail"].split("from user ")[1].split(" ")[0]
    entry = next(e for e in report.entries if e["key"] == twin["id"] and e["outcome"] == "rejected")
    assert entry["table"] == "user" and original in entry["reason"]
    assert User.objects.get(id=original).email == "ivan.rossi9@example.org"
    assert not User.objects.filter(id=twin["id"]).exists()


def test_extended_year_expiry_keeps_the_session():
    report = import_sample("dirty_split")
    anomaly = next(a for a in manifest("dirty_split")["dirty"] if a["issue"] == "extended_year_timestamp")
    row = Session.objects.get(id=anomaly["id"])
    assert row.expires_at.year == 9999
    assert "fixed" in outcomes(report, "session", anomaly["id"])


def test_the_report_lists_projects_and_the_schema_version():
    report = import_sample("dirty")
    projects = {e["key"]: e["value"] for e in report.entries if e["table"] == "projects"}
    legacy = dict(legacy_rows(sample_paths("dirty")[0], "SELECT id, name FROM projects"))
    assert projects == legacy and len(projects) == 4
    assert report.source["schema_version"] == 18
    assert json.dumps(report.as_dict(), default=str)


def test_every_value_that_differs_from_the_legacy_file_is_reported_as_fixed():
    """Every value of every imported row of the dirty sample, compared with PostgreSQL: a value the import
    changed must have a `fixed` entry for its row and column (spec/IMPORT.md, "The report")."""
    report = import_sample("dirty")
    main, _ = sample_paths("dirty")
    mappings = discover_mappings()
    tables = {table.name: table for mapping in mappings.values() for table in mapping.tables
              if table.model is not None and table.convert is not None}
    fixed = {(e["table"], e["key"], e["column"]) for e in report.entries if e["outcome"] == "fixed"}
    unreported, compared = [], 0
    for name, table in tables.items():
        columns = [c for c in table.columns if c not in table.secret_columns]
        with sqlite3.connect(f"file:{main}?mode=ro&immutable=1", uri=True) as legacy:
            legacy.row_factory = sqlite3.Row
            present = {row[1] for row in legacy.execute(f'PRAGMA table_info("{name}")')}
            legacy_rows_by_key = {row[table.key]: dict(row)
                                  for row in legacy.execute(f'SELECT * FROM "{name}"')}
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT {", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)} '
                           f'FROM "{table.db_table}"')
            stored = {row[columns.index(table.key)]: dict(zip(columns, row)) for row in cursor.fetchall()}
        for key, old in legacy_rows_by_key.items():
            if key not in stored:
                continue  # rejected or skipped: test_every_anomaly_is_handled_as_decided covers those
            for column in columns:
                if column not in present:
                    continue  # added after this file's schema version: nothing to change
                compared += 1
                if not same_value(old[column], stored[key][column]) and (name, key, column) not in fixed:
                    unreported.append((name, key, column, old[column], stored[key][column]))
    assert compared > 10_000
    assert unreported == []


def same_value(legacy, stored) -> bool:
    if isinstance(stored, datetime):
        return parse_timestamp(legacy) == stored
    if isinstance(stored, str) and isinstance(legacy, bytes):
        return legacy.decode(errors="strict") == stored
    return legacy == stored
