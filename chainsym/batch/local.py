"""The local engine: worker processes on this machine, each `python -m chainsym.batch.worker`,
fed work lines in chunks over a pipe and answering one result line per item, in order.

Isolation: the parent never blocks on a worker (non-blocking pipes, one select loop), so it always
sees a worker die or overrun. Because a worker answers its items in order, the item it was on is
the first unanswered one: a worker that dies (killed, out of memory, crashed) costs exactly that
item, reported as an error; one that passes an item's time limit (the library's own checks
missed it: one long SymPy call) is killed, and that item reported as a limit. Either way the rest
of its chunk goes back to the feed and a fresh worker takes its place.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import UsageError
from ..limits import Limits
from . import job
from .feed import Feed, Task
from .watch import GRACE

STARTS = 3
"""workers that die before they are ready, in a row, before the batch gives up (a broken install)"""
TICK = 0.2
"""seconds between two looks at the clock while waiting for results"""


class Worker:
    """One worker process, the tasks sent to it in order, and what it has written so far."""

    def __init__(self, limits: Limits) -> None:
        self.stderr: IO[bytes] = tempfile.TemporaryFile()
        root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
               "PYTHONHASHSEED": "0", "PYTHONIOENCODING": "utf-8"}
        self.proc = subprocess.Popen([sys.executable, "-m", "chainsym.batch.worker", json.dumps(_fields(limits))],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, env=env)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        os.set_blocking(self.stdin, False)
        self.pending: deque[Task] = deque()
        self.outbox = bytearray()
        self.inbox = bytearray()
        self.ready = False
        self.since = time.monotonic()
        """when the item at the head of pending started (or the worker became ready)"""

    @property
    def pid(self) -> int:
        return self.proc.pid

    def send(self, tasks: list[Task]) -> None:
        if not self.pending:
            self.since = time.monotonic()
        self.pending.extend(tasks)
        self.outbox += b"".join(t.work.text.encode("utf-8", "replace") + b"\n" for t in tasks)

    def flush(self) -> None:
        """Write what the pipe takes now, never waiting."""
        try:
            written = os.write(self.stdin, self.outbox[:1 << 16])
        except BlockingIOError:
            return
        except (BrokenPipeError, OSError):
            self.outbox.clear()  # the worker is gone: its end of the pipe tells the loop
            return
        del self.outbox[:written]

    def lines(self) -> list[bytes] | None:
        """Complete lines written since the last call; None at the end of the output (the worker is gone)."""
        try:
            block = os.read(self.stdout, 1 << 16)
        except BlockingIOError:
            return []
        if not block:
            return None
        self.inbox += block
        *complete, rest = self.inbox.split(b"\n")
        self.inbox = bytearray(rest)
        return [bytes(c) for c in complete]

    def stop(self, kill: bool = False) -> None:
        if self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                try:
                    self.proc.stdin.close()  # type: ignore[union-attr]
                except OSError:
                    pass
                try:
                    self.proc.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.stderr):
            try:
                stream.close()  # type: ignore[union-attr]
            except OSError:
                pass

    def why(self) -> str:
        """How the process ended, in words."""
        code = self.proc.wait()
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
            killed = " (killed: out of memory, or by someone)" if -code == signal.SIGKILL else ""
            return f"signal {name}{killed}"
        return f"exit status {code}"

    def last_words(self) -> str:
        self.stderr.seek(0)
        text = self.stderr.read()[-2000:].decode("utf-8", "replace").strip().splitlines()
        return text[-1] if text else "no message"


def _fields(limits: Limits) -> dict[str, Any]:
    import dataclasses

    return dataclasses.asdict(limits)


def lost_row(task: Task, status: str, message: str, limit: str | None, seconds: float) -> str:
    """The result of an item whose worker was lost under it: built by the parent from the work."""
    work: dict[str, Any] = json.loads(task.work.text)
    item = job.item_of(work)
    row = job.base_row(item, task.work.line, task.work.id)
    row.update(job.error_row(status, "WorkerLost" if status == "error" else "LimitError", message, limit, None))
    row["seconds"] = round(seconds, 6)
    return json.dumps(row, ensure_ascii=False)


class LocalEngine:
    """Worker processes on this machine."""

    def __init__(self, workers: int, chunk: int, limits: Limits) -> None:
        self.count = max(1, workers)
        self.chunk = max(1, chunk)
        self.limits = limits
        self.hard = limits.seconds + GRACE
        self.workers: list[Worker] = []
        self.failed_starts = 0

    def pids(self) -> list[int]:
        return [w.pid for w in self.workers]

    def results(self, feed: Feed) -> Iterator[tuple[Task, str]]:
        """(task, result line) as each item finishes, until the feed is done."""
        selector = selectors.DefaultSelector()
        try:
            self.workers = [self._start(selector) for _ in range(self.count)]
            while True:
                for w in self.workers:
                    if len(w.pending) <= self.chunk // 2:
                        w.send(feed.take(self.chunk - len(w.pending)))
                    if w.outbox:
                        w.flush()
                if feed.idle and not any(w.pending for w in self.workers):
                    return
                for key, _ in selector.select(TICK):
                    w = key.data
                    yield from self._read(w, selector, feed)
                yield from self._overruns(selector, feed)
        finally:
            for w in self.workers:
                w.stop(kill=True)
            selector.close()

    def _start(self, selector: selectors.BaseSelector) -> Worker:
        w = Worker(self.limits)
        os.set_blocking(w.stdout, False)
        selector.register(w.stdout, selectors.EVENT_READ, w)
        return w

    def _read(self, w: Worker, selector: selectors.BaseSelector, feed: Feed) -> Iterator[tuple[Task, str]]:
        lines = w.lines()
        if lines is None:
            yield from self._replace(w, selector, feed, None)
            return
        for line in lines:
            if not w.ready:
                w.ready, w.since, self.failed_starts = True, time.monotonic(), 0
                continue
            task = w.pending.popleft()
            w.since = time.monotonic()
            yield task, line.decode("utf-8", "replace")

    def _overruns(self, selector: selectors.BaseSelector, feed: Feed) -> Iterator[tuple[Task, str]]:
        now = time.monotonic()
        for w in list(self.workers):
            if w.ready and w.pending and now - w.since > self.hard:
                w.stop(kill=True)
                message = (f"the computation took longer than {self.limits.seconds:g} s (limit 'seconds'; raise it "
                           "with --limit seconds=N); its worker was stopped")
                yield from self._replace(w, selector, feed, ("limit", message, "seconds"))

    def _replace(self, w: Worker, selector: selectors.BaseSelector, feed: Feed,
                 verdict: tuple[str, str, str | None] | None) -> Iterator[tuple[Task, str]]:
        """A worker is gone: its current item gets a result, the rest of its chunk goes back to the feed."""
        selector.unregister(w.stdout)
        seconds = time.monotonic() - w.since
        if verdict is None:
            why = w.why()
            if not w.ready:
                self.failed_starts += 1
                if self.failed_starts >= STARTS:
                    raise UsageError(f"the worker processes cannot start ({why}: {w.last_words()[:300]})",
                                     param="workers")
            verdict = ("error", f"the worker process died while on this item ({why})", None)
        w.stop()
        pending = list(w.pending)
        if w.ready and pending:
            yield pending[0], lost_row(pending[0], verdict[0], verdict[1], verdict[2], seconds)
            pending = pending[1:]
        feed.give_back(pending)
        self.workers[self.workers.index(w)] = self._start(selector)
