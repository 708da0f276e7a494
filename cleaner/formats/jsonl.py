"""JSONL corpora: one JSON object a line, with a `text` or `html` string and
optional `url` and `id` (other keys with `--text-key`, `--html-key`,
`--id-key`, `--url-key`).

The file goes to the workers in chunks of about `chunk_bytes` of lines, so
one huge file keeps every worker busy; records come back in input order.
Every input record gives an output record, in the same order: cleaned (its
other fields kept, the text replaced by the cleaned text, the result under
`cleaner`, as `--result` asks), or failed as it was, with its error; only a
rejected record leaves the output, for the rejects file. A line over the
size limit is read past, not into memory, and reported as failed.
"""
from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from ..records import EMPTY, ERROR, OK, REJECTED, Record, digest
from ..steps.extract import html_metadata
from .base import (
    DocumentOptions,
    Original,
    OutputSink,
    Task,
    TaskResult,
    TextSink,
    clean_document,
    outcome,
    reject_line,
    result_field,
)
from .compression import ByteReader, TooLarge

# The field of an output record that holds the result (`--result`).
RESULT_KEY = "cleaner"

if TYPE_CHECKING:
    from ..pipeline import Cleaner
    from ..result import CleanResult


@dataclass(frozen=True, slots=True)
class RecordFormat:
    """A format of many records a file, each a JSON object as a line of
    bytes with its number; a format of this kind says only where its
    numbered records come from (`numbered`), and may write its output its
    own way (`sink`). Cleaning is the same for all of them."""

    name: str = "jsonl"
    suffixes: tuple[str, ...] = (".jsonl",)
    output_suffix: str = ".jsonl"
    one_document: bool = False
    #: Whether a record may hold NaN and infinite numbers: not in JSON text
    #: (the output would not be JSON), but in a format whose output holds them.
    non_finite_numbers: bool = False

    def numbered(self, reader: ByteReader, limit: int) -> Iterator[tuple[int, bytes | None]]:
        """The file's records as (number, JSON line); None for one over `limit`."""
        return _lines(reader, limit)

    def sink(self, stream: BinaryIO, source: Path) -> OutputSink:
        return TextSink(stream)

    def tasks(self, reader: ByteReader, template: Task, chunk_bytes: int) -> Iterator[Task | TaskResult]:
        """Tasks of about `chunk_bytes` of numbered record lines."""
        chunk: list[tuple[int, bytes | None]] = []
        size = 0
        try:
            for number, raw in self.numbered(reader, template.options.max_bytes):
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
        """Every input record gives an output record, but a rejected one,
        which goes to the rejects: cleaned, or as it was with its error
        (or, a line that is no JSON object, its text under "raw")."""
        options = task.options
        pieces: list[str] = []
        records: list[Record] = []
        rejects: list[str] = []
        for number, raw in task.lines:
            where: dict = {"file": task.file, "line": number}
            path = f"{task.path}:{number}"
            if raw is None:
                message = f"line {TooLarge(options.max_bytes)}"
                records.append(Record.failed(path, message, **where))
                pieces.append(_line({RESULT_KEY: {"status": ERROR, "error": message, "line": number}}))
                continue
            where["digest"] = digest(raw)
            parsed = _parse(raw, self.non_finite_numbers)
            if isinstance(parsed, str):
                records.append(Record.failed(path, parsed, **where))
                text = raw.decode("utf-8", "replace").removesuffix("\n")
                pieces.append(_line({RESULT_KEY: {"status": ERROR, "error": parsed, "line": number}, "raw": text}))
                continue
            where["id"] = _plain_id(parsed.get(options.id_key))
            own_field = RESULT_KEY in parsed and not _earlier_result(parsed[RESULT_KEY])
            if own_field and options.result != "none":
                message = (f"has a field {RESULT_KEY!r} of its own, which the result would replace "
                           "(rename it, or give --result none)")
                records.append(Record.failed(path, message, **where))
                pieces.append(_line(parsed))  # as it came: its own field is not ours to overwrite
                continue
            body, content_type = _body(parsed, options)
            url = parsed.get(options.url_key) if isinstance(parsed.get(options.url_key), str) else options.url
            if body is None:
                result: CleanResult | str = f"record has no {options.text_key!r} or {options.html_key!r} string"
            elif not body:
                result = f"the record's {options.text_key if content_type == 'text/plain' else options.html_key} is empty"
            else:
                result = clean_document(
                    cleaner, body.encode("utf-8"), content_type=content_type, url=url, source=options.source,
                    max_lines=options.max_lines,
                )
            if isinstance(result, str):
                records.append(Record.failed(path, result, **where))
                # With its error under "cleaner", but where that is a field of its own.
                failed = parsed if own_field else {**parsed, RESULT_KEY: result_field(ERROR, None, options, error=result)}
                pieces.append(_line(failed))
                continue
            status, rejected = outcome(result, options)
            fields = result.to_dict()  # once: the output record and the report record both carry it
            output = None if status == REJECTED else task.output
            records.append(Record.of_result(path, result, fields, status=status, output=output, rejected=rejected, **where))
            if status == REJECTED:
                rejects.append(reject_line(parsed, result, rejected))
                continue
            cleaned = {k: v for k, v in parsed.items() if k not in (options.text_key, options.html_key)}
            cleaned[options.text_key] = result.text
            if options.with_metadata and result.extracted:
                cleaned.update(html_metadata(body, url))
            field = result_field(status, result, options, fields=fields)
            if field is not None:
                cleaned[RESULT_KEY] = field
            pieces.append(_line(cleaned))
        return TaskResult(pieces, records, rejects=rejects)

    def originals(
        self, reader: ByteReader, lines: set[int | None], limit: int
    ) -> Iterator[tuple[int | None, Original | None]]:
        """The records at `lines`, read with the default keys (text, html,
        url); None for a wanted line over `limit` (which `clean` fails)."""
        wanted = {line for line in lines if line is not None}
        defaults = DocumentOptions(limit)
        for number, raw in self.numbered(reader, limit):
            if number in wanted and raw is None:
                yield number, None
            elif number in wanted:
                parsed = _parse(raw, self.non_finite_numbers)
                if isinstance(parsed, dict):
                    body, content_type = _body(parsed, defaults)
                    if body is not None:
                        url = parsed.get("url") if isinstance(parsed.get("url"), str) else None
                        yield number, Original(body, content_type, url, digest(raw))
                wanted.discard(number)
                if not wanted:
                    return


def _line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


def _lines(reader: ByteReader, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """The reader's lines, a UTF-8 byte-order mark taken off the first (an
    editor's mark is no part of the first record)."""
    lines = reader.lines(limit, skip_blank=True)
    for number, raw in lines:
        if raw is not None and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        yield number, raw
        break
    yield from lines


def _parse(raw: bytes, non_finite_numbers: bool = False) -> dict | str:
    """The record, or why it is not one. Python's parser takes more than
    JSON: NaN and Infinity (refused here: the output would not be JSON) and
    lone surrogates such as "\\ud800" (refused: they are not text, and
    nothing can write them as UTF-8). A number beyond a double's range
    (1e999) is JSON but would be written back as Infinity, which is not:
    refused too. (Other numbers are written back as the double they read
    as: 1E2 as 100.0.) With `non_finite_numbers` (a Parquet row, whose
    float columns hold NaN and infinities, as pandas writes missing values),
    those numbers are taken as they are."""
    try:
        if non_finite_numbers:
            record = json.loads(raw.decode("utf-8"))
        else:
            record = json.loads(raw.decode("utf-8"), parse_constant=_not_json, parse_float=_finite_float)
    except UnicodeDecodeError:
        return "not UTF-8"
    except json.JSONDecodeError as exc:
        return f"not valid JSON: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return "not valid JSON: nested too deeply"
    except ValueError as exc:  # NaN, or an integer of more digits than Python reads
        return f"not valid JSON: {exc}"
    if not isinstance(record, dict):
        return "not a JSON object"
    if _ESCAPED_SURROGATE.search(raw):
        try:
            json.dumps(record, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return "not valid JSON text: it holds a lone surrogate (\\ud800 to \\udfff), which is no character"
        except RecursionError:
            return "not valid JSON: nested too deeply"
    return record


# Where a surrogate may be written (as an escape: UTF-8 bytes cannot hold one).
_ESCAPED_SURROGATE = re.compile(rb"\\[uU][dD][89abcdefABCDEF]")


def _not_json(constant: str):
    raise ValueError(f"{constant} is not a JSON value")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text[:40]} is too large to be read and written back")
    return value


def _plain_id(value: object) -> object:
    """A record's id as the report keeps it: a string, number, boolean or
    null as it is; anything else as its JSON text (at most 200 characters),
    so that a record nested a thousand deep travels to and from workers."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (RecursionError, ValueError):
        return "(an id nested too deeply to show)"
    return text if len(text) <= 200 else text[:199] + "…"


def _body(record: dict, options: DocumentOptions) -> tuple[str | None, str | None]:
    if isinstance(record.get(options.text_key), str):
        return record[options.text_key], "text/plain"
    if isinstance(record.get(options.html_key), str):
        return record[options.html_key], "text/html"
    return None, None


JSONL = RecordFormat()


def _earlier_result(value: object) -> bool:
    """A `cleaner` field as this tool writes it: an object with a status
    (in a Parquet column, that object as JSON text)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return False
    return isinstance(value, dict) and value.get("status") in (OK, EMPTY, REJECTED, ERROR)
