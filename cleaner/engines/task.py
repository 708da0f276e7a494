"""What a worker runs: one task, cleaned by its format.

Pure apart from the cached `Cleaner`: bytes in, text and records out. This
is what runs in worker processes and on Dask workers, so it reads nothing
from disk but the package's own data and the rule folders in the config.
"""
from __future__ import annotations

import json
from functools import lru_cache

from ..config import Config
from ..formats import FORMATS, Task, TaskResult
from ..pipeline import Cleaner
from ..records import ERROR, Record


@lru_cache(maxsize=4)
def cleaner_for(config: Config) -> Cleaner:
    """One Cleaner per configuration per process: rules are read once per worker."""
    return Cleaner(config)


def run_task(config: Config, task: Task) -> TaskResult:
    """Never raises: a format reports a bad document as an error record, and
    anything else (a bug) fails the task's documents with its name."""
    try:
        return FORMATS[task.format].clean(cleaner_for(config), task)
    except Exception as exc:  # noqa: BLE001 - a bug must not stop the batch
        return failed_task(task, f"internal error: {type(exc).__name__}: {exc}")


def joined(first: TaskResult, second: TaskResult) -> TaskResult:
    """The results of two halves of a task, as the whole task's."""
    return TaskResult(
        first.pieces + second.pieces,
        first.records + second.records,
        first.write and second.write,
        first.rejects + second.rejects,
        first.retry or second.retry,
    )


def failed_task(task: Task, message: str) -> TaskResult:
    """Every document of a task that could not be cleaned at all, as errors."""
    if task.lines:
        records = [Record.failed(f"{task.path}:{number}", message, file=task.file, line=number) for number, _ in task.lines]
        return TaskResult([_failed_line(number, message) for number, _ in task.lines], records)
    return TaskResult([], [Record.failed(task.path, message, file=task.file)], write=False)


def _failed_line(number: int, message: str) -> str:
    """The output line of a JSONL record that could not be cleaned at all
    (every input record gives an output record; see formats/jsonl.py)."""
    return json.dumps({"cleaner": {"status": ERROR, "error": message, "line": number}}, ensure_ascii=False) + "\n"
