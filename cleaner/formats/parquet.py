"""Parquet corpora (``scrape-cleaner[parquet]``, which brings pyarrow): each row is a
record, as a JSONL line is, and the output is a Parquet file of the same
columns.

Rows are read a few at a time (`ROWS_READ`) and cleaned exactly as JSONL
records are (formats/jsonl.py: the same keys, results, filters and
failures); a row's place is its number, from 1 (``corpus.parquet:17``).
The output keeps the input's columns and their types (a column whose type
JSON cannot hold, such as a timestamp, as its text), holds the cleaned
text in the text column, and adds ``cleaner`` (the result as JSON text) and,
with `--with-metadata`, ``title``, ``author`` and ``date``. Parquet
compresses inside, so a ``.parquet.gz`` is not read.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .base import OutputSink
from .compression import ByteReader
from .jsonl import RecordFormat

# Rows read at a time: few, since a row may hold a long document.
ROWS_READ = 32
METADATA = ("title", "author", "date")


def _pyarrow():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise OSError("reading Parquet needs pyarrow: pip install 'scrape-cleaner[parquet]'") from None
    return pa, pq


@dataclass(frozen=True, slots=True)
class ParquetFormat(RecordFormat):
    name: str = "parquet"
    suffixes: tuple[str, ...] = (".parquet",)
    output_suffix: str = ".parquet"
    non_finite_numbers: bool = True  # a float column's NaN (pandas' missing value) and infinities

    def numbered(self, reader: ByteReader, limit: int) -> Iterator[tuple[int, bytes | None]]:
        return _rows(reader, limit)

    def sink(self, stream: BinaryIO, source: Path) -> OutputSink:
        return ParquetSink(stream, source)


def _rows(reader: ByteReader, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """Each row as a JSON line, numbered from 1; None for one over `limit`."""
    if reader.compression is not None:
        raise OSError("a Parquet file compresses inside: one within .gz or .zst is not read")
    _, pq = _pyarrow()
    try:
        table = pq.ParquetFile(reader.raw)
        number = 0
        for batch in table.iter_batches(batch_size=ROWS_READ):
            for row in batch.to_pylist():
                number += 1
                line = json.dumps(row, ensure_ascii=False, default=str).encode("utf-8")
                yield number, line if len(line) <= limit else None
    except OSError:
        raise
    except Exception as exc:  # pyarrow's errors for a damaged file
        raise OSError(f"not a readable Parquet file: {exc}") from None


class ParquetSink:
    """Output records (JSON lines from the JSONL cleaning) as Parquet rows,
    one row group a task, in the columns of the input file at `source`."""

    def __init__(self, stream: BinaryIO, source: Path) -> None:
        pa, pq = _pyarrow()
        self._pa = pa
        fields = []
        for field in pq.read_schema(source):
            kept = field.type if _json_holds(pa, field.type) else pa.string()
            fields.append(pa.field(field.name, kept))
        names = {field.name for field in fields}
        for extra in ("text", "cleaner", *METADATA):
            if extra not in names:
                fields.append(pa.field(extra, pa.string()))
        self._schema = pa.schema(fields)
        self._writer = pq.ParquetWriter(stream, self._schema)

    def write(self, pieces: list[str]) -> None:
        if not pieces:
            return
        rows = []
        for piece in pieces:
            row = json.loads(piece)
            if "cleaner" in row:
                row["cleaner"] = json.dumps(row["cleaner"], ensure_ascii=False)
            rows.append(row)
        # A text key other than "text" is a column of the input already.
        self._writer.write_table(self._pa.Table.from_pylist(rows, schema=self._schema))

    def close(self) -> None:
        self._writer.close()


def _json_holds(pa, kind) -> bool:
    """Whether values of this Arrow type survive a trip through JSON."""
    types = pa.types
    if types.is_list(kind) or types.is_large_list(kind):
        return _json_holds(pa, kind.value_type)
    if types.is_struct(kind):
        return all(_json_holds(pa, kind.field(i).type) for i in range(kind.num_fields))
    return (types.is_string(kind) or types.is_large_string(kind) or types.is_integer(kind)
            or types.is_floating(kind) or types.is_boolean(kind) or types.is_null(kind))


PARQUET = ParquetFormat()
