"""`manage.py import_sqlite`: options, exit statuses, re-runs, dry run, app order, keys and owners."""

import gc
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from chat.models import ChatMessage, ChatSession
from containers.models import ResourceTier
from core.models import Setting
from legacy.importer import run_import
from legacy.management.commands.import_sqlite import Command as ImportCommand
from legacy.mapping import LegacyUsageError, discover_mappings
from legacy.models import ImportRun
from providers.models import ProviderCredential
from tests.legacy.conftest import DATA, KEY, import_sample, manifest, owner_email, sample_paths

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
CLEAN = DATA / "clean.sqlite"


def run_command(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_sqlite", *map(str, args), stdout=out, stderr=err)
        status = 0
    except CommandError as error:
        status = error.returncode
        err.write(str(error))
    return status, out.getvalue(), err.getvalue()


def snapshot() -> dict:
    """Every row of every mapped table, as the models read it (secrets decrypted)."""
    data = {}
    for mapping in discover_mappings().values():
        for table in mapping.tables:
            if table.model is not None:
                pk = table.model._meta.pk.name
                rows = list(table.model.objects.order_by(pk).values())
                for row in rows:  # an unusable password is random by design: compare the fact only
                    if str(row.get("password") or "").startswith("!"):
                        row["password"] = "!unusable"
                data[table.name] = rows
    return data


def test_a_file_that_is_not_agentpod_is_refused_with_exit_status_2(tmp_path):
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    status, _, err = run_command(other)
    assert status == 2 and "not a legacy AgentPod database" in err
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not sqlite at all" * 100)
    status, _, err = run_command(garbage)
    assert status == 2 and "not a readable SQLite database" in err
    status, _, err = run_command(tmp_path / "missing.sqlite")
    assert status == 2 and "no such file" in err
    assert User.objects.count() == 0


def test_exit_status_2_from_a_real_process(tmp_path):
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_sqlite", str(other)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    assert result.returncode == 2, result.stderr
    assert "not a legacy AgentPod database" in result.stderr


def test_only_a_command_line_run_leaves_its_objects_frozen_for_the_exit(tmp_path):
    """From manage.py, the process ends with the command: what it holds is frozen, so the interpreter's
    last collection skips it. Through call_command, the process goes on: nothing stays frozen."""
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    gc.unfreeze()
    try:
        assert run_command(other)[0] == 2
        assert gc.get_freeze_count() == 0
        with pytest.raises(SystemExit) as exit_:
            ImportCommand(stdout=io.StringIO(), stderr=io.StringIO()).run_from_argv(
                ["manage.py", "import_sqlite", str(other)]
            )
        assert exit_.value.code == 2
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_clean_import_exits_0_prints_the_summary_and_writes_the_report(tmp_path):
    report_path = tmp_path / "report.json"
    status, out, err = run_command(
        CLEAN, "--owner", owner_email("clean"), "--legacy-encryption-key", KEY, "--report", report_path
    )
    # Every session of the sample is expired by now (skipped, counted): nothing is rejected.
    assert status == 0, err
    assert "chat_messages" in out and "384" in out
    report = json.loads(report_path.read_text())
    assert report["invariant_holds"] is True and report["exit_status"] == 0
    assert report["apps"]["chat"]["tables"]["chat_messages"]["imported"] == 384
    assert report["apps"]["accounts"]["tables"]["session"]["skipped"] == {"expired session": 12}
    assert report["source"]["schema_version"] == 18


def test_rejected_rows_give_exit_status_1_and_the_rest_is_imported():
    status, out, err = run_command(CLEAN, "--legacy-encryption-key", KEY)  # 8 users and no --owner
    assert status == 1
    assert "re-run with --owner EMAIL" in err
    assert ChatMessage.objects.count() == 384 and ProviderCredential.objects.count() == 0


def test_dry_run_writes_nothing_and_reports_the_same():
    before = snapshot()
    dry = import_sample("dirty", dry_run=True)
    assert snapshot() == before
    assert not ImportRun.objects.exists()
    real = import_sample("dirty")
    assert ChatMessage.objects.exists()

    def comparable(report):
        data = report.as_dict()
        for key in ("dry_run", "elapsed_s"):
            data.pop(key)
        for app in data["apps"].values():
            for table in app["tables"].values():
                table.pop("elapsed_s")
        return data

    assert comparable(dry) == comparable(real)


def test_dry_run_through_the_command():
    status, out, _ = run_command(
        CLEAN, "--dry-run", "--owner", owner_email("clean"), "--legacy-encryption-key", KEY
    )
    assert status == 0 and "dry run: nothing was written" in out
    assert User.objects.count() == 0 and ChatMessage.objects.count() == 0


def test_a_child_app_is_refused_until_its_parents_are_imported():
    status, _, err = run_command(CLEAN, "--app", "chat")
    assert status == 2 and "import accounts first" in err
    assert ChatSession.objects.count() == 0
    status, _, err = run_command(CLEAN, "--app", "accounts")
    assert status == 0, err
    status, _, err = run_command(CLEAN, "--app", "chat")
    assert status == 2 and "import sandboxes first" in err
    status, _, err = run_command(CLEAN, "--app", "sandboxes", "--app", "chat")
    assert status == 0, err
    assert ChatMessage.objects.count() == 384
    assert set(ImportRun.objects.values_list("app_label", flat=True)) == {"accounts", "sandboxes", "chat"}
    with pytest.raises(LegacyUsageError, match="unknown app nope"):
        run_import(CLEAN, apps=["nope"])


def test_apps_run_parents_first():
    assert list(discover_mappings()) == [
        "accounts",
        "containers",
        "settings_app",
        "providers",
        "sandboxes",
        "chat",
        "activity",
    ]
    report = import_sample("clean")
    assert list(report.apps) == list(discover_mappings())


def test_the_same_import_twice_leaves_identical_data():
    first = import_sample("dirty")
    data = snapshot()
    second = import_sample("dirty")
    assert snapshot() == data
    for (app, table), stats in second.tables.items():
        assert stats.new == 0, table
        assert stats.updated == 0, table  # secrets too: an unchanged plaintext keeps its ciphertext
        assert stats.imported == first.tables[(app, table)].imported
        assert stats.rejected == first.tables[(app, table)].rejected


def test_a_newer_copy_of_the_file_updates_changed_rows_and_adds_new_ones(sample_copy):
    path = sample_copy("clean")
    import_sample("clean", path=path)
    session_id, sandbox_id = legacy_first(path, "SELECT id, sandbox_id FROM chat_sessions ORDER BY rowid")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE chat_sessions SET title = 'Renamed on the old server' WHERE id = ?", (session_id,))
        db.execute(
            "INSERT INTO chat_messages (id, session_id, role, content, status, created_at) VALUES "
            "('new-message-1', ?, 'user', '{\"parts\":[]}', 'complete', '2025-12-14T17:00:00.000Z')",
            (session_id,),
        )
        db.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES ('new_key', 'v', '2025-12-14 17:00:00')"
        )
    report = import_sample("clean", path=path)
    assert ChatSession.objects.get(id=session_id).title == "Renamed on the old server"
    assert ChatMessage.objects.filter(id="new-message-1").exists()
    assert Setting.objects.get(key="new_key").value == "v"
    sessions = report.tables[("chat", "chat_sessions")]
    messages = report.tables[("chat", "chat_messages")]
    # The session's counters are recomputed (one more message), so it is updated once, by the import.
    assert (messages.new, messages.updated) == (1, 0)
    assert sessions.updated == 1 and sessions.new == 0
    assert (
        ChatSession.objects.get(id=session_id).message_count
        == ChatMessage.objects.filter(session_id=session_id).count()
    )


def legacy_first(path, sql):
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchone()


def test_reference_rows_changed_by_an_operator_are_kept_unless_overwrite():
    import_sample("clean")
    builder = ResourceTier.objects.get(id="builder")
    legacy_price = builder.price_monthly
    builder.price_monthly = 12.5
    builder.save()
    report = import_sample("clean")
    assert ResourceTier.objects.get(id="builder").price_monthly == 12.5
    stats = report.tables[("containers", "resource_tiers")]
    assert sum(stats.skipped.values()) == 1 and stats.balanced
    assert any(e["key"] == "builder" and "operator" in e["reason"] for e in report.entries)
    import_sample("clean", overwrite_reference=True)
    assert ResourceTier.objects.get(id="builder").price_monthly == legacy_price


def test_without_the_legacy_key_credentials_are_rejected_and_the_rest_goes_on():
    status, out, err = run_command(CLEAN, "--owner", owner_email("clean"))
    assert status == 1
    assert "--legacy-encryption-key" in err
    assert ProviderCredential.objects.count() == 0
    assert ChatMessage.objects.count() == 384
    report = import_sample("clean", encryption_key=None)
    reasons = {e["reason"] for e in report.entries if e["table"] == "provider_credentials"}
    assert reasons == {"no legacy encryption key: re-run with --legacy-encryption-key KEY"}


def test_a_wrong_legacy_key_rejects_the_credentials_with_that_reason(settings):
    settings.LEGACY_ENCRYPTION_KEY = "not-the-key"  # what LEGACY_ENCRYPTION_KEY in the environment sets
    status, _, err = run_command(CLEAN, "--owner", owner_email("clean"))
    assert status == 1 and "could not be decrypted" in err
    assert ProviderCredential.objects.count() == 0
    report = import_sample("clean", encryption_key="not-the-key")
    entries = [e for e in report.entries if e["table"] == "provider_credentials"]
    assert len(entries) == len(manifest("clean")["credentials"])
    assert all("wrong legacy encryption key" in e["reason"] for e in entries)
    assert all(e["value"].startswith("<secret") for e in entries)
    # Re-running with the right key brings them in.
    import_sample("clean")
    assert ProviderCredential.objects.count() == len(manifest("clean")["credentials"])


def test_single_tenant_data_goes_to_the_owner_or_is_rejected():
    report = import_sample("clean", owner=None)
    rejected = [e for e in report.entries if e["outcome"] == "rejected"]
    assert {e["table"] for e in rejected} == {
        "provider_credentials",
        "user_opencode_config",
        "user_opencode_files",
    }
    assert {e["reason"] for e in rejected} == {"no owner: re-run with --owner EMAIL"}
    report = import_sample("clean", owner="Nobody@Example.com")
    assert ProviderCredential.objects.count() == 0
    assert any("is not a user" in e["reason"] for e in report.entries)
    email = owner_email("clean")
    report = import_sample("clean", owner=email.upper())
    owner = User.objects.get(email=email)
    assert set(ProviderCredential.objects.values_list("user_id", flat=True)) == {owner.id}
    assert owner.opencode_files.count() >= 2
    assert any(email in note for note in report.notes)


def test_with_exactly_one_user_single_tenant_data_goes_to_that_user(sample_copy):
    path = sample_copy("clean")
    keep = manifest("clean")["users"][0]["id"]
    with sqlite3.connect(path) as db:
        db.execute('DELETE FROM "user" WHERE id != ?', (keep,))
    report = import_sample("clean", path=path, owner=None)
    assert User.objects.count() == 1
    assert set(ProviderCredential.objects.values_list("user_id", flat=True)) == {keep}
    assert any("the only user" in note for note in report.notes)
    # Rows of the deleted users are orphans now, rejected naming the missing user.
    assert all(e["reason"].startswith("orphan:") for e in report.entries if e["outcome"] == "rejected")


def test_better_auth_tables_in_a_separate_file():
    main, auth = sample_paths("dirty_split")
    with pytest.raises(LegacyUsageError, match="--auth-db"):
        run_import(main)
    report = run_import(main, auth_db=auth, encryption_key=KEY, owner=owner_email("dirty_split"))
    assert report.tables[("accounts", "user")].read == manifest("dirty_split")["row_counts"]["auth"]["user"]


def test_a_wal_file_is_read_with_its_recent_commits(sample_copy):
    import hashlib

    path = sample_copy("clean")
    writer = sqlite3.connect(path)
    try:
        assert writer.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES ('only_in_wal', 'yes', "
            "'2025-12-14 17:00:00')"
        )
        writer.commit()
        wal = Path(str(path) + "-wal")
        assert wal.stat().st_size > 0
        before = hashlib.sha256(path.read_bytes()).hexdigest()
        import_sample("clean", path=path)
        assert Setting.objects.get(key="only_in_wal").value == "yes"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    finally:
        writer.close()


def test_the_bulk_path_gives_the_same_result_as_the_batch_path():
    small = import_sample("dirty", batch_size=37)
    data = snapshot()
    for model in (m for m in apps.get_models() if m._meta.app_label in discover_mappings()):
        model.objects.all().delete()
    ImportRun.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM legacy_reference_row")
    bulk = import_sample("dirty", bulk_rows=50, batch_size=37)
    assert snapshot() == data

    def outcomes(report):
        return sorted((e["table"], str(e["key"]), e["outcome"], str(e["column"])) for e in report.entries)

    assert outcomes(bulk) == outcomes(small)
    assert {k: v.as_dict()["read"] for k, v in bulk.tables.items()} == {
        k: v.as_dict()["read"] for k, v in small.tables.items()
    }


def test_a_bulk_load_into_an_empty_table_writes_its_rows_frozen():
    """COPY FREEZE: the pages the load fills are all-visible at once, so the index builds and the orphan
    check set no hint bits on them (a second write of the whole table) and no vacuum has to freeze them.
    Without it none is. (A page PostgreSQL began in one batch of its COPY and filled in the next is
    not marked; deleting an orphan clears its page's mark too, hence the clean sample.)"""
    import_sample("clean", bulk_rows=50, batch_size=37)
    with connection.cursor() as cursor:
        for table in ("chat_messages", "activity_log"):
            cursor.execute(f"ANALYZE {table}")
            cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE relname = %s", [table])
            pages, all_visible = cursor.fetchone()
            assert pages > 0 and all_visible >= pages / 2, (table, pages, all_visible)


def _orphan_checks(queries) -> set[str]:
    return {q["sql"].split('"')[1] for q in queries
            if q["sql"].startswith(("DELETE FROM", "UPDATE")) and "NOT EXISTS (SELECT 1 FROM" in q["sql"]}


def _validated_foreign_keys(table: str) -> list[tuple[str, bool]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT confrelid::regclass::text, convalidated FROM pg_constraint "
                       "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY 1", [table])
        return cursor.fetchall()


@pytest.mark.parametrize("table", ["chat_messages", "activity_log"])
def test_a_bulk_load_without_orphans_is_checked_by_its_foreign_keys_alone(table):
    """A direct bulk load of a clean file builds its indexes, then adds its foreign keys back: their
    validation (reading an index that holds the column) proves every parent exists, so the orphan checks
    (a pass over the whole table) do not run."""
    with CaptureQueriesContext(connection) as queries:
        import_sample("clean", bulk_rows=50, batch_size=37)
    assert table not in _orphan_checks(queries.captured_queries)
    ddl = [q["sql"] for q in queries.captured_queries
           if q["sql"].startswith(("CREATE INDEX", f'ALTER TABLE "{table}" ADD'))
           and (f'"{table}"' in q["sql"] or f".{table} " in q["sql"])]  # ALTER TABLE "t" / ON public.t
    keys = [i for i, sql in enumerate(ddl) if "FOREIGN KEY" in sql]
    builds = [i for i, sql in enumerate(ddl) if "FOREIGN KEY" not in sql]
    assert keys and builds and max(builds) < min(keys), ddl
    assert _validated_foreign_keys(table) and all(valid for _, valid in _validated_foreign_keys(table))


def test_a_bulk_load_builds_its_indexes_in_memory_without_read_ahead_and_then_restores_it():
    with CaptureQueriesContext(connection) as queries:
        import_sample("clean", bulk_rows=50, batch_size=37)
    statements = [q["sql"] for q in queries.captured_queries]
    builds = [i for i, sql in enumerate(statements) if sql.startswith("CREATE INDEX")]
    off = [i for i, sql in enumerate(statements) if "SET LOCAL effective_io_concurrency = 0" in sql]
    on = [i for i, sql in enumerate(statements) if "SET LOCAL effective_io_concurrency TO DEFAULT" in sql]
    assert builds and off and on
    for build in builds:  # each build between a setting off and the next restoring
        assert max(i for i in off if i < build) > max((i for i in on if i < build), default=-1)
    assert "maintenance_work_mem = '256MB'" in statements[off[0]]
    assert max(on) > max(builds)


def test_a_bulk_load_with_orphans_still_rejects_or_detaches_each_of_them():
    """Where a foreign key does not hold, its savepoint is rolled back and the orphan checks run: the
    orphan messages are rejected, the orphan activity rows detached, and the keys then hold."""
    with CaptureQueriesContext(connection) as queries:
        report = import_sample("dirty", bulk_rows=50, batch_size=37)
    assert {"chat_messages", "activity_log"} <= _orphan_checks(queries.captured_queries)
    outcomes = {(e["table"], e["outcome"]) for e in report.entries if e["reason"].startswith("orphan")
                or "does not exist: reference set to NULL" in str(e["reason"])}
    assert {("chat_messages", "rejected"), ("activity_log", "fixed")} <= outcomes
    for table in ("chat_messages", "activity_log"):
        assert all(valid for _, valid in _validated_foreign_keys(table))
    assert not ChatMessage.objects.exclude(session__isnull=False).exists()


def test_a_failing_app_is_rolled_back_whole_and_the_others_are_kept(monkeypatch):
    """An error in the middle of an app (here: after 100 messages were loaded) undoes that app only."""
    import chat.legacy

    original = chat.legacy.convert_message
    calls = {"n": 0}

    def failing(row, c, ctx):
        calls["n"] += 1
        if calls["n"] > 300:
            raise RuntimeError("disk on fire")
        return original(row, c, ctx)

    monkeypatch.setattr(chat.legacy.TABLES[1], "convert", failing)
    report = import_sample("clean", batch_size=100)
    assert calls["n"] > 300
    assert report.apps["chat"]["status"] == "failed, nothing of it imported: RuntimeError: disk on fire"
    assert report.apps["activity"]["status"] == "imported" and report.exit_status == 1 and report.balanced
    assert ChatSession.objects.count() == 0 and ChatMessage.objects.count() == 0
    assert not ImportRun.objects.filter(app_label="chat").exists()
    assert User.objects.count() == 8
    chat_entries = [e for e in report.entries if e["app"] == "chat"]
    assert {e["outcome"] for e in chat_entries} == {"rejected"}
    assert all("disk on fire" in e["reason"] for e in chat_entries)


def test_a_default_moved_to_another_reference_row_is_carried_over(sample_copy):
    import_sample("clean")
    path = sample_copy("clean")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE resource_tiers SET is_default = (id = 'builder')")
    report = import_sample("clean", path=path)
    assert report.apps["containers"]["status"] == "imported"
    assert list(ResourceTier.objects.filter(is_default=True).values_list("id", flat=True)) == ["builder"]
