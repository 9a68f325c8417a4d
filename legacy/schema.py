"""The legacy schema the export writes: version 18, from `legacy/ddl/v18.sql` (a verbatim copy of a v18
file's sqlite_master and `_migrations` rows), so the old server starts on an exported file without
running a migration.

The statements are grouped by table by replaying the file into an in-memory database and reading its
sqlite_master back: no SQL parsing here, and the file stays the single source of the schema.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DDL = Path(__file__).resolve().parent / "ddl" / "v18.sql"
SCHEMA_VERSION = 18
HISTORY = "_migrations"


@dataclass(frozen=True)
class LegacySchema:
    tables: dict[str, str]  # table name -> CREATE TABLE, in file order
    indexes: dict[str, list[str]]  # table name -> its CREATE INDEX statements
    columns: dict[str, tuple[str, ...]]  # table name -> column names
    migrations: tuple[tuple[int, str], ...]  # the `_migrations` rows (version, name)


@cache
def v18() -> LegacySchema:
    memory = sqlite3.connect(":memory:")
    try:
        memory.executescript(DDL.read_text())
        tables: dict[str, str] = {}
        indexes: dict[str, list[str]] = {}
        for kind, table, sql in memory.execute(
            "SELECT type, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
        ):
            if kind == "table":
                tables[table] = sql
            else:
                indexes.setdefault(table, []).append(sql)
        columns = {
            name: tuple(row[1] for row in memory.execute(f'PRAGMA table_info("{name}")')) for name in tables
        }
        migrations = tuple(memory.execute(f"SELECT version, name FROM {HISTORY} ORDER BY version"))
    finally:
        memory.close()
    return LegacySchema(tables, indexes, columns, migrations)


def create_tables(connection: sqlite3.Connection, names) -> None:
    """The tables (with their primary and unique keys); plain indexes come after the rows are in."""
    schema = v18()
    for name in names:
        connection.execute(schema.tables[name])


def create_indexes(connection: sqlite3.Connection, names) -> None:
    schema = v18()
    for name in names:
        for statement in schema.indexes.get(name, ()):
            connection.execute(statement)


def write_history(connection: sqlite3.Connection) -> None:
    """The 17 `_migrations` rows of a v18 file; `applied_at` takes its default (`datetime('now')`, the
    format the old server wrote), as when the old server applied them."""
    connection.executemany(f"INSERT INTO {HISTORY} (version, name) VALUES (?, ?)", v18().migrations)
