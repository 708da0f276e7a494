"""`--engine dask`: the batch's tasks on a Dask cluster (``scrape-cleaner[dask]``).

An adapter and nothing more: the same `run_task` as the local engine runs on
Dask workers, and this process still reads every input and writes every
output, so the outputs are the same bytes as a local run. Workers need the
``cleaner`` package (same version) and read nothing from disk but their own
installed package, and any ``--rules`` folders, at the same paths.
"""
from __future__ import annotations

from ..config import Config
from ..formats import Task, TaskResult
from .base import EngineUnavailable, Future
from .task import failed_task, run_task


class DaskEngine:
    """Submit tasks to the scheduler at `address`, or, without one, to a
    local cluster of `jobs` single-threaded worker processes."""

    def __init__(self, address: str | None, jobs: int) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise EngineUnavailable("--engine dask needs Dask: pip install 'scrape-cleaner[dask]'") from None
        self._cluster = None
        if address is None:
            # Processes, not threads: cleaning is pure Python and holds the GIL.
            self._cluster = LocalCluster(
                n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self._client = Client(self._cluster)
        else:
            try:
                self._client = Client(address, timeout="30s")
            except OSError as exc:
                raise EngineUnavailable(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        # Threads across the cluster as it is now (workers that join later
        # get work too, only fewer tasks are queued for them).
        threads = sum(w.get("nthreads", 1) for w in self._client.scheduler_info()["workers"].values())
        self.workers = max(1, threads)

    def submit(self, config: Config, task: Task) -> Future:
        # pure=False: Dask names the task at random instead of hashing its
        # bytes (a chunk is up to 256 KB) to name it.
        return _DaskFuture(self._client.submit(run_task, config, task, pure=False), task)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


class _DaskFuture:
    __slots__ = ("_future", "_task")

    def __init__(self, future, task: Task) -> None:
        self._future = future
        self._task = task

    def result(self) -> TaskResult:
        try:
            return self._future.result()
        except Exception as exc:  # KilledWorker: the task killed workers as many times as Dask allows
            return failed_task(self._task, f"the Dask workers failed on it: {type(exc).__name__}: {exc}")
        finally:
            self._future.release()  # the scheduler may forget it now: memory stays flat
