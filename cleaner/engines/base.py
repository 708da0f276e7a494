"""The one interface every engine has: submit a task, get a future of its result."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..config import Config
from ..formats import Task, TaskResult


class EngineUnavailable(RuntimeError):
    """An engine that cannot start here (its package missing, its scheduler unreachable)."""


class Future(Protocol):
    def result(self) -> TaskResult: ...


class Engine(Protocol):
    """Runs `run_task(config, task)` somewhere and hands back a future."""

    workers: int  # how many tasks it runs at once

    def submit(self, config: Config, task: Task) -> Future: ...
    def close(self) -> None: ...


@dataclass(slots=True)
class Ready:
    """A result known already, as a future."""

    value: TaskResult

    def result(self) -> TaskResult:
        return self.value
