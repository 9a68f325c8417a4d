"""The import's memory, kept flat as the file grows (issue 15: at most 100 MiB, whatever its size).

glibc's allocator, left as it is, keeps what a long bulk load once held: an arena per thread, and a
threshold for mapping large buffers that rises with every one freed. `tune_for_bulk_load` sets it up
once for the import's process; `release` hands freed memory back between tables. Where the C library
is not glibc, both do nothing.

No Django here: a test measures the allocator in a bare process.
"""

from __future__ import annotations

import ctypes
import gc

# mallopt's parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8

# Above this size a buffer is mapped and unmapped: a huge row's memory goes back when it is freed.
MAP_ABOVE = 1 << 20
# Free memory at the top of the heap kept rather than handed back: the batch buffers (about 256 KiB
# each, `legacy.loader.BATCH_BYTES`) reuse the same pages instead of faulting in new ones.
KEEP_FREE = 2 << 20

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
