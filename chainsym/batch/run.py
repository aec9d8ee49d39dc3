"""A batch from start to end: the input read and its ids checked (duplicates stop it before any
work), the items not yet done handed to an engine, and the results given back in input order."""

from __future__ import annotations

import json
import os
import weakref
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import UsageError
from ..limits import DEFAULT_LIMITS, Limits
from . import job
from .feed import Feed, Task
from .items import Input, Work

ENGINES = ("local", "dask")
CHUNKS = {"local": 4, "dask": 16}
"""items per chunk by default: a local worker answers item by item, a Dask task costs more to send"""
WINDOW = 1000
"""finished results that may wait for a slow earlier one (the rest of the work waits then)"""


@dataclass(frozen=True)
class ItemResult:
    """One item's result: its id and status, the row in the batch schema (chainsym/schemas/
    batch-v1.schema.json), and that row as one line of JSON."""

    id: str | int
    status: str
    data: dict[str, Any] = field(repr=False)
    line: str = field(repr=False)

    @classmethod
    def of(cls, line: str) -> ItemResult:
        data = json.loads(line)
        return cls(data["id"], data["status"], data, line)

    def to_json(self) -> str:
        return self.line

    def __str__(self) -> str:
        error = self.data.get("error")
        return f"{self.id}: {self.status}" + (f" ({error['message']})" if error else "")


class Engine(Protocol):
    def results(self, feed: Feed) -> Iterator[tuple[Task, str]]: ...


def cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Batch:
    """A checked input and how to run it; `results()` runs it."""

    def __init__(self, source: str | os.PathLike[str] | Iterable[Mapping[str, Any]], *, workers: int | None = None,
                 engine: str = "local", scheduler: str | None = None, chunk: int | None = None,
                 limits: Limits = DEFAULT_LIMITS, skip: Collection[str] = (), input_format: str | None = None) -> None:
        if not isinstance(limits, Limits):
            raise UsageError(f"«limits» must be a chainsym.Limits, not {type(limits).__name__}", param="limits")
        if engine not in ENGINES:
            raise UsageError(f"«engine» must be one of {', '.join(ENGINES)}, not {str(engine)[:20]!r}", param="engine")
        if scheduler is not None and engine != "dask":
            raise UsageError("«scheduler» is for the dask engine: add «engine=»dask", param="scheduler")
        for name, value in (("workers", workers), ("chunk", chunk)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0 or
                                      (name == "chunk" and value == 0)):
                raise UsageError(f"«{name}» must be a whole number{' from 1' if name == 'chunk' else ''}, "
                                 f"not {value!r}", param=name)
        if workers == 0 and engine == "dask":
            raise UsageError("«workers» must be at least 1 with the dask engine", param="workers")
        self.engine_name, self.scheduler, self.limits = engine, scheduler, limits
        self.workers = cores() if workers is None else workers
        self.chunk = chunk or CHUNKS[engine]
        self.skip = {str(s) for s in skip}
        self.input = Input.open(source, input_format, limits)
        self._cleanup = weakref.finalize(self, self.input.close)
        try:
            self.total = self.input.check_ids()
        except BaseException:
            self.input.close()
            raise
        self.skipped = sum(1 for ident, _ in self.input.ids() if ident in self.skip) if self.skip else 0
        self.engine: Engine | None = None

    def works(self) -> Iterator[Work]:
        return (w for w in self.input.work() if w.id not in self.skip)

    def results(self) -> Iterator[ItemResult]:
        """Every item's result, in input order, each as soon as it and every earlier one are done."""
        try:
            if self.workers == 0:
                for work in self.works():
                    yield ItemResult.of(job.run_line(work.text, self.limits))
                return
            feed = Feed(self.works(), WINDOW + self.workers * self.chunk * 4)
            self.engine = self._engine()
            for task, line in self.engine.results(feed):
                for ready in feed.finish(task, line):
                    yield ItemResult.of(ready)
        finally:
            self.input.close()

    def _engine(self) -> Engine:
        if self.engine_name == "dask":
            from .cluster import DaskEngine

            return DaskEngine(self.workers, self.chunk, self.limits, self.scheduler)
        from .local import LocalEngine

        return LocalEngine(self.workers, self.chunk, self.limits)


def batch(items: str | os.PathLike[str] | Iterable[Mapping[str, Any]], *, workers: int | None = None,
          engine: str = "local", scheduler: str | None = None, chunk: int | None = None,
          limits: Limits = DEFAULT_LIMITS, skip: Collection[str] = (), input_format: str | None = None
          ) -> Iterator[ItemResult]:
    """Check or differentiate many items at once; an iterator of their results, in input order.

    items: a path to a JSON Lines or CSV file ('-': standard input), or an iterable of mappings,
      each with the fields id, expr, and optionally wrt, where, at, order, kind (diff, grad,
      jacobian, hessian) and claim. With a claim the item is checked, without one differentiated.
    workers: worker processes (default: one per core; 0: in this process, without isolation).
    engine: "local" (processes on this machine) or "dask" (a Dask cluster: at the address
      `scheduler`, else a LocalCluster of `workers` processes).
    chunk: items sent to a worker at a time. limits: the bounds of each item, as for one call.
    skip: ids not to run (those already done).

    Every item gets exactly one result, whatever happens to it: a malformed or hostile item is an
    error or limit result, a worker that dies costs only the item it was on. The input is read
    (and duplicate ids refused, with a UsageError) when this is called; the work starts when the
    iterator is first advanced.
    """
    return Batch(items, workers=workers, engine=engine, scheduler=scheduler, chunk=chunk, limits=limits,
                 skip=skip, input_format=input_format).results()
