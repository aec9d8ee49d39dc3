"""Evaluate a SymPy expression at a point with mpmath, one distinct subexpression at a time.

Iterative and memoised on identity, so deep or heavily shared expressions cost no recursion
and no repeated work (SymPy's evalf and plain lambdify recurse over the tree).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import mpmath
import sympy as sp

from .walk import postorder

Value = Any  # mpmath mpf or mpc

_MP: dict[type, Callable[..., Value]] = {
    sp.sin: mpmath.sin, sp.cos: mpmath.cos, sp.tan: mpmath.tan, sp.cot: mpmath.cot,
    sp.sec: mpmath.sec, sp.csc: mpmath.csc, sp.asin: mpmath.asin, sp.acos: mpmath.acos,
    sp.atan: mpmath.atan, sp.sinh: mpmath.sinh, sp.cosh: mpmath.cosh, sp.tanh: mpmath.tanh,
    sp.asinh: mpmath.asinh, sp.acosh: mpmath.acosh, sp.atanh: mpmath.atanh,
    sp.exp: mpmath.exp, sp.log: mpmath.log, sp.Abs: abs,
    sp.erf: mpmath.erf, sp.gamma: mpmath.gamma,
}


class NotANumber(Exception):
    """The expression has no finite value at the point."""


def evaluate(expr: sp.Expr, point: Mapping[sp.Symbol, Value], dps: int | None = 30,
             real: bool = False) -> Value:
    """The value of expr at point (symbols → mpmath numbers), computed with dps digits
    (None: at mpmath's current precision, as mpmath.diff needs).

    real=True: every intermediate value must be real too, else NotANumber — a real function
    reached through a complex intermediate (|asech(x)| at x > 1) is outside the real domain.
    """
    with mpmath.workdps(dps or mpmath.mp.dps):
        dps = mpmath.mp.dps
        memo: dict[int, Value] = {}
        for sub in postorder(expr):
            value = memo[id(sub)] = _value(sub, memo, point, dps)
            if real and isinstance(value, mpmath.mpc) and abs(value.imag) > mpmath.mpf(10) ** (-dps // 2) * max(1, abs(value)):
                raise NotANumber(f"{type(sub).__name__} is not real here")
        return memo[id(expr)]


def evaluate_all(exprs: Sequence[sp.Expr], point: Mapping[sp.Symbol, Value], dps: int = 30) -> list[Value]:
    """The values of several expressions at one point, their shared subexpressions computed once
    (the components of a gradient share almost everything)."""
    roots = sp.Tuple(*exprs)  # one walk over all of them: each distinct subexpression once
    with mpmath.workdps(dps):
        memo: dict[int, Value] = {}
        for sub in postorder(roots):
            if sub is not roots:
                memo[id(sub)] = _value(sub, memo, point, dps)
        return [memo[id(e)] for e in roots.args]


def _value(sub: sp.Basic, memo: dict[int, Value], point: Mapping[sp.Symbol, Value], dps: int) -> Value:
    if isinstance(sub, sp.Symbol):
        if sub not in point:
            raise NotANumber(f"no value for {sub}")
        return point[sub]
    if isinstance(sub, sp.Rational):
        return mpmath.mpf(int(sub.p)) / int(sub.q)
    if not sub.args:
        return _via_sympy(sub, dps)  # pi, E, I, a Float
    args = [memo[id(a)] for a in sub.args]
    try:
        if isinstance(sub, sp.Add):
            return mpmath.fsum(args)
        if isinstance(sub, sp.Mul):
            return mpmath.fprod(args)
        if isinstance(sub, sp.Pow):
            base, exponent = args
            if base == 0 and mpmath.re(exponent) < 0:
                raise NotANumber("division by zero")
            return mpmath.power(base, exponent)
        fn = _MP.get(sub.func)
        if fn is not None:
            return fn(*args)
    except (ZeroDivisionError, ValueError, OverflowError) as exc:
        raise NotANumber(str(exc)) from None
    return _via_sympy(sub.func(*(_to_sympy(a) for a in args)), dps)


def _to_sympy(value: Value) -> sp.Expr:
    if isinstance(value, mpmath.mpc):
        return sp.Float(value.real) + sp.I * sp.Float(value.imag)
    return sp.Float(value)


def _via_sympy(sub: sp.Basic, dps: int) -> Value:
    """Any other SymPy function or constant, through its own evalf."""
    try:
        number = sp.N(sub, dps)
        re, im = number.as_real_imag()
        if not (re.is_Number and im.is_Number):
            raise NotANumber(f"{sub.func.__name__} has no numeric value here")
        if im == 0:
            return mpmath.mpf(re._to_mpmath(mpmath.mp.prec))  # type: ignore[attr-defined]
        return mpmath.mpc(re._to_mpmath(mpmath.mp.prec), im._to_mpmath(mpmath.mp.prec))  # type: ignore[attr-defined]
    except (TypeError, AttributeError, ValueError, ZeroDivisionError) as exc:
        raise NotANumber(str(exc)) from None


def finite(value: Value) -> bool:
    """A finite real or complex number (not nan, not ±inf)."""
    return bool(mpmath.isfinite(value)) if not isinstance(value, mpmath.mpc) else (
        bool(mpmath.isfinite(value.real)) and bool(mpmath.isfinite(value.imag)))
