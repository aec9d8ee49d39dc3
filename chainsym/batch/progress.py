"""A one-line progress bar on standard error, only when it is a terminal: items done of all, the
rate, the time left, and the counts by status. Redrawn at most a few times a second."""

from __future__ import annotations

import time
from typing import TextIO

STATUSES = ("correct", "incorrect", "undecided", "derived", "error", "limit")
WIDTH = 24
EVERY = 0.2
"""seconds between two redraws"""


def duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class Progress:
    """Counts by status as results arrive; draws itself on a terminal stream (or stays silent)."""

    def __init__(self, total: int, stream: TextIO | None, skipped: int = 0) -> None:
        self.total, self.stream, self.skipped = total, stream, skipped
        self.done = 0
        self.counts: dict[str, int] = {}
        self.started = time.monotonic()
        self.drawn = 0.0

    def add(self, status: str) -> None:
        self.done += 1
        self.counts[status] = self.counts.get(status, 0) + 1
        if self.stream is not None and time.monotonic() - self.drawn >= EVERY:
            self.draw()

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        todo = max(self.total - self.skipped, 0)
        rate = self.done / elapsed
        left = f"ETA {duration((todo - self.done) / rate)}" if rate > 0 and todo > self.done else \
            f"in {duration(elapsed)}"
        filled = int(WIDTH * self.done / todo) if todo else WIDTH
        counts = " ".join(f"{s} {self.counts[s]}" for s in STATUSES if self.counts.get(s))
        return (f"[{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{todo} {rate:.1f}/s {left}"
                + (f"  {counts}" if counts else ""))

    def draw(self) -> None:
        if self.stream is None:
            return
        self.drawn = time.monotonic()
        self.stream.write("\r\x1b[K" + self.line())
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.draw()
            self.stream.write("\n")
            self.stream.flush()
