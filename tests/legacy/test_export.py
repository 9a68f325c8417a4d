"""`export_sqlite` writes the legacy file back: every sample survives import then export row by row and
column by column, the schema is version 18 exactly, and PostgreSQL survives export then import unchanged,
including what users did through the API after the switch."""

import json
import sqlite3
from pathlib import Path

import pytest
import responses
from django.test import Client

from accounts.models import User
from core.models import Setting
from legacy.crypto import legacy_decrypt, legacy_key
from legacy.exporter import run_export
from legacy.importer import run_import
from legacy.mapping import discover_mappings
from legacy.values import parse_timestamp
from providers.models import ProviderCredential
from sandboxes.legacy import DELETED_SANDBOXES_NOTE
from sandboxes.services import sandbox_delete
from tests.factories import ChatMessageFactory, ChatSessionFactory, SandboxFactory
from tests.legacy.conftest import DATA, KEY, import_sample, manifest, manifest_now, owner_email, sample_paths
from tests.legacy.test_command import snapshot
from tests.providers.catalogue_data import MODELS_DEV

pytestmark = pytest.mark.django_db

SAMPLES = ["clean", "dirty", "dirty_split", "v8", "v15_partial"]
SECRETS = {"api_key_encrypted", "access_token_encrypted", "refresh_token_encrypted"}


def export_sample(name: str, tmp_path: Path, **options):
    """Export what the sample's import left, as an operator would right after it."""
    _, auth = sample_paths(name)
    out = tmp_path / "out.sqlite"
    out_auth = tmp_path / "out_auth.sqlite" if auth else None
    options.setdefault("owner", owner_email(name))
    options.setdefault("encryption_key", KEY)
    options.setdefault("now", manifest_now(name))
    return out, out_auth, run_export(out, auth_db=out_auth, **options)


def read(path: Path, sql: str) -> list[sqlite3.Row]:
    with sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True) as db:
        db.row_factory = sqlite3.Row
        return db.execute(sql).fetchall()


def tables_of(path: Path) -> set[str]:
    return {r[0] for r in read(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}


def schema(path: Path) -> dict:
    """Table by table: columns (name -> type, not null, default, primary key) and indexes (unique, origin,
    partial, columns; named ones with their SQL)."""
    result = {}
    with sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True) as db:
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            columns = {r[1]: (r[2], r[3], r[4], r[5]) for r in db.execute(f'PRAGMA table_info("{table}")')}
            indexes = []
            for _, name, unique, origin, partial in db.execute(f'PRAGMA index_list("{table}")'):
                cols = tuple(r[2] for r in db.execute(f'PRAGMA index_info("{name}")'))
                sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
                indexes.append((unique, origin, partial, cols, sql))
            result[table] = {"columns": columns, "indexes": sorted(indexes, key=str)}
    return result


def same_value(column: str, original, exported, *, secret: bool = False) -> bool:
    if secret and original and exported:
        key = legacy_key(KEY)
        return legacy_decrypt(original, key) == legacy_decrypt(exported, key)
    if original == exported:
        return True
    if column.endswith(("_at", "At")):  # timestamps compare as instants
        return parse_timestamp(original) == parse_timestamp(exported)
    if isinstance(original, str) and isinstance(exported, str):  # JSON compares as values
        try:
            return json.loads(original) == json.loads(exported)
        except ValueError:
            return False
    return False


# -- round trip from legacy ------------------------------------------------------------------------

@pytest.mark.parametrize("name", SAMPLES)
def test_a_sample_comes_back_row_by_row_and_column_by_column(name, tmp_path):
    imported = import_sample(name)
    out, out_auth, report = export_sample(name, tmp_path)
    assert report.balanced
    not_kept = {(e["table"], e["key"]) for e in imported.entries if e["outcome"] in ("skipped", "rejected")}
    fixed = {(e["table"], e["key"], e["column"]) for e in imported.entries if e["outcome"] == "fixed"}
    definitions = {
        t.name: t for m in discover_mappings("EXPORT_TABLES").values() for t in m.export_tables if t.columns
    }
    main, auth = sample_paths(name)
    compared = rows = 0
    for source in (main, auth):
        if source is None:
            continue
        for table in sorted(tables_of(source) & set(definitions)):
            definition = definitions[table]
            target = out_auth if (definition.database == "auth" and out_auth) else out
            key = definition.cols[0].name
            exported = {r[key]: r for r in read(target, f'SELECT * FROM "{table}"')}
            for row in read(source, f'SELECT * FROM "{table}"'):
                if (table, row[key]) in not_kept:
                    continue
                rows += 1
                mine = exported.get(row[key])
                assert mine is not None, (table, row[key])
                for column in row.keys():
                    if (table, row[key], column) in fixed:
                        continue
                    assert same_value(column, row[column], mine[column], secret=column in SECRETS), (
                        table, row[key], column, row[column], mine[column])
                    compared += 1
    assert rows and compared, "nothing compared"
    # Exactly the tables of a version 18 file; the Better Auth ones in the auth file when it was split.
    reference = schema(DATA / "clean.sqlite")
    assert schema(out) == reference
    if out_auth:
        assert schema(out_auth) == schema(DATA / "dirty_split_auth.sqlite")
        assert read(out, 'SELECT count(*) FROM "user"')[0][0] == 0


@pytest.mark.parametrize("name", ["clean", "dirty", "dirty_split"])
def test_the_schema_is_version_18_table_by_table_column_by_column_index_by_index(name, tmp_path):
    """Compared with every version 18 sample (one fresh, two upgraded from release 0: other column
    order, same columns), and as written: the same CREATE statements as a fresh v18 file."""
    out, _, _ = export_sample("clean", tmp_path, apps=["containers"], owner=None)
    main, _ = sample_paths(name)
    assert schema(out) == schema(main)
    assert [tuple(r) for r in read(out, "SELECT version, name FROM _migrations ORDER BY version")] == [
        tuple(r) for r in read(main, "SELECT version, name FROM _migrations ORDER BY version")
    ]
    statements = "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL"
    created = {r[0]: r[1] for r in read(out, statements)}
    fresh = {r[0]: r[1] for r in read(DATA / "clean.sqlite", statements)}
    assert created == fresh
    # The old server's own bookkeeping: in WAL mode like its files, migration times in its format.
    assert out.read_bytes()[18:20] == main.read_bytes()[18:20] == b"\x02\x02"  # WAL mode, persistently
    assert all(parse_timestamp(r[0]) for r in read(out, "SELECT applied_at FROM _migrations"))


def test_values_are_written_in_the_legacy_formats(tmp_path):
    import_sample("clean")
    out, _, _ = export_sample("clean", tmp_path)
    user = read(out, 'SELECT * FROM "user" ORDER BY id LIMIT 1')[0]
    assert len(user["createdAt"]) == 24 and user["createdAt"].endswith("Z") and "T" in user["createdAt"]
    assert user["emailVerified"] in (0, 1)
    tier = read(out, "SELECT * FROM resource_tiers WHERE id = 'starter'")[0]
    assert len(tier["created_at"]) == 19 and tier["created_at"][10] == " "
    assert (tier["is_default"], type(tier["price_monthly"])) == (1, float)
    flavor = read(out, "SELECT languages FROM container_flavors WHERE id = 'python'")[0]
    assert isinstance(json.loads(flavor[0]), list)


def test_deleted_sandboxes_and_their_archived_history_are_skipped_and_summed_up_in_one_note(tmp_path):
    import_sample("clean")
    owner = User.objects.get(email=owner_email("clean"))
    kept = SandboxFactory(user=owner)
    kept_message = ChatMessageFactory(session=ChatSessionFactory(sandbox=kept))
    gone = SandboxFactory(user=owner)
    sessions = ChatSessionFactory.create_batch(2, sandbox=gone)
    messages = [message.id for session in sessions for message in ChatMessageFactory.create_batch(2, session=session)]
    sandbox_delete(sandbox=gone, delete_repo=False)
    out, _, report = export_sample("clean", tmp_path)

    def ids(table):
        return {row[0] for row in read(out, f"SELECT id FROM {table}")}

    assert kept.id in ids("sandboxes") and kept_message.session_id in ids("chat_sessions")
    assert kept_message.id in ids("chat_messages")
    assert gone.id not in ids("sandboxes")
    assert ids("chat_sessions") & {s.id for s in sessions} == set() and ids("chat_messages") & set(messages) == set()
    assert report.tables[("sandboxes", "sandboxes")].skipped == {"deleted sandbox (the old server has none)": 1}
    assert report.tables[("chat", "chat_sessions")].skipped == {"chat session of a deleted sandbox": 2}
    assert report.tables[("chat", "chat_messages")].skipped == {"chat message of a deleted sandbox": 4}
    assert [note for note in report.notes if note.startswith("deleted sandboxes")] == [
        f"{DELETED_SANDBOXES_NOTE}: 1 sandboxes, 2 chat_sessions, 4 chat_messages"]
    # The sandbox and its sessions are listed; its messages only counted (their sessions name them).
    listed = sorted((e["table"], e["key"]) for e in report.entries if "deleted sandbox" in e["reason"])
    assert listed == sorted([("sandboxes", gone.id), *(("chat_sessions", s.id) for s in sessions)])
    # The old server would have deleted them: skipped, not data lost, so the export still succeeds.
    assert report.balanced and report.exit_status == 0


# -- secrets, owners, passwords ----------------------------------------------------------------------

def test_credentials_are_re_encrypted_with_the_old_key_and_left_out_without_it(tmp_path):
    import_sample("clean")
    out, _, report = export_sample("clean", tmp_path)
    rows = read(out, "SELECT * FROM provider_credentials")
    by_id = {c["id"]: c for c in manifest("clean")["credentials"]}
    assert rows and report.exit_status == 0
    for row in rows:
        for column, field in by_id[row["id"]]["fields"].items():
            if field["plaintext"]:
                assert legacy_decrypt(row[column], legacy_key(KEY)) == field["plaintext"]
                assert row[column] != field["stored"]  # a fresh IV, as the old server's encrypt()
    (tmp_path / "no-key").mkdir()
    out2, _, without = export_sample("clean", tmp_path / "no-key", encryption_key=None)
    assert read(out2, "SELECT count(*) FROM provider_credentials")[0][0] == 0
    stats = without.tables[("providers", "provider_credentials")]
    assert stats.left_out == {"no legacy encryption key: re-run with --legacy-encryption-key KEY": len(rows)}
    assert without.exit_status == 1
    assert any("--legacy-encryption-key" in hint for hint in without.hints)
    text = json.dumps(without.as_dict()) + json.dumps(report.as_dict())
    plaintexts = [f["plaintext"] for c in manifest("clean")["credentials"] for f in c["fields"].values()]
    assert not any(secret in text for secret in plaintexts if secret)


def test_other_users_credentials_are_left_out_and_named(tmp_path):
    import_sample("clean")
    other = User.objects.exclude(email=owner_email("clean")).first()
    ProviderCredential.objects.create(user=other, provider_id="groq", auth_type="api_key", api_key="sk-other")
    _, _, report = export_sample("clean", tmp_path)
    entries = [e for e in report.entries if e["table"] == "provider_credentials"]
    assert [(e["outcome"], e["value"]) for e in entries] == [("left out", other.id)]
    assert "one global credential per provider" in entries[0]["reason"]
    assert report.exit_status == 1


def test_sessions_keep_their_raw_token_and_expired_ones_are_skipped(tmp_path):
    import_sample("clean")
    out, _, report = export_sample("clean", tmp_path)
    live = {s["id"]: s["token"] for s in manifest("clean")["sessions"] if not s["expired_at_generation_now"]}
    assert {r["id"]: r["token"] for r in read(out, "SELECT id, token FROM session")} == live
    later = manifest_now("clean").replace(year=2030)
    (tmp_path / "later").mkdir()
    out2, _, report2 = export_sample("clean", tmp_path / "later", now=later)
    assert read(out2, "SELECT count(*) FROM session")[0][0] == 0
    assert report2.tables[("accounts", "session")].skipped == {"expired session": len(live)}
    assert report2.exit_status == 0  # expired sessions are no loss


def test_github_links_come_back_with_their_token(tmp_path):
    import_sample("clean")
    out, _, _ = export_sample("clean", tmp_path)
    github = "SELECT * FROM account WHERE providerId = 'github'"
    original = {r["id"]: tuple(r) for r in read(DATA / "clean.sqlite", github)}
    exported = {r["id"]: tuple(r) for r in read(out, github)}
    assert original and exported == original


def test_per_user_default_providers_are_kept_and_the_owners_is_the_global_one(tmp_path):
    import_sample("clean")
    owner = User.objects.get(email=owner_email("clean"))
    other = User.objects.exclude(pk=owner.pk).first()
    Setting.objects.update_or_create(key=f"default_provider:{owner.pk}", defaults={"value": "anthropic"})
    Setting.objects.create(key=f"default_provider:{other.pk}", value="openai")
    out, _, report = export_sample("clean", tmp_path)
    settings = {r["key"]: r["value"] for r in read(out, "SELECT key, value FROM settings")}
    assert settings["default_provider"] == "anthropic"
    assert settings[f"default_provider:{other.pk}"] == "openai"
    assert any("the old server ignores" in note for note in report.notes)


# -- round trip from PostgreSQL ---------------------------------------------------------------------

def sign_up(email: str, password: str) -> dict:
    response = Client().post("/api/auth/sign-up/email", {"email": email, "password": password, "name": "New"},
                             content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_postgresql_comes_back_unchanged_after_export_then_import(tmp_path):
    import_sample("clean")
    # Life after the switch, through the API: a new user, a changed password, a configured credential.
    token = sign_up("after.switch@example.com", "after-switch-password")["token"]
    owner = User.objects.get(email=owner_email("clean"))
    owner_password = next(
        u["password"] for u in manifest("clean")["users"] if u["email"].strip().lower() == owner.email
    )
    browser = Client()
    browser.force_login(owner)
    changed = browser.post("/_allauth/browser/v1/account/password/change",
                           {"current_password": owner_password, "new_password": "changed-after-the-switch"},
                           content_type="application/json")
    assert changed.status_code == 200, changed.content
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as http:
        http.get("https://models.dev/api.json", json=MODELS_DEV)
        configured = api.post("/api/providers/anthropic/configure", {"apiKey": "sk-ant-after-switch"},
                              content_type="application/json")
    assert configured.status_code == 200, configured.content
    # A chat as the chat services keep it (counters in step with the messages).
    session = ChatSessionFactory(sandbox=SandboxFactory(user=owner), message_count=1, user_message_count=1)
    ChatMessageFactory(session=session)
    before = snapshot()
    out = tmp_path / "back.sqlite"
    exported = run_export(out, owner=owner.email, encryption_key=KEY)
    # The new user and the changed password use Django's hasher: the old server cannot verify them.
    assert {r["email"] for r in exported.password_resets} == {"after.switch@example.com", owner.email}
    again = run_import(out, owner=owner.email, encryption_key=KEY)
    assert snapshot() == before
    for (app, table), stats in again.tables.items():
        assert (stats.new, stats.updated, stats.rejected) == (0, 0, 0), (table, stats.as_dict())
        assert stats.unchanged == stats.read - sum(stats.skipped.values()), table
        if app == "legacy":  # the import's own accounting of tables it has no mapping for
            assert table == "_migrations" and stats.read == 17
            continue
        assert stats.read == exported.tables[(app, table)].written, table
    # The only values the import reports changing: the global default provider becoming the owner's again.
    fixed = [(e["table"], e["column"]) for e in again.entries if e["outcome"] == "fixed"]
    assert fixed == [("settings", "key")]

