"""The batch: clean a plan's input files into an output folder, and hand
back every document's report record, in input order.

No cleaning logic lives here: formats (formats/) cut files into tasks and
clean them through `Cleaner.clean`; engines (engines/) run the tasks.
Every document yields one report record, `ok` or `error`; one bad
document never stops the others.

How a run flows (all in one direction):

    input files ──▶ tasks ──▶ engine (workers) ──▶ results, in input order ──▶ outputs + records

* A task is a whole document, or a chunk of a JSONL file's lines, so one
  huge file keeps every worker busy. At most `in_flight` tasks are out at
  a time, so memory stays flat however large the input is.
* Workers only clean: they get bytes and return text and records. This
  process reads every input and writes every output, each through a
  temporary file renamed into place once complete (outputs.py); so a
  worker may run on another machine and an interrupted run leaves no
  partial output.
* A file's records are handed on once its output is complete, or lost: a
  record says `ok` only for a document whose output exists. When writing
  or reading a file fails part-way, all its documents are reported failed,
  with one notice for the file.
* Each finished output gets a state file beside it (state.py), which
  `resume` uses to skip outputs that are up to date.
"""
from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from .engines import Engine, Future, Ready, failed_task
from .formats import (
    DEFAULT_MAX_DOC_BYTES,
    DEFAULT_MAX_DOC_LINES,
    ByteReader,
    DocumentOptions,
    OutputSink,
    Task,
    TaskResult,
    TooLarge,
)
from .outputs import AtomicWriter, OutputFolder
from .pathnames import shown
from .pipeline import Cleaner
from .plan import InputFile
from .records import Record, Tally
from .state import (
    RecordSpool,
    earlier_output,
    input_key,
    open_state,
    output_digest,
    place_holds,
    read_state,
    run_fingerprint,
    state_relative,
)

# A JSONL chunk this large (uncompressed) is about a second of work for one
# worker on the development pages: large enough that sending it costs little,
# small enough that the last chunk of a file does not leave a core idle long.
CHUNK_BYTES = 256 * 1024


# What writing an output can raise: the system's errors (a full disk), and a
# format's own when a record does not fit its output (a Parquet row whose
# value does not fit its column's type).
WRITE_ERRORS = (OSError, ValueError, TypeError)


@dataclass(frozen=True, slots=True)
class BatchOptions:
    document: DocumentOptions = DocumentOptions(DEFAULT_MAX_DOC_BYTES, DEFAULT_MAX_DOC_LINES)
    resume: bool = False
    in_flight: int = 8  # tasks out at a time
    chunk_bytes: int = CHUNK_BYTES
    #: None: every record is handed on (a report is written). A number: a
    #: file written whole hands on a `Tally` of its records and only its
    #: first so many failed, empty and rejected ones (see `Finished.tally`),
    #: and its records are not read back from its state.
    records_kept: int | None = None


@dataclass(slots=True)
class Finished:
    """What the caller gets, in input order: the report records of the
    documents whose fate is settled, and what the run has done since the
    last one."""

    records: list[Record] = field(default_factory=list)
    bytes_read: int = 0  # input, on disk
    files_done: int = 0
    skipped: bool = False  # up to date (`resume`): records come from the state
    bytes_written: int = 0  # outputs completed, on disk
    #: One line each about a whole file (it could not be read to its end, or
    #: written); the records of its documents say the same and are not
    #: printed one by one (`quiet`).
    notices: list[str] = field(default_factory=list)
    quiet: bool = False
    #: Documents known to be lost whose records could not be read back
    #: (a failing disk): counted as failed, with a notice.
    unreported: int = 0
    #: Rejected documents, whole, as lines of the rejects file.
    rejects: list[str] = field(default_factory=list)
    #: Where set (`BatchOptions.records_kept`), the counts of every record
    #: of a file, those in `records` among them, which are then only the
    #: first failed, empty and rejected ones.
    tally: Tally | None = None


@dataclass(slots=True)
class _FileRun:
    """The driver's state for one input file while its tasks are out."""

    item: InputFile
    out: OutputFolder
    key: str
    spool: RecordSpool
    writer: AtomicWriter | None = None
    sink: OutputSink | None = None  # the format's, into `writer`
    no_output: bool = False  # a whole-file document that gets no output (failed, empty or rejected)
    failed: bool = False  # ... because it failed: no state either, so that `resume` tries it again
    retry: bool = False  # a document failed for a reason outside it: its state says to try the file again
    lost: str | None = None  # why its output cannot be completed
    handed_on: bool = False  # its records so far have been handed on (as failed)
    #: The size and digest of the earlier output at this file's output place,
    #: which this run may replace (None: the place was empty).
    earlier: dict | None = None

    @property
    def output(self) -> str:
        return shown(self.out.path / self.item.output_relative)

    def add(self, result: TaskResult) -> None:
        self.retry = self.retry or result.retry
        if not result.write:
            self.no_output = True
            self.failed = all(not record.was_cleaned for record in result.records)
        if self.lost is None and not self.no_output:
            try:
                self._open()
                self.sink.write(result.pieces)
            except WRITE_ERRORS as exc:
                self.lose(f"cannot write {self.output}: {getattr(exc, 'strerror', None) or exc}")
        self.spool.add(result.records, result.rejects)
        if self.spool.error is not None and self.lost is None and not self.failed:
            self.lose(f"cannot write {self.output}'s resume state: {self.spool.error.strerror or self.spool.error}")

    def lose(self, why: str) -> None:
        self.lost = why
        if self.writer is not None:
            self.writer.abort()

    def hand_on_lost(self, read: int, last: bool) -> Iterator[Finished]:
        """The records of a file whose output is lost, as failed: those held
        so far the first time (with one notice for the file), then each
        task's as it comes."""
        message = f"not written: {self.lost}"
        notices: list[str] = []
        if not self.handed_on:
            self.handed_on = True
            notices.append(f"{self.item.shown}: {self.lost}")
            try:
                if self.spool.writer is not None:
                    self.spool.writer.finish()
            except OSError:
                pass  # its records up to the last flush can still be read back
            try:
                for records in self.spool.replay():
                    yield Finished([r.as_failed(message) for r in records], notices=notices, quiet=True)
                    notices = []
            except OSError as exc:
                notices.append(f"{self.item.shown}: cannot read back its records: {exc.strerror or exc}")
                yield Finished(notices=notices, unreported=self.spool.count - self.spool.replayed)
                notices = []
            if self.spool.writer is not None:
                self.spool.writer.abort()
            self.spool = RecordSpool(None)
        else:
            records = self.spool.take()
            if records:
                yield Finished([r.as_failed(message) for r in records], quiet=True)
        yield Finished(bytes_read=read, files_done=int(last), notices=notices)
        if last:
            self.abort()

    def _open(self) -> None:
        if self.writer is None:
            self.writer = self.out.writer_at(self.item.output_relative, self.item.compression)
            self.sink = self.item.format.sink(self.writer.stream, self.item.path)

    def complete(self) -> int:
        """Put the file's state, then its output, in place; returns the
        output's size on disk, as the summary counts it (0: none).

        The state first, ending with the output's size and digest (read
        back before it is renamed into place) and those of the earlier
        output it replaces: whatever moment a run is killed at, a file at
        an output place is named by the state there, as the output written
        or the one replaced, so the next run knows it for a run's own
        (`state.earlier_output`), and `--resume` redoes the file unless the
        output is the one written. A document that failed gets neither
        (its earlier output, if any, stays, with its state). One rejected
        or left empty takes its earlier output away. Nothing is written
        over, or removed, unless the place still holds what it held when
        the file was started (a file put there meanwhile stays, and this
        file's output is lost)."""
        if self.failed:
            return 0
        target = self.item.output_relative
        written = None
        if not self.no_output:
            self._open()  # no pieces at all (an empty JSONL file): an empty output
            self.sink.close()
            self.writer.finish()
            with self.writer.read_back() as stream:
                written = output_digest(stream)
        self.spool.end(written, self.earlier, retry=self.retry)
        self.spool.writer.commit()
        # Looked at once, after the state's commit (which waits for the disk):
        # as close to the rename as it can be. A state committed for a file
        # lost here names an output and an earlier one, neither of which is
        # the file put there, so that file stays another's.
        if not place_holds(self.out, target, self.earlier):
            self.lose(f"a file was put at {self.output} while it was being cleaned; it is left as it is")
            return 0
        if written is None:
            if self.earlier is not None:  # rejected or left empty: the earlier output goes
                with self.out.folder(target.parent.parts, create=False) as folder:
                    folder.remove(target.name)
            return 0
        return self.writer.commit()

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.abort()
        if self.spool.writer is not None:
            self.spool.writer.abort()


def run_batch(
    cleaner: Cleaner, inputs: list[InputFile], out: OutputFolder, engine: Engine, options: BatchOptions = BatchOptions()
) -> Iterator[Finished]:
    """Clean `inputs` on `engine` into `out`, and yield what is finished, in
    input order."""
    config = cleaner.config
    fingerprint = run_fingerprint(cleaner, options.document)
    remove_stale_temporaries(out, inputs)
    # In input order: work sent out, and what is known already (a file that
    # is up to date, or unreadable), which waits its turn without holding up
    # the workers.
    pending: deque[tuple[_FileRun | None, Future | Finished | None, bool, int, bool]] = deque()
    unfinished: dict[int, _FileRun] = {}
    sent = 0  # tasks out on the engine
    try:
        for run, work, last, read in _work(inputs, out, fingerprint, options):
            submitted = False
            if run is not None:
                unfinished[id(run)] = run
                if isinstance(work, Task):
                    if run.lost is not None:  # not worth cleaning: its output is lost already
                        work = failed_task(work, f"not cleaned: {run.lost}")
                    else:
                        work, submitted = engine.submit(config, work), True
                if isinstance(work, TaskResult):
                    work = Ready(work)
            pending.append((run, work, last, read, submitted))
            sent += submitted
            while sent >= options.in_flight or (pending and pending[0][0] is None):
                run, future, last, read, submitted = pending.popleft()
                sent -= submitted
                yield from _finish(run, future, last, read, unfinished)
        while pending:
            run, future, last, read, _ = pending.popleft()
            yield from _finish(run, future, last, read, unfinished)
    finally:
        for run in unfinished.values():  # interrupted: no temporary file stays behind
            run.abort()


def _finish(run: _FileRun | None, future, last: bool, read: int, unfinished: dict[int, _FileRun]) -> Iterator[Finished]:
    if run is None:
        yield future  # known already
        return
    rejects: list[str] = []
    if future is not None:
        result = future.result()
        rejects = result.rejects
        run.add(result)
    written = 0
    if last:
        del unfinished[id(run)]
        if run.lost is None:
            try:
                written = run.complete()
            except WRITE_ERRORS as exc:
                run.lose(f"cannot write {run.output}: {getattr(exc, 'strerror', None) or exc}")
    if run.lost is not None:
        # Its fate is known: every record so far, and each from now on, is
        # handed on at once, as failed.
        yield Finished(rejects=rejects)
        yield from run.hand_on_lost(read, last)
        return
    if not last:
        yield Finished(bytes_read=read, rejects=rejects)
        return
    try:
        if run.spool.tally is not None:
            yield Finished(run.spool.listed, read, 1, bytes_written=written, rejects=rejects, tally=run.spool.tally)
            return
        first = True
        for records in run.spool.replay():
            yield Finished(records, read if first else 0, int(first), bytes_written=written if first else 0,
                           rejects=rejects if first else [])
            first = False
        if first:  # a file with no documents (an empty JSONL file)
            yield Finished([], read, 1, bytes_written=written, rejects=rejects)
    except OSError as exc:
        yield Finished([], read, 1, notices=[f"{run.item.shown}: cannot read back its records: {exc.strerror or exc}"],
                       unreported=run.spool.count)
    finally:
        if run.failed:
            run.spool.writer.abort()  # no state: `resume` tries it again
        else:
            run.spool.writer.close()  # in place (`complete`)


def _work(
    inputs: list[InputFile], out: OutputFolder, fingerprint: str, options: BatchOptions
) -> Iterator[tuple[_FileRun | None, Task | TaskResult | Finished | None, bool, int]]:
    """(file, work, last of the file?, bytes of input it covers) for every
    input, read lazily. Work is a task to send, a result already known (a
    document over the size limit), nothing (the file's end), or a whole
    file's records known without cleaning (unreadable, or up to date)."""
    for item in inputs:
        path = item.shown
        file = shown(os.path.abspath(item.path))
        size = _size(item)
        limit = options.document.max_bytes
        if item.format.one_document and item.compression is None and size > limit:
            # Refused before it is read even once (for its key): a 20 GB file took two minutes.
            failed = Record.failed(path, str(TooLarge(limit)), file=file)
            yield None, Finished([failed], size, files_done=1), True, size
            continue
        try:
            key = input_key(fingerprint, item)
        except OSError as exc:
            failed = Record.failed(path, f"cannot read: {exc.strerror or exc}", file=file)
            yield None, Finished([failed], size, files_done=1), True, size
            continue
        stored = read_state(out, item, key) if options.resume else None
        if stored is not None:
            # The records name the paths of the run that made them; the
            # folders may have moved since (the state's key does not hold them).
            here = {"file": file, "output": shown(out.path / item.output_relative)}
            moved = (found if isinstance(found, str) else _here(found, path, here) for found in stored)
            yield from _stored(moved, size)
            continue
        present, earlier = earlier_output(out, item)
        if present and earlier is None:
            # Not a run's own (see state.earlier_output): a file of the user's,
            # or an output edited since, is never written over.
            place = shown(out.path / item.output_relative)
            failed = Record.failed(path, f"not written: {place} is there already, and no run wrote it as it is "
                                   "now (move it away, or clean into another folder)", file=file)
            yield None, Finished([failed], size, files_done=1), True, size
            continue
        try:
            spool = RecordSpool(open_state(out, item, key), options.records_kept)
        except OSError as exc:
            failed = Record.failed(path, f"cannot write {shown(out.path / item.output_relative)}: {exc.strerror or exc}", file=file)
            yield None, Finished([failed], size, files_done=1), True, size
            continue
        run = _FileRun(item, out, key, spool, earlier=earlier)
        output = shown(out.path / item.output_relative)
        template = Task(item.format.name, path, file, output, options.document)
        position = 0
        try:
            with ByteReader.open(item.path, item.compression) as reader:
                for work in item.format.tasks(reader, template, options.chunk_bytes):
                    now = reader.tell()  # on disk: compressed bytes for a compressed file
                    yield run, work, False, now - position
                    position = now
        except OSError as exc:  # part of the file may be out already: the file is lost
            run.lose(f"cannot read: {exc.strerror or exc}")
            # The documents read before the damage have their records; those
            # after it cannot be told apart, so the file has one of its own.
            lost = Record.failed(path, f"cannot read past its last document reported: {exc.strerror or exc}", file=file)
            yield run, TaskResult([], [lost]), False, 0
        yield run, None, True, max(size - position, 0)


def remove_stale_temporaries(out: OutputFolder, inputs: list[InputFile]) -> None:
    """Remove what killed runs left of the files this run writes: their
    outputs' and states' temporary files whose process has ended."""
    names: dict[tuple[str, ...], set[str]] = {}
    for item in inputs:
        for relative in (item.output_relative, state_relative(item)):
            names.setdefault(relative.parent.parts, set()).add(relative.name)
    for parts, wanted in names.items():
        try:
            folder = out.folder(parts, create=False)
        except OSError:
            continue  # not made yet, or not a folder: nothing was left there
        with folder:
            folder.remove_stale_temporaries(wanted)


def _here(record: Record, path: str, here: dict) -> Record:
    """A stored record with this run's paths."""
    return replace(
        record,
        path=path if record.line is None else f"{path}:{record.line}",
        file=here["file"],
        output=here["output"] if record.output is not None else None,
    )


def _size(item: InputFile) -> int:
    """Bytes on disk, or 0 for a file that cannot be read (reported later)."""
    try:
        return item.path.stat().st_size
    except OSError:
        return 0


def _stored(stored: Iterator[Record | str], size: int, batch: int = 1000) -> Iterator[tuple[None, Finished, bool, int]]:
    """An up-to-date file's stored records and rejected documents' lines, a
    batch at a time (a JSONL input's state may hold millions); the first
    batch carries the file's size."""
    first = True
    while True:
        chunk: list[Record] = []
        rejects: list[str] = []
        for found in stored:
            if isinstance(found, str):
                rejects.append(found + "\n")
                continue
            chunk.append(found)
            if len(chunk) >= batch:
                break
        if not chunk and not rejects and not first:
            return
        yield None, Finished(chunk, size if first else 0, int(first), skipped=first, rejects=rejects), True, 0
        first = False
