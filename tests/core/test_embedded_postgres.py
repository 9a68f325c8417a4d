"""The embedded PostgreSQL: zero set-up, shared by processes that start at once, stopped by the last."""

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent.parent

JOIN_AND_HOLD = """
import sys, time
from core.db.embedded import database_url
print(database_url(sys.argv[1]), flush=True)
time.sleep(float(sys.argv[2]))
"""


def start_user(data_dir: Path, hold_seconds: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", JOIN_AND_HOLD, str(data_dir), str(hold_seconds)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def server_pid(data_dir: Path) -> int | None:
    pid_file = data_dir / "postmaster.pid"
    return int(pid_file.read_text().split()[0]) if pid_file.exists() else None


def test_two_processes_starting_at_once_share_one_server_stopped_by_the_last(tmp_path_factory):
    # Under the temp dir, like the default: as root the server runs as an unprivileged user.
    data_dir = Path(tmp_path_factory.mktemp("pg", numbered=True)) / "data"
    os.chmod(data_dir.parent, 0o755)
    first, second = start_user(data_dir, 1), start_user(data_dir, 6)
    urls = [first.stdout.readline().strip(), second.stdout.readline().strip()]
    assert urls[0] == urls[1], (first.stderr.read(), second.stderr.read())
    assert urls[0].startswith("postgres://postgres@127.0.0.1:")

    with psycopg.connect(urls[0].replace("postgres://", "postgresql://")) as connection:
        assert connection.execute("SELECT current_database()").fetchone() == ("agentpod",)
        assert connection.execute("SELECT inet_server_addr()::text").fetchone() == ("127.0.0.1/32",)

    assert first.wait(30) == 0
    pid = server_pid(data_dir)
    assert pid is not None, "the server stopped while the second process still used it"
    os.kill(pid, 0)  # still running

    assert second.wait(30) == 0
    deadline = time.monotonic() + 10
    while server_pid(data_dir) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server_pid(data_dir) is None, "the last process did not stop the server"
    assert (data_dir / "PG_VERSION").exists(), "the data directory is kept for the next run"
