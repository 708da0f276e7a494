"""The input formats, registered in one place.

Each format is one module: how its files are cut into tasks, how a task is
cleaned, and how one of its documents is found again (see `base.InputFormat`).
Compression is apart from format: any format's file may be ``.gz`` or ``.zst``
(`compression.py`), and its output is compressed the same way. To add a
format, write its module and add it to `FORMATS` below.
"""
from __future__ import annotations

from pathlib import Path

from .base import (
    DEFAULT_MAX_DOC_BYTES,
    DEFAULT_MAX_DOC_LINES,
    RESULT_FIELDS,
    DocumentOptions,
    Filters,
    InputFormat,
    Original,
    OutputSink,
    Task,
    TaskResult,
    clean_document,
    over_line_limit,
)
from .compression import COMPRESSIONS, GZIP, ZSTD, ByteReader, Compression, TooLarge
from .document import HTML, SNIFFED, TEXT
from .jsonl import JSONL
from .parquet import PARQUET
from .warc import WARC

FORMATS: dict[str, InputFormat] = {f.name: f for f in (TEXT, HTML, JSONL, PARQUET, WARC, SNIFFED)}
_BY_SUFFIX = {suffix: f for f in FORMATS.values() for suffix in f.suffixes}


def format_of(path: str | Path, *, named: bool = False) -> tuple[InputFormat | None, Compression | None]:
    """(format, compression) from a file's name: "a.jsonl.zst" -> (JSONL, ZSTD).
    A file found in a folder has a format only if its suffix names one; a file
    `named` by the user is read whatever its suffix (as a document whose kind
    the pipeline tells from its content)."""
    path = Path(path)
    suffix = path.suffix.lower()
    compression = COMPRESSIONS.get(suffix)
    if compression is not None:
        suffix = Path(path.stem).suffix.lower()
    found = _BY_SUFFIX.get(suffix)
    if found is None and named:
        found = SNIFFED
    return found, compression


__all__ = [
    "DEFAULT_MAX_DOC_BYTES",
    "DEFAULT_MAX_DOC_LINES",
    "COMPRESSIONS",
    "GZIP",
    "ZSTD",
    "FORMATS",
    "ByteReader",
    "DocumentOptions",
    "Filters",
    "RESULT_FIELDS",
    "Compression",
    "InputFormat",
    "Original",
    "OutputSink",
    "Task",
    "TaskResult",
    "TooLarge",
    "clean_document",
    "format_of",
    "over_line_limit",
]
