"""Work handed to an engine in input order, and results given back in input order.

An engine takes tasks when it has room and reports each result as it finishes, in any order; the
feed releases results in input order as soon as every earlier one is in, so the output is the same
for the same input however the work was spread. It hands out no task more than `window` places
past the oldest unfinished one, which bounds what waits in memory (a slow item holds back at most
that many finished results, never the whole batch).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .items import Work


@dataclass(frozen=True)
class Task:
    seq: int
    work: Work


class Feed:
    def __init__(self, works: Iterator[Work], window: int) -> None:
        self.works = works
        self.window = max(1, window)
        self.next_seq = 0
        self.released = 0
        """results released so far (the seq of the oldest unfinished task)"""
        self.waiting: dict[int, str] = {}
        self.exhausted = False
        self.returned: list[Task] = []
        """tasks an engine gave back unfinished (a worker died under them): handed out again first"""

    def take(self, n: int) -> list[Task]:
        """Up to n tasks: returned ones first, then new ones within the window."""
        out = self.returned[:n]
        del self.returned[:len(out)]
        while len(out) < n and not self.exhausted and self.next_seq < self.released + self.window:
            work = next(self.works, None)
            if work is None:
                self.exhausted = True
                break
            out.append(Task(self.next_seq, work))
            self.next_seq += 1
        return out

    def give_back(self, tasks: list[Task]) -> None:
        """Tasks to hand out again, before any new one (in their order)."""
        self.returned[:0] = sorted(tasks, key=lambda t: t.seq)

    def finish(self, task: Task, line: str) -> list[str]:
        """Record one result; the results now releasable, in input order."""
        self.waiting[task.seq] = line
        ready = []
        while self.released in self.waiting:
            ready.append(self.waiting.pop(self.released))
            self.released += 1
        return ready

    @property
    def idle(self) -> bool:
        """Nothing more to hand out now (the input is read and nothing was given back)."""
        return self.exhausted and not self.returned

    @property
    def done(self) -> bool:
        return self.idle and self.released == self.next_seq
