"""legacy.memory: the allocator settings of the import's process, each measured in a bare process of its
own (they are the process's, and a process that has imported Django serves buffers from the memory its
start-up freed)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_probe(code: str) -> list[int]:
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return [int(word) for word in result.stdout.split()]


def test_batch_buffers_reuse_their_pages_and_a_huge_buffer_is_handed_back():
    # Fifty buffers of a batch's size allocated and freed in turn, then a buffer of 8 MiB twice: glibc's
    # own threshold would rise to the first one's size and keep the second in the heap.
    batch_faults, handed_back_kib = run_probe("""
import resource
from legacy.memory import tune_for_bulk_load
tune_for_bulk_load()
def faults(): return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
def resident_kib(): return int(open("/proc/self/statm").read().split()[1]) * 4
before = faults()
for size in range(270_000, 300_000, 600):
    buffer = b"x" * size
    del buffer
batch_faults = faults() - before
for _ in range(2):
    huge = b"x" * (8 << 20)
    held = resident_kib()
    del huge
print(batch_faults, held - resident_kib())
""")
    # Mapped afresh, each buffer would fault in its ~70 pages: 3,500 in all.
    assert batch_faults < 500
    assert handed_back_kib >= 8 << 10


_SQLITE_WORK = """
def work(connection):
    connection.execute("CREATE TABLE t (v TEXT)")
    connection.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 1000)
    return connection.execute("SELECT count(*), sum(length(v)) FROM t").fetchone()
"""


def test_sqlite_memory_statistics_stop_in_a_process_with_nothing_of_sqlite_open():
    stopped, rows, characters, counted = run_probe(_SQLITE_WORK + """
import _sqlite3, ctypes, sqlite3
from legacy.memory import stop_sqlite_memory_statistics
stopped = stop_sqlite_memory_statistics()
connection = sqlite3.connect(":memory:")
rows, characters = work(connection)
memory_used = ctypes.CDLL(_sqlite3.__file__).sqlite3_memory_used
memory_used.restype = ctypes.c_int64
print(int(stopped), rows, characters, memory_used())
""")
    assert stopped == 1
    assert (rows, characters) == (1000, 500_000)  # SQLite works as before
    assert counted == 0  # nothing counted, though the connection holds its table


def test_sqlite_is_left_alone_while_a_connection_is_open():
    stopped, counted = run_probe(_SQLITE_WORK + """
import _sqlite3, ctypes, sqlite3
from legacy.memory import stop_sqlite_memory_statistics
connection = sqlite3.connect(":memory:")
stopped = stop_sqlite_memory_statistics()
work(connection)
memory_used = ctypes.CDLL(_sqlite3.__file__).sqlite3_memory_used
memory_used.restype = ctypes.c_int64
print(int(stopped), memory_used())
""")
    assert stopped == 0
    assert counted > 500_000  # still counting: the open connection's table is in it
