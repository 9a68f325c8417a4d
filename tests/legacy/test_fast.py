"""The SQL fast path (`legacy.fast`): SQLite loads a row itself only when the converter would have taken
it unchanged, and an import through it holds exactly what the converter alone loads."""

import sqlite3
from datetime import datetime, timezone

import pytest
from django.db import connection, transaction

import legacy.loader
from activity.legacy import convert_log
from chat.legacy import convert_message
from legacy.fast import fast_query, fields_of
from legacy.values import Cleaner, Reject, Skip
from tests.legacy.conftest import import_sample

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)

CLEAN_MESSAGE = {
    "id": "m1",
    "session_id": "s1",
    "external_message_id": "msg_1",
    "role": "assistant",
    "content": '{"parts":[{"type":"text","text":"a \\"quoted\\", comma\\nline"}]}',
    "tool_calls": None,
    "tool_results": '[{"ok":true}]',
    "thinking": None,
    "model_provider": "zai",
    "model_id": "glm-4.6",
    "agent_id": None,
    "input_tokens": 12,
    "output_tokens": None,
    "status": "complete",
    "error_message": None,
    "created_at": "2025-12-14T17:28:47.484Z",
    "completed_at": "2025-12-14 17:29:33",
}

# Values of one column each that SQLite must leave to the converter (it fixes, rejects or reformats them),
# and values it may load itself.
UNUSUAL = {
    "id": [None, 7, b"m1", "m\x001", "m\x011"],
    "session_id": [None, 3, b"s1", "s\x00", "a\x01b"],
    "role": [None, "robot", "User", b"user", 1],
    "content": [
        None,
        "",
        "not json",
        "{'a': 1}",
        "[1,]",
        "NaN",
        "[1]\x00",
        '"\x01"',
        b"{}",
        5,
        1.5,
        "[" * 1100 + "]" * 1100,
        "[" * 950 + "]" * 950,
        '"\x7f"\x00',
    ],
    "tool_calls": ["", "nope", "[1]\x00", b"[]", 3],
    "input_tokens": [2**31, -(2**31) - 1, "12", 1.0, b"1", "x"],
    "status": ["done", "", 0],
    "created_at": [
        None,
        "",
        "2025-02-30T10:00:00.000Z",
        "2025-12-14T17:28:47Z",
        "2025-12-14T17:28:47.48Z",
        "2025-12-14T17:28:47.484+05:30",
        "2025-12-14",
        "1765733327",
        1765733327454,
        1765733327.5,
        "+275760-09-13T00:00:00.000Z",
        "0999-12-14T17:28:47.484Z",
        "0000-01-01 00:00:00",
        "2025-12-14 24:00:00",
        "2025-12-14T17:28:60.000Z",
        "2025-12-14T17:28:47.484z",
        " 2025-12-14 17:28:47",
        b"2025-12-14 17:28:47",
        "2025-12-14T17:28:47.48 Z",
        "2025-12-14T17:28:47.4a4Z",
        "2025-12-14T17:28:47+484Z",
        "2025-12-14 17:28:47.484",
        "2025-12-14T17:28:47.484Z ",
        "2025-12-14T17:28:47",
        "2025-02-29 00:00:00",
    ],
    "completed_at": ["", "garbage", 0, "2025-13-01 00:00:00"],
    "error_message": ["x\x00y", b"\xff\xfe", 12],
}
PLAIN = {
    "id": ["a-b-c", "", "with,comma", 'with"quote', "new\nline", "back\\slash", "\\."],
    "content": ["[]", "null", '"\\ud800"', "1e999", " {} ", '"\\u0001"', "[" * 800 + "]" * 800],
    "tool_calls": [None, "{}"],
    "input_tokens": [None, 0, 2**31 - 1, -(2**31)],
    "status": [None, "error", "cancelled"],
    "created_at": [
        "2025-12-14T17:28:47.484Z",
        "2025-12-14 17:28:47",
        "1970-01-01T00:00:00.000Z",
        "2024-02-29T23:59:59.999Z",
        "1000-01-01 00:00:00",
    ],
    "completed_at": [None, "9999-12-31T23:59:59.999Z", "2024-02-29 12:00:00"],
    "error_message": ["", "é ünïcode ✓"],
}


def _fast_lines(rows: list[dict], convert) -> list[bytes | None]:
    """The fast path's verdict on each row: its CSV line, or None (left to the converter)."""
    columns = list(rows[0])
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE TABLE t ({', '.join(columns)})")  # no affinity: values stay as given
    db.executemany(
        f"INSERT INTO t VALUES ({', '.join('?' * len(columns))})", [tuple(r.values()) for r in rows]
    )
    query = fast_query("t", fields_of(convert), columns)
    return [line for line, _ in db.execute(query, (-(2**63), 2**63 - 1))]


def _converted(row: dict, convert):
    cleaner = Cleaner(now=NOW)
    cleaner.columns = frozenset(row)
    cleaner.begin(row.get("id"))
    try:
        values = convert(row, cleaner, None)
    except (Reject, Skip) as outcome:
        return outcome, []
    return values, cleaner.fixes


def _cases(unusual: bool):
    for column, values in (UNUSUAL if unusual else PLAIN).items():
        for value in values:
            yield {**CLEAN_MESSAGE, column: value}


def test_sqlite_takes_only_rows_the_converter_takes_unchanged():
    rows = list(_cases(unusual=False)) + list(_cases(unusual=True))
    for row, line in zip(rows, _fast_lines(rows, convert_message)):
        if line is None:
            continue
        values, fixes = _converted(row, convert_message)
        assert isinstance(values, tuple) and not fixes, (row, values, fixes)


def test_sqlite_takes_clean_rows_and_leaves_unusual_ones():
    plain = list(_cases(unusual=False))
    assert all(line is not None for line in _fast_lines(plain, convert_message))
    unusual = list(_cases(unusual=True))
    taken = [row for row, line in zip(unusual, _fast_lines(unusual, convert_message)) if line is not None]
    assert [{k: v for k, v in row.items() if v != CLEAN_MESSAGE[k]} for row in taken] == []


def test_an_older_file_without_a_column_takes_the_converter():
    assert (
        fast_query("chat_messages", fields_of(convert_message), [c for c in CLEAN_MESSAGE if c != "thinking"])
        is None
    )


def test_a_converter_without_a_declaration_has_no_fast_path():
    assert fields_of(lambda row, c, ctx: ()) == ()
    assert fields_of(convert_message) and fields_of(convert_log)


TABLES = {
    "chat_messages": "id",
    "chat_sessions": "id",
    "activity_log": "id",
}


def _snapshot() -> dict:
    out = {}
    with connection.cursor() as cursor:
        for table, pk in TABLES.items():
            cursor.execute(f'SELECT t::text FROM "{table}" t ORDER BY "{pk}"')
            out[table] = [row[0] for row in cursor.fetchall()]
    return out


def _entries(report) -> list:
    return sorted(
        (e["table"], str(e["key"]), e["outcome"], str(e["column"]), str(e["value"]), e["reason"])
        for e in report.entries
    )


@pytest.mark.django_db
@pytest.mark.parametrize("bulk_rows", [50, 10**9], ids=["bulk", "staged"])
def test_an_import_through_the_fast_path_loads_what_the_converters_load(monkeypatch, bulk_rows):
    """The dirty sample (every anomaly the generator knows) through the fast path, then through the
    converters alone: the same rows, counts and report entries."""
    with transaction.atomic():
        fast = import_sample("dirty", bulk_rows=bulk_rows, batch_size=37)
        fast_rows = _snapshot()
        transaction.set_rollback(True)
    monkeypatch.setattr(legacy.loader, "fields_of", lambda convert: ())
    slow = import_sample("dirty", bulk_rows=bulk_rows, batch_size=37)
    assert fast_rows == _snapshot()
    assert fast_rows["chat_messages"] and fast_rows["activity_log"]
    assert _entries(fast) == _entries(slow)
    assert {k: s.as_dict() | {"elapsed_s": 0} for k, s in fast.tables.items()} == {
        k: s.as_dict() | {"elapsed_s": 0} for k, s in slow.tables.items()
    }
