"""Finding input files, naming output files, opening compressed ones, and
writing outputs atomically."""
from __future__ import annotations

import glob
import gzip
import os
import re
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import zstandard

# What a file's suffix says about it. In a folder, only these are read; a file
# named on the command line is read whatever its suffix (as text, sniffing HTML).
KINDS = {
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
}
CONTENT_TYPES = {"text": "text/plain", "html": "text/html", None: None}
# A compressed input ("corpus.jsonl.gz") is read through its decompressor and
# its output is compressed the same way ("OUT/corpus.jsonl.gz").
COMPRESSIONS = {".gz": "gzip", ".zst": "zstd"}
ZSTD_LEVEL = 3  # zstandard's own default: fast, and the same bytes on every run
# gzip's own command-line default. Python's GzipFile defaults to 9, which
# took 2.6 times as long on a batch's resume state for 2.6% less on disk.
GZIP_LEVEL = 6


class UsageError(ValueError):
    """A mistake in what the user asked for (exit code 2)."""


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    relative: Path  # where it goes under the output folder
    kind: str | None  # "text", "html", "jsonl", or None: unknown suffix, sniff
    compression: str | None = None  # "gzip", "zstd" or None

    @property
    def output_relative(self) -> Path:
        """a/b.html -> a/b.txt; c.jsonl.gz -> c.jsonl.gz (compressed as the input was)."""
        compressed = {v: k for k, v in COMPRESSIONS.items()}.get(self.compression, "")
        base = self.relative.with_suffix("") if compressed else self.relative
        return base.with_suffix((".jsonl" if self.kind == "jsonl" else ".txt") + compressed)


def kind_of(path: Path) -> tuple[str | None, str | None]:
    """(kind, compression) from a file name: "a.jsonl.zst" -> ("jsonl", "zstd")."""
    suffix = path.suffix.lower()
    compression = COMPRESSIONS.get(suffix)
    if compression:
        suffix = Path(path.stem).suffix.lower()
    return KINDS.get(suffix), compression


def find_inputs(paths: list[str | Path]) -> list[InputFile]:
    """Files named, and the known kinds of file under folders named (recursively,
    hidden files and folders skipped), in a stable order."""
    found: list[InputFile] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                relative = file.relative_to(path)
                if any(part.startswith(".") for part in relative.parts) or not file.is_file():
                    continue
                kind, compression = kind_of(file)
                if kind:
                    found.append(InputFile(file, relative, kind, compression))
        elif path.exists():
            found.append(InputFile(path, Path(path.name), *kind_of(path)))
        else:
            raise UsageError(f"{path}: no such file or folder")
    return found


def file_size(path: Path) -> int:
    """Bytes on disk, or 0 for a file that cannot be read (reported later)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def open_input(item: InputFile) -> BinaryIO | Decompressed:
    """The input's bytes, decompressed, to read whole or line by line. Corrupt
    or truncated compressed data raises OSError when read."""
    raw = item.path.open("rb")
    if item.compression == "gzip":
        return Decompressed(raw, lambda: zlib.decompressobj(16 + zlib.MAX_WBITS), "gzip", zlib.error)
    if item.compression == "zstd":
        return Decompressed(raw, lambda: zstandard.ZstdDecompressor().decompressobj(), "zstd", zstandard.ZstdError)
    return raw


class Decompressed:
    """A gzip or zstd file as a stream of bytes, read whole or line by line.

    Written here rather than with `gzip.open` and zstandard's `stream_reader`
    because a truncated file (an interrupted download) must be an error, not a
    short read: `stream_reader` ends quietly at a cut, and gzip raises
    EOFError and zlib.error besides OSError. Here every kind of damage is an
    OSError, and files of several concatenated members or frames read through.
    """

    BLOCK = 1 << 16

    def __init__(self, raw: BinaryIO, decompressor, name: str, error: type[Exception]) -> None:
        self._raw = raw
        self._decompressor = decompressor
        self._name = name
        self._error = error

    def _blocks(self) -> Iterator[bytes]:
        decompressor = self._decompressor()
        started = False
        while compressed := self._raw.read(self.BLOCK):
            while compressed:
                try:
                    yield decompressor.decompress(compressed)
                except self._error as exc:
                    raise OSError(f"bad {self._name} data: {exc}") from None
                started = True
                compressed = decompressor.unused_data if decompressor.eof else b""
                if compressed:  # another member or frame follows
                    decompressor = self._decompressor()
        if started and not decompressor.eof:
            raise OSError(f"truncated {self._name} data: the file ends inside a compressed block")

    def read(self) -> bytes:
        return b"".join(self._blocks())

    def __iter__(self) -> Iterator[bytes]:
        rest = b""
        for block in self._blocks():
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            for line in lines:
                yield line + b"\n"
        if rest:
            yield rest

    def tell(self) -> int:
        """How far into the file on disk (compressed bytes) reading has got."""
        return self._raw.tell()

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> Decompressed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_output_folder(output: Path, paths: list[str | Path]) -> None:
    """Refuse an output folder that is an input folder or lies inside one:
    cleaning would read its own output, or overwrite its input."""
    out = output.resolve()
    for raw in paths:
        source = Path(raw).resolve()
        if source.is_dir() and (out == source or source in out.parents):
            raise UsageError(f"{output}: the output folder must not be {'' if out == source else 'inside '}the input folder {raw}")
        if source.is_file() and out == source:
            raise UsageError(f"{output}: the output folder is an input file")


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp makes its file private (0600) and a rename keeps that mode: outputs
# get the mode a newly created file would get instead.
_OUTPUT_MODE = 0o666 & ~_current_umask()


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename it into place: a
    reader never sees a half-written file, and a crash leaves the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, _OUTPUT_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


# AtomicWriter's temporary files: ".NAME.<8 random characters>.tmp", as
# mkstemp names them with the prefix and suffix below.
_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


def remove_stale_temporaries(folder: Path, name: str | None = None) -> None:
    """Remove the temporary files a killed run left: every one under `folder`
    (an output folder, which only this program writes), or only those of the
    file `name` directly in it. Nothing will finish them."""
    if not folder.is_dir():
        return
    found = folder.glob(f".{glob.escape(name)}.*.tmp") if name else folder.rglob(".*.tmp")
    for stale in found:
        if _TEMPORARY.fullmatch(stale.name) and stale.is_file():
            try:
                stale.unlink()
            except OSError:
                pass


class AtomicWriter:
    """A text file written piece by piece and renamed into place on `commit()`,
    compressed if asked. Used for outputs too large to hold in memory (JSONL,
    the report). Compressed output is the same bytes on every run: no time
    stamp or file name goes into the gzip header."""

    def __init__(self, path: Path, compression: str | None = None, *, gzip_level: int = GZIP_LEVEL) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.fchmod(fd, _OUTPUT_MODE)
        self._file = os.fdopen(fd, "wb")
        self._stream: BinaryIO
        if compression == "gzip":
            self._stream = gzip.GzipFile(  # type: ignore[assignment]
                filename="", fileobj=self._file, mode="wb", compresslevel=gzip_level, mtime=0
            )
        elif compression == "zstd":
            compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL)
            self._stream = compressor.stream_writer(self._file, closefd=False)  # type: ignore[assignment]
        else:
            self._stream = self._file

    def write(self, text: str) -> None:
        self._stream.write(text.encode("utf-8"))

    def commit(self) -> None:
        if self._stream is not self._file:
            self._stream.close()  # writes the compressed stream's end; leaves the file open
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        if not self._file.closed:
            self._file.close()
        try:
            os.unlink(self._tmp)
        except FileNotFoundError:
            pass

    def __enter__(self) -> AtomicWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()
