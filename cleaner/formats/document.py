"""Formats of one document a file: plain text and HTML.

A file is read whole, up to the size limit, and is one task; its output is
the cleaned text (``a/b.html`` becomes ``OUT/a/b.txt``). A file named on the
command line with a suffix no format claims is read as a document too, and
the pipeline tells HTML from text by its content (`SNIFFED`).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..records import Record, digest
from .base import Original, Task, TaskResult, clean_document
from .compression import ByteReader, TooLarge

if TYPE_CHECKING:
    from ..pipeline import Cleaner


@dataclass(frozen=True, slots=True)
class DocumentFormat:
    name: str
    suffixes: tuple[str, ...]
    content_type: str | None  # None: the pipeline looks at the text to tell
    output_suffix: str = ".txt"

    def tasks(self, reader: ByteReader, template: Task, chunk_bytes: int) -> Iterator[Task | TaskResult]:
        try:
            data = reader.read(template.limit)
        except TooLarge as exc:
            yield TaskResult([], [Record.failed(template.path, str(exc), file=template.file)], write=False)
            return
        yield replace(template, data=data)

    def clean(self, cleaner: Cleaner, task: Task) -> TaskResult:
        result = clean_document(cleaner, task.data, content_type=self.content_type, max_lines=task.max_lines)
        envelope = {"file": task.file, "digest": digest(task.data)}
        if isinstance(result, str):
            return TaskResult([], [Record.failed(task.path, result, **envelope)], write=False)
        record = Record.of_result(task.path, result, output=task.output, **envelope)
        return TaskResult([result.text], [record])

    def originals(self, reader: ByteReader, lines: set[int | None], limit: int) -> Iterator[tuple[int | None, Original]]:
        data = reader.read(limit)
        yield None, Original(data, self.content_type, None, digest(data))


TEXT = DocumentFormat("text", (".txt",), "text/plain")
HTML = DocumentFormat("html", (".html", ".htm", ".xhtml"), "text/html")
SNIFFED = DocumentFormat("document", (), None)
