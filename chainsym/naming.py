"""Spellings in one place: intermediate names u1..un and the derivative notations
(d for totals, including reverse mode's adjoints df/du; ∂ for local partials)."""

from __future__ import annotations

import re
from collections.abc import Iterable

PREFIXES = ("u", "v", "w", "g", "q")
"""Tried in order; the first that no user variable uses (as prefix + digits) names intermediates."""


def intermediate_prefix(taken: Iterable[str]) -> str:
    """The first prefix p such that no taken name looks like p1, p2, ..."""
    names = list(taken)
    for prefix in PREFIXES:
        pattern = re.compile(re.escape(prefix) + r"\d+$")
        if not any(pattern.match(n) for n in names):
            return prefix
    return "node_"


def intermediate(prefix: str, index: int) -> str:
    """The name of the index-th intermediate (1-based): u1, u2, ..."""
    return f"{prefix}{index}"


def total(of: str, wrt: str) -> str:
    """Total derivative, Leibniz: du/dx."""
    return f"d{of}/d{wrt}"


def partial(of: str, wrt: str) -> str:
    """Partial derivative: ∂u/∂x."""
    return f"∂{of}/∂{wrt}"
