"""Results in a tidy canonical form, by a fixed list of cheap SymPy rewrites bounded by size.

No clock decides anything here: the same derivative always prints the same way, on any machine
under any load. A result small enough (limits.tidy_ops tree nodes) is rebuilt with SymPy's
evaluation, then each rewrite below is tried in order and the shortest form kept (SymPy's
count_ops, ties to the earlier). Rewrites that can expand (cancel) run only on low degrees.
Larger results stay as built: their printing goes through shared parts instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy as sp

from .limits import DEFAULT_LIMITS, Limits
from .walk import evaluated, postorder, tree_size
from .work import Budget

TOTAL_OPS = 25
"""all results together may hold this many times limits.tidy_ops tree nodes, or none is tidied
(all or none, so that the results of one derivation read alike)"""
MAX_DEGREE = 12
"""the largest integer power for which rewrites that may expand (cancel) are tried"""


def _low_degree(expr: sp.Expr) -> bool:
    return all(not (isinstance(s, sp.Pow) and s.exp.is_Integer and abs(s.exp) > MAX_DEGREE) for s in postorder(expr))


def _cancel(expr: sp.Expr) -> sp.Expr:
    return sp.cancel(expr) if _low_degree(expr) else expr


def _together(expr: sp.Expr) -> sp.Expr:
    return sp.factor_terms(sp.together(expr))


def _has_sum(expr: sp.Expr) -> bool:
    return any(isinstance(s, sp.Add) for s in postorder(expr))


def _has_denominator(expr: sp.Expr) -> bool:
    """A negative power or a fraction anywhere: what together and cancel put over one denominator."""
    return any((isinstance(s, sp.Pow) and s.exp.is_negative) or (s.is_Rational and not s.is_Integer)
               for s in postorder(expr))


def _expandable(expr: sp.Expr) -> bool:
    """A denominator, or a product with a sum in it: what cancel may multiply out shorter."""
    return _has_denominator(expr) or any(isinstance(s, sp.Mul) and any(isinstance(f, sp.Add) for f in s.args)
                                         for s in postorder(expr))


def _base(factor: sp.Expr) -> sp.Expr:
    return factor.base if isinstance(factor, sp.Pow) else sp.E if isinstance(factor, sp.exp) else factor


def _has_powers_to_combine(expr: sp.Expr) -> bool:
    """A product with two factors of one base (x·x^(x−1), e^a·e^b) or two powers of one symbolic
    exponent (x^a·y^a): what powsimp combines."""
    for s in postorder(expr):
        if isinstance(s, sp.Mul):
            bases = [_base(f) for f in s.args]
            exponents = [f.exp for f in s.args if isinstance(f, sp.Pow) and not f.exp.is_Number]
            if len(set(bases)) < len(bases) or len(set(exponents)) < len(exponents):
                return True
    return False


REWRITES: tuple[tuple[str, Callable[[sp.Expr], bool], Callable[[sp.Expr], sp.Expr]], ...] = (
    ("factor_terms", _has_sum, sp.factor_terms),
    ("together", _has_denominator, _together),
    ("cancel", _expandable, _cancel),
    ("powsimp", _has_powers_to_combine, lambda e: sp.powsimp(e, deep=True)),
)
"""tried in this order, each only where its shape can apply (a sum to factor, a denominator to
combine, powers to join: trying it elsewhere costs milliseconds for nothing); a rewrite's form is
kept only when it is strictly shorter"""


def canonical_all(exprs: Sequence[sp.Expr], limits: Limits = DEFAULT_LIMITS,
                  budget: Budget | None = None) -> tuple[sp.Expr, ...]:
    """Each expression in canonical form, or all as built when together they are too large."""
    bound = TOTAL_OPS * limits.tidy_ops
    total = 0
    for e in exprs:
        total += tree_size(e, bound)
        if total > bound:
            return tuple(exprs)
    return tuple(canonical(e, limits, budget) for e in exprs)


def canonical(expr: sp.Expr, limits: Limits = DEFAULT_LIMITS, budget: Budget | None = None) -> sp.Expr:
    """expr rebuilt with SymPy's evaluation, then the shortest of the rewrites; unchanged when too big."""
    if expr.is_Atom or tree_size(expr, limits.tidy_ops) > limits.tidy_ops:
        return expr
    best = evaluated(expr)
    best_ops: int | None = None  # counted when first needed: count_ops costs about a millisecond
    for _, applies, rewrite in REWRITES:
        if budget is not None:
            budget.check()
        if not applies(best):
            continue
        try:
            candidate = rewrite(best)
        except (ValueError, TypeError, NotImplementedError, sp.PolynomialError, RecursionError):
            continue
        if candidate == best or (candidate.has(sp.Float) and not best.has(sp.Float)):
            continue  # the same form (two in five rewrites change nothing) is not shorter
        best_ops = sp.count_ops(best) if best_ops is None else best_ops
        ops = sp.count_ops(candidate)
        if ops < best_ops:
            best, best_ops = candidate, ops
    return best

