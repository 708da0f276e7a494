"""Web archives (WARC, ``scrape-cleaner[warc]``, which brings warcio): each HTML
page a crawl fetched is a document.

The response records whose body is HTML are read one at a time (a body
over the size limit is read past) and cleaned as JSONL records with
``html``, ``url`` (the record's target URI) and ``id`` (its record id) are
(formats/jsonl.py); a page's place is its record's number in the file, from
1 (``crawl.warc.gz:17``). Other records (requests, metadata, images) are
not documents. The output is JSONL, compressed as the input was
(``crawl.warc.gz`` gives ``crawl.jsonl.gz``).
"""
from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

from ..steps.decode import decode
from .compression import ByteReader
from .jsonl import RecordFormat

_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class WarcFormat(RecordFormat):
    name: str = "warc"
    suffixes: tuple[str, ...] = (".warc",)
    output_suffix: str = ".jsonl"

    def numbered(self, reader: ByteReader, limit: int) -> Iterator[tuple[int, bytes | None]]:
        return _pages(reader, limit)


def _pages(reader: ByteReader, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(record number, the page as a JSON line) for each HTML response; None
    for one whose body is over `limit`."""
    try:
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed
    except ImportError:
        raise OSError("reading WARC needs warcio: pip install 'scrape-cleaner[warc]'") from None
    number = 0
    try:
        for record in ArchiveIterator(_Blocks(reader.blocks())):
            number += 1
            if record.rec_type != "response" or record.http_headers is None:
                continue
            kind = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
            if kind not in _HTML_TYPES:
                continue
            body = record.content_stream().read(limit + 1)
            if len(body) > limit:
                yield number, None
                continue
            page = {
                "id": record.rec_headers.get_header("WARC-Record-ID"),
                "url": record.rec_headers.get_header("WARC-Target-URI"),
                "html": decode(body)[0] if body else "",
            }
            yield number, json.dumps(page, ensure_ascii=False).encode("utf-8")
    except ArchiveLoadFailed as exc:
        raise OSError(f"not a readable WARC file: {exc}") from None


class _Blocks(io.RawIOBase):
    """A stream over the reader's decompressed blocks, for warcio."""

    def __init__(self, blocks: Iterator[bytes]) -> None:
        self._blocks = blocks
        self._block = memoryview(b"")
        self._at = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self._at >= len(self._block):
            block = next(self._blocks, b"")
            if not block:
                return 0
            self._block, self._at = memoryview(block), 0
        size = min(len(buffer), len(self._block) - self._at)
        buffer[:size] = self._block[self._at : self._at + size]
        self._at += size
        return size


WARC = WarcFormat()
