"""Formats of one document a file: plain text and HTML.

A file is read whole, up to the size limit, and is one task; its output is
the cleaned text (``a/b.html`` becomes ``OUT/a/b.txt``). A file named on the
command line with a suffix no format claims is read as a document too, and
the pipeline tells HTML from text by its content (`SNIFFED`).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from ..records import EMPTY, OK, REJECTED, Record, digest
from ..steps.decode import decode
from .base import Original, OutputSink, Task, TaskResult, TextSink, clean_document, outcome, reject_line
from .compression import ByteReader, TooLarge

if TYPE_CHECKING:
    from ..pipeline import Cleaner


@dataclass(frozen=True, slots=True)
class DocumentFormat:
    name: str
    suffixes: tuple[str, ...]
    content_type: str | None  # None: the pipeline looks at the text to tell
    output_suffix: str = ".txt"
    one_document: bool = True

    def tasks(self, reader: ByteReader, template: Task, chunk_bytes: int) -> Iterator[Task | TaskResult]:
        try:
            data = reader.read(template.options.max_bytes)
        except TooLarge as exc:
            yield TaskResult([], [Record.failed(template.path, str(exc), file=template.file)], write=False)
            return
        except OSError as exc:  # a damaged .gz, say: the document fails, with its record
            yield TaskResult([], [Record.failed(template.path, f"cannot read: {exc.strerror or exc}", file=template.file)],
                             write=False)
            return
        yield replace(template, data=data)

    def clean(self, cleaner: Cleaner, task: Task) -> TaskResult:
        options = task.options
        result = clean_document(
            cleaner, task.data, content_type=self.content_type, url=options.url, source=options.source,
            max_lines=options.max_lines,
        )
        envelope = {"file": task.file, "digest": digest(task.data)}
        if isinstance(result, str):
            return TaskResult([], [Record.failed(task.path, result, **envelope)], write=False)
        status, rejected = outcome(result, options)
        written = status == OK or (status == EMPTY and options.keep_empty)
        record = Record.of_result(
            task.path, result, status=status, output=task.output if written else None, rejected=rejected, **envelope
        )
        rejects = []
        if status == REJECTED:
            text, _ = decode(task.data)
            rejects.append(reject_line({"path": task.path, "html" if result.extracted else "text": text}, result, rejected))
        return TaskResult([result.text] if written else [], [record], write=written, rejects=rejects)

    def sink(self, stream: BinaryIO, source: Path) -> OutputSink:
        return TextSink(stream)

    def originals(self, reader: ByteReader, lines: set[int | None], limit: int) -> Iterator[tuple[int | None, Original]]:
        data = reader.read(limit)
        yield None, Original(data, self.content_type, None, digest(data))


TEXT = DocumentFormat("text", (".txt",), "text/plain")
HTML = DocumentFormat("html", (".html", ".htm", ".xhtml"), "text/html")
SNIFFED = DocumentFormat("document", (), None)
