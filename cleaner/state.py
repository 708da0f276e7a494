"""Resuming: what made each output, kept beside it.

Each finished output gets a state file, ``OUT/.cleaner-state/<output>.state.gz``:
a header with the hash of everything that made the output (the input's
bytes, the rule files, the options, the version) and the output's name,
then the report records of its documents and the lines their rejected
documents gave the rejects file, and last the size and SHA-256 of the
output as written. `--resume` skips an output whose state matches and whose
file is still that output, and takes its records and rejected documents
from the state, so the report, the rejects file and the summary are those
of an uninterrupted run. The end also names the earlier output the run
replaced: a run replaces or removes only a file a state names
(`earlier_output`).

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
from .outputs import AtomicWriter, OutputFolder, state_path_of
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
    return state_path_of(item.output_relative)


# A state's lines after its header: report records, and these two kinds,
# each a JSON object with one key, which no record has.
REJECT_KEY = "rejected_document"  # {"rejected_document": the rejects file's line, as text}
_REJECT_LINE = json.dumps({REJECT_KEY: ""}).encode()[:-3]  # how such a line starts
# The last line: {"end": {"output": {"size": N, "sha256": HEX} or null,
# "replaces": the same of the earlier output, or null, and "retry": true
# where the file is to be tried again}}.
END_KEY = "end"


def read_state(out: OutputFolder, item: InputFile, key: str) -> Iterator[Record | str] | None:
    """The records stored for `key`, and the lines their rejected documents
    gave the rejects file (as `str`), in the order they came; or None if the
    state is missing, stale or unfinished, or the output is not the one it
    describes (gone, or another file in its place: edited, or written by
    something else since). The records are streamed (a JSONL input's state
    holds one per document)."""
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
    end = None
    try:
        with handle:
            for line in handle:
                if end is not None:
                    return None  # lines after the end: not a state this wrote
                item_read = _state_line(line)
                if isinstance(item_read, dict):
                    end = item_read
    except (OSError, ValueError, EOFError, RecursionError):
        return None
    if end is None or end.get("retry"):
        return None  # unfinished, or to be tried again (a document failed for a reason outside it)
    written = end.get("output")
    if written is not None and _found_at(out, output) != written:
        return None

    def records() -> Iterator[Record | str]:
        with out.folder(state.parent.parts, create=False) as folder:
            again = gzip.open(folder.open_read(state.name), "rt", encoding="utf-8")
        with again:
            again.readline()
            for line in again:
                found = _state_line(line)
                if isinstance(found, dict):
                    return
                yield found

    return records()


def _state_line(line: str) -> Record | str | dict:
    """A state line after the header: a record, a rejected document's line
    (str), or the end (its dict); ValueError if it is none of them."""
    data = json.loads(line)
    if isinstance(data, dict) and len(data) == 1:
        if isinstance(data.get(REJECT_KEY), str):
            return data[REJECT_KEY]
        if isinstance(data.get(END_KEY), dict):
            return data[END_KEY]
    return Record.from_dict(data)


def earlier_output(out: OutputFolder, item: InputFile) -> tuple[bool, dict | None]:
    """What is at `item`'s output place before this run writes it: (whether
    a file is there, and its size and SHA-256 if an earlier run wrote it,
    else None). A run replaces or removes only a file an earlier run wrote:
    one whose size and digest the state at its place names, as the output
    it wrote or the one it was about to replace (a run killed between
    committing its state and renaming its output leaves the latter)."""
    found = _found_at(out, item.output_relative)
    if found is ABSENT:
        return False, None
    if found is None:
        return True, None
    end = _state_end(out, item)
    if end is None:
        return True, None
    if end is NO_END:
        return True, found  # a state with no end: a build's before ends, or one damaged since
    return True, (found if found in (end.get("output"), end.get("replaces")) else None)


# `_found_at` where nothing is at the place (a sentinel, compared by identity).
ABSENT = object()


def _found_at(out: OutputFolder, output: PurePath) -> dict | object | None:
    """The size and SHA-256 of the file at the output place `output`; ABSENT
    if nothing is there; None if something is there that is not a regular
    file this can read (not known to be a run's)."""
    try:
        folder = out.folder(output.parent.parts, create=False)
    except (FileNotFoundError, NotADirectoryError):  # no folder there: nothing below it either
        return ABSENT
    except OSError:
        return None
    with folder:
        try:
            status = folder.stat(output.name)
        except FileNotFoundError:
            return ABSENT
        except OSError:
            return None
        if not stat.S_ISREG(status.st_mode):
            return None  # (and a FIFO put there would hold the read up for ever)
        try:
            with folder.open_read(output.name) as handle:
                return output_digest(handle)
        except OSError:
            return None


# What `_state_end` says of a state for this output that has no end to read
# (a sentinel, compared by identity).
NO_END = object()


def _state_end(out: OutputFolder, item: InputFile) -> dict | object | None:
    """The end of the state at `item`'s place (whatever run wrote it); NO_END
    for a state whose header names this output but whose end cannot be read
    (written before states had one, or damaged since: the output is taken
    for a run's, as it was then); None if there is no such state."""
    state = state_relative(item)
    last = None
    try:
        with out.folder(state.parent.parts, create=False) as folder:
            handle = gzip.open(folder.open_read(state.name), "rb")
    except OSError:
        return None
    with handle:
        try:
            header = json.loads(handle.readline())
        except (OSError, ValueError, EOFError, RecursionError):
            return None
        if not isinstance(header, dict) or header.get("output") != shown(item.output_relative.as_posix()):
            return None
        try:
            for line in handle:
                last = line
            found = _state_line(last) if last is not None else None
        except (OSError, ValueError, EOFError, RecursionError):
            return NO_END
    return found if isinstance(found, dict) else NO_END


def place_holds(out: OutputFolder, output: PurePath, expected: dict | None) -> bool:
    """Whether the output place holds what this run expects there: nothing
    (`expected` None), or the earlier output it may replace (its size and
    digest); nothing at all is fine too (an earlier output removed
    meanwhile: nothing to keep). Asked again just before an output is
    renamed into place or removed: a file put there during the run is not
    written over."""
    found = _found_at(out, output)
    return found is ABSENT or (expected is not None and found == expected)


def output_digest(stream) -> dict:
    """What a state's end says of an output: its size and SHA-256."""
    digest = hashlib.sha256()
    size = 0
    while block := stream.read(1 << 20):
        digest.update(block)
        size += len(block)
    return {"size": size, "sha256": digest.hexdigest()}


def open_state(out: OutputFolder, item: InputFile, key: str) -> AtomicWriter:
    """The state's writer, its header written. Every document's records go
    into it, and only --resume reads them back: gzip's fastest level."""
    writer = out.writer_at(state_relative(item), GZIP, gzip_level=1)
    writer.keep_folder_open = True  # its records are read back once it is in place; `close` lets go
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
        self.durable_lines = 0  # lines after the header up to then: records and rejected documents
        self.tail: list[Record] = []  # records not in the writer, or not flushed there
        self.count = 0  # records added
        self.held_bytes = 0  # JSON bytes of the records in memory
        self.replayed = 0  # records handed back by `replay`
        self.error: OSError | None = None  # the write that failed

    def add(self, records: list[Record], rejects: list[str] = ()) -> None:
        """A task's records, and the lines its rejected documents give the
        rejects file (kept in the state for `--resume`, which hands them on
        again for a file it skips)."""
        self.count += len(records)
        lines = [record.to_json() + "\n" for record in records]
        kept_rejects = [json.dumps({REJECT_KEY: line.removesuffix("\n")}, ensure_ascii=False) + "\n" for line in rejects]
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
            for line in lines + kept_rejects:
                self.writer.write(line)
            self.writer.flush()
        except OSError as exc:
            self.error = exc
            self.tail.extend(records)
            return
        self.durable += len(records)
        self.durable_lines += len(lines) + len(kept_rejects)

    def end(self, output: dict | None, replaces: dict | None, retry: bool = False) -> None:
        """The state's last line: the output as written (`output_digest`),
        or None for a document that made none; the earlier output it
        replaces (or None); and whether `--resume` must try the file again
        (a document failed for a reason outside it). A state without it is
        one whose run did not finish, which `read_state` passes over."""
        end = {"output": output, "replaces": replaces, **({"retry": True} if retry else {})}
        self.writer.write(json.dumps({END_KEY: end}) + "\n")

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
                lines = islice(ByteReader(raw, GZIP).lines(1 << 62), 1, 1 + self.durable_lines)  # after the header
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
        if line.startswith(_REJECT_LINE):
            continue  # a rejected document's line (handed on as the task came back)
        records.append(Record.from_json(line))
        size += len(line)
        if len(records) >= most or size >= most_bytes:
            break
    return records
