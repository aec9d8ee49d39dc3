"""The worker processes that compute every request, so that no input can stall or exhaust the server.

Each worker is a process with its own pipe, holding one job at a time. A job has a deadline (the
limits' `seconds` plus a grace: the library stops itself at `seconds`, the deadline catches a call
that could not look at its clock) and a memory bound (the worker's address space, RLIMIT_AS). A
worker that passes its deadline is killed; one that runs out of memory answers and retires; one
that dies is noticed by its pipe's end; each is replaced at once and its request answered with a
clear error record. A worker is also replaced after `recycle_after` jobs, which bounds what SymPy's
caches can grow to.

A job that has used `slow_after` seconds of CPU goes on at the lowest CPU priority (nice 19), and its
worker is replaced by a fresh one when it ends: a slow request (a hostile one, or a large one) then
takes only the CPU that quick requests leave, so that it cannot make every other answer slow. This
works when there are more workers than CPUs (the default is two per CPU): slow jobs hold workers,
the quick ones still find one.

Requests wait for a free worker in a bounded queue: past `queue` waiting requests the pool refuses
at once (Busy, with how many seconds to wait), rather than letting every answer grow slow.

Workers start from a fork server that has already imported the library, so starting one (at boot or
as a replacement) costs milliseconds, not the second an import of SymPy takes. Workers may change
their own process's state (resource limits, signals); the server's process is left as it was.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import import_module
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .protocol import error

Answer = dict[str, Any]

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
"""clock ticks per second, the unit of CPU times in /proc"""

START_SECONDS = 60.0
"""time a new worker has to import the library and say it is ready"""


@dataclass(frozen=True)
class Settings:
    """How many workers, how long a queue, and each job's bounds."""

    workers: int = 2
    queue: int = 32
    """requests that may wait for a worker; one more is refused with Busy"""
    seconds: float = 10.0
    """the limits' time for one job (the library stops itself then)"""
    grace: float = 2.0
    """after seconds + grace a worker is killed"""
    memory_mb: int = 1024
    """each worker's address space, in MiB (0: unbounded)"""
    recycle_after: int = 500
    """jobs after which a worker is replaced by a fresh one"""
    slow_after: float = 0.5
    """CPU seconds after which a job goes on at the lowest CPU priority"""
    handler: str = "chainsym.web.jobs:run"
    """module:function computing one job in a worker"""


class Busy(Exception):
    """Every worker is busy and the queue is full: try again after retry_after seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"the server is busy: try again in {retry_after} s")
        self.retry_after = retry_after


def time_error(seconds: float) -> Answer:
    return error("LimitError", f"the computation took longer than {seconds:g} s (limit 'seconds'; raise it with "
                               "chainsym serve --limit seconds=N)", limit="seconds")


def memory_error(memory_mb: int) -> Answer:
    return error("LimitError", f"the computation needed more than {memory_mb} MB of memory (limit 'memory'; raise "
                               "it with chainsym serve --memory MB)", limit="memory")


def _serve(conn: Connection, handler: str, memory_mb: int) -> None:
    """A worker's life: bound its memory, then answer jobs until its pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which stops its workers
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if memory_mb:
            size = memory_mb * 2**20
            hard = resource.getrlimit(resource.RLIMIT_AS)[1]
            resource.setrlimit(resource.RLIMIT_AS, (size, size if hard == resource.RLIM_INFINITY else min(size, hard)))
    except (ImportError, ValueError, OSError):  # no such limits on this system: time still bounds every job
        pass
    module, _, name = handler.partition(":")
    compute: Callable[[Any], Answer] = getattr(import_module(module), name)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = compute(job)
        except MemoryError:
            answer = {"error": memory_error(memory_mb), "retire": True}
        conn.send(answer)
        if answer.get("retire"):
            return


class Worker:
    """One worker process and its pipe, driven by one thread at a time; it replaces its own process
    whenever that one cannot go on."""

    def __init__(self, context: Any, settings: Settings) -> None:
        self._context = context
        self._settings = settings
        self.replaced: Counter[str] = Counter()
        self.closed = False
        self._start()

    def _start(self) -> None:
        ours, theirs = self._context.Pipe()
        self.process = self._context.Process(target=_serve, args=(theirs, self._settings.handler,
                                                                  self._settings.memory_mb), daemon=True)
        self.process.start()
        theirs.close()
        self.conn: Connection = ours
        self.jobs = 0
        if not (ours.poll(START_SECONDS) and ours.recv() == "ready"):  # a job's deadline never pays for a start
            raise RuntimeError(f"a worker process did not start within {START_SECONDS} s")

    def restart(self, reason: str) -> None:
        """Kill the process (it may be stuck), wait for it, start a fresh one (unless the pool is closing)."""
        self.stop()
        if not self.closed:
            self.replaced[reason] += 1
            self._start()

    def close(self) -> None:
        """Stop for good: a job still running is answered with an error, and nothing is restarted."""
        self.closed = True
        self.stop()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def call(self, job: Any) -> Answer:
        """The job's answer, within the deadline; an error record when the worker cannot give one."""
        settings = self._settings
        try:
            self.conn.send(job)
        except OSError:  # the process died while idle: its replacement takes the job
            self.restart("died")
            self.conn.send(job)
        deadline = time.monotonic() + settings.seconds + settings.grace
        start_cpu, slow = self._cpu(), False
        while not self.conn.poll(max(0.0, min(settings.slow_after, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                self.restart("time")
                return {"error": time_error(settings.seconds)}
            if not slow and self._cpu() - start_cpu >= settings.slow_after:
                slow = True
                self._lower_priority()
        try:
            answer: Answer = self.conn.recv()
        except (EOFError, OSError):
            self.process.join(5)
            code = self.process.exitcode
            how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
            self.restart("died")
            return {"error": error("WorkerLost", f"the worker computing this request stopped ({how}) and was "
                                                 "replaced: try again, or with a smaller input")}
        self.jobs += 1
        if answer.pop("retire", False):
            self.restart("memory")
        elif slow:
            self.restart("slow")  # back to the normal priority
        elif self.jobs >= settings.recycle_after:
            self.restart("recycled")
        return answer

    def _cpu(self) -> float:
        """The worker's CPU time so far, in seconds (Linux's /proc; elsewhere its wall time: every job
        that takes slow_after seconds counts as slow)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / TICKS
        except (OSError, IndexError, ValueError):
            return time.monotonic()

    def _lower_priority(self) -> None:
        pid = self.process.pid
        if not pid:  # never 0: that would be the server itself
            return
        try:
            os.setpriority(os.PRIO_PROCESS, pid, 19)
        except (AttributeError, OSError):  # no such call here, or the process just ended
            pass


class Pool:
    """Workers behind a bounded queue, for an asyncio server: `await pool.run(job)`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._context = _context(settings.handler)
        self._threads = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="chainsym-worker")
        self._workers: list[Worker] = []
        self._idle: asyncio.Queue[Worker] | None = None
        self.waiting = 0
        self.counts: Counter[str] = Counter()
        self._mean = 0.2
        """seconds per job, a moving average: how long a refused request is told to wait"""

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        started = [loop.run_in_executor(self._threads, Worker, self._context, self.settings)
                   for _ in range(self.settings.workers)]
        self._workers = list(await asyncio.gather(*started))
        for w in self._workers:
            self._idle.put_nowait(w)

    async def run(self, job: Any) -> Answer:
        """The job's answer from the next free worker; Busy when the queue is full."""
        idle = self._idle
        if idle is None:
            raise RuntimeError("the pool has not been started")
        if idle.empty() and self.waiting >= self.settings.queue:
            self.counts["busy"] += 1
            raise Busy(self.retry_after())
        self.waiting += 1
        try:
            worker = await idle.get()
        finally:
            self.waiting -= 1
        started = time.monotonic()
        future = asyncio.get_running_loop().run_in_executor(self._threads, worker.call, job)

        def free(_: object) -> None:  # even when the request is gone, the worker comes back when done
            self._mean = 0.9 * self._mean + 0.1 * (time.monotonic() - started)
            self.counts["jobs"] += 1
            idle.put_nowait(worker)

        future.add_done_callback(free)
        return await asyncio.shield(future)

    def retry_after(self) -> int:
        """Seconds until the queue has likely drained: at least 1, at most 60."""
        n = self.settings.workers
        return max(1, min(60, math.ceil((self.waiting + n) * self._mean / n)))

    def stats(self) -> dict[str, int]:
        """Workers, those busy, requests waiting, jobs done, refusals, replacements by reason."""
        replaced: Counter[str] = Counter()
        for w in self._workers:
            replaced.update(w.replaced)
        idle = self._idle.qsize() if self._idle is not None else 0
        return {"workers": self.settings.workers, "busy": self.settings.workers - idle, "waiting": self.waiting,
                "jobs": self.counts["jobs"], "refused": self.counts["busy"],
                **{f"replaced_{k}": replaced[k] for k in ("time", "memory", "died", "slow", "recycled")}}

    async def close(self) -> None:
        for w in self._workers:
            w.close()
        self._threads.shutdown(wait=False, cancel_futures=True)


def _context(handler: str) -> Any:
    """A fork server that has imported the handler's module (and so the library), where the system
    has one; otherwise fresh interpreters."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([handler.partition(":")[0]])
        return context
    return multiprocessing.get_context("spawn")
