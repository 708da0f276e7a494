"""Where tasks run: engines behind one interface (`Engine`).

* `InlineEngine` (inline.py): in this process, for ``--jobs 1``.
* `ProcessEngine` (process.py): worker processes on this machine.
* `DaskEngine` (dask.py): a Dask cluster, local or remote (``scrape-cleaner[dask]``).

Each runs `task.run_task` on the tasks the batch sends and hands back
futures of their results; the batch reads inputs and writes outputs
itself, so every engine gives the same bytes. To add an engine, write its
module with `submit`, `close` and `workers`, and name it in `make_engine`.
"""
from __future__ import annotations

import os

from ..config import Config
from .base import Engine, EngineUnavailable, Future, Ready
from .inline import InlineEngine
from .process import ProcessEngine
from .task import cleaner_for, failed_task, run_task

ENGINES = ("local", "dask")


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def make_engine(name: str, jobs: int, config: Config, *, scheduler: str | None = None) -> Engine:
    """The engine `name` with `jobs` workers. Local: inline for one job, else
    worker processes sharing the tables of `config`'s cleaner where they can."""
    if name == "local":
        return InlineEngine() if jobs <= 1 else ProcessEngine(jobs, config=config)
    if name == "dask":
        from .dask import DaskEngine

        return DaskEngine(scheduler, jobs)
    raise ValueError(f"unknown engine {name!r} (known: {', '.join(ENGINES)})")


__all__ = [
    "ENGINES",
    "Engine",
    "EngineUnavailable",
    "Future",
    "InlineEngine",
    "ProcessEngine",
    "Ready",
    "cleaner_for",
    "default_jobs",
    "failed_task",
    "make_engine",
    "run_task",
]
