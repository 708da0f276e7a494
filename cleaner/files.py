"""Finding input files, naming output files, and writing them atomically."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

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


class UsageError(ValueError):
    """A mistake in what the user asked for (exit code 2)."""


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    relative: Path  # where it goes under the output folder
    kind: str | None  # "text", "html", "jsonl", or None: unknown suffix, sniff

    @property
    def output_relative(self) -> Path:
        return self.relative.with_suffix(".jsonl" if self.kind == "jsonl" else ".txt")


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
                kind = KINDS.get(file.suffix.lower())
                if kind:
                    found.append(InputFile(file, relative, kind))
        elif path.exists():
            found.append(InputFile(path, Path(path.name), KINDS.get(path.suffix.lower())))
        else:
            raise UsageError(f"{path}: no such file or folder")
    return found


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


class AtomicWriter:
    """A text file written line by line and renamed into place on `commit()`.
    Used for outputs too large to hold in memory (JSONL, the report)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.fchmod(fd, _OUTPUT_MODE)
        self._handle = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def write(self, text: str) -> None:
        self._handle.write(text)

    def commit(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        if not self._handle.closed:
            self._handle.close()
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
