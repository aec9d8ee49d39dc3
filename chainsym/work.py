"""Bounds on work that hold in any thread: a per-call budget checked inside chainsym's own loops.

Nothing here touches process-wide state (no signals, no recursion limit): a call that runs past
its time limit stops at its next check with a LimitError naming the limit. The limit only ever ends
a call with that error; it never changes the form of an answer (those are bounded by sizes).
"""

from __future__ import annotations

import time

from .errors import LimitError
from .limits import Limits

CHECK_EVERY = 64
"""ticks between two looks at the clock (a look costs about as much as a few ticks)"""


class Budget:
    """The time left to one call; tick() from every loop whose length depends on the input."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.count = 0

    @classmethod
    def of(cls, limits: Limits) -> Budget:
        return cls(limits.seconds)

    def tick(self, n: int = 1) -> None:
        self.count += n
        if self.count >= CHECK_EVERY:
            self.count = 0
            self.check()

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitError("seconds", f"the computation took longer than {self.seconds:g} s")


def unbounded() -> Budget:
    """A budget that never runs out (for internal helpers called without one)."""
    return Budget(float("inf"))
