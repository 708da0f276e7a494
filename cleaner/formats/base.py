"""What every input format provides, and the unit of work it makes.

A format reads its files in the main process, cutting them into `Task`s
(a whole document, or a chunk of a JSONL file's lines), and cleans a task
in a worker, returning the output's pieces and a report record per
document (`TaskResult`). Tasks and results are plain data, so they pickle
to worker processes and Dask workers. A format also finds one document
again for the visual report (`original`).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..records import Record
from ..steps.decode import NotTextError
from .compression import ByteReader

if TYPE_CHECKING:
    from ..pipeline import Cleaner
    from ..result import CleanResult


@dataclass(frozen=True, slots=True)
class Task:
    """One piece of work. `data` is a whole document; `lines` are a JSONL
    file's lines with their numbers (None for a line over the size limit).
    `path`, `file` and `output` are shown paths (see pathnames.py)."""

    format: str  # the name it is registered under (formats.FORMATS)
    path: str
    file: str
    output: str | None
    limit: int  # the size limit a document was read under (for its message)
    max_lines: int = 0  # a text document with more lines fails (0: no limit)
    data: bytes = b""
    lines: tuple[tuple[int, bytes | None], ...] = ()


@dataclass(slots=True)
class TaskResult:
    pieces: list[str]  # the output's text: the cleaned document, or output JSONL lines
    records: list[Record]
    write: bool = True  # False: the document failed, so the file gets no output


@dataclass(frozen=True, slots=True)
class Original:
    """A document as it was cleaned, found again: its bytes (or text), what
    they are, and the digest of what was read, to tell whether it changed."""

    data: bytes | str
    content_type: str | None
    url: str | None
    digest: str


class InputFormat(Protocol):
    name: str  # unique: tasks name their format by it
    suffixes: tuple[str, ...]  # the file names it reads in a folder (".txt")
    output_suffix: str  # its output's (".txt"; ".jsonl")

    def tasks(self, reader: ByteReader, template: Task, chunk_bytes: int) -> Iterator[Task | TaskResult]:
        """The file's work, read from `reader` lazily: tasks, or results known
        without cleaning (a document over the size limit). `template` carries
        the paths and the limit. OSError if the file cannot be read."""
        ...

    def clean(self, cleaner: Cleaner, task: Task) -> TaskResult:
        """Clean a task: never raises for a bad document (that is an error
        record), so one bad document never stops the others."""
        ...

    def originals(self, reader: ByteReader, lines: set[int | None], limit: int) -> Iterator[tuple[int | None, Original]]:
        """The documents at `lines` (None: the whole file), for the visual report."""
        ...


def clean_document(
    cleaner: Cleaner, data: bytes | str, *, content_type: str | None, url: str | None = None, max_lines: int = 0
) -> CleanResult | str:
    """`Cleaner.clean` with the batch's idea of bad input, or the one-line
    reason it failed: empty and blank documents are failures here (a library
    caller may want them back as ''), and so is any exception, which a bug
    may raise: the report names it and the batch goes on.

    A text document of more than `max_lines` lines fails unread: cleaning
    holds about a kilobyte a line, and 9 MB of three-byte lines took 3 GB.
    (HTML is not counted: its lines are the extracted text's, far fewer.)"""
    if not data:
        return "empty file"
    if max_lines and content_type != "text/html":
        count = data.count(b"\n" if isinstance(data, bytes) else "\n") + 1
        if count > max_lines:
            return f"more than {max_lines:,} lines ({count:,}; --max-doc-lines)"
    try:
        result = cleaner.clean(data, content_type=content_type, url=url)
    except (NotTextError, ValueError) as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - a bug must not stop the batch
        return f"internal error: {type(exc).__name__}: {exc}"
    if not result.text and not result.dropped:
        return result.warnings[0] if result.warnings else "blank: no text in it"
    return result
