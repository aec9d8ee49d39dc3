"""Batches: check or differentiate thousands of items at once, on this machine's cores or on a
Dask cluster, each item isolated and bounded, results streamed in input order (README: "Grading
many answers: chainsym batch").

    >>> import chainsym
    >>> for r in chainsym.batch([{"id": "a", "expr": "sin(x^2)", "claim": "cos(x^2)"}], workers=0):
    ...     print(r.id, r.status)
    a incorrect

Modules: items (reading), job and rows (one item → one result row), feed (input order), local
and cluster (the engines), watch (a Dask worker's time limit), output (writing and resuming),
progress, report (a summary for the grader), run (the whole). Importing this package loads
neither SymPy nor Dask.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from .run import Batch, ItemResult, batch

__all__ = ["Batch", "ItemResult", "batch"]


class _CallableModule(types.ModuleType):
    """`chainsym.batch` names both this package and the function: Python binds a package to its
    parent's attribute when it is first imported, which would hide the function; calling the
    package calls the function, so `chainsym.batch(items)` works either way."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return batch(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
