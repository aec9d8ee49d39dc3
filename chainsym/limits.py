"""Bounds on every expensive step, in one frozen dataclass.

A step that would pass a bound raises `LimitError` naming the field, instead of hanging.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Size, depth and time bounds. Every field may be raised by the caller."""

    max_length: int = 100_000
    """characters of input text"""
    max_depth: int = 200
    """nesting of brackets, calls, signs and powers in the input"""
    max_constant_digits: int = 1_000
    """decimal digits of any exact number the input produces"""
    max_nodes: int = 200_000
    """distinct subexpressions in a graph"""
    tidy_ops: int = 400
    """largest result (in expression-tree nodes) that is tidied by simplification"""
    simplify_ops: int = 2_000
    """largest difference (in expression-tree nodes) that verification tries to simplify"""
    verify_seconds: float = 10.0
    """time for the sympy.diff oracle"""
    oracle_tree: int = 20_000
    """largest expression tree handed to sympy.diff (it walks the tree, exponential on sharing);
    beyond it central differences are the oracle"""
    simplify_seconds: float = 2.0
    """time for proving the difference 0 by simplify"""
    tidy_seconds: float = 1.0
    """time for tidying a result"""
    expand_nodes: int = 2_000
    """results whose expression tree is larger are shown as a program of shared parts (--expand:
    whole)"""

    def replace(self, **changes: float) -> "Limits":
        """A copy with the named fields changed."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


DEFAULT_LIMITS = Limits()


def limit_names() -> tuple[str, ...]:
    """The field names, for the CLI's --limit NAME=VALUE."""
    return tuple(f.name for f in dataclasses.fields(Limits))
