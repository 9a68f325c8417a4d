"""Compare the live PostgreSQL catalog with the mirrored target schema (`target-schema.json`).

The comparison follows `RULES.md`: it is by meaning, not spelling. Extra tables are fine; extra
columns must be nullable or defaulted; `real` may be `double precision`; timestamps may carry a time
zone; an enum may be a PostgreSQL enum type or `text` with a CHECK admitting exactly its values;
constraint and index names may differ. Used by the schema test and `manage.py check_schema`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ON_DELETE = {"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}
_NOW = {"now()", "current_timestamp", "statement_timestamp()", "transaction_timestamp()",
        "clock_timestamp()", "localtimestamp"}
_TYPE_EQUIVALENTS = {
    "text": {"text"},
    "integer": {"integer"},
    "boolean": {"boolean"},
    "real": {"real", "double precision"},
    "timestamp": {"timestamp without time zone", "timestamp with time zone"},
}


@dataclass
class LiveTable:
    columns: dict[str, dict] = field(default_factory=dict)
    primary_key: list[str] = field(default_factory=list)
    unique: list[list[str]] = field(default_factory=list)
    indexes: list[list[str]] = field(default_factory=list)
    foreign_keys: list[dict] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)


def read_live_schema(connection) -> tuple[dict[str, LiveTable], dict[str, list[str]]]:
    """Tables of schema `public` and the enum types, read from the system catalogs."""
    tables: dict[str, LiveTable] = {}
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid)
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'r'
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attnum > 0 AND NOT a.attisdropped
        """)
        for table, column, type_, nullable, default in cursor.fetchall():
            tables.setdefault(table, LiveTable()).columns[column] = {
                "type": type_, "nullable": nullable, "default": default}

        cursor.execute("""
            SELECT c.relname, con.contype, con.confdeltype, ref.relname,
                   pg_get_constraintdef(con.oid),
                   ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, pos)
                         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.pos),
                   ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, pos)
                         JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.pos)
            FROM pg_constraint con
            JOIN pg_class c ON c.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            LEFT JOIN pg_class ref ON ref.oid = con.confrelid
        """)
        for table, kind, on_delete, ref_table, definition, columns, ref_columns in cursor.fetchall():
            live = tables.setdefault(table, LiveTable())
            if kind == "p":
                live.primary_key = list(columns)
            elif kind == "u":
                live.unique.append(list(columns))
            elif kind == "f":
                live.foreign_keys.append({"columns": list(columns), "ref_table": ref_table,
                                          "ref_columns": list(ref_columns), "on_delete": _ON_DELETE[on_delete]})
            elif kind == "c":
                live.checks.append(definition)

        cursor.execute("""
            SELECT t.relname, ix.indisunique, ix.indpred IS NOT NULL,
                   ARRAY(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(num, pos)
                         JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.num ORDER BY k.pos)
            FROM pg_index ix
            JOIN pg_class t ON t.oid = ix.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
        """)
        for table, unique, partial, columns in cursor.fetchall():
            live = tables.setdefault(table, LiveTable())
            if partial:
                continue  # a partial index serves only the rows its predicate selects
            live.indexes.append(list(columns))
            if unique:
                live.unique.append(list(columns))

        cursor.execute("""
            SELECT t.typname, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
            ORDER BY t.typname, e.enumsortorder
        """)
        enums: dict[str, list[str]] = {}
        for name, label in cursor.fetchall():
            enums.setdefault(name, []).append(label)
    return tables, enums


def compare(target: dict, tables: dict[str, LiveTable], enums: dict[str, list[str]]) -> list[str]:
    """Every way the live schema fails to mirror `target`, one readable line each."""
    problems: list[str] = []
    for table_name, spec in target["tables"].items():
        live = tables.get(table_name)
        if live is None:
            problems.append(f"{table_name}: table missing")
            continue
        problems += [f"{table_name}.{p}" for p in _compare_columns(spec, live, target["enums"], enums)]
        problems += [f"{table_name}: {p}" for p in _compare_keys(spec, live)]
    return problems


def _compare_columns(spec: dict, live: LiveTable, target_enums: dict, live_enums: dict) -> list[str]:
    problems = []
    spec_columns = {column["name"]: column for column in spec["columns"]}
    for name, column in spec_columns.items():
        actual = live.columns.get(name)
        if actual is None:
            problems.append(f"{name}: column missing")
            continue
        if column["nullable"] != actual["nullable"]:
            problems.append(f"{name}: nullable should be {column['nullable']}")
        if column["enum"]:
            problems += [f"{name}: {p}" for p in
                         _compare_enum(name, column["type"], target_enums[column["type"]], actual, live, live_enums)]
        elif not _same_type(column["type"], actual["type"]):
            problems.append(f"{name}: type {actual['type']} instead of {column['type']}")
        if not _same_default(column["default"], actual["default"]):
            problems.append(f"{name}: default {actual['default']!r} instead of {column['default']!r}")
    if [c["name"] for c in spec["columns"] if c["primary_key"]] != live.primary_key:
        problems.append(f"primary key is {live.primary_key}")
    for name, actual in live.columns.items():
        if name not in spec_columns and not actual["nullable"] and actual["default"] is None:
            problems.append(f"{name}: extra column is NOT NULL without a default")
    return problems


def _compare_enum(column: str, enum_name: str, values: list[str], actual: dict, live: LiveTable,
                  live_enums: dict) -> list[str]:
    if actual["type"] == enum_name:
        return [] if live_enums.get(enum_name) == values else [f"enum type {enum_name} has {live_enums.get(enum_name)}"]
    if actual["type"] != "text":
        return [f"type {actual['type']} instead of enum {enum_name}"]
    pattern = re.compile(rf"\(\(?{re.escape(column)}\b")
    for definition in live.checks:
        if pattern.search(definition) and set(re.findall(r"'([^']*)'::text", definition)) == set(values):
            return []
    return [f"no CHECK constraint admitting exactly the values of {enum_name}"]


def _compare_keys(spec: dict, live: LiveTable) -> list[str]:
    problems = []
    for unique in spec["unique_constraints"]:
        if unique["columns"] not in live.unique:
            problems.append(f"unique ({', '.join(unique['columns'])}) missing")
    for index in spec["indexes"]:
        wanted = index["columns"]
        if not any(columns[: len(wanted)] == wanted for columns in live.indexes):
            problems.append(f"index on ({', '.join(wanted)}) missing")
    for fk in spec["foreign_keys"]:
        same = [f for f in live.foreign_keys if f["columns"] == fk["columns"]]
        if not same:
            problems.append(f"foreign key ({', '.join(fk['columns'])}) missing")
        elif (same[0]["ref_table"], same[0]["ref_columns"]) != (fk["ref_table"], fk["ref_columns"]):
            problems.append(f"foreign key ({', '.join(fk['columns'])}) references {same[0]['ref_table']}")
        elif same[0]["on_delete"] != fk["on_delete"]:
            problems.append(f"foreign key ({', '.join(fk['columns'])}) ON DELETE {same[0]['on_delete']} "
                            f"instead of {fk['on_delete']}")
    return problems


def _same_type(expected: str, actual: str) -> bool:
    return actual in _TYPE_EQUIVALENTS.get(expected, {expected})


def _same_default(expected: str | None, actual: str | None) -> bool:
    return _normalise_default(expected) == _normalise_default(actual)


def _normalise_default(value: str | None):
    if value is None:
        return None
    value = re.sub(r"::[a-z ]+(\[\])?$", "", value.strip()).strip()
    if value.lower() in _NOW:
        return "now()"
    if value.startswith("'") and value.endswith("'"):
        return ("string", value[1:-1].replace("''", "'"))
    try:
        return ("number", float(value))
    except ValueError:
        return value.lower()
