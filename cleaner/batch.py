"""Batch adapter: clean files and JSONL streams, write outputs, make report records.

No cleaning logic lives here: each document goes through `Cleaner.clean`.
Every document yields one report record, `ok` or `error`; one bad document
never stops the others.

How a run flows (all in one direction):

    input files ──▶ tasks ──▶ engine (workers) ──▶ results, in input order ──▶ outputs + records

* A task is a whole text or HTML file, or a chunk of a JSONL stream's lines
  (at most `CHUNK_BYTES`), so one huge JSONL file keeps every worker busy.
* At most `in_flight` tasks are out at a time, so memory stays flat however
  large the input is.
* Workers only clean: they get bytes and return text and records. This process
  reads every input and writes every output, each through a temporary file
  renamed into place once complete; so a worker may run on another machine
  (the Dask engine) and an interrupted run leaves no partial output.
* Each finished output gets a state file beside it (under `.cleaner-state/`
  in the output folder) with the hash of everything that made it (the input's
  bytes, the rule files, the options, the version) and its report records.
  `--resume` skips an output whose state matches; the records come from the
  state, so the report and summary are those of an uninterrupted run.
"""
from __future__ import annotations

import gc
import gzip
import hashlib
import json
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Protocol

from . import __version__
from .config import Config
from .files import CONTENT_TYPES, AtomicWriter, InputFile, file_size, open_input
from .heap import release_freed_memory
from .pipeline import Cleaner
from .result import CleanResult
from .steps.decode import NotTextError

# A JSONL chunk this large (uncompressed) is about a second of work for one
# worker on the development pages: large enough that sending it costs little,
# small enough that the last chunk of a file does not leave a core idle long.
CHUNK_BYTES = 256 * 1024
STATE_FOLDER = ".cleaner-state"


# --- report records ----------------------------------------------------------


def ok_record(path: str, fields: dict, output: str | None, **extra: object) -> dict:
    """The report record of a cleaned document; `fields` is `CleanResult.to_dict()`."""
    return {"path": path, "status": "ok", "error": None, **extra, "output": output, **fields}


def error_record(path: str, message: str, **extra: object) -> dict:
    return {
        "path": path,
        "status": "error",
        "error": message,
        **extra,
        "output": None,
        "source": None,
        "language": None,
        "dropped": [],
        "spun": None,
        "chars_in": 0,
        "chars_out": 0,
    }


def clean_bytes(cleaner: Cleaner, data: bytes, *, content_type: str | None, url: str | None = None) -> CleanResult:
    """`Cleaner.clean` with the batch's idea of bad input: empty and blank
    documents are errors here (a library caller may want them back as '')."""
    if not data:
        raise NotTextError("empty file")
    result = cleaner.clean(data, content_type=content_type, url=url)
    if not result.text and not result.dropped:
        raise NotTextError(result.warnings[0] if result.warnings else "blank: no text in it")
    return result


# --- what a worker does --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Task:
    """One piece of work: a whole document (`data`) or JSONL lines (`lines`,
    each with its line number). `output` is the output path for the records."""

    path: str
    kind: str | None
    output: str | None
    data: bytes = b""
    lines: tuple[tuple[int, bytes], ...] = ()


@dataclass(slots=True)
class TaskResult:
    pieces: list[str]  # the cleaned text, or the output JSONL lines
    records: list[dict]
    write: bool = True  # False: the document failed, so the file gets no output


@lru_cache(maxsize=4)
def _cleaner_for(config: Config) -> Cleaner:
    """One Cleaner per configuration per process: rules are read once per worker."""
    return Cleaner(config)


def run_task(config: Config, task: Task) -> TaskResult:
    """Clean one task. Pure apart from the cached Cleaner: bytes in, text and
    records out; this is what runs in worker processes and on Dask workers."""
    cleaner = _cleaner_for(config)
    if task.kind == "jsonl":
        return _clean_lines(cleaner, task)
    try:
        result = clean_bytes(cleaner, task.data, content_type=CONTENT_TYPES[task.kind])
    except (NotTextError, ValueError) as exc:
        return TaskResult([], [error_record(task.path, str(exc))], write=False)
    except Exception as exc:  # a bug must not stop the batch; the report names it
        return TaskResult([], [error_record(task.path, f"internal error: {type(exc).__name__}: {exc}")], write=False)
    return TaskResult([result.text], [ok_record(task.path, result.to_dict(), task.output)])


def _clean_lines(cleaner: Cleaner, task: Task) -> TaskResult:
    """One record per line, with a `text` or `html` string and optional `url`
    and `id`. The output record keeps the input's other fields, replaces the
    text with the cleaned text, and adds the result under `cleaner`."""
    pieces: list[str] = []
    records: list[dict] = []
    for number, raw in task.lines:
        where = f"{task.path}:{number}"
        try:
            record = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            records.append(error_record(where, "not UTF-8"))
            continue
        except json.JSONDecodeError as exc:
            records.append(error_record(where, f"not valid JSON: {exc.msg} at column {exc.colno}"))
            continue
        if not isinstance(record, dict):
            records.append(error_record(where, "not a JSON object"))
            continue
        doc_id = record.get("id")
        body, content_type = _record_body(record)
        if body is None:
            records.append(error_record(where, "record has no 'text' or 'html' string", id=doc_id))
            continue
        url = record.get("url") if isinstance(record.get("url"), str) else None
        try:
            result = clean_bytes(cleaner, body.encode("utf-8"), content_type=content_type, url=url)
        except (NotTextError, ValueError) as exc:
            records.append(error_record(where, str(exc), id=doc_id))
            continue
        except Exception as exc:
            records.append(error_record(where, f"internal error: {type(exc).__name__}: {exc}", id=doc_id))
            continue
        fields = result.to_dict()  # once: the output record and the report record both carry it
        kept = {k: v for k, v in record.items() if k not in ("text", "html")}
        pieces.append(json.dumps({**kept, "text": result.text, "cleaner": fields}, ensure_ascii=False) + "\n")
        records.append(ok_record(where, fields, task.output, id=doc_id))
    return TaskResult(pieces, records)


def _record_body(record: dict) -> tuple[str | None, str | None]:
    if isinstance(record.get("text"), str):
        return record["text"], "text/plain"
    if isinstance(record.get("html"), str):
        return record["html"], "text/html"
    return None, None


# --- engines: where tasks run ----------------------------------------------------


class Future(Protocol):
    def result(self) -> TaskResult: ...


class Engine(Protocol):
    """Runs `run_task(config, task)` somewhere and hands back a future."""

    workers: int  # how many tasks it runs at once

    def submit(self, config: Config, task: Task) -> Future: ...
    def close(self) -> None: ...


@dataclass(slots=True)
class _Ready:
    value: TaskResult

    def result(self) -> TaskResult:
        return self.value


class InlineEngine:
    """`--jobs 1`: in this process, no pickling, no worker start-up."""

    workers = 1

    def submit(self, config: Config, task: Task) -> Future:
        return _Ready(run_task(config, task))

    def close(self) -> None:
        pass


def _start_worker(parent: int) -> None:
    # Ctrl-C reaches the whole process group; the main process handles it
    # (aborting its temporary files) and stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A main process killed outright (kill -9, the OOM killer) cannot stop its
    # workers, which would wait for work for ever, holding their memory: each
    # watches for its parent to go, and goes too.
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="parent-watch").start()


def _exit_with_parent(parent: int, every: float = 0.5) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


class ProcessEngine:
    """`--jobs N`: N worker processes on this machine.

    Where the system can fork, this process loads the cleaner for `config`
    (its language profiles and word tables, about 110 MB) before it starts
    the workers, which then share those pages with it instead of each
    loading its own copy; a worker copies a page only when it writes to it.
    `gc.freeze()` keeps the collector from writing to the objects that exist
    now (the tables among them), which would copy every page of them into
    every worker; and the memory freed so far goes back to the system first
    (`heap.release_freed_memory`), rather than into every worker. Frozen
    objects are never collected; in a command-line run nearly all of them
    (modules, rules, tables) live to its end anyway.
    bench/throughput.py's PSS column measures what the run takes from the
    machine.

    A worker that dies while cleaning (killed for memory, a crash inside a
    library) breaks the whole pool, and every task in it fails. So a task
    that fails that way is run again alone in a new process: the others go
    through, and the one that kills its process again is reported as failed;
    later tasks go to a new pool."""

    def __init__(self, jobs: int, run=None, *, config: Config | None = None) -> None:
        self.workers = jobs
        self._run = run or run_task  # the tests pass one that crashes on purpose
        self._context = None
        if config is not None and "fork" in multiprocessing.get_all_start_methods():
            _cleaner_for(config).load_tables()
            gc.freeze()
            release_freed_memory()
            self._context = multiprocessing.get_context("fork")
        self._pool = self._new_pool(jobs)
        self._solo: ProcessPoolExecutor | None = None  # one process for retries, kept until one breaks it

    def _new_pool(self, jobs: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=jobs, mp_context=self._context, initializer=_start_worker, initargs=(os.getpid(),)
        )

    def submit(self, config: Config, task: Task) -> Future:
        try:
            future = self._pool.submit(self._run, config, task)
        except BrokenProcessPool:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool(self.workers)
            future = self._pool.submit(self._run, config, task)
        return _RetriedAlone(self, config, task, future)

    def run_alone(self, config: Config, task: Task) -> TaskResult:
        if self._solo is None:
            self._solo = self._new_pool(1)
        try:
            return self._solo.submit(self._run, config, task).result()
        except BrokenProcessPool:
            self._solo.shutdown(wait=False)
            self._solo = None
            return failed_task(task, "the worker process died while cleaning it (out of memory, or a crash)")

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._solo is not None:
            self._solo.shutdown(wait=True)


@dataclass(slots=True)
class _RetriedAlone:
    engine: ProcessEngine
    config: Config
    task: Task
    future: Future

    def result(self) -> TaskResult:
        try:
            return self.future.result()
        except BrokenProcessPool:
            return self.engine.run_alone(self.config, self.task)


def failed_task(task: Task, message: str) -> TaskResult:
    """Every document of a task that could not be cleaned at all, as errors."""
    if task.kind == "jsonl":
        return TaskResult([], [error_record(f"{task.path}:{number}", message) for number, _ in task.lines])
    return TaskResult([], [error_record(task.path, message)], write=False)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def local_engine(jobs: int, config: Config | None = None) -> Engine:
    """Inline for one job, else worker processes (sharing the tables of
    `config`'s cleaner where they can)."""
    return InlineEngine() if jobs <= 1 else ProcessEngine(jobs, config=config)


# --- resuming: what made an output ------------------------------------------------


def run_fingerprint(cleaner: Cleaner) -> str:
    """A hash of everything besides the input that decides an output: the
    version, every option, the rule files' bytes and the shipped data files.
    Not where the rule files lie: the same rules read from another folder (a
    copy, another installation) make the same outputs."""
    digest = hashlib.sha256()
    options = cleaner.config._replace(rules_dirs=())
    digest.update(f"{__version__}\0{tuple(options)!r}\0".encode())
    for rule_set in cleaner.rule_sets:
        digest.update(rule_set.id.encode() + b"\0" + Path(rule_set.path).read_bytes() + b"\0")
    for data_file in sorted(resources.files("cleaner").joinpath("data").iterdir(), key=lambda f: f.name):
        digest.update(data_file.name.encode() + b"\0" + data_file.read_bytes() + b"\0")
    return digest.hexdigest()


def input_key(fingerprint: str, item: InputFile) -> str:
    """The state key of one input: the run's fingerprint and the input's bytes."""
    digest = hashlib.sha256(f"{fingerprint}\0{item.relative}\0{item.kind}\0{item.compression}\0".encode())
    with item.path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def state_path(out_dir: Path, item: InputFile) -> Path:
    return out_dir / STATE_FOLDER / item.output_relative.with_name(item.output_relative.name + ".state.gz")


def read_state(path: Path, key: str) -> Iterator[dict] | None:
    """The records stored for `key`, or None if the state is missing or stale.
    The records are streamed (a JSONL input's state holds one per document)."""
    try:
        handle = gzip.open(path, "rt", encoding="utf-8")
        header = json.loads(handle.readline())
    except (OSError, ValueError, EOFError):
        return None
    if header.get("key") != key or not Path(header.get("output", "")).is_file():
        handle.close()
        return None

    def records() -> Iterator[dict]:
        with handle:
            for line in handle:
                yield json.loads(line)

    return records()


# --- the run ------------------------------------------------------------------------


@dataclass(slots=True)
class Progress:
    """What the caller gets, in input order: report records as they are
    finished, and how many bytes of input (on disk) that took."""

    records: list[dict]
    bytes_read: int = 0
    files_done: int = 0
    skipped: bool = False  # up to date (`resume`): records come from the state
    bytes_written: int = 0  # outputs completed, on disk


@dataclass(slots=True)
class _FileRun:
    """The driver's state for one input file while its tasks are out."""

    item: InputFile
    output: Path | None
    key: str | None
    state: Path | None
    writer: AtomicWriter | None = None
    state_writer: AtomicWriter | None = None
    failed: bool = False
    unwritable: bool = False  # writing failed: the rest of its results are only reported

    def open(self) -> None:
        if self.output is not None and self.writer is None:
            self.writer = AtomicWriter(self.output, self.item.compression)
        if self.state is not None and self.state_writer is None:
            # Every document's records go into it, and only --resume reads
            # them back: the fastest level.
            self.state_writer = AtomicWriter(self.state, "gzip", gzip_level=1)
            self.state_writer.write(json.dumps({"key": self.key, "output": str(self.output)}) + "\n")

    def commit(self) -> int:
        """Output first, then its state: a crash in between leaves an output
        with an older state (or none), which `resume` simply redoes. A failed
        document or unreadable input gets neither (and is redone). Returns
        the output's size on disk (0 if none), as the summary counts it."""
        if self.failed:
            self.abort()
            return 0
        for writer in (self.writer, self.state_writer):
            if writer is not None:
                writer.commit()
        return self.output.stat().st_size if self.writer is not None else 0

    def abort(self) -> None:
        for writer in (self.writer, self.state_writer):
            if writer is not None:
                writer.abort()


Work = Task | TaskResult | Progress


def run_batch(
    cleaner: Cleaner,
    items: Iterable[InputFile],
    out_dir: Path | None,
    engine: Engine,
    *,
    resume: bool = False,
    in_flight: int = 8,
    chunk_bytes: int = CHUNK_BYTES,
) -> Iterator[Progress]:
    """Clean `items` on `engine`, write outputs under `out_dir`, and yield
    progress with every document's report record, in input order."""
    config = cleaner.config
    fingerprint = run_fingerprint(cleaner) if out_dir is not None else ""
    # In input order: work sent out, and progress known already (a file that
    # is up to date, or unreadable), which waits its turn without holding
    # up the workers.
    pending: deque[tuple[_FileRun | None, Future | Progress, bool, int]] = deque()
    unfinished: dict[int, _FileRun] = {}
    sent = 0
    try:
        for run, work, last, read in _work(items, out_dir, fingerprint, resume, chunk_bytes):
            if run is None:
                pending.append((None, work, last, read))
            else:
                unfinished[id(run)] = run
                future = engine.submit(config, work) if isinstance(work, Task) else _Ready(work)
                pending.append((run, future, last, read))
                sent += 1
            while sent >= in_flight or (pending and pending[0][0] is None):
                sent -= pending[0][0] is not None
                yield _finish(*pending.popleft(), unfinished)
        while pending:
            yield _finish(*pending.popleft(), unfinished)
    finally:
        for run in unfinished.values():  # interrupted: no temporary file stays behind
            run.abort()


def _finish(run: _FileRun | None, future, last: bool, read: int, unfinished: dict[int, _FileRun]) -> Progress:
    if run is None:
        return future  # progress known already
    result = future.result()
    records = result.records
    written = 0
    if not result.write:
        run.failed = True
    if not run.unwritable:
        try:
            run.open()
            if run.writer is not None and not run.failed:
                for piece in result.pieces:
                    run.writer.write(piece)
            if run.state_writer is not None:
                for record in records:
                    run.state_writer.write(json.dumps(record, ensure_ascii=False) + "\n")
            if last:
                written = run.commit()
        except OSError as exc:  # a full disk, a folder where a file should go: this file fails, the batch goes on
            run.unwritable = run.failed = True
            run.abort()
            message = f"cannot write {run.output or run.state}: {exc.strerror or exc}"
            records = [*records, error_record(str(run.item.path), message)]
    if last:
        del unfinished[id(run)]
    return Progress(records, read, files_done=int(last), bytes_written=written)


def _work(
    items: Iterable[InputFile], out_dir: Path | None, fingerprint: str, resume: bool, chunk_bytes: int
) -> Iterator[tuple[_FileRun | None, Work, bool, int]]:
    """(file, work, last of the file?, bytes of input it covers) for every
    input, read lazily. Work is a task to send, a result already known (an
    input that failed to read part-way), or progress with nothing to send."""
    for item in items:
        path = str(item.path)
        output = out_dir / item.output_relative if out_dir is not None else None
        size = file_size(item.path)
        key = state = None
        if out_dir is not None:
            try:
                key = input_key(fingerprint, item)
            except OSError as exc:
                unreadable = Progress([error_record(path, f"cannot read: {exc.strerror or exc}")], size, files_done=1)
                yield None, unreadable, True, size
                continue
            state = state_path(out_dir, item)
            stored = read_state(state, key) if resume else None
            if stored is not None:
                yield from _stored_progress(stored, size)
                continue
        run = _FileRun(item, output, key, state)
        try:
            if item.kind == "jsonl":
                yield from _jsonl_tasks(run, path, chunk_bytes)
            else:
                with open_input(item) as handle:
                    data = handle.read()
                yield run, Task(path, item.kind, str(output) if output else None, data=data), True, size
        except OSError as exc:  # part of a JSONL stream may be out already: end the file failed
            failed = TaskResult([], [error_record(path, f"cannot read: {exc.strerror or exc}")], write=False)
            yield run, failed, True, 0


def _jsonl_tasks(run: _FileRun, path: str, chunk_bytes: int) -> Iterator[tuple[_FileRun, Work, bool, int]]:
    output = str(run.output) if run.output else None
    lines: list[tuple[int, bytes]] = []
    size = 0
    position = 0
    with open_input(run.item) as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                lines.append((number, raw))
                size += len(raw)
            if size >= chunk_bytes:
                now = handle.tell()  # on disk: compressed bytes for a compressed file
                yield run, Task(path, "jsonl", output, lines=tuple(lines)), False, now - position
                lines, size, position = [], 0, now
        now = handle.tell()  # on disk: compressed bytes for a compressed file
    last = Task(path, "jsonl", output, lines=tuple(lines)) if lines else TaskResult([], [])
    yield run, last, True, now - position


def _stored_progress(records: Iterator[dict], size: int, batch: int = 1000) -> Iterator[tuple[None, Progress, bool, int]]:
    """An up-to-date file's stored records, a batch at a time (a JSONL input's
    state may hold millions); the first batch carries the file's size."""
    first = True
    while True:
        chunk = list(islice(records, batch))
        if not chunk and not first:
            return
        yield None, Progress(chunk, size if first else 0, files_done=int(first), skipped=first), True, 0
        first = False
