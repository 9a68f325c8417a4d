"""The export run (`manage.py export_sqlite`): PostgreSQL back into a legacy SQLite file at schema
version 18 that the old server starts on without a migration, the migration plan's way back.

- One snapshot: every table is read in one REPEATABLE READ, READ ONLY transaction, so rows written
  by the running server during the export are either all in the file or all out of it.
- No half file: the file is written under a temporary name beside OUT and renamed over it at the
  end (after an fsync); a failure removes it, a kill leaves only the temporary name, never OUT.
- Each app's `legacy.py` says what its tables become (`EXPORT_TABLES`, see `legacy.export`); the
  schema is `legacy/ddl/v18.sql` whatever apps are chosen, so the old server finds every table.
- Rows stream: a server-side cursor feeds batches, in primary key order, to SQLite's executemany in
  a writer thread, so reading the next batch overlaps writing this one and memory stays flat.
"""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from .export import FLAG, ISO, SQLITE_NOW, Col, ExportContext, ExportTable
from .mapping import LegacyUsageError, Mapping, discover_mappings
from .report import ExportReport, ExportStats
from .schema import SCHEMA_VERSION, create_indexes, create_tables, v18, write_history
from .values import Reject, Skip

DEFAULT_BATCH_SIZE = 1000  # rows of up to a few KiB (chat content): three batches in flight stay small


def run_export(
    path: str | Path,
    *,
    auth_db: str | Path | None = None,
    apps: Iterable[str] | None = None,
    owner: str | None = None,
    encryption_key: str | None = None,
    force: bool = False,
    now: datetime | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[str, str, int | None], object] | None = None,
    log: Callable[[str], None] | None = None,
) -> ExportReport:
    """Write what PostgreSQL holds to the legacy file `path` (and the Better Auth tables to `auth_db`
    when given). Raises `LegacyUsageError` for operator mistakes; rows that cannot be exported are in
    the returned report."""
    log = log or (lambda message: None)
    now = now or timezone.now()
    started = time.monotonic()
    targets = {"main": Path(path)}
    if auth_db:
        targets["auth"] = Path(auth_db)
    _check_targets(targets, force)
    mappings = discover_mappings("EXPORT_TABLES")
    selected = _select(mappings, apps)
    _check_definitions(mappings)
    report = ExportReport(
        target={"path": str(path), "auth_db": str(auth_db) if auth_db else None,
                "schema_version": SCHEMA_VERSION, "apps": [m.label for m in selected]},
        now=now,
    )
    if len(selected) < len(mappings):
        others = ", ".join(label for label in mappings if all(m.label != label for m in selected))
        report.notes.append(f"only some apps exported (--app): the tables of {others} are empty")
    temporary = {role: t.with_name(f".{t.name}.{os.getpid()}.tmp") for role, t in targets.items()}
    files: dict[str, sqlite3.Connection] = {}
    try:
        for role, temp in temporary.items():
            _remove_stale(targets[role])
            _remove(temp)
            files[role] = _open(temp)
        auth_tables = {t.name for m in mappings.values() for t in m.export_tables if t.database == "auth"}
        layout = {"main": list(v18().tables)}
        if "auth" in files:
            layout["auth"] = [name for name in v18().tables if name in auth_tables]
        for role, names in layout.items():
            create_tables(files[role], names)
        write_history(files["main"])
        ctx = ExportContext(report=report, mappings=mappings, now=now, owner_email=owner,
                            encryption_key=encryption_key)
        writer = _Writer()
        try:
            with _snapshot():
                for mapping in selected:
                    log(f"{mapping.label}:")
                    for table in mapping.export_tables:
                        target = files.get(table.database, files["main"])
                        _export_table(ctx, mapping, table, target, writer, batch_size, progress, log)
        finally:
            writer.close()
        _note_withheld(ctx)
        for role, names in layout.items():
            create_indexes(files[role], names)
        for role in ("auth", "main"):  # OUT last: while it is absent, the export did not happen
            if role in files:
                _finish(files.pop(role), temporary[role], targets[role])
    finally:
        for role, db in files.items():
            db.close()
            _remove(temporary[role])
    report.elapsed = time.monotonic() - started
    return report


def _check_targets(targets: dict[str, Path], force: bool) -> None:
    if len({t.resolve() for t in targets.values()}) < len(targets):
        raise LegacyUsageError("--auth-db must be another file than OUT")
    for target in targets.values():
        if not target.parent.is_dir():
            raise LegacyUsageError(f"{target.parent}: no such directory")
        if target.is_dir():
            raise LegacyUsageError(f"{target} is a directory")
        if target.exists() and not force:
            raise LegacyUsageError(f"{target} exists: pass --force to replace it")


def _select(mappings: dict[str, Mapping], labels: Iterable[str] | None) -> list[Mapping]:
    if not labels:
        return list(mappings.values())
    labels = list(dict.fromkeys(labels))
    unknown = [label for label in labels if label not in mappings]
    if unknown:
        raise LegacyUsageError(f"unknown app {', '.join(unknown)}: choose from {', '.join(mappings)}")
    return [m for m in mappings.values() if m.label in labels]


def _check_definitions(mappings: dict[str, Mapping]) -> None:
    """Every exported column exists in the v18 table it names (a programming error otherwise)."""
    schema = v18()
    for mapping in mappings.values():
        for table in mapping.export_tables:
            if table.skip_reason or table.leave_out_reason or table.model is None:
                continue
            unknown = [c.name for c in table.cols if c.name not in schema.columns.get(table.name, ())]
            if unknown:
                raise RuntimeError(f"{mapping.label}: {table.name} has no legacy column {', '.join(unknown)}")


@contextmanager
def _snapshot():
    """One REPEATABLE READ, READ ONLY transaction for the whole read. Called inside a transaction
    already (a test, a larger job), that transaction is the snapshot: its isolation level can no
    longer change once it has run a query."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


# -- SQLite side --------------------------------------------------------------------------------------

def _open(path: Path) -> sqlite3.Connection:
    # Written by the writer thread, set up and finished by the main one: never both at once.
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    # A temporary file nobody else reads: no durability until _finish, which fsyncs it. The rollback
    # journal stays in memory so a failed batch can still be rolled back.
    db.execute("PRAGMA journal_mode = MEMORY")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA foreign_keys = OFF")  # as Better Auth's connection: parents may be in the other file
    return db


def _finish(db: sqlite3.Connection, temp: Path, target: Path) -> None:
    # Legacy files are in WAL mode persistently (header bytes 18-19 = 2); closing checkpoints the WAL
    # and removes it, so the renamed file stands alone.
    db.execute("PRAGMA journal_mode = WAL")
    db.close()
    with open(temp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temp, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _remove_stale(target: Path) -> None:
    """Temporary files of exports to `target` whose process is gone (killed): never a live one's."""
    for temp in target.parent.glob(f".{target.name}.*.tmp"):
        try:
            os.kill(int(temp.name.rsplit(".", 2)[-2]), 0)
        except ValueError:
            continue
        except ProcessLookupError:
            _remove(temp)
        except PermissionError:  # alive, another user's
            continue


def _remove(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# -- one table --------------------------------------------------------------------------------------

class _Writer:
    """SQLite's side of the copy, in a thread of its own: sqlite3 releases the GIL while SQLite works,
    so the main thread (which keeps Django's thread-bound connection) reads and converts the next batch
    from PostgreSQL meanwhile. At most one batch waits, so memory stays flat."""

    def __init__(self):
        self.tasks: queue.Queue = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="legacy-export-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (task := self.tasks.get()) is not None:
            try:
                if self.error is None:
                    task()
            except BaseException as error:  # raised again in the main thread
                self.error = error
            finally:
                self.tasks.task_done()
        self.tasks.task_done()

    def submit(self, function, *args) -> None:
        self._raise()
        self.tasks.put(lambda: function(*args))

    def drain(self) -> None:
        """Wait until every submitted batch is written."""
        self.tasks.join()
        self._raise()

    def close(self) -> None:
        self.tasks.put(None)
        self.thread.join()

    def _raise(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise error


def _export_table(ctx: ExportContext, mapping: Mapping, table: ExportTable, db: sqlite3.Connection,
                  writer: _Writer, batch_size: int, progress, log) -> None:
    report = ctx.report
    stats = report.table(mapping.label, table.name)
    started = time.monotonic()
    if table.note:
        report.notes.append(table.note)
    if table.model is None:
        stats.elapsed = time.monotonic() - started
        return
    cursor = connection.chunked_cursor()
    try:
        total = table.model._base_manager.count()  # every row, those a default manager hides included
        bar = progress(mapping.label, table.name, total) if progress else None
        if table.skip_reason or table.leave_out_reason:
            _account_whole_table(report, stats, table, cursor, batch_size, bar)
        else:
            if table.withheld:
                _account_withheld(ctx, stats, table, batch_size, bar)
            _copy_rows(ctx, stats, table, cursor, db, writer, batch_size, bar)
    finally:
        cursor.close()
    stats.elapsed = time.monotonic() - started
    log(
        f"  {table.name}: read {stats.read}, written {stats.written}, skipped {sum(stats.skipped.values())}, "
        f"left out {sum(stats.left_out.values())} in {stats.elapsed:.2f}s"
    )


def _account_whole_table(report: ExportReport, stats: ExportStats, table: ExportTable, cursor, batch_size,
                         bar) -> None:
    cursor.execute(f'SELECT t."{table.pk}" FROM "{table.db_table}" t ORDER BY 1')
    if table.skip_reason:
        outcome, reason, counter = "skipped", table.skip_reason, stats.skipped
    else:
        outcome, reason, counter = "left out", table.leave_out_reason, stats.left_out
    while rows := cursor.fetchmany(batch_size):
        for (key,) in rows:
            stats.read += 1
            counter[reason] += 1
            report.entry(stats, outcome, key, None, None, reason)
        if bar:
            bar(len(rows))


def _account_withheld(ctx: ExportContext, stats: ExportStats, table: ExportTable, batch_size: int, bar) -> None:
    """The rows `table.withheld` sets apart, counted as skipped (and listed, unless it says not to)."""
    withheld = table.withheld
    source = f'"{table.db_table}" t WHERE {withheld.where}'
    count = 0
    if withheld.listed:
        cursor = connection.chunked_cursor()
        try:
            cursor.execute(f'SELECT t."{table.pk}" FROM {source} ORDER BY 1')
            while rows := cursor.fetchmany(batch_size):
                count += len(rows)
                for (key,) in rows:
                    ctx.report.entry(stats, "skipped", key, None, None, withheld.reason)
        finally:
            cursor.close()
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {source}")
            count = cursor.fetchone()[0]
    stats.read += count
    if count:
        stats.skipped[withheld.reason] += count
        if bar:
            bar(count)
    ctx.withheld.setdefault(withheld.note, {})[table.name] = count


def _note_withheld(ctx: ExportContext) -> None:
    """One note per reason rows were withheld, with the count of every table it withheld rows of."""
    for note, counts in ctx.withheld.items():
        if any(counts.values()):
            ctx.report.notes.append(f"{note}: " + ", ".join(f"{n} {table}" for table, n in counts.items()))


def _copy_rows(ctx: ExportContext, stats: ExportStats, table: ExportTable, cursor, db, writer: _Writer,
               batch_size: int, bar) -> None:
    report, cols = ctx.report, table.cols
    names = [c.name for c in cols]
    now = f"'{ctx.now.isoformat()}'::timestamptz"
    select = [f'{_read(c).replace("{now}", now)} AS "{c.name}"' for c in cols]
    select += [f'{sql.replace("{now}", now)} AS "{name}"' for name, sql in table.extra]
    # Primary key order: SQLite then appends to the key's index instead of inserting at random places,
    # several times cheaper for a large table (and two exports of one database are identical).
    source = f'"{table.db_table}" t {table.joins}'.rstrip()
    if table.withheld:
        source += f" WHERE NOT ({table.withheld.where})"
    cursor.execute(f'SELECT {", ".join(select)} FROM {source} ORDER BY t."{table.pk}"')
    fields = names + [name for name, _ in table.extra]
    quoted = ", ".join(f'"{name}"' for name in names)
    insert = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" * len(names))})'
    key_index = names.index(table.pk) if table.pk in names else 0
    written, refused = [0], []  # the writer's; read once it is drained
    while rows := cursor.fetchmany(batch_size):
        stats.read += len(rows)
        if bar:
            bar(len(rows))
        if table.convert is not None:
            rows = _convert(ctx, stats, table, rows, fields, names, key_index)
        writer.submit(_insert, db, insert, rows, written, refused)
    writer.drain()
    stats.written += written[0]
    for key, reason in refused:
        stats.left_out[reason] += 1
        report.entry(stats, "left out", key, None, None, reason)


def _convert(ctx, stats: ExportStats, table: ExportTable, rows, fields, names, key_index) -> list[tuple]:
    out = []
    for values in rows:
        row = dict(zip(fields, values))
        key = values[key_index]
        try:
            row = table.convert(row, ctx)
        except Skip as skip:
            stats.skipped[skip.reason] += 1
            ctx.report.entry(stats, "skipped", key, None, skip.value, skip.reason)
            continue
        except Reject as reject:
            stats.left_out[reject.reason] += 1
            ctx.report.entry(stats, "left out", key, reject.column, reject.value, reject.reason,
                             secret=reject.secret or reject.column in table.secret_columns)
            continue
        out.append(tuple(row[name] for name in names))
    return out


def _insert(db: sqlite3.Connection, insert: str, rows, written: list, refused: list) -> None:
    """A batch in one SQLite transaction (in the writer thread); if SQLite refuses a row (a legacy
    UNIQUE or CHECK the new schema does not have), the batch is retried row by row and the refused rows
    are left out, named by their first column (the key)."""
    if not rows:
        return
    try:
        db.execute("BEGIN")
        db.executemany(insert, rows)
        db.execute("COMMIT")
        written[0] += len(rows)
        return
    except sqlite3.DatabaseError:
        db.execute("ROLLBACK")
    for row in rows:
        try:
            db.execute(insert, row)
        except sqlite3.DatabaseError as error:
            refused.append((row[0], f"refused by the legacy schema: {error}"))
            continue
        written[0] += 1


# -- legacy value formats, in SQL -------------------------------------------------------------------

# A PostgreSQL instant can be finer than the legacy format (microseconds; rows written by the new
# system). Cutting it would make a re-import see a changed row, so the fraction is written out when,
# and only when, it is there; SQLite's date functions and JavaScript's Date read it as well.
_ISO = "YYYY-MM-DD\"T\"HH24:MI:SS"
_SQLITE = "YYYY-MM-DD HH24:MI:SS"


def _read(col: Col) -> str:
    sql = col.sql
    if col.kind == FLAG:
        return f"({sql})::int"
    if col.kind == ISO:
        utc = f"({sql}) AT TIME ZONE 'UTC'"
        return (
            f"CASE WHEN mod(extract(microseconds FROM {utc})::bigint, 1000) = 0 "
            f"THEN to_char({utc}, '{_ISO}.MS\"Z\"') ELSE to_char({utc}, '{_ISO}.US\"Z\"') END"
        )
    if col.kind == SQLITE_NOW:
        utc = f"({sql}) AT TIME ZONE 'UTC'"
        micro = f"extract(microseconds FROM {utc})::bigint"
        return (
            f"CASE WHEN mod({micro}, 1000000) = 0 THEN to_char({utc}, '{_SQLITE}') "
            f"WHEN mod({micro}, 1000) = 0 THEN to_char({utc}, '{_SQLITE}.MS') "
            f"ELSE to_char({utc}, '{_SQLITE}.US') END"
        )
    return sql

