"""tablecache: built tables kept on disk, so that a process starts without
building them again.

Every process that scores spun text builds its word tables from
wordsegment's count files and the thesaurus, and every process that detects
languages reads langdetect's 55 JSON profiles: together about 1.2 s, most of
a one-file `cleaner check` (the pre-commit hook) and of the part of a batch
that cannot run in parallel. Read back from a `marshal` file, the same
tables take about 0.5 s.

A cache file is named by a digest of everything its tables are built from:
the bytes of each input file, the source of the module that builds them (a
change to the building code is a new name), and the Python version and
marshal format (marshal's format is the interpreter's own). So a file is
read only for exactly the inputs it was built from, and there is nothing
to invalidate: changed inputs read another name. A file that cannot be read
back (truncated, damaged) is built again and replaced; a folder that
cannot be written leaves the process building its tables, as without a
cache. A file is written to a temporary name and renamed, so a process
that reads it while another writes it sees the whole file or none.

marshal rather than pickle: it reads only strings, numbers and containers
and runs no code while loading, where a pickle can call anything it names.
It is still not made to read files from a hostile writer (a rotated table
of language profiles is well-formed marshal, and names English pages
Persian), so a cache file is read only when it and its folder belong to
the user and no one else can write them, as ssh and pip check their own
files; the folder is made private (0700) when this makes it. Each file
carries the SHA-256 of its payload, checked before the payload is read. A
folder or file that fails the check is left alone, the tables are built in
memory, and a one-line note (a `CacheNotUsed` warning) says why. The folder:

    $CLEANER_CACHE_DIR, else $XDG_CACHE_HOME/cleaner, else ~/.cache/cleaner

`CLEANER_CACHE_DIR=""` (set and empty) turns the cache off. Old files are
not removed: each is the size of its tables (about 14 MB for the spun
tables), and a new file appears only when the project or its dependencies
change.
"""
from __future__ import annotations

import gc
import hashlib
import marshal
import os
import stat
import sys
import tempfile
import warnings
from array import array
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from .heap import release_freed_memory
from .pathnames import shown

T = TypeVar("T")

ENVIRONMENT = "CLEANER_CACHE_DIR"


def cache_dir() -> Path | None:
    """Where cache files go, or None when the cache is turned off."""
    chosen = os.environ.get(ENVIRONMENT)
    if chosen is not None:
        return Path(chosen).expanduser() if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cleaner"


def digest(inputs: Iterable[bytes]) -> str:
    """A name for tables built from `inputs` by this interpreter."""
    h = hashlib.sha256(f"{sys.implementation.cache_tag} marshal {marshal.version}".encode())
    for data in inputs:
        # Each input's length first, so that no two lists of inputs run
        # together into the same bytes.
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()[:32]


def cached(
    name: str,
    inputs: Callable[[], Iterable[bytes]],
    build: Callable[[], T],
    to_plain: Callable[[T], object],
    from_plain: Callable[[object], T],
) -> T:
    """The tables `build()` makes, read from the cache if a file built from
    the same `inputs` is there, else built and written there.

    `to_plain` turns the tables into what marshal writes (dicts, tuples,
    strings, numbers, bytes), and `from_plain` turns that back into tables
    equal to `build()`'s. `inputs` is called only if there is a cache folder."""
    folder = cache_dir()
    if folder is None:
        return build()
    try:
        path = folder / f"{name}-{digest(inputs())}.marshal"
    except OSError:  # an input that cannot be read for its digest: build without the cache
        return build()
    distrust = _distrust(folder, create=True)
    if distrust is not None:
        _note(f"table cache not used: {shown(folder)} {distrust}; the tables are built in memory")
        return build()
    payload = _read(path)
    if payload is not None:
        try:
            return from_plain(_unmarshal(payload))
        except (EOFError, ValueError, TypeError, KeyError, IndexError):
            pass  # damaged: built below, and written again
    tables = build()
    _write(path, marshal.dumps(to_plain(tables)))
    release_freed_memory()
    return tables


def _unmarshal(payload: bytes) -> object:
    """`marshal.loads`, with the cyclic garbage collector paused: the
    hundreds of thousands of containers it makes would set off collections
    that find nothing to free (15% of the time unmarshalling the spun
    tables takes, which a `--jobs 2` run spends before its workers start)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return marshal.loads(payload)
    finally:
        if was_enabled:
            gc.enable()


class CacheNotUsed(UserWarning):
    """The table cache was passed over (the tables were built in memory)."""


_NOTED: set[str] = set()


def _note(message: str) -> None:
    if message not in _NOTED:  # once a process, however many tables
        _NOTED.add(message)
        warnings.warn(message, CacheNotUsed, stacklevel=3)


def _distrust(path: Path, *, create: bool = False) -> str | None:
    """Why the cache folder or file at `path` must not be read, or None. As
    ssh and pip do with their own files: it must be the user's own and
    writable by nobody else, since whoever can write it decides what this
    program's tables say. (Where the system has no such owners, as on
    Windows, the user's own folders are trusted.)"""
    try:
        if create and not os.path.lexists(path):
            os.makedirs(path, mode=0o700, exist_ok=True)
        status = os.lstat(path)
    except OSError as exc:
        return f"cannot be made or read ({exc.strerror or exc})"
    if os.name != "posix":
        return None
    if stat.S_ISLNK(status.st_mode):
        return "is a symbolic link"
    if status.st_uid != os.getuid():
        return "belongs to another user"
    if status.st_mode & 0o022:
        return "can be written by other users"
    return None


# A cache file: this header, the SHA-256 of the payload, then the payload
# (marshal's bytes). The digest is checked before the payload is unmarshalled.
_HEADER = b"cleaner tables 1\n"


def _read(path: Path) -> bytes | None:
    """The payload of the cache file at `path`, or None if it is missing,
    damaged, or not to be trusted (that with a note)."""
    if not os.path.lexists(path):
        return None
    distrust = _distrust(path)
    if distrust is not None:
        _note(f"table cache not used: {shown(path)} {distrust}; the tables are built in memory")
        return None
    try:
        # Opened without waiting (a FIFO by that name would block the open),
        # then read only if it is a regular file.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                _note(f"table cache not used: {shown(path)} is not a regular file; the tables are built in memory")
                return None
            data = handle.read()
    except OSError:
        return None
    start = len(_HEADER) + hashlib.sha256().digest_size
    if not data.startswith(_HEADER) or hashlib.sha256(data[start:]).digest() != data[len(_HEADER) : start]:
        return None
    return data[start:]


def join_arrays(arrays: Iterable[array]) -> bytes:
    """Arrays of doubles as one run of bytes, for `to_plain`. Read back by
    `split_arrays`, each array is cut from it with no object per array to
    free afterwards: objects freed among the tables' would leave holes that
    the process keeps (see language.load_profiles)."""
    buffer = array("d")
    for row in arrays:
        buffer.extend(row)
    return buffer.tobytes()


def split_arrays(data: bytes, lengths: Iterable[int]) -> Iterator[array]:
    """The arrays `join_arrays` joined into `data`, given their lengths; a
    ValueError (the file is damaged) if the lengths do not fit `data`."""
    view = memoryview(data)
    width = array("d").itemsize
    start = 0
    for length in lengths:
        end = start + width * length
        if end > len(view):
            raise ValueError("cached arrays: shorter than their lengths")
        row = array("d")
        row.frombytes(view[start:end])
        yield row
        start = end
    if start != len(view):
        raise ValueError("cached arrays: longer than their lengths")


def _write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename; do
    nothing if the folder cannot be made or written (the cache is a saving,
    never a requirement)."""
    temporary = None
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(descriptor, "wb") as handle:  # mkstemp's 0600: the user's own, as read checks
            handle.write(_HEADER + hashlib.sha256(data).digest())
            handle.write(data)
        os.replace(temporary, path)
        temporary = None
    except OSError:
        pass
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass
