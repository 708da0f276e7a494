"""JSONL corpora: one JSON object a line, with a `text` or `html` string and
optional `url` and `id`.

The file goes to the workers in chunks of about `chunk_bytes` of lines, so
one huge file keeps every worker busy; records come back in input order.
An output record keeps the input's other fields, replaces the text with
the cleaned text and adds the result under `cleaner`. A line over the size
limit is read past, not into memory, and reported as failed.
"""
from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..records import Record, digest
from .base import Original, Task, TaskResult, clean_document
from .compression import ByteReader, TooLarge

if TYPE_CHECKING:
    from ..pipeline import Cleaner


@dataclass(frozen=True, slots=True)
class JsonlFormat:
    name: str = "jsonl"
    suffixes: tuple[str, ...] = (".jsonl",)
    output_suffix: str = ".jsonl"

    def tasks(self, reader: ByteReader, template: Task, chunk_bytes: int) -> Iterator[Task | TaskResult]:
        chunk: list[tuple[int, bytes | None]] = []
        size = 0
        try:
            for number, raw in _lines(reader, template.limit):
                if raw is not None and not raw.strip():
                    continue
                chunk.append((number, raw))
                size += len(raw) if raw is not None else 1
                if size >= chunk_bytes:
                    yield replace(template, lines=tuple(chunk))
                    chunk, size = [], 0
        except OSError:  # the lines read before a damaged part are documents too: each gets its record
            if chunk:
                yield replace(template, lines=tuple(chunk))
            raise
        if chunk:
            yield replace(template, lines=tuple(chunk))

    def clean(self, cleaner: Cleaner, task: Task) -> TaskResult:
        pieces: list[str] = []
        records: list[Record] = []
        for number, raw in task.lines:
            where = {"file": task.file, "line": number}
            path = f"{task.path}:{number}"
            if raw is None:
                records.append(Record.failed(path, f"line {TooLarge(task.limit)}", **where))
                continue
            where["digest"] = digest(raw)
            parsed = _parse(raw)
            if isinstance(parsed, str):
                records.append(Record.failed(path, parsed, **where))
                continue
            where["id"] = parsed.get("id")
            body, content_type = _body(parsed)
            if body is None:
                records.append(Record.failed(path, "record has no 'text' or 'html' string", **where))
                continue
            url = parsed.get("url") if isinstance(parsed.get("url"), str) else None
            result = clean_document(
                cleaner, body.encode("utf-8"), content_type=content_type, url=url, max_lines=task.max_lines
            )
            if isinstance(result, str):
                records.append(Record.failed(path, result, **where))
                continue
            fields = result.to_dict()  # once: the output record and the report record both carry it
            kept = {k: v for k, v in parsed.items() if k not in ("text", "html")}
            pieces.append(json.dumps({**kept, "text": result.text, "cleaner": fields}, ensure_ascii=False) + "\n")
            records.append(Record.of_result(path, result, fields, output=task.output, **where))
        return TaskResult(pieces, records)

    def originals(self, reader: ByteReader, lines: set[int | None], limit: int) -> Iterator[tuple[int | None, Original]]:
        wanted = {line for line in lines if line is not None}
        for number, raw in _lines(reader, limit):
            if number in wanted and raw is not None:
                parsed = _parse(raw)
                if isinstance(parsed, dict):
                    body, content_type = _body(parsed)
                    if body is not None:
                        url = parsed.get("url") if isinstance(parsed.get("url"), str) else None
                        yield number, Original(body, content_type, url, digest(raw))
                wanted.discard(number)
                if not wanted:
                    return


def _lines(reader: ByteReader, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """The reader's lines, a UTF-8 byte-order mark taken off the first (an
    editor's mark is no part of the first record)."""
    lines = reader.lines(limit)
    for number, raw in lines:
        if raw is not None and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        yield number, raw
        break
    yield from lines


def _parse(raw: bytes) -> dict | str:
    """The record, or why it is not one."""
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return "not UTF-8"
    except json.JSONDecodeError as exc:
        return f"not valid JSON: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return "not valid JSON: nested too deeply"
    if not isinstance(record, dict):
        return "not a JSON object"
    return record


def _body(record: dict) -> tuple[str | None, str | None]:
    if isinstance(record.get("text"), str):
        return record["text"], "text/plain"
    if isinstance(record.get("html"), str):
        return record["html"], "text/html"
    return None, None


JSONL = JsonlFormat()
