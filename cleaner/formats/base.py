"""What every input format provides, and the unit of work it makes.

A format reads its files in the main process, cutting them into `Task`s
(a whole document, or a chunk of a JSONL file's lines), and cleans a task
in a worker, returning the output's pieces and a report record per
document (`TaskResult`). Tasks and results are plain data, so they pickle
to worker processes and Dask workers. A format also finds one document
again for the visual report (`originals`).

Every document ends in one of four states (its record's `status`):

* ``ok``: cleaned, with text left;
* ``empty``: cleaned, and nothing was left (all boilerplate): a file's
  output is not written unless `keep_empty`;
* ``rejected``: cleaned, and turned away by a document filter
  (`Filters`, as datatrove's filters do): no output; the document goes,
  whole, to the rejects file when there is one;
* ``error``: not cleaned (binary, too large, a broken JSONL line...).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

from ..records import EMPTY, ERROR, OK, REJECTED, Record
from ..steps.decode import NotTextError
from .compression import ByteReader

if TYPE_CHECKING:
    from ..pipeline import Cleaner
    from ..result import CleanResult

RESULT_FIELDS = ("summary", "full", "none")


@dataclass(frozen=True, slots=True)
class Filters:
    """Document filters: a cleaned document that fails one is rejected, with
    the reason. Empty settings filter nothing."""

    languages: frozenset[str] = frozenset()  # the detected language must be one of these
    min_chars: int = 0  # characters of cleaned text, at least
    min_words: int = 0  # words of cleaned text, at least
    drop_spun: bool = False  # a document flagged as spun is rejected

    def rejection(self, result: CleanResult) -> str | None:
        """Why `result` is rejected, or None."""
        if self.languages and result.language.code not in self.languages:
            found = result.language.code or f"unknown ({result.language.reason})"
            return f"language {found} is not one of {', '.join(sorted(self.languages))} (--languages)"
        if self.min_chars and len(result.text) < self.min_chars:
            return f"{len(result.text):,} characters, fewer than {self.min_chars:,} (--min-chars)"
        if self.min_words:
            words = len(result.text.split())
            if words < self.min_words:
                return f"{words:,} words, fewer than {self.min_words:,} (--min-words)"
        if self.drop_spun and result.spun.flagged:
            return f"flagged as spun (score {result.spun.score:.3f}; --drop-spun-docs)"
        return None


# The size limit of one document (a file, or a JSONL line). Articles are a
# few hundred KB at most even as HTML; the limit is there so that one huge
# or hostile file (a 14 MB .gz can expand to 3 GB) cannot take the
# machine's memory: cleaning a document of short words holds about twenty
# times its size (799 MB for 30 MB of three-letter words on one line).
DEFAULT_MAX_DOC_BYTES = 32_000_000
# The most lines a text document may have. A long page rendered as text has
# a few hundred (the development pages at most 629); cleaning holds about a
# kilobyte a line, so this bounds a document of tiny lines too.
DEFAULT_MAX_DOC_LINES = 100_000


@dataclass(frozen=True, slots=True)
class DocumentOptions:
    """How the batch reads, cleans and writes each document (the same for
    every document of a run)."""

    max_bytes: int  # a larger document fails unread
    max_lines: int = 0  # a text document with more lines fails (0: no limit)
    keep_empty: bool = False  # write a file's output even when nothing is left
    filters: Filters = Filters()
    #: What an output record carries under "cleaner": a compact "summary"
    #: (status, language, spun score, dropped lines by reason), the "full"
    #: result (every dropped line, as the report has it), or "none".
    result: str = "summary"
    #: The keys of a JSONL record: its text (or HTML), id and URL.
    text_key: str = "text"
    html_key: str = "html"
    id_key: str = "id"
    url_key: str = "url"
    #: Add the page's title, author and date to output records of HTML.
    with_metadata: bool = False
    url: str | None = None  # of a single document
    source: str | None = None  # the source rule file for every document

    def __post_init__(self) -> None:
        if self.result not in RESULT_FIELDS:
            raise ValueError(f"result: {self.result!r} is not one of {', '.join(RESULT_FIELDS)}")


@dataclass(frozen=True, slots=True)
class Task:
    """One piece of work. `data` is a whole document; `lines` are a JSONL
    file's lines with their numbers (None for a line over the size limit).
    `path`, `file` and `output` are shown paths (see pathnames.py)."""

    format: str  # the name it is registered under (formats.FORMATS)
    path: str
    file: str
    output: str | None
    options: DocumentOptions
    data: bytes = b""
    lines: tuple[tuple[int, bytes | None], ...] = ()


@dataclass(slots=True)
class TaskResult:
    pieces: list[str]  # the output's text: the cleaned document, or output JSONL lines
    records: list[Record]
    write: bool = True  # False: the file gets no output (its document failed, was rejected or left empty)
    #: Rejected documents, whole, as lines of the rejects file.
    rejects: list[str] = field(default_factory=list)
    #: Some document failed for a reason outside it (its worker process was
    #: killed): the file keeps no resume state, so `resume` tries it again.
    retry: bool = False


@dataclass(frozen=True, slots=True)
class Original:
    """A document as it was cleaned, found again: its bytes (or text), what
    they are, and the digest of what was read, to tell whether it changed."""

    data: bytes | str
    content_type: str | None
    url: str | None
    digest: str


class OutputSink(Protocol):
    """Where a file's output pieces go: written in order, then `close`d
    (which ends the format's data; the file itself is the caller's)."""

    def write(self, pieces: list[str]) -> None: ...
    def close(self) -> None: ...


class TextSink:
    """Pieces of text, written as UTF-8 (text and JSONL outputs)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def write(self, pieces: list[str]) -> None:
        for piece in pieces:
            self._stream.write(piece.encode("utf-8"))

    def close(self) -> None:
        pass


class InputFormat(Protocol):
    name: str  # unique: tasks name their format by it
    suffixes: tuple[str, ...]  # the file names it reads in a folder (".txt")
    output_suffix: str  # its output's (".txt"; ".jsonl")
    one_document: bool  # a file is one document (else many, each with its line or row number)

    def tasks(self, reader: ByteReader, template: Task, chunk_bytes: int) -> Iterator[Task | TaskResult]:
        """The file's work, read from `reader` lazily: tasks, or results known
        without cleaning (a document over the size limit). `template` carries
        the paths and the options. OSError if the file cannot be read."""
        ...

    def clean(self, cleaner: Cleaner, task: Task) -> TaskResult:
        """Clean a task: never raises for a bad document (that is an error
        record), so one bad document never stops the others."""
        ...

    def sink(self, stream: BinaryIO, source: Path) -> OutputSink:
        """How a task's pieces go into the output file's `stream` (the input
        file at `source`, for a format whose output takes its shape)."""
        ...

    def originals(
        self, reader: ByteReader, lines: set[int | None], limit: int
    ) -> Iterator[tuple[int | None, Original | None]]:
        """The documents at `lines` (None: the whole file), for the visual
        report and `explain`; None for a record of many over `limit` (a
        whole file over it raises `TooLarge`)."""
        ...


def over_line_limit(data: bytes | str, content_type: str | None, max_lines: int) -> str | None:
    """Why `data` is refused unread, or None: a text document of more than
    `max_lines` lines, or any document of more than `max_lines` tags (0: no
    limit). Cleaning holds about a kilobyte a line (9 MB of three-byte lines
    took 3 GB), and extracting HTML takes time that grows with the square of
    its elements. Every command that cleans a document asks this first."""
    if not max_lines:
        return None
    # HTML is held to the same number in tags: trafilatura's time grows
    # with their square (300,000 short paragraphs took 686 s).
    newline, tag = (b"\n", b"<") if isinstance(data, bytes) else ("\n", "<")
    if content_type != "text/html":
        lines = data.count(newline) + 1
        if lines > max_lines:
            return f"more than {max_lines:,} lines ({lines:,}; --max-doc-lines)"
    tags = data.count(tag)
    if tags > max_lines:
        return f"more than {max_lines:,} tags ({tags:,}; --max-doc-lines)"
    return None


def clean_document(
    cleaner: Cleaner,
    data: bytes | str,
    *,
    content_type: str | None,
    url: str | None = None,
    source: str | None = None,
    max_lines: int = 0,
) -> CleanResult | str:
    """`Cleaner.clean` with the batch's idea of bad input, or the one-line
    reason it failed: empty and blank documents are failures here (a library
    caller may want them back as ''), and so is any exception, which a bug
    may raise: the report names it and the batch goes on. A document over
    `max_lines` fails unread (see `over_line_limit`)."""
    if not data:
        return "empty file"
    refused = over_line_limit(data, content_type, max_lines)
    if refused:
        return refused
    try:
        result = cleaner.clean(data, content_type=content_type, url=url, source=source)
    except (NotTextError, ValueError) as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - a bug must not stop the batch
        return f"internal error: {type(exc).__name__}: {exc}"
    if not result.text and not result.dropped:
        return result.warnings[0] if result.warnings else "blank: no text in it"
    return result


def outcome(result: CleanResult, options: DocumentOptions) -> tuple[str, str | None]:
    """(status, why rejected) of a cleaned document: left empty, turned away
    by a filter, or ok."""
    if not result.text.strip():
        return EMPTY, None
    rejection = options.filters.rejection(result)
    return (REJECTED, rejection) if rejection else (OK, None)


def result_field(status: str, result: CleanResult | None, options: DocumentOptions, *, error: str | None = None,
                 rejected: str | None = None, fields: dict | None = None) -> dict | None:
    """What an output record carries under "cleaner" (see `DocumentOptions.result`)."""
    if result is None or options.result == "none":
        return {"status": status, "error": error} if status == ERROR else None
    head = {"status": status, **({"rejected": rejected} if rejected else {})}
    if options.result == "full":
        return {**head, **(fields if fields is not None else result.to_dict())}
    return {**head, **result.summary()}


def reject_line(document: dict, result: CleanResult, rejected: str) -> str:
    """A rejected document, whole, as a line of the rejects file, with why
    it was rejected and the summary of its result."""
    field = {"status": REJECTED, "rejected": rejected, **result.summary()}
    return json.dumps({**document, "cleaner": field}, ensure_ascii=False) + "\n"
