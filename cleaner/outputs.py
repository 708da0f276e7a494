"""Writing files so that nothing is half-written, overwritten by mistake, or
written somewhere else than asked.

* Every file is written to a temporary file beside it and renamed into
  place once complete: a reader sees the old file or the new one, never a
  part. A temporary file is named ``.NAME.PID.XXXXXXXX.tmp``, so a later run
  can tell one whose writer is gone (and remove it) from one still being
  written by a run that is alive.
* A folder is opened once and everything below it is reached through open
  folders (`os.open` with ``dir_fd``), never by a path a second time, and
  never through a symbolic link: a link put on an output's path while a run
  is going makes that file fail; it cannot lead the write into an input.
* An output folder is locked while a run writes into it (`OutputFolder`):
  a second run into it stops at once, naming the first.
* A failure while writing (a full disk, an I/O error, a folder that is
  read-only) is an OSError from `write`/`commit`; `abort` then removes the
  temporary file and itself never raises.
"""
from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path, PurePath
from typing import BinaryIO

from .formats.compression import GZIP_LEVEL, Compression
from .pathnames import shown

STATE_FOLDER = ".cleaner-state"
LOCK_NAME = "run.lock"

_HAS_DIR_FD = {os.open, os.mkdir, os.rename, os.unlink, os.stat} <= os.supports_dir_fd
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
# A temporary file of ours: ".NAME.PID.XXXXXXXX.tmp", NAME the file's name
# (its first 100 characters: a long name's temporary must fit in 255 bytes).
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d{1,10})\.[0-9a-f]{8}\.tmp")
_STEM_CHARS = 100


# A file name's longest length in bytes on common file systems (ext4, XFS,
# APFS, NTFS in UTF-16 units).
MAX_NAME_BYTES = 255
_STATE_SUFFIX = ".state.gz"


def state_path_of(output: PurePath) -> PurePath:
    """Where the resume state of the output `output` (relative to the output
    folder) is kept. An output name too long to take the state's suffix
    keeps its first characters and a digest of the whole in the state's
    name: without one, its state could not be written, and every run would
    clean it again."""
    name = output.name + _STATE_SUFFIX
    if len(os.fsencode(name)) > MAX_NAME_BYTES:
        digest = hashlib.sha256(os.fsencode(output.name)).hexdigest()[:32]
        name = f"{output.name[:_STEM_CHARS]}.{digest}{_STATE_SUFFIX}"
    return PurePath(STATE_FOLDER, *output.parent.parts, name)


def _temporary_stem(name: str) -> str:
    return name[:_STEM_CHARS]


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# A rename keeps the temporary file's mode: outputs get the mode a newly
# created file gets (0666 less the umask), as if written directly.
_OUTPUT_MODE = 0o666 & ~_current_umask()


class Folder:
    """An open folder: files and folders below it are reached from it, not
    by path (where the system allows; elsewhere by path, checked first)."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path = path
        self._fd = fd

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True) -> Folder:
        """The folder at `path` (made, with its parents, if `create`). The
        path itself may hold links: it is the user's, resolved once here."""
        path = Path(path)
        if create:
            path.mkdir(parents=True, exist_ok=True)
        if not path.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(path))
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if _HAS_DIR_FD else None
        return cls(path, fd)

    def folder(self, parts: tuple[str, ...], *, create: bool = True) -> Folder:
        """The folder `parts` below this one (this one for no parts), made if
        missing, as a new `Folder` for the caller to close; OSError if any of
        them is a symbolic link or not a folder."""
        if not parts:
            return Folder(self.path, os.dup(self._fd) if self._fd is not None else None)
        here = self._child(parts[0], create)
        for part in parts[1:]:
            here = _closing_parent(here, part, create)
        return here

    def _child(self, name: str, create: bool) -> Folder:
        path = self.path / name
        if self._fd is None:
            if path.is_symlink():
                raise OSError(errno.ELOOP, "a symbolic link on an output's path", str(path))
            if create:
                path.mkdir(exist_ok=True)
            return Folder(path, None)
        for attempt in (1, 2):
            try:
                return Folder(path, os.open(name, _DIR_FLAGS, dir_fd=self._fd))
            except FileNotFoundError:
                if not create or attempt == 2:
                    raise
                try:
                    os.mkdir(name, 0o777, dir_fd=self._fd)
                except FileExistsError:
                    pass  # made meanwhile by someone else: open it
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.EMLINK) or (exc.errno == errno.ENOTDIR and os.path.islink(path)):
                    raise OSError(errno.ELOOP, "a symbolic link on an output's path", str(path)) from None
                raise
        raise AssertionError("unreachable")

    def writer(self, name: str, compression: Compression | None = None, *, gzip_level: int = GZIP_LEVEL) -> AtomicWriter:
        return AtomicWriter(self, name, compression, gzip_level=gzip_level)

    def write_atomically(self, name: str, data: bytes) -> None:
        with self.writer(name) as writer:
            writer.write_bytes(data)

    def stat(self, name: str) -> os.stat_result:
        if self._fd is None:
            return os.stat(self.path / name, follow_symlinks=False)
        return os.stat(name, dir_fd=self._fd, follow_symlinks=False)

    def remove_stale_temporaries(self, names: set[str]) -> None:
        """Remove the temporary files of the files `names` in this folder
        whose writer has ended (a killed run's): those named with the id of
        a process that no longer runs. Nothing else is touched: not another
        program's files, not those of a run still going."""
        try:
            listing = os.listdir(self._fd if self._fd is not None else self.path)
        except OSError:
            return
        stems = {_temporary_stem(name) for name in names}
        for entry in listing:
            match = _TEMPORARY.fullmatch(entry)
            if match is None or match.group("name") not in stems or _process_alive(int(match.group("pid"))):
                continue
            try:
                if stat.S_ISREG(self.stat(entry).st_mode):
                    self._unlink(entry)
            except OSError:
                continue

    def remove(self, name: str) -> None:
        """Remove the file `name` in this folder (not through a link); OSError
        if it cannot be."""
        if self._fd is None:
            os.unlink(self.path / name)
        else:
            os.unlink(name, dir_fd=self._fd)

    def _unlink(self, name: str) -> None:
        try:
            if self._fd is None:
                os.unlink(self.path / name)
            else:
                os.unlink(name, dir_fd=self._fd)
        except OSError:
            pass

    def _new_temporary(self, name: str) -> tuple[int, str]:
        for _ in range(100):
            temporary = f".{_temporary_stem(name)}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
            try:
                if self._fd is None:
                    return os.open(self.path / temporary, _NEW_FILE, 0o600), temporary
                return os.open(temporary, _NEW_FILE, 0o600, dir_fd=self._fd), temporary
            except FileExistsError:
                continue
        raise FileExistsError(errno.EEXIST, "no free temporary name", str(self.path / name))

    def _replace(self, temporary: str, name: str) -> None:
        if self._fd is None:
            os.replace(self.path / temporary, self.path / name)
        else:
            os.replace(temporary, name, src_dir_fd=self._fd, dst_dir_fd=self._fd)

    def open_read(self, name: str) -> BinaryIO:
        """The file `name` in this folder, for reading (not through a link)."""
        if self._fd is None:
            return open(self.path / name, "rb")
        return os.fdopen(os.open(name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0), dir_fd=self._fd), "rb")

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Folder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _closing_parent(parent: Folder, name: str, create: bool) -> Folder:
    """`parent`'s child folder `name`; `parent` (an intermediate folder
    opened on the way) is closed either way."""
    try:
        return parent._child(name, create)
    finally:
        parent.close()


class AtomicWriter:
    """A file written piece by piece (compressed if asked) to a temporary
    file, and renamed into place by `commit()`."""

    def __init__(
        self,
        folder: Folder,
        name: str,
        compression: Compression | None = None,
        *,
        gzip_level: int = GZIP_LEVEL,
        owns_folder: bool = False,
    ) -> None:
        self.folder = folder
        self._owns_folder = owns_folder  # opened for this file alone: closed with it
        self.name = name
        self.path = folder.path / name
        fd, self._temporary = folder._new_temporary(name)
        self._file = os.fdopen(fd, "wb")
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, _OUTPUT_MODE)
            self._stream: BinaryIO = compression.writer(self._file, gzip_level=gzip_level) if compression else self._file
        except BaseException:
            self.abort()
            raise
        self._finished = False
        self._committed = False
        #: Leave a folder opened for this file open after `commit`, for a
        #: `read_back` of the committed file (the caller's `close`, or
        #: `abort`, lets go of it).
        self.keep_folder_open = False

    @property
    def stream(self) -> BinaryIO:
        """The binary stream the file's contents go into (compressing them if asked)."""
        return self._stream

    def write(self, text: str) -> None:
        self._stream.write(text.encode("utf-8"))

    def write_bytes(self, data: bytes) -> None:
        self._stream.write(data)

    def keep_owner_and_mode(self, status: os.stat_result) -> None:
        """Give the file the mode and owner of the file it replaces (`status`):
        a rewrite must not make a private file readable by everyone. (An
        owner other than this user is kept only where this process may give
        it, as root can.)"""
        fd = self._file.fileno()
        if hasattr(os, "fchmod"):
            os.fchmod(fd, stat.S_IMODE(status.st_mode))
        if hasattr(os, "fchown") and (status.st_uid, status.st_gid) != (os.geteuid(), os.getegid()):
            try:
                os.fchown(fd, status.st_uid, status.st_gid)
            except PermissionError:
                pass

    def flush(self) -> None:
        """Everything written so far, to the temporary file; a compressed
        stream to a point from which all of it can be read back (gzip's sync
        flush and zstandard's block flush are their writers' defaults)."""
        if self._stream is not self._file:
            self._stream.flush()
        self._file.flush()

    def finish(self) -> None:
        """End the file's contents (a compressed stream's end) and make them
        durable, without renaming it into place yet."""
        if not self._finished:
            if self._stream is not self._file:
                self._stream.close()  # writes the compressed stream's end; leaves the file open
            self._file.flush()
            os.fsync(self._file.fileno())
            self._finished = True

    def read_back(self) -> BinaryIO:
        """The file, open for reading (after `finish`): the temporary file,
        or once committed the file in its place."""
        return self.folder.open_read(self.name if self._committed else self._temporary)

    def commit(self) -> int:
        """Rename the file into place; returns its size on disk."""
        self.finish()
        self._file.close()
        self.folder._replace(self._temporary, self.name)
        self._committed = True
        size = self.folder.stat(self.name).st_size
        if self._owns_folder and not self.keep_folder_open:
            self.folder.close()
        return size

    def close(self) -> None:
        """Let go of a folder opened for this file and kept open after
        `commit` (`keep_folder_open`)."""
        if self._owns_folder:
            self.folder.close()

    def abort(self) -> None:
        """Remove the temporary file. Never raises: closing a file on a full
        disk fails again, and that must not hide the first error."""
        for stream in (self._stream, self._file) if hasattr(self, "_stream") else (self._file,):
            try:
                stream.close()
            except (OSError, ValueError):
                pass
        self.folder._unlink(self._temporary)
        if self._owns_folder:
            self.folder.close()

    def __enter__(self) -> AtomicWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def write_atomically(path: str | Path, data: str | bytes) -> None:
    """Write `path` whole through a temporary file beside it (its folder is
    made if missing)."""
    path = Path(path)
    with Folder.open(path.parent) as folder:
        folder.write_atomically(path.name, data.encode("utf-8") if isinstance(data, str) else data)


class OutputFolderInUse(OSError):
    pass


class OutputFolder(Folder):
    """A run's output folder: made if missing, locked while the run lasts
    (its lock file is ``.cleaner-state/run.lock``), written below itself only."""

    @classmethod
    def open_locked(cls, path: str | Path) -> OutputFolder:
        """The output folder, locked for this run; `OutputFolderInUse` if
        another run holds it, OSError if it cannot be made."""
        folder = Folder.open(path)
        out = cls(folder.path, folder._fd)
        try:
            state = out.folder((STATE_FOLDER,))
            out._lock = _Lock(state, LOCK_NAME)
        except BaseException:
            out.close()
            raise
        return out

    def writer_at(self, relative: PurePath, compression: Compression | None = None, *, gzip_level: int = GZIP_LEVEL) -> AtomicWriter:
        """A writer for the file `relative` below the folder (its folders
        made as needed, none of them a link)."""
        parts = relative.parent.parts
        if not parts:
            return AtomicWriter(self, relative.name, compression, gzip_level=gzip_level)
        folder = self.folder(parts)
        try:
            return AtomicWriter(folder, relative.name, compression, gzip_level=gzip_level, owns_folder=True)
        except BaseException:
            folder.close()
            raise

    def close(self) -> None:
        lock = getattr(self, "_lock", None)
        if lock is not None:
            lock.release()
            self._lock = None
        super().close()


class _Lock:
    """An exclusive lock on a file, held until `release` or the process ends
    (the system releases it then, however the process ended)."""

    def __init__(self, folder: Folder, name: str) -> None:
        self._folder = folder
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        if folder._fd is None:
            self._fd = os.open(folder.path / name, flags, 0o644)
        else:
            self._fd = os.open(name, flags, 0o644, dir_fd=folder._fd)
        try:
            _lock_file(self._fd)
        except BlockingIOError:
            holder = os.pread(self._fd, 64, 0).decode("ascii", "replace").strip() if hasattr(os, "pread") else ""
            os.close(self._fd)
            raise OutputFolderInUse(
                errno.EBUSY, f"in use by another cleaner run{f' (process {holder})' if holder else ''}", shown(folder.path.parent)
            ) from None
        os.ftruncate(self._fd, 0)
        os.write(self._fd, f"{os.getpid()}\n".encode())

    def release(self) -> None:
        try:
            os.ftruncate(self._fd, 0)
        except OSError:
            pass
        os.close(self._fd)  # closing releases the lock
        self._folder.close()


def lock_held(path: Path) -> bool:
    """Whether a process holds the lock file at `path` now (a run's lock)."""
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        _lock_file(fd)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # closing lets go of a lock this took
    return False


def _lock_file(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            raise BlockingIOError from None
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _process_alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # no harmless way to ask: leave its files alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
