"""legacy.report: the import report's entries live in a temporary SQLite file, not in memory, and come
back as they went in; `fixed` counts rows; the JSON file holds what `as_dict` says."""

import json
import tracemalloc
from datetime import datetime, timezone

from legacy.report import Report


def new_report() -> Report:
    return Report(source={"path": "legacy.sqlite"}, dry_run=False, now=datetime(2026, 1, 2, tzinfo=timezone.utc))


def test_entries_come_back_as_they_went_in_in_order():
    report = new_report()
    stats = report.table("chat", "chat_messages")
    report.entry(stats, "rejected", "m-2", None, None, "orphan: no such session")
    report.entry(stats, "fixed", ("u-1", "a.txt"), "role", "bot", "not a role")
    report.entry(stats, "skipped", 7, "status", "x", "transient")
    assert report.entries == [
        {"app": "chat", "table": "chat_messages", "key": "m-2", "outcome": "rejected", "column": None,
         "value": None, "reason": "orphan: no such session"},
        {"app": "chat", "table": "chat_messages", "key": ("u-1", "a.txt"), "outcome": "fixed", "column": "role",
         "value": "bot", "reason": "not a role"},
        {"app": "chat", "table": "chat_messages", "key": 7, "outcome": "skipped", "column": "status",
         "value": "x", "reason": "transient"},
    ]


def test_fixed_counts_rows_and_withdrawing_takes_back_only_rows_that_had_fixes():
    report = new_report()
    messages = report.table("chat", "chat_messages")
    sessions = report.table("chat", "chat_sessions")
    report.entry(messages, "fixed", "m-1", "role", "bot", "not a role")
    report.entry(messages, "fixed", "m-1", "status", "?", "not a status")  # the same row again
    report.entry(messages, "fixed", "m-2", "role", "bot", "not a role")
    report.entry(messages, "rejected", "m-3", None, None, "orphan")
    report.entry(sessions, "fixed", "m-1", "title", "", "empty")  # same key, another table
    assert (messages.fixed, sessions.fixed) == (2, 1)

    report.withdraw_fixes(messages, {"m-1", "m-3", "m-9"})  # m-3 was rejected, m-9 never seen
    assert (messages.fixed, sessions.fixed) == (1, 1)
    assert [(e["table"], e["key"], e["outcome"]) for e in report.entries] == [
        ("chat_messages", "m-2", "fixed"), ("chat_messages", "m-3", "rejected"), ("chat_sessions", "m-1", "fixed")]

    report.withdraw_fixes(messages)
    assert messages.fixed == 0
    assert [e["key"] for e in report.entries] == ["m-3", "m-1"]


def test_the_written_file_is_as_dict_with_entries_sorted_by_table_then_key(tmp_path):
    report = new_report()
    first, second = report.table("accounts", "user"), report.table("chat", "chat_messages")
    report.entry(second, "rejected", "b", None, None, "orphan")
    report.entry(first, "fixed", "z", "email", " A@x ", "trimmed")
    report.entry(second, "fixed", "a", "role", 'say "hi"\n', "not a role")
    report.write(tmp_path / "report.json")
    written = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(report.as_dict(), default=str))
    assert [(e["table"], e["key"]) for e in written["entries"]] == [
        ("user", "z"), ("chat_messages", "a"), ("chat_messages", "b")]
    assert written["apps"]["accounts"]["tables"]["user"]["fixed"] == 1


def test_entries_are_not_held_in_python_memory():
    """20,000 entries, as a file with that many problem rows gives: a list of dicts would be ~10 MiB."""
    report = new_report()
    stats = report.table("chat", "chat_messages")
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(20_000):
            report.entry(stats, "fixed", f"message-{n:06d}", "content", "x" * 200, "not JSON: kept as text")
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert stats.fixed == 20_000
    assert grown < 1 << 20
