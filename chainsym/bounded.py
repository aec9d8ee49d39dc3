"""Run a SymPy call under a wall-clock bound, so that no step can hang.

In the main thread a SIGALRM timer interrupts the call; elsewhere the call runs in a daemon
thread that is abandoned when the time is up.
"""

from __future__ import annotations

import gc
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import TypeVar

T = TypeVar("T")


class Unavailable(Exception):
    """The bounded SymPy call gave no answer: it failed inside SymPy, or ran out of time."""


class Timeout(Unavailable):
    """The bounded call ran out of time."""


def run(fn: Callable[[], T], seconds: float) -> T:
    """fn() if it finishes within seconds; else raise Timeout (RecursionError too), or Unavailable
    when SymPy fails inside the call."""
    if seconds <= 0:
        raise Timeout()
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        return _with_alarm(fn, seconds)
    return _with_thread(fn, seconds)


def _with_alarm(fn: Callable[[], T], seconds: float) -> T:
    active = [True]

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        # a tick that arrives as the call ends must not escape into the caller; one that lands in a
        # gc callback would only be reported there: the next tick raises it in the call itself
        if active[0] and not _in_gc_callback(frame):
            raise Timeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    outer = signal.getitimer(signal.ITIMER_REAL)
    if outer[0] and outer[0] < seconds:  # an enclosing bound ends sooner: keep it
        signal.signal(signal.SIGALRM, previous)
        return _call(fn)
    started = time.monotonic()
    # repeating: if the first Timeout is swallowed (raised inside a __del__ or a gc callback, where
    # Python only reports it), the next tick raises it again; the finally below stops the timer
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        return _call(fn)
    finally:
        active[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer[0]:  # give an enclosing bound back what is left of it
            left = outer[0] - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))


def _in_gc_callback(frame: FrameType | None) -> bool:
    """Whether the interrupted code is running a gc callback (a profiler's, a test tool's)."""
    codes = {getattr(callback, "__code__", None) for callback in gc.callbacks}
    codes.discard(None)
    while frame is not None and codes:
        if frame.f_code in codes:
            return True
        frame = frame.f_back
    return False


def _with_thread(fn: Callable[[], T], seconds: float) -> T:
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = _call(fn)
        except BaseException as exc:  # handed back to the caller below
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise Timeout()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def _call(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except RecursionError:
        raise Timeout() from None
    except (ValueError, TypeError, AttributeError, NotImplementedError, ZeroDivisionError) as exc:
        # SymPy's simplify and diff fail this way on some inputs (Min of a constant it cannot
        # compare): an optional step is then skipped, never a crash
        raise Unavailable(str(exc)) from None
