"""A derivative checked against an independent oracle, `sympy.diff`.

Symbolic first: the difference is 0 as built, or simplifies to 0 within a time bound. Else
numbers: both sides at random points of the real domain (complex if it has none), with a
stated tolerance. A disagreement is a MISMATCH: a bug in chainsym, reported, never hidden.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

import mpmath
import sympy as sp

from dataclasses import replace

from . import bounded, fast
from .functions import rewrite_primitives
from .limits import DEFAULT_LIMITS, Limits
from .model import Verification
from .numeric import NotANumber, Value, evaluate, evaluate_all, finite
from .walk import tree_size

FAST_TREE = 30
"""with SymEngine installed, it is the oracle for expressions whose tree is larger than this (on
small ones sympy.diff is quick and its results read like chainsym's, so proofs stay symbolic)"""
POINTS = 5
"""random points a numeric check needs"""
ATTEMPTS = 80
"""candidate points drawn before giving up on a domain"""
DPS = 30
RELATIVE_TOLERANCE = mpmath.mpf("1e-12")
TOLERANCE_TEXT = "|Δ| ≤ 1e-12·max(1, |value|) at 30 digits"
_INTERVALS = ((0.1, 0.9), (-0.9, -0.1), (1.1, 3.0), (-3.0, -1.1))


def oracle(expr: sp.Expr, wrt: sp.Symbol, seconds: float) -> sp.Expr:
    """sympy.diff(expr, wrt) with chainsym's own functions spelled in SymPy's; may raise Timeout."""
    return bounded.run(lambda: sp.diff(rewrite_primitives(expr), wrt), seconds)


def verify(expr: sp.Expr, wrt: sp.Symbol, claimed: sp.Expr, variables: Sequence[sp.Symbol],
           limits: Limits = DEFAULT_LIMITS) -> Verification:
    """Compare claimed with sympy.diff(expr, wrt): proved, numeric, mismatch or skipped.

    When sympy.diff does not finish in time, central differences of expr are the oracle.
    """
    large = tree_size(expr, FAST_TREE) > FAST_TREE
    if large:
        verdict = _symengine(expr, wrt, claimed, variables, limits)
        if verdict is not None:
            return verdict
    if tree_size(expr, limits.oracle_tree) > limits.oracle_tree:
        reason = f"f's expression tree has more than {limits.oracle_tree} nodes, too many for sympy.diff"
        return differences(expr, wrt, claimed, variables, reason)
    try:
        expected = oracle(expr, wrt, limits.verify_seconds)
    except bounded.Unavailable as exc:
        verdict = None if large else _symengine(expr, wrt, claimed, variables, limits)
        if verdict is not None:
            return verdict
        reason = (f"sympy.diff did not finish within {limits.verify_seconds:g} s" if isinstance(exc, bounded.Timeout)
                  else f"sympy.diff failed ({str(exc)[:60]})")
        return differences(expr, wrt, claimed, variables, reason)
    return compare(claimed, expected, variables, limits, expr)


def _symengine(expr: sp.Expr, wrt: sp.Symbol, claimed: sp.Expr, variables: Sequence[sp.Symbol],
               limits: Limits) -> Verification | None:
    """The verdict with SymEngine's diff as the oracle, or None where it is not installed or cannot say."""
    if not fast.available():
        return None
    try:
        expected = bounded.run(lambda: fast.diff(rewrite_primitives(expr), wrt), limits.verify_seconds)
    except (fast.Unconvertible, bounded.Unavailable, RecursionError):
        return None  # an operation SymEngine lacks, or too slow: SymPy's oracle, then differences
    return replace(compare(claimed, expected, variables, limits, expr), oracle="symengine.diff")


GRADIENT_TOLERANCE = 1e-9
GRADIENT_TOLERANCE_TEXT = "|Δ| ≤ 1e-9·max(1, |value|); SymEngine evaluates in double precision, chainsym at 30 digits"


def verify_gradient(expr: sp.Expr, wrt: Sequence[sp.Symbol], results: Sequence[sp.Expr],
                    variables: Sequence[sp.Symbol], limits: Limits = DEFAULT_LIMITS) -> tuple[Verification, ...] | None:
    """Every component of a gradient at once, at random real points, chainsym's components
    evaluated over their shared DAG. The oracle: SymEngine's derivatives compiled together where
    it is installed (double precision), else sympy.diff per variable within the time bound (30
    digits; no simplify per component: many components would spend its bound many times).
    None where neither oracle can answer (the caller then verifies component by component)."""
    f = rewrite_primitives(expr)
    oracle = _symengine_gradient(f, wrt, variables, limits) or _sympy_gradient(f, wrt, limits)
    if oracle is None:
        return None
    name, values_at, tolerance, tolerance_text = oracle
    ours = list(rewrite_primitives(sp.Tuple(*results)).args)  # one walk over the shared DAG
    rng = random.Random(20261122)
    found: list[dict[sp.Symbol, Value]] = []
    for _ in range(ATTEMPTS):
        point = draw(rng, variables, "real")
        try:
            expected = values_at(point)
            values = evaluate_all(ours, point, DPS)
        except (NotANumber, ZeroDivisionError, OverflowError, ValueError):
            continue
        if not all(finite(e) and not isinstance(e, mpmath.mpc) for e in expected):
            continue
        for w, a, b in zip(wrt, values, expected):
            if not finite(a) or abs(a - b) > tolerance * max(1, abs(a), abs(b)):
                where = ", ".join(f"{s} = {_show(v)}" for s, v in point.items())
                bad = Verification("mismatch", "numeric", f"at {where}: chainsym gives {_show(a)} for ∂/∂{w}, "
                                   f"{name} gives {_show(b)}", oracle=name, points=(_shown(point),),
                                   tolerance=tolerance_text)
                return tuple(bad for _ in wrt)
        found.append(point)
        if len(found) == POINTS:
            break
    if not found:
        return None
    ok = Verification("numeric", "numeric", f"every component equal at {len(found)} random real points",
                      oracle=name, points=tuple(_shown(p) for p in found), tolerance=tolerance_text)
    return tuple(ok for _ in wrt)


Oracle = tuple[str, "Callable[[dict[sp.Symbol, Value]], list[Value]]", float, str]


def _symengine_gradient(f: sp.Expr, wrt: Sequence[sp.Symbol], variables: Sequence[sp.Symbol],
                        limits: Limits) -> Oracle | None:
    if not fast.available():
        return None
    try:
        compiled = bounded.run(lambda: fast.gradient_function(f, wrt, variables), limits.verify_seconds)
    except (fast.Unconvertible, bounded.Unavailable, RecursionError):
        return None

    def values_at(point: dict[sp.Symbol, Value]) -> list[Value]:
        return [mpmath.mpf(v) if math.isfinite(v) else mpmath.inf for v in compiled([float(point[v]) for v in variables])]

    return "symengine.diff", values_at, GRADIENT_TOLERANCE, GRADIENT_TOLERANCE_TEXT


def _sympy_gradient(f: sp.Expr, wrt: Sequence[sp.Symbol], limits: Limits) -> Oracle | None:
    if tree_size(f, limits.oracle_tree) > limits.oracle_tree:
        return None
    try:
        derivatives = bounded.run(lambda: [sp.diff(f, w) for w in wrt], limits.verify_seconds)
    except bounded.Unavailable:
        return None
    return "sympy.diff", (lambda point: evaluate_all(derivatives, point, DPS)), float(RELATIVE_TOLERANCE), TOLERANCE_TEXT


def compare(ours: sp.Expr, expected: sp.Expr, variables: Sequence[sp.Symbol], limits: Limits,
            domain_of: sp.Expr | None = None) -> Verification:
    """Verdict on ours == expected: symbolic within the time bound, else at random points."""
    ours = rewrite_primitives(ours)
    difference = ours - expected
    if difference == 0:
        return Verification("proved", "identical", "the difference is 0 as built")
    if tree_size(difference, limits.simplify_ops) <= limits.simplify_ops:
        try:
            if bounded.run(lambda: sp.simplify(difference), limits.simplify_seconds) == 0:
                return Verification("proved", "simplify", "simplify(chainsym − oracle) = 0")
        except bounded.Unavailable:
            pass
    return numeric(ours, expected, variables, domain_of)


def numeric(ours: sp.Expr, expected: sp.Expr, variables: Sequence[sp.Symbol],
            domain_of: sp.Expr | None = None) -> Verification:
    """Compare at POINTS random points where everything is finite: real ones, else complex."""
    rng = random.Random(20261122)
    exprs = [ours, expected] + ([rewrite_primitives(domain_of)] if domain_of is not None else [])  # f last
    for kind in ("real", "complex"):
        found: list[dict[sp.Symbol, Value]] = []
        for _ in range(ATTEMPTS):
            point = draw(rng, variables, kind)
            values = _values(exprs, point, kind)
            if values is None:
                continue
            a, b = values[0], values[1]
            if abs(a - b) > RELATIVE_TOLERANCE * max(1, abs(a), abs(b)):
                where = ", ".join(f"{s} = {_show(v)}" for s, v in point.items()) or "any point"
                return Verification(
                    "mismatch", "numeric",
                    f"at {where}: chainsym gives {_show(a)}, sympy.diff gives {_show(b)}",
                    points=(_shown(point),), tolerance=TOLERANCE_TEXT)
            found.append(point)
            if len(found) == POINTS or not variables:
                break
        if found:
            return Verification(
                "numeric", "numeric",
                f"equal at {len(found)} random {kind} point{'s' if len(found) > 1 else ''}",
                points=tuple(_shown(p) for p in found), tolerance=TOLERANCE_TEXT)
    return Verification("skipped", "none", "no point found where both sides are finite")


FD_TOLERANCE = mpmath.mpf("1e-8")
FD_ORACLE = "central differences (mpmath.diff)"


def differences(expr: sp.Expr, wrt: sp.Symbol, claimed: sp.Expr, variables: Sequence[sp.Symbol],
                reason: str) -> Verification:
    """Compare claimed with numeric differentiation of expr at random real points."""
    rng = random.Random(20261122)
    f, ours = rewrite_primitives(expr), rewrite_primitives(claimed)
    found: list[dict[sp.Symbol, Value]] = []
    for _ in range(ATTEMPTS):
        point = draw(rng, variables, "real")
        values = _values([f, ours], point, "real")
        if values is None:
            continue
        try:
            with mpmath.workdps(DPS):
                slope = mpmath.diff(lambda t: evaluate(f, {**point, wrt: t}, None), point.get(wrt, 0))
        except (NotANumber, ZeroDivisionError, OverflowError, ValueError):
            continue
        if not finite(slope) or isinstance(slope, mpmath.mpc):
            continue
        a = values[1]
        if abs(a - slope) > FD_TOLERANCE * max(1, abs(a), abs(slope)):
            where = ", ".join(f"{s} = {_show(v)}" for s, v in point.items())
            return Verification("mismatch", "numeric",
                                f"{reason}; at {where}: chainsym gives {_show(a)}, central differences give {_show(slope)}",
                                oracle=FD_ORACLE, points=(_shown(point),), tolerance=FD_TOLERANCE_TEXT)
        found.append(point)
        if len(found) == POINTS:
            break
    if not found:
        return Verification("skipped", "none", f"{reason}, and no real point was found for central differences",
                            oracle=FD_ORACLE)
    return Verification("numeric", "numeric", f"{reason}; equal at {len(found)} random real points",
                        oracle=FD_ORACLE, points=tuple(_shown(p) for p in found), tolerance=FD_TOLERANCE_TEXT)


FD_TOLERANCE_TEXT = "|Δ| ≤ 1e-8·max(1, |value|), differences taken at 30 digits"
DIRECTIONAL_ORACLE = "central differences along random directions (mpmath.diff)"


def directional(expr: sp.Expr, wrt: Sequence[sp.Symbol], results: Sequence[sp.Expr],
                variables: Sequence[sp.Symbol], reason: str) -> tuple[Verification, ...]:
    """The whole gradient against central differences of f along random directions v: the slope of
    t ↦ f(p + t·v) at 0 must equal Σ ∂f/∂wᵢ · vᵢ. Two evaluations of f per point, whatever the
    number of components (a gradient check as deep-learning code does it); a wrong component
    changes the sum for almost every direction."""
    f = rewrite_primitives(expr)
    ours = list(rewrite_primitives(sp.Tuple(*results)).args)
    rng = random.Random(20261122)
    found: list[dict[sp.Symbol, Value]] = []
    for _ in range(ATTEMPTS):
        point = draw(rng, variables, "real")
        direction = {w: mpmath.mpf(f"{rng.uniform(-1, 1):.4f}") for w in wrt}
        try:
            values = evaluate_all(ours, point, DPS)
            with mpmath.workdps(DPS):
                slope = mpmath.diff(lambda t: evaluate(
                    f, {**point, **{w: point.get(w, 0) + t * direction[w] for w in wrt}}, None), 0)
        except (NotANumber, ZeroDivisionError, OverflowError, ValueError):
            continue
        if not finite(slope) or isinstance(slope, mpmath.mpc) or not all(finite(v) for v in values):
            continue
        claimed = mpmath.fsum(v * direction[w] for w, v in zip(wrt, values))
        if abs(claimed - slope) > FD_TOLERANCE * max(1, abs(claimed), abs(slope)):
            where = ", ".join(f"{s} = {_show(v)}" for s, v in point.items())
            bad = Verification("mismatch", "numeric", f"{reason}; at {where}, along a random direction chainsym's "
                               f"gradient gives a slope of {_show(claimed)}, central differences {_show(slope)}",
                               oracle=DIRECTIONAL_ORACLE, points=(_shown(point),), tolerance=FD_TOLERANCE_TEXT)
            return tuple(bad for _ in wrt)
        found.append(point)
        if len(found) == POINTS:
            break
    if not found:
        skipped = Verification("skipped", "none", f"{reason}, and no real point was found for differences",
                               oracle=DIRECTIONAL_ORACLE)
        return tuple(skipped for _ in wrt)
    ok = Verification("numeric", "numeric", f"{reason}; directional derivatives equal at {len(found)} random real "
                      "points", oracle=DIRECTIONAL_ORACLE, points=tuple(_shown(p) for p in found),
                      tolerance=FD_TOLERANCE_TEXT)
    return tuple(ok for _ in wrt)


def draw(rng: random.Random, variables: Sequence[sp.Symbol], kind: str) -> dict[sp.Symbol, Value]:
    point: dict[sp.Symbol, Value] = {}
    for symbol in variables:
        low, high = rng.choice(_INTERVALS)
        real = mpmath.mpf(f"{rng.uniform(low, high):.4f}")
        point[symbol] = real if kind == "real" else mpmath.mpc(real, mpmath.mpf(f"{rng.uniform(-1, 1):.4f}"))
    return point


def _values(exprs: Sequence[sp.Expr], point: dict[sp.Symbol, Value], kind: str) -> list[Value] | None:
    """The values at point, or None if any is not finite (or not real, for a real point)."""
    try:  # the last expression, f itself, fixes the domain: on a real point all its parts are real
        values = [evaluate(e, point, DPS, real=(kind == "real" and i == len(exprs) - 1))
                  for i, e in enumerate(exprs)]
    except (NotANumber, ZeroDivisionError, OverflowError, ValueError):
        return None
    for v in values:
        if not finite(v):
            return None
        if kind == "real" and isinstance(v, mpmath.mpc) and abs(v.imag) > 1e-20:
            return None
    return values


def _show(value: Value) -> str:
    return mpmath.nstr(value, 12)


def _shown(point: dict[sp.Symbol, Value]) -> tuple[tuple[str, str], ...]:
    return tuple((str(s), _show(v)) for s, v in point.items())
