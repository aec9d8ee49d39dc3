"""Tidy a derivative for display, within a size and a time bound; never expand big powers."""

from __future__ import annotations

import sympy as sp

from . import bounded
from .limits import DEFAULT_LIMITS, Limits
from .walk import tree_size


def tidy(expr: sp.Expr, limits: Limits = DEFAULT_LIMITS) -> sp.Expr:
    """simplify(expr) when expr is small and that is shorter; else expr unchanged."""
    if expr.is_Atom or tree_size(expr, limits.tidy_ops) > limits.tidy_ops:
        return expr
    try:
        simpler = bounded.run(lambda: sp.simplify(expr), limits.tidy_seconds)
    except bounded.Timeout:
        return expr
    if simpler.has(sp.Float) and not expr.has(sp.Float):
        return expr
    return simpler if sp.count_ops(simpler) < sp.count_ops(expr) else expr
