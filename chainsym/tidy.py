"""Tidy derivatives for display, within a size bound and one shared time budget.

Small results are rebuilt with SymPy's evaluation (canonical form) and then simplified if that
makes them shorter; big ones are left as built. Nothing is expanded, so (x+1)**100000 stays.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import sympy as sp

from . import bounded
from .limits import DEFAULT_LIMITS, Limits
from .walk import rebuild, tree_size


SIMPLIFY_RESULTS = 8
"""more results than this (a gradient) are put in canonical form but not simplified: simplify
would spend its whole time budget on a few of them"""
TOTAL_OPS = 25
"""all results together may hold this many times limits.tidy_ops tree nodes, or none is tidied
(all or none, so that the results of one derivation read alike)"""


def tidy_all(exprs: Sequence[sp.Expr], limits: Limits = DEFAULT_LIMITS) -> tuple[sp.Expr, ...]:
    """Each expression tidied; simplification shares one budget of limits.tidy_seconds."""
    budget = TOTAL_OPS * limits.tidy_ops
    total = 0
    for e in exprs:
        total += tree_size(e, budget)
        if total > budget:
            return tuple(exprs)
    deadline = time.monotonic() + (limits.tidy_seconds if len(exprs) <= SIMPLIFY_RESULTS else 0)
    return tuple(tidy(e, limits, deadline) for e in exprs)


def tidy(expr: sp.Expr, limits: Limits = DEFAULT_LIMITS, deadline: float | None = None) -> sp.Expr:
    """expr in canonical form, simplified when that is shorter; unchanged when it is too big."""
    if expr.is_Atom or tree_size(expr, limits.tidy_ops) > limits.tidy_ops:
        return expr
    expr = rebuild(expr, lambda node, args: node if args == node.args and _evaluated(node) else node.func(*args))
    seconds = limits.tidy_seconds if deadline is None else deadline - time.monotonic()
    if seconds <= 0:
        return expr
    try:
        simpler = bounded.run(lambda: sp.simplify(expr), seconds)
    except bounded.Unavailable:
        return expr
    if simpler.has(sp.Float) and not expr.has(sp.Float):
        return expr
    return simpler if sp.count_ops(simpler) < sp.count_ops(expr) else expr


def _evaluated(node: sp.Basic) -> bool:
    """Whether SymPy would build node as it is (an unevaluated product or sum would change)."""
    return not isinstance(node, (sp.Add, sp.Mul, sp.Pow)) or node.func(*node.args) == node
