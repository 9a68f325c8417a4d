"""Loading one legacy table: rows are read in batches, converted by the mapping's converter (in a reader
thread for large tables), COPYed into a staging table, checked in SQL and upserted.

Per batch, in SQL, before the upsert: rows whose parent is missing are rejected (or detached, for
ON DELETE SET NULL references), rows that would break a unique constraint (against PostgreSQL or an
earlier row of the file) are rejected naming the other row, and for reference data, rows an operator
changed are kept. The upsert is an UPDATE of the rows that differ plus an INSERT of the new ones.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import DatabaseError, IntegrityError, connection, transaction

from . import memory
from .fast import COPY_OPTIONS, CsvRows, fast_query, fields_of
from .mapping import Context, Mapping, Table
from .report import TableStats
from .sources import LegacyDatabase
from .values import Cleaner, Reject, Skip

# Each batch is one round of checks and upsert in PostgreSQL: larger batches, fewer rounds.
DEFAULT_BATCH_SIZE = 2000
STAGING = "_legacy_staging"
# From this many source rows, a table is converted in a reader thread and, if empty in PostgreSQL,
# loaded with its plain indexes and foreign keys re-created at the end.
BULK_ROWS = 5_000
# A batch also ends at this many bytes of data (the fast path's CSV lines, or the text and blob values
# of rows read whole; as Python objects, those take several times as much), however long its rows.
BATCH_BYTES = 256 << 10


def load_table(ctx: Context, mapping: Mapping, table: Table, progress, log) -> TableStats:
    """Load one table of `mapping` into PostgreSQL and return its statistics."""
    report = ctx.report
    stats = report.table(mapping.label, table.name)
    source = ctx.source(table)
    started = time.monotonic()
    if table.name not in source.tables:
        stats.present = False
        return stats
    if table.prepare:
        table.prepare(ctx, source)
    total = source.count(table.name)
    query = None
    if table.model is not None and not table.rows and (fields := fields_of(table.convert)):
        query = fast_query(table.name, fields, source.columns(table.name))
    if query:
        rows = _stream_fast(source, table.name, query, ctx.batch_size)
    else:
        rows = table.rows(ctx, source) if table.rows else _stream(source, table.name, ctx.batch_size)
    bar = progress(mapping.label, table.name, total) if progress else None
    if table.model is None:
        for batch in rows:
            for row in batch:
                stats.read += 1
                value = row.get(table.skip_value) if table.skip_value else None
                stats.skipped[table.skip_reason] += 1
                report.entry(stats, "skipped", row.get(table.key), table.skip_value, value, table.skip_reason)
            if bar:
                bar(len(batch))
    else:
        loader = _Loader(ctx, table, stats, csv=query is not None)
        try:
            if total >= ctx.bulk_rows:
                loader.defer_indexes()
            batches = (loader.convert(batch) for batch in rows)
            if total >= ctx.bulk_rows and not table.needs_db:
                batches = _in_background(batches)
            for converted in batches:
                loader.store(converted)
                if bar:
                    bar(converted.read)
            loader.finish()
        finally:
            loader.close()
    memory.release()
    stats.elapsed = time.monotonic() - started
    log(
        f"  {table.name}: read {stats.read}, imported {stats.imported} (new {stats.new}, updated "
        f"{stats.updated}), fixed {stats.fixed}, skipped {sum(stats.skipped.values())}, "
        f"rejected {stats.rejected} "
        f"in {stats.elapsed:.2f}s"
    )
    return stats


def _stream(source: LegacyDatabase, name: str, batch_size: int) -> Iterator[list[dict]]:
    """Batches of whole rows (dicts), in rowid order: `batch_size` rows, or fewer when their values reach
    BATCH_BYTES, so that wide rows keep memory flat."""
    cursor = source.connection.execute(f'SELECT * FROM "{name}" ORDER BY rowid')
    names = [d[0] for d in cursor.description]
    batch: list[dict] = []
    size = 0
    for row in cursor:
        batch.append(dict(zip(names, row)))
        size += sum([len(value) for value in row if value.__class__ in (str, bytes)])
        if len(batch) >= batch_size or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _stream_fast(source: LegacyDatabase, name: str, query: str, batch_size: int) -> Iterator[list]:
    """Batches of the fast path (`legacy.fast`), in rowid order: a row SQLite found clean is its CSV line
    (bytes), any other row is read whole (a dict, as `_stream` gives it) for the converter. A batch ends
    at `batch_size` rows or BATCH_BYTES of lines, so memory stays flat whatever the rows hold.

    (A second SQLite reader thread on alternate rowid ranges did not make a 2-core machine faster, since
    PostgreSQL needs the other core, and cost 3 MiB.)"""
    connection = source.connection
    cursor = connection.execute(query, (-(2**63), 2**63 - 1))
    step = min(batch_size, 256)
    batch: list = []
    size = 0
    while rows := cursor.fetchmany(step):
        batch += rows
        size += sum(len(line) if line is not None else 2048 for line, _ in rows)
        if len(batch) >= batch_size or size >= BATCH_BYTES:
            yield _whole_rows(connection, name, batch)
            batch, size = [], 0
    if batch:
        yield _whole_rows(connection, name, batch)


def _whole_rows(connection, name: str, batch: list) -> list:
    slow = [rowid for line, rowid in batch if line is None]
    if not slow:
        return [line for line, _ in batch]
    whole = {}
    for start in range(0, len(slow), 500):
        chunk = slow[start : start + 500]
        found = connection.execute(
            f'SELECT rowid, * FROM "{name}" WHERE rowid IN ({", ".join("?" * len(chunk))})', chunk
        )
        names = [d[0] for d in found.description][1:]
        for row in found:
            whole[row[0]] = dict(zip(names, row[1:]))
    return [line if line is not None else whole[rowid] for line, rowid in batch]


_DONE = object()


def _in_background(batches: Iterator) -> Iterator:
    """Read and convert the next batches in a thread while PostgreSQL loads the current one (sqlite3,
    orjson and psycopg release the GIL while they work). At most two batches wait: memory stays flat."""
    out: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def produce():
        try:
            for item in batches:
                while not stop.is_set():
                    try:
                        out.put(item, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            out.put(_DONE)
        except BaseException as error:  # handed to the consumer, which re-raises it
            out.put(error)

    worker = threading.Thread(target=produce, name="legacy-import-reader", daemon=True)
    worker.start()
    try:
        while (item := out.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


@dataclass
class _Converted:
    """One batch after Python conversion: the rows to load, and what happened to the others."""

    read: int = 0
    rows: list = field(default_factory=list)  # the converted rows (binary COPY), or the CSV lines
    count: int = 0  # rows to load
    payload: bytes = b""  # the CSV lines, joined (CSV COPY)
    fixes: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    rejected: list = field(default_factory=list)


class _Loader:
    """Converts batches in Python, COPYs them into a staging table and upserts them in SQL."""

    def __init__(self, ctx: Context, table: Table, stats: TableStats, *, csv: bool = False):
        self.ctx, self.table, self.stats = ctx, table, stats
        self.csv = csv  # the fast path's batches: CSV lines, COPY in CSV format
        self.report = ctx.report
        self.cleaner = Cleaner(now=ctx.now)
        self.cursor = connection.cursor()
        self.raw = self.cursor.cursor  # the psycopg cursor, for COPY
        self.columns = table.columns
        self.pk = table.pk
        self.pk_index = self.columns.index(self.pk)
        self.deferred: list[str] = []  # the dropped primary key and indexes, to build again
        self.deferred_keys: list[str] = []  # the dropped foreign keys, to add again after them
        # The deferred foreign keys of one column, by (column, referenced table): the parents they check.
        self.parent_keys: dict[tuple[str, str], str] = {}
        self.bulk = False  # the target was empty when a large load began: plain INSERTs suffice
        self.direct = False  # bulk, and COPY straight into the target (no staging)
        self.freeze = False  # direct, and the rows written frozen
        self._copy = self._copy_context = None  # the direct load's one COPY, while it runs
        cols = ", ".join(f'"{c}"' for c in self.columns)
        self.cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        self.cursor.execute(
            f'CREATE TEMP TABLE {STAGING} AS SELECT {cols} FROM "{table.db_table}" WITH NO DATA'
        )
        if table.track_keys:
            self.cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS _legacy_keys_{table.db_table} (pk text PRIMARY KEY)"
            )
            self.cursor.execute(f"TRUNCATE _legacy_keys_{table.db_table}")
        self.copy_options = COPY_OPTIONS if csv else "FORMAT binary"
        self.copy_sql = f"COPY {STAGING} ({cols}) FROM STDIN ({self.copy_options})"
        self.cursor.execute(
            f"SELECT atttypid::regtype::text FROM pg_attribute WHERE attrelid = '{STAGING}'::regclass "
            "AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
        )
        self.copy_types = [row[0] for row in self.cursor.fetchall()]
        self.csv_rows = CsvRows(self.raw, self.copy_types) if csv else None
        self.update_sql, self.insert_sql = self._upsert_sql()

    def close(self, error: BaseException | None = None) -> None:
        try:
            self._end_copy(error or RuntimeError("import interrupted"))
        except Exception:  # noqa: BLE001 - an interrupted load: the app's transaction is rolled back
            pass
        try:
            self.cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        except DatabaseError:
            pass  # the transaction failed; rolling it back drops the staging table anyway
        self.cursor.close()

    # -- bulk load of an empty table ---------------------------------------------------------------

    def defer_indexes(self) -> None:
        """Loading a large table into an empty one (the first import): drop its plain indexes and its
        foreign keys inside the app's transaction and re-create them after the last batch, as pg_restore
        does. Re-adding a foreign key validates every row in one query; a rollback (failure, kill)
        restores them untouched. Primary and unique keys stay (the upsert and checks need them)."""
        target = f'"{self.table.db_table}"'
        self.cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {target})")
        if self.cursor.fetchone()[0]:
            return
        # Dropping the indexes locks the table until the app commits anyway; locking it first keeps it
        # empty from this check on (the server may be writing to it), which the TRUNCATE below relies on.
        self.cursor.execute(f"LOCK TABLE {target} IN ACCESS EXCLUSIVE MODE")
        self.cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {target})")
        if self.cursor.fetchone()[0]:
            return
        self.bulk = True
        # Without unique keys to check, rows go straight into the table; the orphan checks then run
        # once over the whole table before the foreign keys come back.
        self.direct = not self.table.unique and not self.table.reference
        if self.direct:
            cols = ", ".join(f'"{c}"' for c in self.columns)
            # Rows written frozen (COPY FREEZE, allowed into a table emptied in the same transaction):
            # the index builds and the orphan check then read them without setting a hint bit on every
            # page, which would write the whole table a second time, and no vacuum has to freeze them
            # later. TRUNCATE refuses a table another table's foreign key references, even empty.
            self.cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE confrelid = %s::regclass AND contype = 'f')",
                [target],
            )
            self.freeze = not self.cursor.fetchone()[0]
            options = f"{self.copy_options}, FREEZE" if self.freeze else self.copy_options
            self.copy_sql = f"COPY {target} ({cols}) FROM STDIN ({options})"
        self.cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT i.indisunique AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [target],
        )
        indexes = self.cursor.fetchall()
        self.cursor.execute(
            "SELECT c.conname, pg_get_constraintdef(c.oid), a.attname, p.relname FROM pg_constraint c "
            "JOIN pg_class p ON p.oid = c.confrelid "
            "LEFT JOIN pg_attribute a ON cardinality(c.conkey) = 1 AND a.attrelid = c.conrelid "
            "AND a.attnum = c.conkey[1] WHERE c.conrelid = %s::regclass AND c.contype = 'f'",
            [target],
        )
        foreign_keys = self.cursor.fetchall()
        primary_key = []
        if self.direct:
            # Nothing checks keys during a direct load: the primary key too is built once at the end
            # (sorted, not row by row), unless a foreign key of another table depends on it.
            self.cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'p' AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint r WHERE r.confrelid = %s::regclass AND r.contype = 'f')",
                [target, target],
            )
            primary_key = self.cursor.fetchall()
        self._run_pending_checks()
        for name, definition in primary_key:
            self.cursor.execute(f'ALTER TABLE {target} DROP CONSTRAINT "{name}"')
            self.deferred.append(f'ALTER TABLE {target} ADD CONSTRAINT "{name}" {definition}')
        for name, definition in indexes:
            self.cursor.execute(f"DROP INDEX {name}")
            self.deferred.append(definition)
        for name, definition, column, parent in foreign_keys:
            self.cursor.execute(f'ALTER TABLE {target} DROP CONSTRAINT "{name}"')
            statement = f'ALTER TABLE {target} ADD CONSTRAINT "{name}" {definition}'
            self.deferred_keys.append(statement)
            if column is not None:
                self.parent_keys[(column, parent)] = statement

    def finish(self) -> None:
        """After the last batch: the indexes back, then the whole-table checks of a direct load, then the
        foreign keys. (With its indexes there, PostgreSQL validates a foreign key by reading an index that
        holds the column, not the whole table.)"""
        self._end_copy()
        self.restore_indexes()
        if self.direct:
            if not self._parents_exist():
                fixes: dict = {}
                rejected = self._check_parents(fixes, rel=f'"{self.table.db_table}"')
                self.stats.new -= len(rejected)
                self.report.withdraw_fixes(self.stats, rejected)
                self._record_fixes(fixes)
            if self.table.track_keys:
                self.cursor.execute(
                    f'INSERT INTO _legacy_keys_{self.table.db_table} SELECT "{self.pk}" '
                    f'FROM "{self.table.db_table}" ON CONFLICT DO NOTHING'
                )
        self.restore_keys()

    def _parents_exist(self) -> bool:
        """After a direct load: whether every row's parents exist, asked of PostgreSQL by adding back the
        foreign keys that check them. Their validation reads an index holding the column (or the table);
        the orphan checks would be a pass over the table, and find nothing in a clean file. When a key
        does not hold (orphans), its savepoint is rolled back and the orphan checks run, to reject or
        detach each orphan."""
        keys = [self.parent_keys.get((parent.column, parent.table)) for parent in self.table.parents]
        if not keys or None in keys:
            return False
        self._run_pending_checks()
        try:
            with transaction.atomic():
                for statement in keys:
                    self.cursor.execute(statement)
        except IntegrityError:
            return False
        self.deferred_keys = [statement for statement in self.deferred_keys if statement not in keys]
        return True

    def _run_pending_checks(self) -> None:
        """DDL on a table (and on the tables its foreign keys reference) is refused while deferred
        constraint checks are pending: run them now, then defer again."""
        self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def _record_fixes(self, fixes: dict) -> None:
        for key, entries in fixes.items():
            for column, original, reason in entries:
                self.report.entry(
                    self.stats,
                    "fixed",
                    key,
                    column,
                    original,
                    reason,
                    secret=column in self.table.secret_columns,
                )

    def restore_indexes(self) -> None:
        if not self.deferred:
            return
        self._run_pending_checks()
        # Index builds sort in memory rather than in temporary files (the server's memory, for the length
        # of the app's transaction). And a build's processes (the backend and its parallel workers) read
        # the table, just written and so in the system's cache, themselves: read-ahead handed to
        # PostgreSQL 18's IO workers only adds processes for 2 cores to switch between (the large file's
        # four builds: 1.29 s -> 1.13 s). A lone query gains from an IO worker reading ahead: the key
        # validations and checks after the builds keep it.
        self.cursor.execute(
            "SET LOCAL maintenance_work_mem = '256MB'; SET LOCAL effective_io_concurrency = 0"
        )
        for statement in self.deferred:
            self.cursor.execute(statement)
        self.cursor.execute("SET LOCAL effective_io_concurrency TO DEFAULT")
        self.deferred = []

    def restore_keys(self) -> None:
        if self.deferred_keys:
            self._run_pending_checks()
        for statement in self.deferred_keys:
            self.cursor.execute(statement)
        self.deferred_keys = []

    # -- per batch ----------------------------------------------------------------------------

    def convert(self, batch: list[dict]) -> _Converted:
        """Python side of a batch: no database access, so it can run in the reader thread."""
        table, cleaner, ctx = self.table, self.cleaner, self.ctx
        convert, key_column, pk_index = table.convert, table.key, self.pk_index
        result = _Converted(read=len(batch))
        rows, fixes = result.rows, result.fixes
        csv_line = self.csv_rows.line if self.csv else None
        if cleaner.columns is None and (first := next((r for r in batch if type(r) is dict), None)):
            cleaner.columns = frozenset(first)
        for row in batch:
            if type(row) is bytes:  # the fast path's line of a clean row
                rows.append(row)
                continue
            cleaner.begin(row.get(key_column))
            try:
                values = convert(row, cleaner, ctx)
            except Skip as skip:
                result.skipped.append((cleaner.key, skip))
                continue
            except Reject as reject:
                result.rejected.append((cleaner.key, reject))
                continue
            rows.append(csv_line(values) if csv_line else values)
            if cleaner.fixes:
                fixes[values[pk_index]] = cleaner.fixes
        result.count = len(rows)
        if csv_line:
            result.payload, result.rows = b"".join(rows), []
        return result

    def store(self, batch: _Converted) -> None:
        table, stats, report = self.table, self.stats, self.report
        stats.read += batch.read
        for key, skip in batch.skipped:
            stats.skipped[skip.reason] += 1
            report.entry(stats, "skipped", key, None, skip.value, skip.reason)
        for key, reject in batch.rejected:
            stats.rejected += 1
            report.entry(
                stats,
                "rejected",
                key,
                reject.column,
                reject.value,
                reject.reason,
                secret=reject.secret or reject.column in table.secret_columns,
            )
        if not batch.count:
            return
        fixes = batch.fixes
        if self.direct:
            # One COPY for the whole table, fed batch after batch: nothing else runs until finish().
            self._write(self._streaming_copy(), batch)
            self.stats.new += batch.count
            self._record_fixes(fixes)
            return
        with self.raw.copy(self.copy_sql) as copy:
            if not self.csv:
                copy.set_types(self.copy_types)
            self._write(copy, batch)
        if not self.bulk:
            # Fresh statistics, so the joins against the target use its primary key index.
            self.cursor.execute(f"ANALYZE {STAGING}")
        rejected = self._check_parents(fixes) | self._check_unique() | self._check_reference()
        for key in rejected:
            fixes.pop(key, None)
        new, updated = self._upsert()
        stats.new += new
        stats.updated += updated
        stats.unchanged += batch.count - len(rejected) - new - updated
        self._record_fixes(fixes)
        if table.track_keys:
            self.cursor.execute(
                f'INSERT INTO _legacy_keys_{table.db_table} SELECT "{self.pk}" FROM {STAGING} '
                "ON CONFLICT DO NOTHING"
            )
        self.cursor.execute(f"TRUNCATE {STAGING}")

    def _write(self, copy, batch: _Converted) -> None:
        if self.csv:
            # (A view: psycopg sends a payload in 128 KiB slices, which of bytes would each be a copy.)
            copy.write(memoryview(batch.payload))
        else:
            for values in batch.rows:
                copy.write_row(values)

    def _streaming_copy(self):
        if self._copy is None:
            if self.freeze:  # in the COPY's own subtransaction, as FREEZE requires; the table is empty
                self.cursor.execute(f'TRUNCATE "{self.table.db_table}"')
            self._copy_context = self.raw.copy(self.copy_sql)
            self._copy = self._copy_context.__enter__()
            if not self.csv:
                self._copy.set_types(self.copy_types)
        return self._copy

    def _end_copy(self, error: BaseException | None = None) -> None:
        if self._copy is not None:
            context, self._copy, self._copy_context = self._copy_context, None, None
            if error is None:
                context.__exit__(None, None, None)
            else:
                context.__exit__(type(error), error, error.__traceback__)

    def _reject_rows(self, rows, column: str | None, reason: Callable) -> set:
        keys = set()
        for row in rows:
            if row[0] in keys:
                continue
            keys.add(row[0])
            self.stats.rejected += 1
            self.report.entry(self.stats, "rejected", row[0], column, row[1], reason(row))
        return keys

    def _check_parents(self, fixes: dict, rel: str = STAGING) -> set:
        rejected = set()
        pk = self.pk
        for parent in self.table.parents:
            col = parent.column
            missing = (
                f's."{col}" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "{parent.table}" p '
                f'WHERE p.id = s."{col}")'
            )
            if parent.detach:
                self.cursor.execute(
                    f'UPDATE {rel} s SET "{col}" = NULL FROM (SELECT ctid AS row, "{col}" AS old FROM '
                    f'{rel} s WHERE {missing}) o WHERE s.ctid = o.row RETURNING s."{pk}", o.old'
                )
                for key, old in self.cursor.fetchall():
                    fixes.setdefault(key, []).append(
                        (col, old, f"{parent.table} {old} does not exist: reference set to NULL")
                    )
            else:
                self.cursor.execute(f'DELETE FROM {rel} s WHERE {missing} RETURNING s."{pk}", s."{col}"')
                rejected |= self._reject_rows(
                    self.cursor.fetchall(),
                    col,
                    lambda r, t=parent.table: f"orphan: {t} {r[1]} does not exist",
                )
        return rejected

    def _check_unique(self) -> set:
        rejected = set()
        pk, target = self.pk, self.table.db_table
        for key in self.table.unique:
            same = " AND ".join(f'o."{c}" = s."{c}"' for c in key)
            shown = " || ', ' || ".join(f's."{c}"::text' for c in key)
            label = ", ".join(key)
            self.cursor.execute(
                f'DELETE FROM {STAGING} s USING "{target}" o WHERE {same} AND o."{pk}" <> s."{pk}" '
                f'RETURNING s."{pk}", {shown}, o."{pk}"'
            )
            rejected |= self._reject_rows(
                self.cursor.fetchall(), label, lambda r: f"({label}) = ({r[1]}) already belongs to {r[2]}"
            )
            self.cursor.execute(
                f"DELETE FROM {STAGING} s USING {STAGING} o WHERE {same} AND o.ctid < s.ctid "
                f'RETURNING s."{pk}", {shown}, o."{pk}"'
            )
            rejected |= self._reject_rows(
                self.cursor.fetchall(), label, lambda r: f"({label}) = ({r[1]}) already belongs to {r[2]}"
            )
        return rejected

    def _check_reference(self) -> set:
        """Reference rows an operator changed in PostgreSQL are kept unless --overwrite-reference."""
        if not self.table.reference or self.ctx.overwrite_reference:
            return set()
        target, pk = self.table.db_table, self.pk
        changed = " OR ".join(
            f'o."{c}" IS DISTINCT FROM s."{c}"' for c in self.columns if c not in ("created_at", "updated_at")
        )
        self.cursor.execute(
            f'DELETE FROM {STAGING} s USING "{target}" o WHERE o."{pk}" = s."{pk}" AND ({changed}) '
            f'AND NOT {self._untouched("o")} RETURNING s."{pk}"'
        )
        kept = set()
        reason = "kept: changed by an operator in PostgreSQL (--overwrite-reference replaces it)"
        for (key,) in self.cursor.fetchall():
            kept.add(key)
            self.stats.skipped[reason] += 1
            self.report.entry(self.stats, "skipped", key, None, None, reason)
        return kept

    def _digest(self, alias: str) -> str:
        columns = [f.column for f in self.table.model._meta.concrete_fields]
        return "md5(ROW(" + ", ".join(f'{alias}."{c}"' for c in columns) + ")::text)"

    def _untouched(self, alias: str) -> str:
        """The row is as the import (or the seed migration) left it."""
        name = self.table.db_table
        return (
            f"(EXISTS (SELECT 1 FROM legacy_reference_row r WHERE r.table_name = '{name}' AND "
            f'r.pk_value = {alias}."{self.pk}" AND r.digest = {self._digest(alias)}) OR (NOT EXISTS '
            f"(SELECT 1 FROM legacy_reference_row r WHERE r.table_name = '{name}' AND r.pk_value = "
            f"{alias}.\"{self.pk}\") AND {alias}.updated_at - {alias}.created_at < interval '1 second'))"
        )

    def _upsert_sql(self) -> tuple[str, str]:
        """An UPDATE of the rows that exist and differ, then a plain INSERT of the others: cheaper than
        INSERT … ON CONFLICT's speculative insertion, and one importer runs at a time (per app)."""
        table, pk = self.table, self.pk
        now = f"'{self.ctx.now.isoformat()}'::timestamptz"
        datetimes = table.datetime_columns()
        exprs = {}
        for c in self.columns:
            if c in table.keep_on_update:
                exprs[c] = table.keep_on_update[c].replace("EXCLUDED.", "s.")
            elif c in datetimes:
                # A value that fell back to the import time keeps the time of the first import.
                exprs[c] = f'CASE WHEN s."{c}" = {now} THEN t."{c}" ELSE s."{c}" END'
            else:
                exprs[c] = f's."{c}"'
        updated = [c for c in self.columns if c != pk]
        cols = ", ".join(f'"{c}"' for c in self.columns)
        sets = ", ".join(f'"{c}" = {exprs[c]}' for c in updated)
        old = ", ".join(f't."{c}"' for c in updated)
        new = ", ".join(exprs[c] for c in updated)
        target = f'"{table.db_table}"'
        update = (
            f'UPDATE {target} AS t SET {sets} FROM {STAGING} s WHERE t."{pk}" = s."{pk}" '
            f"AND ROW({old}) IS DISTINCT FROM ROW({new})"
        )
        insert = (
            f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {STAGING} s "
            f'WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE t."{pk}" = s."{pk}")'
        )
        return update, insert

    def _upsert(self) -> tuple[int, int]:
        if self.bulk:
            # The target was empty and legacy primary keys are unique: every row is new.
            self.cursor.execute(self.insert_sql.split(" WHERE NOT EXISTS")[0])
            return self.cursor.rowcount, 0
        # One default row per reference table is enforced by a partial unique index, checked row by row:
        # rows losing the default are written before the row gaining it.
        phases = [""]
        if "is_default" in self.columns:
            phases = [' AND s."is_default" IS NOT TRUE', ' AND s."is_default"']
        updated = new = 0
        for phase in phases:
            self.cursor.execute(self.update_sql + phase)
            updated += self.cursor.rowcount
        for phase in phases:
            self.cursor.execute(self.insert_sql + phase)
            new += self.cursor.rowcount
        if self.table.reference:
            name = self.table.db_table
            self.cursor.execute(
                "INSERT INTO legacy_reference_row (table_name, pk_value, digest) "
                f"SELECT '{name}', o.\"{self.pk}\", "
                f'{self._digest("o")} FROM "{name}" o JOIN {STAGING} s ON s."{self.pk}" = o."{self.pk}" '
                f"ON CONFLICT (table_name, pk_value) DO UPDATE SET digest = EXCLUDED.digest"
            )
        return new, updated
