"""The independent oracles a derivative is checked against, chosen by size, never by time.

- `sympy.diff` of f (chainsym's own functions spelled in SymPy's) when the derivative is of a
  size it handles (limits.oracle_tree);
- beyond that, for a rational function, its exact slope along random directions by dual numbers
  modulo a prime (below): exact, and cheaper than any symbolic oracle;
- for other functions beyond that, differentiation by numbers: mpmath's high-precision numerical
  derivative of f at the sampled points, which needs only evaluations of f (linear in its graph);
  with the fast extra, SymEngine's `diff` is the second opinion where numbers find no real point
  or disagree.
A gradient of many variables is checked along random directions: the slope of t ↦ f(p + t·v)
against Σ vᵢ·∂f/∂xᵢ(p) — exactly, by dual numbers over the rationals (computed modulo a random
62-bit prime, so no fraction grows), for rational functions.
A mismatch with sympy.diff is confirmed by differentiation by numbers before it is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction
from functools import partial
from typing import Any, Literal

import sympy as sp

from . import fast
from .functions import rewrite_all, rewrite_primitives
from .limits import Limits
from .model import Verification
from .numeric import NotANumber, Value, context, evaluate_all, finite, is_complex
from .residues import (
    degree_bound,
    exact,
    exact_slope,
    fingerprint,
    modular,
    modular_slope,
    prime_of,
    rational_only,
    residue,
)
from .sampling import Sampler, fine_point
from .sizes import LONG_NUMBER_BITS
from .verdict import (
    ATTEMPTS,
    DPS,
    EXACT_POINTS,
    MAX_PROVED_DEGREE,
    POINTS,
    TOLERANCE_TEXT,
    _real_values,
    _shown,
    close,
    combine,
    compare,
    differ,
    show,
    where,
)
from .walk import tree_size, tree_sizes
from .work import Budget

DIFFERENCES = "differentiation by numbers (mpmath.diff)"
DIRECTIONS = "slopes along random directions"
GRADIENT_BATCH = 8
"""a gradient of more variables than this is checked along random directions, all components at once"""


def verify_derivative(f: sp.Expr, x: sp.Symbol, ours: sp.Expr, variables: Sequence[sp.Symbol], limits: Limits,
                      seed: int, budget: Budget | None = None, size_hint: int | None = None) -> Verification:
    """ours against the derivative of f by x from the first oracle that fits its size."""
    size = size_hint if size_hint is not None else tree_size(ours, limits.oracle_tree)
    g = rewrite_primitives(f)
    if size <= limits.oracle_tree:
        expected = _sympy_diff(g, x)
        if expected is not None:
            verdict = compare(ours, expected, variables, seed=seed, domain_of=f, budget=budget)
            return _confirmed(verdict, f, x, ours, variables, seed, budget)
    if rational_only([g]):
        return directional(f, [x], [ours], variables, seed, budget)
    reason = f"the derivative has more than {limits.oracle_tree} tree nodes, too many for sympy.diff"
    verdict = differences(f, x, ours, variables, seed, reason, budget)
    if verdict.status not in ("mismatch", "skipped") or not fast.available():
        return verdict
    return _second_opinion(verdict, g, x, ours, variables, f, seed, budget)


def _second_opinion(verdict: Verification, g: sp.Expr, x: sp.Symbol, ours: sp.Expr, variables: Sequence[sp.Symbol],
                    f: sp.Expr, seed: int, budget: Budget | None) -> Verification:
    """SymEngine's derivative where numbers could not decide (no real point) or disagree: a mismatch
    stands only when it disagrees too. (Not the first oracle: it expands iterated products, and
    evaluating its derivative cost more than differentiating f by numbers in every family measured.)"""
    try:
        expected = fast.diff(g, x, budget)
    except (fast.Unconvertible, RecursionError):
        return verdict
    second = compare(ours, expected, variables, seed=seed, domain_of=f, oracle="symengine.diff", budget=budget)
    if verdict.status == "skipped" or second.status == "skipped":
        return second if verdict.status == "skipped" else verdict
    if second.status == "mismatch":
        return replace(verdict, detail=f"{verdict.detail}; SymEngine's derivative confirms it ({second.detail})")
    return replace(second, detail=f"differentiation by numbers disagreed ({verdict.detail}), but {second.detail}")


def _sympy_diff(f: sp.Expr, x: sp.Symbol) -> sp.Expr | None:
    try:
        return sp.diff(f, x)
    except (RecursionError, ValueError, TypeError, NotImplementedError):
        return None


def _confirmed(verdict: Verification, f: sp.Expr, x: sp.Symbol, ours: sp.Expr, variables: Sequence[sp.Symbol],
               seed: int, budget: Budget | None) -> Verification:
    """A mismatch stands only when differentiation by numbers disagrees with chainsym too; one found
    exactly (residues that differ, or a difference that expands to a nonzero constant) is certain,
    and 30-digit numbers cannot overrule it (1/10^40 is below their tolerance)."""
    if verdict.status != "mismatch" or verdict.method in ("exact", "expand"):
        return verdict
    second = differences(f, x, ours, variables, seed, f"{verdict.oracle} disagreed", budget)
    if second.status == "mismatch":
        return replace(verdict, detail=f"{verdict.detail}; differentiation by numbers confirms it ({second.detail})")
    if second.status == "numeric":
        return replace(second, detail=f"{verdict.oracle}'s result differs ({verdict.detail}), but {second.detail}")
    return verdict


def differences(f: sp.Expr, x: sp.Symbol, ours: sp.Expr, variables: Sequence[sp.Symbol], seed: int, reason: str,
                budget: Budget | None = None) -> Verification:
    """ours against mpmath's numerical derivative of f at random real points of f's domain."""
    g, mine = rewrite_primitives(f), rewrite_primitives(ours)
    sampler = Sampler(seed)
    found: list[dict[sp.Symbol, Any]] = []
    for _ in range(ATTEMPTS):
        point = sampler.point(variables)
        values = _real_values([mine], point, DPS, g, False, budget)
        if values is None:
            continue
        slope = _slope(g, point, {x: Fraction(1)}, DPS, budget)
        if slope is None:
            continue
        if not close(values[0], slope, DPS):
            confirmed = differ(partial(_both, mine, g, point, {x: Fraction(1)}, budget=budget))
            if confirmed is None:
                continue
            if confirmed[0]:
                mine2, again = confirmed[1]
                return Verification("mismatch", "numeric", f"{reason}; at {where(point)}: chainsym gives "
                                    f"{show(mine2)}, differentiation by numbers gives {show(again)}", DIFFERENCES,
                                    (_shown(point),), TOLERANCE_TEXT, seed)
        found.append(point)
        if len(found) == POINTS:
            break
    if not found:
        return Verification("skipped", "none", f"{reason}, and no real point was found to differentiate at",
                            DIFFERENCES, seed=seed)
    return Verification("numeric", "numeric", f"numerically at {len(found)} random real points ({reason})", DIFFERENCES,
                        tuple(_shown(p) for p in found), TOLERANCE_TEXT, seed)


def _both(mine: sp.Expr, f: sp.Expr, point: dict[sp.Symbol, Any], direction: dict[sp.Symbol, Fraction], dps: int,
          budget: Budget | None) -> list[Value] | None:
    """chainsym's value and f's numerical slope along direction, at dps digits."""
    values = _real_values([mine], point, dps, None, False, budget)
    slope = _slope(f, point, direction, dps, budget)
    return None if values is None or slope is None else [values[0], slope]


def _slope(f: sp.Expr, point: dict[sp.Symbol, Any], direction: dict[sp.Symbol, Fraction], dps: int,
           budget: Budget | None) -> Value | None:
    """d/dt f(point + t·direction) at t = 0, numerically at dps digits; None where f is not real there."""
    ctx = context(dps)
    base = {s: ctx.mpf(v.numerator) / v.denominator for s, v in point.items()}

    def along(t: Value) -> Value:
        moved = {s: base[s] + t * (ctx.mpf(d.numerator) / d.denominator) for s, d in direction.items()}
        value = evaluate_all([f], {**base, **moved}, None, real=True, budget=budget)[0]
        if is_complex(value):
            raise NotANumber("not real")
        return value

    try:
        slope = ctx.diff(along, ctx.zero)
    except (NotANumber, ZeroDivisionError, ValueError, OverflowError):
        return None
    return slope if finite(slope) and not is_complex(slope) else None


def verify_gradient(f: sp.Expr, wrt: Sequence[sp.Symbol], results: Sequence[sp.Expr],
                    variables: Sequence[sp.Symbol], limits: Limits, seed: int, budget: Budget | None = None,
                    size_hint: int | None = None) -> tuple[Verification, ...]:
    """Each component against its oracle when there are few and sympy.diff can take them; else all
    at once along random directions (for a rational function that check is exact and cheaper than
    any symbolic oracle: f is evaluated once per point, with dual numbers)."""
    size = size_hint if size_hint is not None else max(tree_sizes(list(results), limits.oracle_tree), default=0)
    large_rational = size > limits.oracle_tree and rational_only([rewrite_primitives(f)])
    if len(wrt) <= GRADIENT_BATCH and not large_rational:
        return tuple(verify_derivative(f, w, r, variables, limits, seed, budget, size_hint)
                     for w, r in zip(wrt, results, strict=False))
    verdict = directional(f, wrt, results, variables, seed, budget)
    return tuple(verdict for _ in wrt)


def directional(f: sp.Expr, wrt: Sequence[sp.Symbol], results: Sequence[sp.Expr], variables: Sequence[sp.Symbol],
                seed: int, budget: Budget | None = None) -> Verification:
    """The whole gradient: along random directions v the slope of t ↦ f(p + t·v) at 0 must equal
    Σ vᵢ·∂f/∂wᵢ(p); exact for rational functions (dual numbers), numeric otherwise. A wrong
    component changes the sum for almost every direction."""
    g = rewrite_primitives(f)
    mine = rewrite_all(results)
    sampler = Sampler(seed)
    degree = degree_bound([g, *mine]) if rational_only([g, *mine]) else None
    rational = degree is not None and degree <= MAX_PROVED_DEGREE
    prime = prime_of(seed, fingerprint([g, *mine], budget))
    what = "gradient" if len(wrt) > 1 else "derivative"
    spread = 10**9 if rational else 999  # a wrong component hides in a direction with chance ≤ 1/(2·spread)
    found: list[dict[sp.Symbol, Any]] = []
    for _ in range(ATTEMPTS):
        point = fine_point(sampler, variables) if rational else sampler.point(variables)
        direction = {w: Fraction(sampler.rng.randint(-spread, spread), spread + 1) for w in wrt} if len(wrt) > 1 else \
            {w: Fraction(1) for w in wrt}
        verdict = _exact_direction(g, mine, wrt, point, direction, budget, prime) if rational else \
            _numeric_direction(g, mine, wrt, point, direction, budget)
        if verdict is None:
            continue
        if verdict is not True:
            along = ", along a random direction" if len(wrt) > 1 else ""
            return Verification("mismatch", "exact" if rational else "numeric", f"at {where(point)}{along}: "
                                f"{verdict.format(what=what)}", DIRECTIONS, (_shown(point),),
                                "exact rational arithmetic" if rational else TOLERANCE_TEXT, seed)
        found.append(point)
        if len(found) == (EXACT_POINTS if rational else POINTS):
            break
    if not found:
        return Verification("skipped", "none", f"no point was found where f and the {what} are finite and real",
                            DIRECTIONS, seed=seed)
    how = "exactly (dual numbers over the rationals, modulo a random 62-bit prime)" if rational else \
        "numerically (mpmath.diff of f)"
    agree = "every component at once: the slope of f along a random direction equals the gradient's" \
        if len(wrt) > 1 else "f's own slope equals the derivative"
    return Verification("proved" if rational else "numeric", "exact" if rational else "numeric",
                        f"{how} at {len(found)} random points, {agree}{_chance(degree, len(wrt)) if rational else ''}",
                        DIRECTIONS,
                        tuple(_shown(p) for p in found), "exact rational arithmetic" if rational else TOLERANCE_TEXT,
                        seed)


def _chance(degree: int | None, components: int) -> str:
    """What an exact check along directions leaves to chance, per point (Schwartz–Zippel over the
    fine points; a wrong gradient can also hide in an unlucky direction)."""
    direction = " + 1/(2·10^9)" if components > 1 else ""
    return f"; a wrong answer passes each point with probability ≤ {degree}/10^14{direction}"


def _numeric_direction(g: sp.Expr, mine: list[sp.Expr], wrt: Sequence[sp.Symbol], point: dict[sp.Symbol, Any],
                       direction: dict[sp.Symbol, Fraction], budget: Budget | None) -> Literal[True] | str | None:
    values = _real_values(mine, point, DPS, g, False, budget)
    if values is None:
        return None
    slope = _slope(g, point, direction, DPS, budget)
    if slope is None:
        return None
    claimed = sum((v * direction[w].numerator / direction[w].denominator for w, v in zip(wrt, values, strict=False)), 0)
    if close(claimed, slope, DPS):
        return True

    def at(dps: int) -> list[Value] | None:
        values2 = _real_values(mine, point, dps, None, False, budget)
        again = _slope(g, point, direction, dps, budget)
        if again is None or values2 is None:
            return None
        terms = (v * direction[w].numerator / direction[w].denominator for w, v in zip(wrt, values2, strict=True))
        return [sum(terms, 0), again]

    confirmed = differ(at)
    if confirmed is None:
        return None
    if not confirmed[0]:
        return True
    return f"chainsym's {{what}} gives a slope of {show(confirmed[1][0])}, f's own slope is {show(confirmed[1][1])}"


def _exact_direction(g: sp.Expr, mine: list[sp.Expr], wrt: Sequence[sp.Symbol], point: dict[sp.Symbol, Any],
                     direction: dict[sp.Symbol, Fraction], budget: Budget | None,
                     prime: int) -> Literal[True] | str | None:
    """Σ vᵢ·∂f/∂wᵢ against f's slope along v by dual numbers, both modulo the prime (word-sized
    numbers, however long the exact fractions grow); a difference is shown exactly where it can be."""
    try:
        values = modular(mine, point, prime, budget=budget)
        slope = modular_slope(g, point, direction, prime, budget)
    except NotANumber:
        return None
    claimed = sum(v * residue(direction[w], prime) for w, v in zip(wrt, values, strict=True)) % prime
    if claimed == slope:
        return True
    try:
        values_exact = exact(mine, point, budget=budget)
        exact_claimed = sum((v * direction[w] for w, v in zip(wrt, values_exact, strict=True)), Fraction(0))
        slope_exact = exact_slope(g, point, direction, budget)
        if max(_bits(exact_claimed), _bits(slope_exact)) <= LONG_NUMBER_BITS:
            return f"chainsym's {{what}} gives a slope of {exact_claimed}, f's own slope is {slope_exact}"
    except NotANumber:
        pass
    readings = _numeric_direction(g, mine, wrt, point, direction, budget)
    differ = f"modulo the prime {prime} they are {claimed} and {slope}"
    if isinstance(readings, str):
        return f"{readings} (exact values too long to print; {differ})"
    return f"chainsym's {{what}} and f's own slope differ: {differ}"


def _bits(value: Fraction) -> int:
    return max(abs(value.numerator).bit_length(), value.denominator.bit_length())


__all__ = ["DIFFERENCES", "combine", "differences", "directional", "verify_derivative", "verify_gradient"]
