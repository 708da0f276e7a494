"""heap: hand memory that the process has freed back to the system.

glibc's allocator keeps freed memory for the process's next allocations
rather than returning it, so a process that has just freed a large
temporary goes on holding it. Two places in a run are worth the call: after
the table cache is written (marshal's bookkeeping while it writes leaves
about 15 MB behind), and before the batch forks its workers (which would
otherwise each share, and copy into when they allocate, those pages). On a
C library without `malloc_trim` (musl, macOS, Windows) it does nothing.
"""
from __future__ import annotations

import ctypes
import sys


def release_freed_memory() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return
    trim(0)
