"""`manage.py export_sqlite`: exit statuses, --force, usage errors, the report file, the password
transition, and a SIGKILL in the middle of an export (no output file)."""

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from accounts.hashers import BetterAuthScryptPasswordHasher, from_better_auth
from accounts.models import User
from legacy.exporter import run_export
from legacy.importer import run_import
from sandboxes.legacy import DELETED_SANDBOXES_NOTE
from sandboxes.services import sandbox_delete
from tests.factories import ChatMessageFactory, ChatSessionFactory, SandboxFactory
from tests.legacy.conftest import KEY, import_sample, manifest_now, owner_email
from tests.legacy.test_export import read
from tests.legacy.test_kill import big_copy

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
TRANSITION = "accounts.hashers.BetterAuthScryptPasswordHasher"


def run_command(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("export_sqlite", *map(str, args), stdout=out, stderr=err)
        status = 0
    except CommandError as error:
        status = error.returncode
        err.write(str(error))
    return status, out.getvalue(), err.getvalue()


def database_env() -> dict:
    settings = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": (
            f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
        ),
    }


# -- exit statuses and options ------------------------------------------------------------------------

def test_a_complete_export_exits_0_prints_the_summary_and_writes_the_report(tmp_path):
    import_sample("clean")
    User.objects.exclude(email=owner_email("clean")).update(password="!")  # as if nobody had changed one
    out, report = tmp_path / "out.sqlite", tmp_path / "report.json"
    status, stdout, err = run_command(out, "--owner", owner_email("clean"), "--legacy-encryption-key", KEY,
                                      "--report", report)
    assert status == 0, stdout + err
    assert "chat_messages" in stdout and "written" in stdout and "exported to" in stdout
    data = json.loads(report.read_text())
    assert data["exit_status"] == 0 and data["invariant_holds"] and data["left_out"] == 0
    assert data["apps"]["chat"]["tables"]["chat_messages"]["written"] == 384
    assert out.exists() and not list(tmp_path.glob(".*.tmp"))


def test_deleted_sandboxes_are_skipped_and_said_in_one_line(tmp_path):
    import_sample("clean")
    User.objects.exclude(email=owner_email("clean")).update(password="!")  # as if nobody had changed one
    owner = User.objects.get(email=owner_email("clean"))
    gone = SandboxFactory(user=owner)
    ChatMessageFactory.create_batch(3, session=ChatSessionFactory(sandbox=gone))
    sandbox_delete(sandbox=gone, delete_repo=False)
    out = tmp_path / "out.sqlite"
    status, stdout, err = run_command(out, "--owner", owner_email("clean"), "--legacy-encryption-key", KEY)
    assert status == 0, stdout + err
    assert (f"note: {DELETED_SANDBOXES_NOTE}: 1 sandboxes, 1 chat_sessions, 3 chat_messages"
            in stdout.splitlines())
    assert read(out, f"SELECT count(*) FROM sandboxes WHERE id = '{gone.id}'")[0][0] == 0


def test_rows_left_out_give_exit_status_1_and_the_file_is_still_written(tmp_path):
    import_sample("clean")
    out = tmp_path / "out.sqlite"
    status, stdout, err = run_command(out, "--owner", owner_email("clean"))  # no legacy key
    assert status == 1
    assert "rows left out" in err and "--legacy-encryption-key" in err
    assert "left out 5: no legacy encryption key" in stdout
    assert out.exists()


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["{out}"], "exists: pass --force"),
        (["{tmp}/missing/out.sqlite"], "no such directory"),
        (["{tmp}"], "is a directory"),
        (["{tmp}/new.sqlite", "--auth-db", "{tmp}/new.sqlite"], "--auth-db must be another file"),
        (["{tmp}/new.sqlite", "--app", "nope"], "unknown app nope"),
        (["{tmp}/new.sqlite", "--batch-size", "0"], "--batch-size must be at least 1"),
    ],
)
def test_usage_errors_exit_2_and_write_nothing(tmp_path, arguments, message):
    out = tmp_path / "out.sqlite"
    out.write_text("an earlier export")
    status, _, err = run_command(*(a.format(out=out, tmp=tmp_path) for a in arguments))
    assert status == 2 and message in err
    assert out.read_text() == "an earlier export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.sqlite"]


def test_force_replaces_an_existing_file(tmp_path):
    import_sample("clean")
    out = tmp_path / "out.sqlite"
    out.write_text("an earlier export")
    status, _, _ = run_command(out, "--force", "--owner", owner_email("clean"),
                               "--legacy-encryption-key", KEY)
    assert status in (0, 1)
    assert read(out, "SELECT count(*) FROM chat_messages")[0][0] == 384


def test_exit_status_2_from_a_real_process(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "export_sqlite", str(tmp_path / "no" / "out.sqlite")],
        cwd=ROOT, env=database_env(), capture_output=True, text=True,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "no such directory" in result.stderr


def test_better_auth_tables_go_to_the_auth_file_when_asked(tmp_path):
    import_sample("clean")
    out, auth = tmp_path / "out.sqlite", tmp_path / "auth.sqlite"
    status, _, _ = run_command(out, "--auth-db", auth, "--owner", owner_email("clean"),
                               "--legacy-encryption-key", KEY)
    assert status in (0, 1)
    assert read(auth, 'SELECT count(*) FROM "user"')[0][0] == 8
    assert read(out, 'SELECT count(*) FROM "user"')[0][0] == 0  # present and empty, as in a split install
    assert read(out, "SELECT count(*) FROM sandboxes")[0][0] == 16


def test_one_app_only_writes_the_whole_schema_and_that_app_s_rows(tmp_path):
    import_sample("clean")
    report = run_export(tmp_path / "out.sqlite", apps=["chat"], now=manifest_now("clean"))
    assert [app for app, _ in report.tables] == ["chat", "chat"]
    assert read(tmp_path / "out.sqlite", "SELECT count(*) FROM chat_messages")[0][0] == 384
    assert read(tmp_path / "out.sqlite", "SELECT count(*) FROM sandboxes")[0][0] == 0
    assert any("--app" in note for note in report.notes)


# -- passwords --------------------------------------------------------------------------------------

def better_auth_verify(stored: str, password: str) -> bool:
    """Better Auth 1.4.6's verifyPassword, as legacy-sqlite.md section 3 gives it (independent of ours)."""
    salt, key = stored.split(":")
    derived = hashlib.scrypt(unicodedata.normalize("NFKC", password).encode(), salt=salt.encode(), n=16384,
                             r=16, p=1, dklen=64, maxmem=64 * 1024 * 1024)
    return derived.hex() == key


def test_the_setting_makes_the_better_auth_hasher_the_preferred_one():
    script = "import config.settings.base as s; print(s.PASSWORD_HASHERS[0]); print(len(s.PASSWORD_HASHERS))"
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@localhost:1/none"}
    on = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                        env={**env, "LEGACY_PASSWORD_TRANSITION": "true"})
    off = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, env=env)
    assert on.stdout.split() == [TRANSITION, "6"], on.stderr
    assert off.stdout.split() == ["django.contrib.auth.hashers.PBKDF2PasswordHasher", "6"], off.stderr


def test_with_the_transition_a_new_user_s_password_is_verifiable_by_the_old_server(tmp_path, settings):
    settings.PASSWORD_HASHERS = [TRANSITION, *(h for h in settings.PASSWORD_HASHERS if h != TRANSITION)]
    response = Client().post("/api/auth/sign-up/email",
                             {"email": "during@example.com", "password": "transition-pass-1", "name": "D"},
                             content_type="application/json")
    assert response.status_code == 200, response.content
    user = User.objects.get(email="during@example.com")
    assert user.password.startswith("better_auth_scrypt$")
    # Signing in keeps the Better Auth hash (no upgrade while it is the preferred hasher).
    signed_in = Client().post("/api/auth/sign-in/email",
                              {"email": "during@example.com", "password": "transition-pass-1"},
                              content_type="application/json")
    assert signed_in.status_code == 200
    before = user.password
    user.refresh_from_db()
    assert user.password == before
    report = run_export(tmp_path / "out.sqlite")
    assert report.password_resets == []
    (stored,) = read(tmp_path / "out.sqlite", f"SELECT password FROM account WHERE userId = '{user.id}' "
                                              "AND providerId = 'credential'")[0]
    # The verification the import uses for Better Auth hashes accepts it, and so does Better Auth's own.
    assert BetterAuthScryptPasswordHasher().verify("transition-pass-1", from_better_auth(stored))
    assert not BetterAuthScryptPasswordHasher().verify("transition-pass-2", from_better_auth(stored))
    assert better_auth_verify(stored, "transition-pass-1")


def test_without_the_transition_the_user_is_listed_for_a_password_reset(tmp_path):
    response = Client().post("/api/auth/sign-up/email",
                             {"email": "after@example.com", "password": "after-pass-123", "name": "A"},
                             content_type="application/json")
    assert response.status_code == 200
    report = run_export(tmp_path / "out.sqlite")
    assert [(r["email"], r["reason"]) for r in report.password_resets] == [
        ("after@example.com", "password set in the new system with a hasher the old server lacks")
    ]
    assert report.exit_status == 1
    credential = "SELECT password FROM account WHERE providerId = 'credential'"
    assert read(tmp_path / "out.sqlite", credential)[0][0] is None


# -- SIGKILL ----------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sigkill_during_an_export_leaves_no_output_file(tmp_path):
    run_import(big_copy(tmp_path), owner=owner_email("clean"), encryption_key=KEY)
    out = tmp_path / "out.sqlite"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "export_sqlite", str(out), "--batch-size", "1000"],
        cwd=ROOT, env=database_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    seen = []
    try:
        for line in process.stdout:
            seen.append(line)
            if "chat_messages: 50000/" in line:
                os.kill(process.pid, signal.SIGKILL)
                break
        else:
            pytest.fail("the export ended before it could be killed:\n" + "".join(seen))
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert not out.exists() and not Path(f"{out}-wal").exists()
    assert list(tmp_path.glob(".out.sqlite.*.tmp"))  # what it was writing, under another name
    # The next export clears the killed one's temporary file and writes the whole file.
    report = run_export(out, owner=owner_email("clean"), encryption_key=KEY)
    assert read(out, "SELECT count(*) FROM chat_messages")[0][0] == 384 * 2**8
    assert report.balanced and not list(tmp_path.glob(".out.sqlite.*.tmp"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as every committing test here
def test_the_export_reads_one_snapshot_whatever_commits_meanwhile(tmp_path):
    import psycopg

    import_sample("clean")
    settings = connection.settings_dict
    other = psycopg.connect(host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
                            password=settings["PASSWORD"] or None, dbname=settings["NAME"], autocommit=True)

    def progress(app, table, total):
        if table == "user":  # the snapshot is taken (the first read ran); the server goes on writing
            other.execute("UPDATE chat_messages SET content = '\"changed meanwhile\"'")
            other.execute("DELETE FROM activity_log")

    try:
        run_export(tmp_path / "out.sqlite", progress=progress, now=manifest_now("clean"))
    finally:
        other.close()
    assert read(tmp_path / "out.sqlite", "SELECT count(*) FROM activity_log")[0][0] == 100
    assert read(tmp_path / "out.sqlite", "SELECT count(*) FROM chat_messages WHERE content LIKE '%meanwhile%'")[0][0] == 0
