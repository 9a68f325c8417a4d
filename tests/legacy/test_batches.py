"""How the loader cuts a legacy table into batches: by rows, and for wide rows by bytes, so that memory
stays flat whatever a row holds."""

import sqlite3

import pytest

from legacy import loader
from legacy.sources import LegacyDatabase


@pytest.fixture
def legacy_file(tmp_path):
    def make(values):
        path = tmp_path / "legacy.sqlite"
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body)")
            db.executemany("INSERT INTO t (body) VALUES (?)", [(value,) for value in values])
        return LegacyDatabase(path)

    return make


def test_narrow_rows_come_in_batches_of_batch_size(legacy_file):
    source = legacy_file(["x"] * 7)
    batches = list(loader._stream(source, "t", 3))
    assert [len(batch) for batch in batches] == [3, 3, 1]
    assert [row["id"] for batch in batches for row in batch] == list(range(1, 8))


def test_wide_rows_end_a_batch_at_the_byte_budget(legacy_file, monkeypatch):
    monkeypatch.setattr(loader, "BATCH_BYTES", 1000)
    source = legacy_file(["a" * 400, b"b" * 400, "c" * 400, None, 7, "d" * 400, "e" * 10])
    batches = list(loader._stream(source, "t", 100))
    # Text and blob values count; NULLs and numbers do not.
    assert [[row["id"] for row in batch] for batch in batches] == [[1, 2, 3], [4, 5, 6, 7]]
