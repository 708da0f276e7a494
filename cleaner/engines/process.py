"""`--jobs N`: N worker processes on this machine."""
from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace

from ..config import Config
from ..formats import Task, TaskResult
from ..heap import release_freed_memory
from .base import Future
from .task import cleaner_for, failed_task, joined, run_task


def _start_worker(parent: int) -> None:
    # Ctrl-C reaches the whole process group; the main process handles it
    # (aborting its temporary files) and stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The main process's SIGTERM and SIGHUP handlers (see cli.main) are its
    # own: a worker stopped by the pool ends as a worker should.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    # A main process killed outright (kill -9, the OOM killer) cannot stop its
    # workers, which would wait for work for ever, holding their memory: each
    # watches for its parent to go, and goes too.
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="parent-watch").start()


def _exit_with_parent(parent: int, every: float = 0.5) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


class ProcessEngine:
    """Worker processes on this machine.

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
            cleaner_for(config).load_tables()
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
        """Run `task` in a process of its own; if that process dies too, a
        task of several JSONL records is split in two and each half run
        alone, so that only the record that kills its process fails."""
        if self._solo is None:
            self._solo = self._new_pool(1)
        try:
            return self._solo.submit(self._run, config, task).result()
        except BrokenProcessPool:
            self._solo.shutdown(wait=False)
            self._solo = None
        if len(task.lines) > 1:
            middle = len(task.lines) // 2
            halves = (replace(task, lines=task.lines[:middle]), replace(task, lines=task.lines[middle:]))
            return joined(*(self.run_alone(config, half) for half in halves))
        failed = failed_task(task, "the worker process died while cleaning it (out of memory, or a crash)")
        failed.retry = True
        return failed

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
        except Exception as exc:  # noqa: BLE001 - a result that cannot come back (it cannot be pickled, say)
            return failed_task(self.task, f"internal error: {type(exc).__name__}: {exc}")
