"""The hard time limit of one item where no parent process can kill its worker (a Dask task): a
watchdog thread raises an exception inside the item's thread once the item is GRACE seconds past
its limit (SymPy's own loops are Python, so the exception lands), and ends the worker process if
even that does not stop it. Used only inside worker processes, never by a library call in the
caller's process."""

from __future__ import annotations

import ctypes
import os
import threading
import time
from typing import Any

from ..limits import Limits
from . import job

GRACE = 5.0
"""seconds past an item's limit before the watchdog steps in (the library's own checks come first)"""


class Overtime(BaseException):
    """Raised into an item's thread by the watchdog (a BaseException: no `except Exception` keeps it)."""


def guarded(line: str, limits: Limits) -> str:
    """run_line under the watchdog: past its time limit the item's result is a limit row."""
    done = threading.Event()
    target = threading.get_ident()
    watchdog = threading.Thread(target=_watch, args=(target, done, limits.seconds + GRACE), daemon=True)
    watchdog.start()
    started = time.perf_counter()
    try:
        return job.run_line(line, limits)
    except Overtime:
        return _overtime(line, limits, time.perf_counter() - started)
    finally:
        done.set()


def _watch(target: int, done: threading.Event, seconds: float) -> None:
    if done.wait(seconds):
        return
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(Overtime))
    if not done.wait(GRACE):  # stuck inside one C call: end the process; the engine reports the item
        os._exit(70)


def _overtime(line: str, limits: Limits, seconds: float) -> str:
    import json

    work: dict[str, Any] = json.loads(line)
    item = job.item_of(work)
    row = job.base_row(item, int(work.get("line", 0)), str(work.get("id", "")))
    row.update(job.error_row("limit", "LimitError", f"the computation took longer than {limits.seconds:g} s "
                             "(limit 'seconds'; raise it with --limit seconds=N)", "seconds", None))
    row["seconds"] = round(seconds, 6)
    return json.dumps(row, ensure_ascii=False)
