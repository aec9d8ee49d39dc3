"""One verdict module: every comparison chainsym makes — its derivatives against an independent
oracle, forward mode against reverse mode, a user's claim against the derivative, matrices entry
by entry — goes through one sampler, one tolerance policy and one way to combine verdicts.

The policy (README, "What verified means"):
- identical: the difference is 0 as SymPy builds it → proved.
- rational functions: evaluated exactly at random rational points → proved ("exact"), with the
  chance that a nonzero difference of that degree vanishes at all of them.
- otherwise: numbers with DPS digits at random points, real ones (complex ones only when the
  real domain is empty); equal when |a − b| ≤ 10^-(DPS−10)·max(1, |a|, |b|); a difference is
  confirmed with twice the digits before it counts.
- points: sampling.py's, seeded by the question and salted by what is compared (the seed is
  reported), at several scales, every sign pattern first, and at the steps and kinks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from fractions import Fraction
from functools import partial
from typing import Any

import sympy as sp

from .functions import rewrite_primitives
from .identity import expanded_difference, nonzero, one_rational_function
from .model import Verification
from .numeric import NotANumber, Value, evaluate_all, finite, is_complex
from .parts import UNDEFINED_TYPES
from .residues import (
    degree_bound,
    exact,
    fingerprint,
    modular,
    prime_of,
    rational_only,
)
from .sampling import Sampler, refine
from .sizes import number_text
from .walk import contains, postorder
from .work import Budget

POINTS = 5
"""random points a sampled verdict needs"""
EXACT_POINTS = 2
"""random points an exact (modular) check needs: at each a nonzero difference of degree d ≤ 10^12
vanishes with chance ≤ d/10^14, so two leave at most 10^-4 squared, and more points only cost time
(a gradient of 400 products evaluated 5 times took 3x as long as computing it)"""
ATTEMPTS = 160
"""candidate points drawn before giving up on a domain"""
DPS = 30
TOLERANCE_TEXT = "30 digits, |Δ| ≤ 1e-20·max(1, |value|), and relatively where both sides have stable digits"
EXACT_TEXT = ""


MAX_PROVED_DEGREE = 10**12
"""past this degree an exact check at 5 points proves nothing worth the name (and a degree past the
prime lets x^(p−1) ≡ 1 fool the residues): such rational functions are compared by numbers"""


def close(a: Value, b: Value, dps: int, floor: int = 1) -> bool:
    """Equal within the policy's tolerance at dps digits: 10^-(dps−10), relative past floor (0: everywhere)."""
    return bool(abs(a - b) <= max(floor, abs(a), abs(b)) * 10.0 ** -(dps - 10))


def differ(values_at: Callable[[int], Sequence[Value] | None], floor: int = 1,
           zero: Sequence[bool] = (True, True)) -> tuple[bool, Sequence[Value]] | None:
    """A difference seen at DPS digits, confirmed: both sides again at 2·DPS and 4·DPS digits. A side
    whose digits change with the precision is ill-conditioned at this point (None: the point decides
    nothing); else (whether the sides differ at 2·DPS digits, their values). floor 0 compares
    relatively throughout (sides close absolutely, not relatively: e^-100 against 0), where a value 0
    counts only from a side that is 0 (zero[i]: 1 − tanh(x)² is 0 at x = −800 short of 700 digits)."""
    high, top = values_at(2 * DPS), values_at(4 * DPS)
    if high is None or top is None or not all(close(h, t, 2 * DPS, floor) for h, t in zip(high, top, strict=False)):
        return None
    if any(v == 0 and not z for v, z in zip(top, zero, strict=False)):
        return None
    return not close(top[0], top[1], 2 * DPS, floor), top


def _mp_point(point: dict[sp.Symbol, Any]) -> dict[sp.Symbol, Any]:
    """A sampled point for mpmath: rationals stay exact until the context converts them."""
    return {s: v if not isinstance(v, tuple) else complex(float(v[0]), float(v[1])) for s, v in point.items()}


def _real_values(exprs: Sequence[sp.Expr], point: dict[sp.Symbol, Any], dps: int, domain: sp.Expr | None = None,
                 complex_ok: bool = False, budget: Budget | None = None) -> list[Value] | None:
    """The values at point, or None when any is not finite, or not real on a real point, or when the
    point lies outside f's real domain (some part of f is not real there)."""
    try:
        if domain is not None:
            evaluate_all([domain], _mp_point(point), dps, real=not complex_ok, budget=budget)
        values = evaluate_all(list(exprs), _mp_point(point), dps, budget=budget)
    except NotANumber:
        return None
    for v in values:
        if not finite(v) or (not complex_ok and is_complex(v) and abs(v.imag) > 10.0 ** -(dps // 2)):
            return None
    return [v.real if is_complex(v) and not complex_ok else v for v in values]


def _shown(point: dict[sp.Symbol, Any]) -> tuple[tuple[str, str], ...]:
    out = []
    for s, v in point.items():
        if isinstance(v, tuple):
            out.append((s.name, f"{float(v[0]):.6g} + {float(v[1]):.6g}*I"))
        else:
            out.append((s.name, _fraction_text(v)))
    return tuple(out)


def _fraction_text(v: Fraction) -> str:
    """A sampled coordinate as a short exact decimal (samples have denominators of 10^k)."""
    text = f"{float(v):.10g}"
    if Fraction(text) == v:
        return text
    if 10**18 % v.denominator == 0:  # a fine point: its exact decimal
        whole, rest = divmod(abs(v.numerator) * (10**18 // v.denominator), 10**18)
        return f"{'-' if v < 0 else ''}{whole}.{rest:018d}".rstrip("0")
    return f"{v.numerator}/{v.denominator}"


def show(value: Value, other: Value | None = None) -> str:
    """A value with 12 significant digits, or as many more as it takes to tell it from other."""
    import mpmath

    for digits in (12, 20, 30, 45, 60):
        text = str(mpmath.nstr(value, digits))
        if other is None or text != str(mpmath.nstr(other, digits)):
            return text
    return text


def where(point: dict[sp.Symbol, Any]) -> str:
    return ", ".join(f"{name} = {value}" for name, value in _shown(point)) or "any point"


def compare(ours: sp.Expr, expected: sp.Expr, variables: Sequence[sp.Symbol], *, seed: int,
            domain_of: sp.Expr | None = None, oracle: str = "sympy.diff", names: tuple[str, str] = ("chainsym", ""),
            breakpoints: dict[sp.Symbol, tuple[Fraction, ...]] | None = None, points: int = POINTS,
            budget: Budget | None = None) -> Verification:
    """The verdict on ours == expected as functions of the variables: identical, exact at rational
    points (rational functions) or as rational functions of their parts, or numeric at random
    points, a difference confirmed."""
    left, right = rewrite_primitives(ours), rewrite_primitives(expected)
    theirs = names[1] or oracle
    undefined = contains(left, UNDEFINED_TYPES) or contains(right, UNDEFINED_TYPES)  # nan = nan is no proof
    if left == right and not undefined:
        return Verification("proved", "identical", "symbolic: identical", oracle)
    domain = rewrite_primitives(domain_of) if domain_of is not None else None
    rational = rational_only([left, right] + ([domain] if domain is not None else []))
    if not rational and not undefined:
        same = one_rational_function(left, right, seed, EXACT_POINTS, ATTEMPTS, MAX_PROVED_DEGREE, budget)
        if same is not None:
            return Verification("proved", "independent", same.text(), oracle, (), EXACT_TEXT, seed)
    difference = left - right
    if difference == 0 and not undefined:
        return Verification("proved", "identical", "symbolic: identical", oracle)
    # expand proves polynomial identities; over a denominator it seldom reaches 0 (it does not
    # combine fractions), and the exact check below decides a rational function anyway
    expanded = None if rational and _has_denominator(difference) else expanded_difference(difference)
    if expanded == 0 and not undefined:
        return Verification("proved", "expand", "symbolic: expand(difference) = 0", oracle)
    sampler = Sampler(seed, dict(breakpoints or {}), fingerprint([left, right], budget))
    if expanded is not None and expanded.is_number and nonzero(expanded):
        at = next((p for p in (sampler.point(variables) for _ in range(ATTEMPTS))
                   if _real_values([left, right], p, DPS, domain, False, budget) is not None), None)
        return Verification("mismatch", "expand", f"{names[0]} minus {theirs} is the constant "
                            f"{_brief(expanded)}, not 0 (symbolic: expand(difference))", oracle,
                            (_shown(at),) if at is not None else (), "", seed)
    if rational:
        verdict = _exact(left, right, variables, sampler, oracle, names[0], theirs, points, budget)
        if verdict is not None:
            return verdict
    for complex_ok in (False, True):
        found: list[dict[sp.Symbol, Any]] = []
        for _ in range(ATTEMPTS):
            point = sampler.point(variables, complex_ok)
            values = _real_values([left, right], point, DPS, domain, complex_ok, budget)
            if values is None:
                continue
            a, b = values
            values_at = partial(_real_values, [left, right], point, domain=domain, complex_ok=complex_ok, budget=budget)
            if not close(a, b, DPS, 0):
                absolute = not close(a, b, DPS)
                confirmed = differ(values_at) if absolute else differ(values_at, 0, (left == 0, right == 0))
                if confirmed is None and absolute:
                    continue  # ill-conditioned here: the digits change with the precision (relatively: noise)
                if confirmed is not None and confirmed[0]:
                    again = confirmed[1]
                    ours_text, theirs_text = show(again[0], again[1]), show(again[1], again[0])
                    return Verification("mismatch", "numeric", f"at {where(point)}: {names[0]} gives {ours_text}, "
                                        f"{theirs} gives {theirs_text}", oracle, (_shown(point),), TOLERANCE_TEXT, seed)
            found.append(point)
            if len(found) == points or not variables:
                break
        if found:
            kind = "complex" if complex_ok else "real"
            return Verification("numeric", "numeric", f"numerically at {len(found)} random {kind} "
                                f"point{'s' if len(found) > 1 else ''}", oracle, tuple(_shown(p) for p in found),
                                TOLERANCE_TEXT, seed)
    return Verification("skipped", "none", "no point found where both sides are finite", oracle, seed=seed)


def _has_denominator(expr: sp.Expr) -> bool:
    return any(isinstance(s, sp.Pow) and s.exp.is_negative for s in postorder(expr))


def _brief(value: sp.Expr) -> str:
    if isinstance(value, sp.Rational) and max(abs(int(value.p)).bit_length(), int(value.q).bit_length()) > 3_000:
        return str(sp.sstr(sp.N(value, 6)))  # Python will not write an int of more than 4,300 digits
    text = str(sp.sstr(value))
    return text if len(text) <= 60 else str(sp.sstr(sp.N(value, 6)))


def _differ_at(left: sp.Expr, right: sp.Expr, point: dict[sp.Symbol, Any], prime: int, budget: Budget | None) -> bool:
    try:
        a, b = modular([left, right], point, prime, budget=budget)
    except NotANumber:
        return False
    return a != b


def _exact_difference(left: sp.Expr, right: sp.Expr, point: dict[sp.Symbol, Any], prime: int, ours: str,
                      theirs: str, budget: Budget | None) -> str:
    """The two exact values where the residues differ (so the values do), or the residues when an
    exact value would be too long to compute."""
    try:
        a, b = exact([left, right], point, budget=budget)
    except NotANumber:
        r, s = modular([left, right], point, prime, budget)
        return f"{ours} and {theirs} differ: modulo the prime {prime} they are {r} and {s}"
    return f"{ours} gives {number_text(a)}, {theirs} gives {number_text(b)}"


def _exact(left: sp.Expr, right: sp.Expr, variables: Sequence[sp.Symbol], sampler: Sampler, oracle: str,
           ours: str, theirs: str, points: int, budget: Budget | None) -> Verification | None:
    """Rational functions at random rational points, exactly; None when no point is defined."""
    degree = degree_bound([left, right])
    if degree > MAX_PROVED_DEGREE:
        return None
    found: list[dict[sp.Symbol, Any]] = []
    prime = prime_of(sampler.seed, sampler.salt)
    for _ in range(ATTEMPTS):
        coarse = sampler.point(variables)
        point = refine(sampler, coarse)
        try:
            a, b = modular([left, right], point, prime, budget=budget)
        except NotANumber:
            continue
        if a != b:
            if _differ_at(left, right, coarse, prime, budget):
                point = coarse  # the same difference at a point a reader can type in
            shown = _exact_difference(left, right, point, prime, ours, theirs, budget)
            return Verification("mismatch", "exact", f"at {where(point)}: {shown}", oracle, (_shown(point),),
                                EXACT_TEXT, sampler.seed)
        found.append(point)
        if len(found) == min(points, EXACT_POINTS) or not variables:
            break
    if not found:
        return None
    chance = f"; a nonzero difference of degree ≤ {degree} would vanish at each with probability ≤ " \
             f"{degree}/10^14" if variables else ""
    return Verification("proved", "exact", f"exactly at {len(found)} random rational "
                        f"point{'s' if len(found) > 1 else ''} (modulo a random 62-bit prime){chance}", oracle,
                        tuple(_shown(p) for p in found),
                        EXACT_TEXT, sampler.seed)


RANK = {"mismatch": 0, "skipped": 1, "numeric": 2, "proved": 3}


def combine(verdicts: Sequence[Verification], what: str = "entries") -> Verification:
    """One verdict for many (a gradient's components, a matrix's entries): a mismatch if any is
    one; skipped if any could not be compared; numeric if any was only sampled; else proved."""
    if not verdicts:
        return Verification("skipped", "none", f"no {what} to compare")
    worst = min(verdicts, key=lambda v: RANK[v.status])
    n = len(verdicts)
    if len(verdicts) == 1 or worst.status == "mismatch" or all(v == worst for v in verdicts):
        return worst
    if worst.status == "skipped":
        k = sum(1 for v in verdicts if v.status == "skipped")
        return replace(worst, detail=f"{k} of {n} {what} could not be compared ({worst.detail})")
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[HOW[v.method]] = counts.get(HOW[v.method], 0) + 1
    how = ", ".join(f"{k} {method}" for method, k in sorted(counts.items(), key=lambda c: (-c[1], c[0])))
    if worst.status == "proved" and worst.method in ("identical", "expand"):
        return replace(worst, detail=f"symbolic in all {n} {what}: {how}")
    return replace(worst, detail=f"in all {n} {what} ({how})")


HOW = {"identical": "identical", "expand": "by expand", "exact": "exactly",
       "independent": "exactly", "numeric": "numerically", "none": "?"}


def breakpoints_of(exprs: Sequence[sp.Expr], variables: Sequence[sp.Symbol],
                   budget: Budget | None = None) -> dict[sp.Symbol, tuple[Fraction, ...]]:
    """Where steps and kinks switch (Heaviside, sign, abs, relu, max, min of polynomials of low degree
    in one variable): points just either side are sampled too, so a claim cannot hide a jump between
    the random points."""
    found: dict[sp.Symbol, set[Fraction]] = {}
    kinds = (sp.Heaviside, sp.sign, sp.Abs, sp.Max, sp.Min, sp.DiracDelta)
    from .functions import relu

    for sub in postorder(sp.Tuple(*exprs)):
        if budget is not None:
            budget.tick()
        if not isinstance(sub, (*kinds, relu)):
            continue
        args = sub.args if not isinstance(sub, (sp.Max, sp.Min)) else (sub.args[0] - sub.args[1],) \
            if len(sub.args) == 2 else ()
        for arg in args[:1]:
            free = [v for v in variables if arg.has(v)]
            if len(free) != 1:
                continue
            for root in _roots(arg, free[0]):
                found.setdefault(free[0], set()).add(root)
    return {v: tuple(sorted(roots)) for v, roots in found.items()}


def _roots(expr: sp.Expr, x: sp.Symbol) -> list[Fraction]:
    """Real roots of a polynomial of degree ≤ 4 with rational coefficients, as nearby rationals."""
    try:
        poly = sp.Poly(expr, x)
    except (sp.PolynomialError, sp.GeneratorsNeeded, ValueError):
        return []
    if poly.degree() < 1 or poly.degree() > 4 or not all(c.is_Rational for c in poly.all_coeffs()):
        return []
    roots = []
    for r in poly.real_roots():
        value = sp.N(r, 20)
        if value.is_Number and abs(value) < 10**12:
            roots.append(Fraction(str(value)).limit_denominator(10**9))
    return roots
