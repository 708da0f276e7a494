"""The JSONL report: one record a line, streamed as documents finish.

Each record's `file` (the input it came from) is written relative to the
report's own folder, so a report and its inputs can move together, and the
visual report finds the originals from wherever it is built. A report that
cannot be written (a full disk) stops being written with a one-line error;
the run goes on.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from .formats import ByteReader
from .outputs import AtomicWriter, Folder
from .pathnames import path_of, shown
from .records import Record


class ReportFile:
    """The report at `path`: complete at `close()`, or not there at all.
    With `keep=False` it is a temporary file only (for the visual report
    when no JSONL report was asked for), gone at `close()`."""

    def __init__(self, path: Path, *, keep: bool = True) -> None:
        self.path = path
        self.keep = keep
        self.base = Path(os.path.realpath(path.parent))
        self.error: str | None = None
        self._committed = False
        self._folder = Folder.open(path.parent)
        try:
            # A killed run's temporary report (its process gone) is removed;
            # one of a run still going is left to it.
            self._folder.remove_stale_temporaries({path.name})
            self._writer: AtomicWriter = self._folder.writer(path.name)
        except BaseException:
            self._folder.close()
            raise

    def add(self, record: Record) -> None:
        if self.error is not None:
            return
        try:
            self._writer.write(relative_file(record, self.base).to_json() + "\n")
        except OSError as exc:
            self._fail(exc)

    def write_line(self, line: str) -> None:
        """A line as it is (the rejects file's lines are documents, not records)."""
        if self.error is not None:
            return
        try:
            self._writer.write(line)
        except OSError as exc:
            self._fail(exc)

    def records(self) -> Iterator[Record]:
        """The records written, read back (after `finish`, or `close`)."""
        with self._folder.open_read(self.path.name) if self._committed else self._writer.read_back() as raw:
            for _, line in ByteReader(raw).lines(1 << 62):
                yield Record.from_json(line)

    def finish(self) -> bool:
        """Make the records written durable; False if the report failed."""
        if self.error is None:
            try:
                self._writer.finish()
            except OSError as exc:
                self._fail(exc)
        return self.error is None

    def close(self) -> None:
        """Put the report in place (or, not kept, remove it); the folder
        stays open for `records` until `release`."""
        if self.error is None and self.keep and self.finish():
            try:
                self._writer.commit()
                self._committed = True
            except OSError as exc:
                self._fail(exc)
        else:
            self._writer.abort()

    def release(self) -> None:
        self._folder.close()

    def abort(self) -> None:
        self._writer.abort()
        self._folder.close()

    def _fail(self, exc: OSError) -> None:
        self.error = f"cannot write {shown(self.path)}: {exc.strerror or exc}"
        self._writer.abort()


def relative_file(record: Record, base: Path) -> Record:
    """The record with its input `file` relative to the folder `base`."""
    if record.file is None or not os.path.isabs(path_of(record.file)):
        return record
    return replace(record, file=shown(os.path.relpath(path_of(record.file), base)))
