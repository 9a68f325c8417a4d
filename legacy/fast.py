"""The SQL fast path of a large table: SQLite itself checks each row and writes the COPY line of every
row the converter would take exactly as it is, so most rows never become Python objects.

A mapping declares on its converter (`@fast.path(...)`), per target column (in `Table.columns` order),
what the converter does with a clean value: `raw`, `text`, `choice`, `json`, `int32`, `boolean`, `timestamp`. Each gives a SQL condition that
holds only when the converter would return the value unchanged, with no fix, skip or rejection, and the
SQL expression and printf conversion that write that value as a CSV field. A row whose conditions all hold is read as one CSV line
(bytes, straight from SQLite); any other row is read whole and goes through the converter as before,
its converted values written as a CSV line in the same place (`csv_line`), so the batch keeps the file's
order. The conditions are deliberately narrow: anything unusual takes the converter's path.

`fast_query` returns None when the source table lacks a declared column (older schema versions): the
whole table then takes the converter's path.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import pq
from psycopg.adapt import PyFormat, Transformer


@dataclass(frozen=True)
class Field:
    column: str
    check: str  # SQL: true when the converter takes the value unchanged (never NULL)
    value: str  # SQL: the argument of `form`
    form: str = "%s"  # its printf conversion: the value as a CSV field ('' for NULL)


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _plain_text(q: str, *, quote_free: bool = True) -> str:
    # TEXT (not a BLOB or number the converter would decode or format), without NUL characters (which
    # the converter removes, and which end a string in SQLite's text functions) nor the CSV quote. (GLOB
    # after a star scans for one byte as strchr does, ten times faster than instr; a NUL ends its scan,
    # which the instr before it rules out.)
    check = f"typeof({q}) = 'text' AND instr({q}, char(0)) = 0"
    return f"({check} AND {q} NOT GLOB '*' || char(1) || '*')" if quote_free else f"({check})"


def _quoted(column: str, check: str, required: bool) -> Field:
    # The CSV quote is \x01 (COPY … QUOTE), which no value taking this path holds: no escaping. A value
    # that is never NULL is quoted by printf's format, not copied once more by a concatenation.
    q = _q(column)
    if required:
        return Field(column, check, q, form="\x01%s\x01")
    return Field(column, _nullable(q, check, False), f"iif({q} IS NULL, '', char(1) || {q} || char(1))")


def _nullable(q: str, check: str, required: bool) -> str:
    return check if required else f"({q} IS NULL OR {check})"


def raw(column: str) -> Field:
    """A value the converter passes through untouched (a legacy primary key): plain text only."""
    return text(column, required=True)


def text(column: str, *, required: bool = False) -> Field:
    """`Cleaner.text(column, value, required=…)` without a default."""
    return _quoted(column, _plain_text(_q(column)), required)


def choice(column: str, choices, *, required: bool = False) -> Field:
    """`Cleaner.choice`: one of `choices`, as text."""
    q = _q(column)
    listed = ", ".join("'" + c.replace("'", "''") + "'" for c in sorted(choices))
    return _quoted(column, f"(typeof({q}) = 'text' AND {q} IN ({listed}))", required)


# Python's json module gives up beyond ~1000 levels of nesting (`is_valid_json` is then False), SQLite's
# json_valid does not: a value with more than 900 opening brackets takes the converter's path.
_MAX_OPENERS = 900


def json(column: str, *, required: bool = False) -> Field:
    """`Cleaner.json_text(column, value, default=None)` (NULL stays NULL), or with `required`
    `Cleaner.json_content` (NULL is a fix). SQLite's json_valid accepts only RFC 8259 JSON, all of which
    `is_valid_json` accepts too."""
    q = _q(column)
    # Long values: printf's %s stops at a NUL, so a value equal to its printf copy holds none. The copy
    # runs at memcpy speed, where instr steps through the value character by character: a tenth of the
    # cost on message contents.
    nul_free = f"CAST(printf('%s', {q}) AS BLOB) = CAST({q} AS BLOB)"
    # (CASE, not OR: SQLite evaluates both sides of an OR outside a WHERE clause. Byte lengths, which a
    # text's characters never outnumber, are known without reading it.)
    shallow = (
        f"CASE WHEN length(CAST({q} AS BLOB)) <= {2 * _MAX_OPENERS} THEN 1 ELSE length(CAST({q} AS BLOB)) "
        f"- length(CAST(replace(replace({q}, '[', ''), '{{', '') AS BLOB)) <= {_MAX_OPENERS} END"
    )
    # (Valid JSON holds no raw control character, so no CSV quote either.)
    return _quoted(column, f"(typeof({q}) = 'text' AND {nul_free} AND json_valid({q}) AND {shallow})", required)


def int32(column: str) -> Field:
    """`Cleaner.integer(column, value)` without a default: an integer that fits 32 bits, or NULL."""
    q = _q(column)
    check = f"(typeof({q}) = 'integer' AND {q} BETWEEN -2147483648 AND 2147483647)"
    return Field(column, _nullable(q, check, False), f"iif({q} IS NULL, '', {q})")


def boolean(column: str) -> Field:
    """`Cleaner.boolean(column, value)` without a default: 0, 1 or NULL."""
    q = _q(column)
    check = f"(typeof({q}) = 'integer' AND {q} IN (0, 1))"
    return Field(column, _nullable(q, check, False), f"CASE {q} WHEN 1 THEN 't' WHEN 0 THEN 'f' ELSE '' END")


def timestamp(column: str, *, required: bool = False) -> Field:
    """`Cleaner.timestamp`: the two forms legacy rows hold, ISO 8601 in UTC with milliseconds
    (`2025-12-14T17:28:47.484Z`, JavaScript's toISOString) and SQLite's `2025-12-14 17:28:47` (UTC), when
    they name a real instant of years 1000-9999 (SQLite's date arithmetic gives the same text back); the others
    (epochs, offsets, other years, impossible dates) take the converter's path."""
    q = _q(column)
    # (The +0 seconds makes SQLite recompute the date: without it, 2025-02-30 comes back as it went in.)
    iso = f"strftime('%Y-%m-%dT%H:%M:%fZ', {q}, '+0 seconds') = {q}"
    sqlite = f"strftime('%Y-%m-%d %H:%M:%S', {q}, '+0 seconds') = {q}"
    check = f"(typeof({q}) = 'text' AND {q} >= '1000' AND ({iso} OR {sqlite}))"
    value = f"CASE WHEN {q} IS NULL THEN '' WHEN substr({q}, 11, 1) = 'T' THEN {q} ELSE {q} || '+00' END"
    return Field(column, _nullable(q, check, required), value)


def path(*fields: Field):
    """Declares the fast path of the decorated converter. It belongs to that function: a table whose
    converter is another one (a wrapper, a test's stand-in) has none."""

    def declare(convert):
        convert.fast = fields
        return convert

    return declare


def fields_of(convert) -> tuple[Field, ...]:
    return getattr(convert, "fast", ())


def fast_query(table: str, fields: tuple[Field, ...], source_columns) -> str | None:
    """SELECT (line, rowid) of the rows whose rowid lies between the two parameters, in rowid order: line
    is the row's CSV line (bytes) when every field's check holds, else NULL (the row is then read whole
    by rowid)."""
    if not {f.column for f in fields} <= set(source_columns):
        return None
    check = " AND ".join(f.check for f in fields)
    line = (
        "printf('"
        + ",".join(f.form for f in fields)
        + "' || char(10), "
        + ", ".join(f.value for f in fields)
        + ")"
    )
    return (
        f"SELECT CASE WHEN {check} THEN CAST({line} AS BLOB) END, rowid "
        f"FROM {_q(table)} WHERE rowid BETWEEN ? AND ? ORDER BY rowid"
    )


QUOTE = b"\x01"
# The COPY options of the fast path's lines: CSV quoted with \x01, a character text hardly ever holds,
# so that SQLite need not escape what it writes (JSON cannot hold it unescaped at all).
COPY_OPTIONS = "FORMAT csv, QUOTE e'\\x01'"


class CsvRows:
    """CSV lines of converted rows, for the rows the fast path leaves to the converter: each value as
    psycopg's text dumper of its column's type writes it, quoted (a quote inside doubled); NULL as an
    empty unquoted field."""

    def __init__(self, cursor, types: list[str]):
        self.transformer = Transformer.from_context(cursor)
        registry = cursor.adapters.types
        self.transformer.set_dumper_types([registry.get_oid(t) for t in types], pq.Format.TEXT)
        self.formats = [PyFormat.TEXT] * len(types)

    def line(self, values) -> bytes:
        dumped = self.transformer.dump_sequence(values, self.formats)
        return (
            b",".join(
                b"" if v is None else QUOTE + bytes(v).replace(QUOTE, QUOTE + QUOTE) + QUOTE for v in dumped
            )
            + b"\n"
        )
