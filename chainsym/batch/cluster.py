"""The Dask engine: the same work on a Dask distributed cluster (`pip install "chainsym[dask]"`).

Each task is a chunk of work lines run by `job.run_chunk` on a Dask worker, every item under the
watchdog of watch.py (a Dask worker has no parent of ours to kill it). A worker that dies takes its
tasks with it; Dask runs them again elsewhere up to its `allowed-failures`, after which the task
fails with KilledWorker: a chunk is then split and its items sent one by one, and an item that
still kills its worker gets an error result. So every item gets exactly one result, and a worker
that dies costs at most the items it was running.

With a scheduler address the cluster is someone else's: chainsym connects, runs, and disconnects.
Without one it starts a LocalCluster of worker processes, one thread each, and closes it after.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from typing import Any

from ..errors import UsageError
from ..limits import Limits
from .feed import Feed, Task
from .local import lost_row

IN_FLIGHT = 2
"""tasks submitted per worker thread at a time (one running, one ready to start)"""


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise UsageError("the dask engine needs Dask distributed: pip install \"chainsym[dask]\"",
                         param="engine") from None
    return distributed


class DaskEngine:
    """Chunks of items as Dask tasks, on a cluster at an address or on a LocalCluster."""

    def __init__(self, workers: int, chunk: int, limits: Limits, scheduler: str | None = None) -> None:
        self.count = max(1, workers)
        self.chunk = max(1, chunk)
        self.limits = limits
        self.scheduler = scheduler
        self.client: Any = None

    def results(self, feed: Feed) -> Iterator[tuple[Task, str]]:
        distributed = _distributed()
        cluster = None
        try:
            if self.scheduler is None:
                cluster = distributed.LocalCluster(n_workers=self.count, threads_per_worker=1, processes=True,
                                                   dashboard_address=":0", silence_logs=logging.ERROR)
                self.client = distributed.Client(cluster)
            else:
                self.client = distributed.Client(self.scheduler, timeout="30s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(f"cannot reach the Dask scheduler {self.scheduler or '(local)'}: {str(exc)[:200]}",
                             param="scheduler") from None
        try:
            yield from self._run(feed, distributed)
        finally:
            self.client.close()
            if cluster is not None:
                cluster.close()

    def _threads(self) -> int:
        threads = self.client.nthreads()
        return max(1, sum(threads.values())) if threads else self.count

    def _run(self, feed: Feed, distributed: Any) -> Iterator[tuple[Task, str]]:
        limits = dataclasses.asdict(self.limits)
        running = distributed.as_completed([], with_results=False)
        chunks: dict[str, list[Task]] = {}
        singles: list[Task] = []

        def submit(tasks: list[Task]) -> None:
            future = self.client.submit(_chunk_function(), [t.work.text for t in tasks], limits, pure=False)
            chunks[future.key] = tasks
            running.add(future)

        threads = [self._threads()]

        def top_up() -> None:
            while len(chunks) < IN_FLIGHT * threads[0]:
                if singles:
                    submit([singles.pop(0)])
                    continue
                tasks = feed.take(self.chunk)
                if not tasks:
                    return
                submit(tasks)

        top_up()
        done = 0
        while chunks:
            future = next(running)
            tasks = chunks.pop(future.key)
            if future.status == "finished":
                lines = future.result()
                yield from zip(tasks, lines, strict=True)
            elif len(tasks) > 1:
                singles.extend(tasks)  # find the item that kills its worker: one at a time
            else:
                yield tasks[0], _failed(tasks[0], future, distributed)
            future.release()
            done += 1
            if done % 50 == 0:  # the cluster may have grown or shrunk (asking costs a round trip)
                threads[0] = self._threads()
            top_up()


def _chunk_function() -> Any:
    from .job import run_chunk

    return run_chunk


def _failed(task: Task, future: Any, distributed: Any) -> str:
    """The result of an item whose task failed: its worker died under it every time it ran."""
    exc = future.exception()
    if isinstance(exc, distributed.KilledWorker):
        why = "the worker process died while on this item, every time it was tried (killed, out of memory, or stuck)"
    else:
        why = f"the Dask task failed: {type(exc).__name__}: {str(exc)[:200]}"
    return lost_row(task, "error", why, None, 0.0)
