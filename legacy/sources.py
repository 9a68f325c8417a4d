"""Opening legacy SQLite files read-only and telling what they contain.

The file is never written: it is opened with `mode=ro`. A file in WAL mode with a non-empty `-wal`
beside it is read through SQLite's WAL (the recent commits live there), which needs the `-shm` file to
be usable; without a `-wal` (or with an empty one) the file is opened `immutable`, so no `-shm` is
created and a read-only copy (or a read-only directory) works.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


class LegacySourceError(Exception):
    """The file cannot be read, or is not a legacy AgentPod database."""


# Tables every legacy AgentPod database has (schema.sql of release 0 onwards).
_SIGNATURE = {"providers", "settings"}
_BETTER_AUTH = {"user", "session", "account", "verification"}
CACHE_KIB = 512


class LegacyDatabase:
    def __init__(self, path: str | Path, *, role: str = "main"):
        self.path = Path(path)
        self.role = role
        if not self.path.is_file():
            raise LegacySourceError(f"{self.path}: no such file")
        wal = self.path.with_name(self.path.name + "-wal")
        immutable = not (wal.exists() and wal.stat().st_size > 0)
        self.uri = self.path.resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
        try:
            self.connection = self.reader()
            names = [
                row[0]
                for row in self.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
        except sqlite3.DatabaseError as error:
            hint = ""
            if not immutable:
                hint = (" - its -wal is read through a -shm file beside it: put the file and its -wal in a "
                        "writable directory, or checkpoint it first (sqlite3 FILE 'PRAGMA wal_checkpoint')")
            raise LegacySourceError(f"{self.path}: not a readable SQLite database ({error}){hint}") from None
        self.tables = {name for name in names if not name.startswith("sqlite_")}
        self.wal = not immutable

    def reader(self) -> sqlite3.Connection:
        """A read-only connection to the file."""
        connection = sqlite3.connect(self.uri, uri=True, check_same_thread=False)
        connection.execute("PRAGMA query_only = ON")
        # Large tables are read once, in order: a small page cache keeps memory flat.
        connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        return connection

    def close(self) -> None:
        self.connection.close()

    def columns(self, table: str) -> list[str]:
        return [row[1] for row in self.connection.execute(f'PRAGMA table_info("{table}")')]

    def count(self, table: str) -> int:
        return self.connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]

    def schema_version(self) -> int | None:
        if "_migrations" not in self.tables:
            return None
        return self.connection.execute("SELECT COALESCE(MAX(version), 0) FROM _migrations").fetchone()[0]

    def check_agentpod(self) -> None:
        if self.role == "auth":
            if not _BETTER_AUTH <= self.tables:
                raise LegacySourceError(
                    f"{self.path}: not a Better Auth database (no user/session/account/verification tables)"
                )
            return
        if not (_SIGNATURE <= self.tables and "_migrations" in self.tables):
            raise LegacySourceError(
                f"{self.path}: not a legacy AgentPod database (no _migrations, providers and settings tables)"
            )

    def has_better_auth(self) -> bool:
        return _BETTER_AUTH <= self.tables
