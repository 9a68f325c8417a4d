"""The import's memory, kept flat as the file grows (issue 15: at most 100 MiB, whatever its size).

glibc's allocator, left as it is, keeps what a long bulk load once held: an arena per thread, and a
threshold for mapping large buffers that rises with every one freed. `tune_for_bulk_load` sets it up
once for the import's process; `release` hands freed memory back between tables. Where the C library
is not glibc, both do nothing. `stop_sqlite_memory_statistics` spares SQLite's allocator a lock per
allocation, in a process that has not opened SQLite yet.

No Django here: a test measures the allocator in a bare process.
"""

from __future__ import annotations

import _sqlite3
import ctypes
import gc

# mallopt's parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8

# Above this size a buffer is mapped and unmapped: a huge row's memory goes back when it is freed.
MAP_ABOVE = 1 << 20
# Free memory at the top of the heap kept rather than handed back: the batch buffers (about 256 KiB
# each, `legacy.loader.BATCH_BYTES`) reuse the same pages instead of faulting in new ones.
KEEP_FREE = 2 << 20

_SQLITE_CONFIG_MEMSTATUS = 9

try:
    _LIBC = ctypes.CDLL("libc.so.6")
    _LIBC.mallopt, _LIBC.malloc_trim
except (OSError, AttributeError):  # not glibc
    _LIBC = None


def tune_for_bulk_load() -> None:
    """One arena for all threads (not one each, each keeping what it once held), buffers above MAP_ABOVE
    mapped (a fixed threshold: glibc's own would rise to the largest row ever freed and keep that much in
    the heap for good) and KEEP_FREE of free heap kept. With batch buffers mapped afresh instead, the large
    file cost 150,000 page faults, about 8% of the import's time."""
    if _LIBC is not None:
        _LIBC.mallopt(_M_ARENA_MAX, 1)
        _LIBC.mallopt(_M_MMAP_THRESHOLD, MAP_ABOVE)
        _LIBC.mallopt(_M_TRIM_THRESHOLD, KEEP_FREE)


def release() -> None:
    """Hand the memory a table's batches used back to the system (glibc keeps freed memory in its heap):
    the next table starts from the same footprint, so the peak is that of the largest batch, not a sum."""
    gc.collect()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def stop_sqlite_memory_statistics() -> bool:
    """Turn off SQLite's count of the memory it holds, which nothing here reads and which takes a lock
    around every allocation: the large table's query, a SQLite allocation or more per row, runs 9% faster
    (the whole import about 5%). SQLite takes the setting only while shut down, so only in a process with
    nothing of SQLite open: the command-line run, before the import opens the file. Returns whether it did.
    """
    global _sqlite_statistics_stopped
    if _sqlite_statistics_stopped:
        return True
    try:
        # The SQLite that Python's sqlite3 module uses: the symbols of its extension and what it links.
        sqlite = ctypes.CDLL(_sqlite3.__file__)
        sqlite.sqlite3_memory_used.restype = ctypes.c_int64
    except (OSError, AttributeError):
        return False
    if sqlite.sqlite3_memory_used() != 0:  # something of SQLite is open: it must not be shut down
        return False
    sqlite.sqlite3_shutdown()
    _sqlite_statistics_stopped = sqlite.sqlite3_config(_SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0)) == 0
    sqlite.sqlite3_initialize()
    return _sqlite_statistics_stopped


_sqlite_statistics_stopped = False
