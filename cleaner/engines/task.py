"""What a worker runs: one task, cleaned by its format.

Pure apart from the cached `Cleaner`: bytes in, text and records out. This
is what runs in worker processes and on Dask workers, so it reads nothing
from disk but the package's own data and the rule folders in the config.
"""
from __future__ import annotations

from functools import lru_cache

from ..config import Config
from ..formats import FORMATS, Task, TaskResult
from ..pipeline import Cleaner
from ..records import Record


@lru_cache(maxsize=4)
def cleaner_for(config: Config) -> Cleaner:
    """One Cleaner per configuration per process: rules are read once per worker."""
    return Cleaner(config)


def run_task(config: Config, task: Task) -> TaskResult:
    return FORMATS[task.format].clean(cleaner_for(config), task)


def failed_task(task: Task, message: str) -> TaskResult:
    """Every document of a task that could not be cleaned at all, as errors."""
    if task.lines:
        return TaskResult(
            [], [Record.failed(f"{task.path}:{number}", message, file=task.file, line=number) for number, _ in task.lines]
        )
    return TaskResult([], [Record.failed(task.path, message, file=task.file)], write=False)
