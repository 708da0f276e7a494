"""`--jobs 1`: tasks run in this process, with no pickling and no worker start-up."""
from __future__ import annotations

from ..config import Config
from ..formats import Task
from .base import Future, Ready
from .task import run_task


class InlineEngine:
    workers = 1

    def submit(self, config: Config, task: Task) -> Future:
        return Ready(run_task(config, task))

    def close(self) -> None:
        pass
