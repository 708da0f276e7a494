"""Resuming: what made each output, kept beside it.

Each finished output gets a state file, ``OUT/.cleaner-state/<output>.state.gz``:
a header with the hash of everything that made the output (the input's
bytes, the rule files, the options, the version) and the output's name,
then the report records of its documents. `--resume` skips an output whose
state matches and whose file exists, and takes its records from the state,
so the report and summary are those of an uninterrupted run.

While a file is being cleaned, its state's temporary file is also where its
records wait (`RecordSpool`): a record says ``ok`` only once the file's
output is complete, so the records of a file are handed on when its fate
is known, from memory for a small file, read back from the state for a
large one; or, where nobody reads every record (no report), counted as
they come and only the few the summary lists kept.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import stat
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from importlib import resources
from itertools import islice
from pathlib import Path, PurePath

from . import __version__
from .formats import GZIP, ByteReader
from .outputs import STATE_FOLDER, AtomicWriter, OutputFolder
from .pathnames import shown
from .pipeline import Cleaner
from .plan import InputFile
from .records import EMPTY, ERROR, REJECTED, Record, Tally

# Records of one file kept in memory while it is cleaned, at most so many
# and of so many bytes of JSON in all (a record holds every line dropped:
# 1,000 records of web pages were 55 MB as objects); a file with more hands
# them on by reading its state back, in batches of the same bounds.
SPOOL_IN_MEMORY = 1000
SPOOL_IN_MEMORY_BYTES = 2_000_000
# The records a summary lists by path, which a spool that counts keeps.
LISTED_STATUSES = (ERROR, EMPTY, REJECTED)


def run_fingerprint(cleaner: Cleaner, *batch_options: object) -> str:
    """A hash of everything besides the input that decides an output: the
    version, every option (the batch's that change outputs too), the rule
    files' bytes and the shipped data files. Not where the rule files lie:
    the same rules read from another folder make the same outputs."""
    digest = hashlib.sha256()
    options = cleaner.config._replace(rules_dirs=())
    digest.update(f"{__version__}\0{_canonical(tuple(options))}\0{_canonical(batch_options)}\0".encode())
    for rule_set in cleaner.rule_sets:
        digest.update(rule_set.id.encode() + b"\0" + Path(rule_set.path).read_bytes() + b"\0")
    for data_file in sorted(resources.files("cleaner").joinpath("data").iterdir(), key=lambda f: f.name):
        digest.update(data_file.name.encode() + b"\0" + data_file.read_bytes() + b"\0")
    return digest.hexdigest()


def _canonical(value: object) -> str:
    """`repr(value)`, but the same in every process: a set's items sorted
    (their order follows the hash seed, so --resume would redo files at
    random), inside dataclasses, tuples and lists too."""
    if is_dataclass(value) and not isinstance(value, type):
        inner = ", ".join(f"{f.name}={_canonical(getattr(value, f.name))}" for f in fields(value))
        return f"{type(value).__name__}({inner})"
    if isinstance(value, set | frozenset):
        return "{" + ", ".join(sorted(map(_canonical, value))) + "}"
    if isinstance(value, tuple | list):
        return "(" + ", ".join(map(_canonical, value)) + ")"
    return repr(value)


def input_key(fingerprint: str, item: InputFile) -> str:
    """The state key of one input: the run's fingerprint and the input's bytes."""
    digest = hashlib.sha256(
        f"{fingerprint}\0{shown(item.relative.as_posix())}\0{item.format.name}\0"
        f"{item.compression and item.compression.name}\0".encode()
    )
    with item.path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def state_relative(item: InputFile) -> PurePath:
    output = item.output_relative
    return PurePath(STATE_FOLDER, *output.parent.parts, output.name + ".state.gz")


def read_state(out: OutputFolder, item: InputFile, key: str) -> Iterator[Record] | None:
    """The records stored for `key`, or None if the state is missing or stale
    or its output is gone (a document left with no output, empty or
    rejected, has none to lose). The records are streamed (a JSONL input's
    state holds one per document)."""
    state, output = state_relative(item), item.output_relative
    try:
        with out.folder(state.parent.parts, create=False) as folder:
            handle = gzip.open(folder.open_read(state.name), "rt", encoding="utf-8")
        header = json.loads(handle.readline())
    except (OSError, ValueError, EOFError):
        return None
    if not isinstance(header, dict) or header.get("key") != key or header.get("output") != shown(output.as_posix()):
        handle.close()
        return None
    # Read through once: a state damaged part-way (a disk's fault, an edit)
    # is a state to redo, found now rather than halfway through handing on.
    count = 0
    produced = False
    try:
        with handle:
            for line in handle:
                produced = produced or Record.from_json(line).output is not None
                count += 1
    except (OSError, ValueError, EOFError, RecursionError):
        return None
    # Its output must be there, unless it is a document that made none
    # (left empty, or rejected).
    if not _output_exists(out, output) and (produced or count != 1):
        return None

    def records() -> Iterator[Record]:
        with out.folder(state.parent.parts, create=False) as folder:
            again = gzip.open(folder.open_read(state.name), "rt", encoding="utf-8")
        with again:
            again.readline()
            for line in again:
                yield Record.from_json(line)

    return records()


def _output_exists(out: OutputFolder, output: PurePath) -> bool:
    try:
        with out.folder(output.parent.parts, create=False) as folder:
            return stat.S_ISREG(folder.stat(output.name).st_mode)
    except OSError:
        return False


def open_state(out: OutputFolder, item: InputFile, key: str) -> AtomicWriter:
    """The state's writer, its header written. Every document's records go
    into it, and only --resume reads them back: gzip's fastest level."""
    writer = out.writer_at(state_relative(item), GZIP, gzip_level=1)
    try:
        writer.write(json.dumps({"key": key, "output": shown(item.output_relative.as_posix())}) + "\n")
    except BaseException:
        writer.abort()
        raise
    return writer


class RecordSpool:
    """A file's records, held until its output is complete or lost.

    Records go into the state's writer as they come, each task's followed
    by a flush, so that every record counted `durable` can be read back
    even if a later write fails; the first `SPOOL_IN_MEMORY` are also kept
    in memory, and a file with no more is handed on from there. Without a
    writer (a file whose fate is known, whose records pass straight on),
    records wait in memory until `take`n."""

    def __init__(self, writer: AtomicWriter | None, kept: int | None = None) -> None:
        """`kept`: count the records (`tally`) and keep only the first
        `kept` failed, empty and rejected ones (`listed`) instead of every
        record; all of them still go into the writer."""
        self.writer = writer
        self.memory: list[Record] | None = [] if writer is not None and kept is None else None
        self.tally: Tally | None = Tally() if kept is not None else None
        self.listed: list[Record] = []  # with `tally`: the first `kept` of each status in LISTED_STATUSES
        self._kept = kept
        self.durable = 0  # records in the writer up to its last flush
        self.tail: list[Record] = []  # records not in the writer, or not flushed there
        self.count = 0  # records added
        self.held_bytes = 0  # JSON bytes of the records in memory
        self.replayed = 0  # records handed back by `replay`
        self.error: OSError | None = None  # the write that failed

    def add(self, records: list[Record]) -> None:
        self.count += len(records)
        lines = [record.to_json() + "\n" for record in records]
        if self.tally is not None:
            for record in records:
                self.tally.add(record)
                if record.status in LISTED_STATUSES and self.tally.statuses[record.status] <= self._kept:
                    self.listed.append(record)
        if self.memory is not None:
            self.memory.extend(records)
            self.held_bytes += sum(map(len, lines))
            if len(self.memory) > SPOOL_IN_MEMORY or self.held_bytes > SPOOL_IN_MEMORY_BYTES:
                self.memory = None
        if self.writer is None or self.error is not None:
            self.tail.extend(records)
            return
        try:
            for line in lines:
                self.writer.write(line)
            self.writer.flush()
        except OSError as exc:
            self.error = exc
            self.tail.extend(records)
            return
        self.durable += len(records)

    def take(self) -> list[Record]:
        taken, self.tail = self.tail, []
        return taken

    def replay(self, batch: int = SPOOL_IN_MEMORY, batch_bytes: int = SPOOL_IN_MEMORY_BYTES) -> Iterator[list[Record]]:
        """Every record, in order, a batch at a time. Reads the writer's file
        back when they were not all kept in memory: call after its `finish`
        (or after a write failed)."""
        if self.memory is not None:
            self.replayed += len(self.memory)
            yield self.memory
            return
        if self.durable:
            with self.writer.read_back() as raw:
                lines = islice(ByteReader(raw, GZIP).lines(1 << 62), 1, 1 + self.durable)  # after the header
                while chunk := _take(lines, batch, batch_bytes):
                    self.replayed += len(chunk)
                    yield chunk
        if self.tail:
            self.replayed += len(self.tail)
            yield self.take()


def _take(lines: Iterator[tuple[int, bytes]], most: int, most_bytes: int) -> list[Record]:
    """The records of the next lines, up to `most` of them or to the first
    that brings their bytes to `most_bytes`."""
    records: list[Record] = []
    size = 0
    for _, line in lines:
        records.append(Record.from_json(line))
        size += len(line)
        if len(records) >= most or size >= most_bytes:
            break
    return records
