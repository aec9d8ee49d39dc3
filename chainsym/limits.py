"""Bounds on every expensive step, in one frozen dataclass.

Sizes and counts decide the form of every answer (so the same input always prints the same
output); `seconds` is a safety limit only: passing it ends the call with a LimitError.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from .errors import UsageError


@dataclass(frozen=True)
class Limits:
    """Size, depth, work and time bounds. Every field may be raised by the caller."""

    max_length: int = 100_000
    """characters of input text (all of it: an expression, its definitions and its point)"""
    max_depth: int = 200
    """nesting of brackets, calls, signs and powers in the input"""
    max_constant_digits: int = 1_000
    """decimal digits of any exact number the input produces, or a value at a point"""
    max_nodes: int = 200_000
    """distinct subexpressions in a graph"""
    tidy_ops: int = 400
    """largest result (in expression-tree nodes) that is put in a tidier canonical form"""
    oracle_tree: int = 5_000
    """largest derivative (in expression-tree nodes) for which sympy.diff is asked as the oracle
    (it walks trees: exponential on shared structure); beyond it, differentiation by numbers"""
    expand_nodes: int = 2_000
    """results whose expression tree is larger are shown as a program of shared parts (expand: whole)"""
    seconds: float = 60.0
    """time for one call, a safety limit: passing it is a LimitError, never a different answer"""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            check(f.name, getattr(self, f.name))

    def replace(self, **changes: float) -> Limits:
        """A copy with the named fields changed, each checked."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


MAXIMA = {"max_length": 10**9, "max_depth": 100_000, "max_constant_digits": 10**6, "max_nodes": 10**9,
          "tidy_ops": 10**6, "oracle_tree": 10**9, "expand_nodes": 10**12, "seconds": 86_400.0}
"""the largest value each limit accepts (a bound must still bound something)"""


def limit_names() -> tuple[str, ...]:
    """The field names, for the CLI's --limit NAME=VALUE."""
    return tuple(f.name for f in dataclasses.fields(Limits))


def check(name: str, value: object) -> None:
    """A limit's value must be a finite positive number of the right kind, at most its maximum."""
    if name not in MAXIMA:
        raise UsageError(f"unknown limit {name!r}: one of {', '.join(limit_names())}", param="limits")
    integral = name != "seconds"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integral and not isinstance(value, int)):
        raise UsageError(f"{name} needs {'a whole' if integral else 'a'} number, got {str(value)[:20]!r}",
                         param="limits")
    if not math.isfinite(value) or value <= 0 or value > MAXIMA[name]:
        raise UsageError(f"{name} must be a positive number at most {MAXIMA[name]:g}, not {str(value)[:20]}",
                         param="limits")


DEFAULT_LIMITS = Limits()
