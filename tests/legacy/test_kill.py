"""A real SIGKILL of `manage.py import_sqlite` in the middle of an app leaves that app as it was.

The import runs as a separate process on the test database; the test waits until it has loaded more
than 50,000 chat messages inside the chat app's transaction (its progress line says so), kills it, and
checks that the chat tables are empty, with their indexes and foreign keys intact (the bulk path drops
and re-creates them inside the transaction), while the apps committed before it are complete.
"""

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from accounts.models import User
from chat.models import ChatMessage, ChatSession
from legacy.models import ImportRun
from sandboxes.models import Sandbox
from tests.legacy.conftest import DATA, KEY, owner_email

ROOT = Path(__file__).resolve().parents[2]


def big_copy(tmp_path: Path, factor_log2: int = 8) -> Path:
    """clean.sqlite with its 384 messages copied 2^8 times (~98,000 messages, fresh ids)."""
    path = tmp_path / "big.sqlite"
    shutil.copyfile(DATA / "clean.sqlite", path)
    path.chmod(0o644)
    with sqlite3.connect(path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(chat_messages)") if row[1] != "id"]
        names = ", ".join(columns)
        for _ in range(factor_log2):
            db.execute(
                f"INSERT INTO chat_messages (id, {names}) SELECT lower(hex(randomblob(16))), {names} "
                "FROM chat_messages"
            )
    return path


def constraints_of(table: str) -> set:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        indexes = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass", [f'"{table}"'])
        return indexes | {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sigkill_during_an_app_leaves_it_exactly_as_before(tmp_path):
    path = big_copy(tmp_path)
    before = constraints_of("chat_messages")
    settings = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "import_sqlite",
            str(path),
            "--owner",
            owner_email("clean"),
            "--legacy-encryption-key",
            KEY,
            "--batch-size",
            "2000",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    try:
        deadline = time.monotonic() + 120
        for line in process.stdout:
            seen.append(line)
            # The progress line every 50,000 rows or so (batches end at a row count or a size).
            if (loaded := re.match(r"\s*chat_messages: (\d+)/", line)) and int(loaded[1]) >= 50_000:
                break
            assert time.monotonic() < deadline, "".join(seen)
        else:
            pytest.fail("the import ended before it could be killed:\n" + "".join(seen))
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    # The apps before chat were committed, whole.
    assert User.objects.count() == 8 and Sandbox.objects.count() == 16
    assert set(ImportRun.objects.values_list("app_label", flat=True)) == {
        "accounts",
        "containers",
        "settings_app",
        "providers",
        "sandboxes",
    }
    # The chat app is exactly as before: nothing of it, its schema intact.
    assert ChatSession.objects.count() == 0 and ChatMessage.objects.count() == 0
    assert constraints_of("chat_messages") == before
    # And the import can simply be run again.
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "import_sqlite",
            str(path),
            "--app",
            "chat",
            "--owner",
            owner_email("clean"),
            "--legacy-encryption-key",
            KEY,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert ChatMessage.objects.count() == 384 * 2**8
