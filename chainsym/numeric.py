"""Evaluate a SymPy expression at a point, one distinct subexpression at a time.

Iterative and memoised on identity, so deep or heavily shared expressions cost no recursion and
no repeated work (SymPy's evalf and plain lambdify recurse over the tree). Numbers come from an
mpmath context private to the calling thread, never from mpmath's global one: a thread or a
server beside chainsym keeps its own precision. Exact evaluation (fractions, residues modulo a
prime) is in residues.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from .functions import relu, sigmoid, softplus
from .walk import postorder
from .work import Budget

Value = Any  # an mpmath mpf or mpc of the evaluating context


class NotANumber(Exception):
    """The expression has no finite value at the point."""


_local = threading.local()


def context(dps: int | None) -> Any:
    """This thread's own mpmath context, at dps digits (None: at its current precision, as inside
    its own numerical differentiation)."""
    ctx = getattr(_local, "ctx", None)
    if ctx is None:
        ctx = _local.ctx = mpmath.MPContext()
    if dps is not None:
        ctx.dps = dps
    return ctx


def _step(ctx: Any, z: Value, at_zero: Value) -> Value:
    if z > 0:
        return ctx.one
    return ctx.zero if z < 0 else at_zero


def _delta(ctx: Any, z: Value) -> Value:
    if z == 0:
        raise NotANumber("δ(0)")
    return ctx.zero


def is_complex(z: Value) -> bool:
    """A number with an imaginary part (from any mpmath context: each has its own number types)."""
    return hasattr(z, "_mpc_")


MAX_POLYGAMMA = 200
"""the highest order of polygamma evaluated (mpmath's cost grows with the order: ψ⁽¹⁰⁰⁰⁰⁰⁰⁾ takes minutes)"""


def _small_order(n: Value) -> Value:
    if is_complex(n) or not 0 <= n <= MAX_POLYGAMMA:
        raise NotANumber(f"polygamma of order {n} is not evaluated (above {MAX_POLYGAMMA})")
    return n


def _real(z: Value) -> Value:
    if is_complex(z):
        if z.imag:
            raise NotANumber("a comparison of complex numbers")
        return z.real
    return z


FUNCTIONS: dict[type, Callable[..., Value]] = {
    **{f: (lambda name: lambda ctx, *a: getattr(ctx, name)(*a))(f.__name__) for f in (
        sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc, sp.asin, sp.acos, sp.atan, sp.acot, sp.asec,
        sp.acsc, sp.sinh, sp.cosh, sp.tanh, sp.coth, sp.sech, sp.csch, sp.asinh, sp.acosh, sp.atanh,
        sp.acoth, sp.asech, sp.acsch, sp.exp, sp.log, sp.erf, sp.gamma)},
    sp.atan2: lambda ctx, y, x: ctx.atan2(_real(y), _real(x)),  # the quadrant angle of a real point only
    sp.polygamma: lambda ctx, n, z: ctx.polygamma(_small_order(n), z),
    sp.Abs: lambda ctx, z: abs(z),
    sp.sign: lambda ctx, z: ctx.sign(_real(z)),
    sp.Heaviside: lambda ctx, z, h=None: _step(ctx, _real(z), ctx.mpf(0.5) if h is None else h),
    sp.DiracDelta: lambda ctx, z, *order: _delta(ctx, _real(z)),
    sp.Max: lambda ctx, *a: max(_real(v) for v in a),
    sp.Min: lambda ctx, *a: min(_real(v) for v in a),
    sp.factorial: lambda ctx, z: ctx.gamma(z + 1),
    sp.loggamma: lambda ctx, z: ctx.loggamma(z),
    sp.re: lambda ctx, z: ctx.re(z),
    sp.im: lambda ctx, z: ctx.im(z),
    sigmoid: lambda ctx, z: 1 / (1 + ctx.exp(-z)),
    relu: lambda ctx, z: max(_real(z), ctx.zero),
    softplus: lambda ctx, z: ctx.log(1 + ctx.exp(z)),
}
CONSTANTS: dict[sp.Basic, Callable[[Any], Value]] = {
    sp.pi: lambda ctx: +ctx.pi, sp.E: lambda ctx: +ctx.e, sp.I: lambda ctx: ctx.mpc(0, 1),
    sp.EulerGamma: lambda ctx: +ctx.euler, sp.Catalan: lambda ctx: +ctx.catalan,
    sp.GoldenRatio: lambda ctx: +ctx.phi,
}


def evaluate(expr: sp.Expr, point: Mapping[sp.Symbol, Value], dps: int | None = 30, *, real: bool = False,
             budget: Budget | None = None) -> Value:
    """The value of expr at point (symbols → numbers), with dps digits in this thread's context.

    real=True: every intermediate value must be real too, else NotANumber — a real function
    reached through a complex intermediate (|asech(x)| at x > 1) is outside the real domain.
    """
    return evaluate_all([expr], point, dps, real=real, budget=budget)[0]


def evaluate_all(exprs: Sequence[sp.Expr], point: Mapping[sp.Symbol, Value], dps: int | None = 30, *,
                 real: bool = False, budget: Budget | None = None) -> list[Value]:
    """The values of several expressions at one point, their shared subexpressions computed once
    (the components of a gradient share almost everything)."""
    ctx = context(dps)
    values = {s: ctx.convert(v) if not isinstance(v, Fraction) else ctx.mpf(v.numerator) / v.denominator
              for s, v in point.items()}
    memo: dict[int, Value] = {}
    roots = sp.Tuple(*exprs)
    tiny = ctx.mpf(10) ** (-ctx.dps // 2)
    for sub in postorder(roots):
        if sub is roots:
            continue
        if budget is not None:
            budget.tick()
        value = memo[id(sub)] = _value(ctx, sub, memo, values)
        if real and is_complex(value) and abs(value.imag) > tiny * max(1, abs(value)):
            raise NotANumber(f"{type(sub).__name__} is not real here")
    return [memo[id(e)] for e in roots.args]


def _value(ctx: Any, sub: sp.Basic, memo: dict[int, Value], point: Mapping[sp.Symbol, Value]) -> Value:
    if isinstance(sub, sp.Symbol):
        if sub not in point:
            raise NotANumber(f"no value for {sub}")
        return point[sub]
    if isinstance(sub, sp.Rational):
        return ctx.mpf(int(sub.p)) / int(sub.q)
    if isinstance(sub, sp.Float):
        return ctx.mpf(sub._mpf_)
    if not sub.args:
        constant = CONSTANTS.get(sub)
        if constant is None:
            raise NotANumber(f"{sub} has no numeric value")
        return constant(ctx)
    args = [memo[id(a)] for a in sub.args]
    try:
        if isinstance(sub, sp.Add):
            return ctx.fsum(args)
        if isinstance(sub, sp.Mul):
            return ctx.fprod(args)
        if isinstance(sub, sp.Pow):
            base, exponent = args
            if base == 0 and ctx.re(exponent) < 0:
                raise NotANumber("division by zero")
            if abs(exponent) > HUGE_EXPONENT and (abs(base) != 1 or ctx.mag(exponent) > MAX_MAGNITUDE):
                raise NotANumber("a power too large to evaluate")  # mpmath would build the exponent as an integer
            return ctx.power(base, exponent)
        fn = FUNCTIONS.get(sub.func)
        if fn is None:
            raise NotANumber(f"{sub.func.__name__} cannot be evaluated")
        if sub.func not in BOUNDLESS and any(ctx.mag(a) > MAX_MAGNITUDE for a in args):
            raise NotANumber(f"{sub.func.__name__} of a number above 2^{MAX_MAGNITUDE}")
        return fn(ctx, *args)
    except (ZeroDivisionError, ValueError, OverflowError, TypeError) as exc:
        raise NotANumber(str(exc)) from None


MAX_MAGNITUDE = 4096
"""a function's argument above 2^this (about 10^1233) is no number here: exp, sin and their kin reduce
it with as many bits of ln 2 or π, so exp(exp(exp(x))) at x = 3 ran for minutes (and so would
(−1)^z, a rotation by z·π)"""
BOUNDLESS = frozenset({sp.Abs, sp.sign, sp.Heaviside, sp.DiracDelta, sp.Max, sp.Min, sp.re, sp.im, relu})
"""functions whose cost does not grow with their argument's size"""
HUGE_EXPONENT = 2**40
"""a power with a larger exponent (its value beyond 10^(10^11), or below its reciprocal) is no
number here: mpmath turns an integer-valued exponent into an exact integer, which runs without end"""


def finite(value: Value) -> bool:
    """A finite real or complex number (not nan, not ±inf)."""
    if is_complex(value):
        return bool(mpmath.isfinite(value.real)) and bool(mpmath.isfinite(value.imag))
    return bool(mpmath.isfinite(value))
