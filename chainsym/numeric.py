"""Evaluate a SymPy expression at a point, one distinct subexpression at a time.

Iterative and memoised on identity, so deep or heavily shared expressions cost no recursion and
no repeated work (SymPy's evalf and plain lambdify recurse over the tree). Numbers come from an
mpmath context private to the calling thread, never from mpmath's global one: a thread or a
server beside chainsym keeps its own precision. Rational functions at rational points are also
evaluated exactly (`exact`), with Python's fractions.
"""

from __future__ import annotations

import math
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
            if abs(exponent) > HUGE_EXPONENT and abs(base) != 1:
                raise NotANumber("a power too large to evaluate")  # mpmath would build the exponent as an integer
            return ctx.power(base, exponent)
        fn = FUNCTIONS.get(sub.func)
        if fn is None:
            raise NotANumber(f"{sub.func.__name__} cannot be evaluated")
        return fn(ctx, *args)
    except (ZeroDivisionError, ValueError, OverflowError, TypeError) as exc:
        raise NotANumber(str(exc)) from None


HUGE_EXPONENT = 2**40
"""a power with a larger exponent (its value beyond 10^(10^11), or below its reciprocal) is no
number here: mpmath turns an integer-valued exponent into an exact integer, which runs without end"""


def finite(value: Value) -> bool:
    """A finite real or complex number (not nan, not ±inf)."""
    if is_complex(value):
        return bool(mpmath.isfinite(value.real)) and bool(mpmath.isfinite(value.imag))
    return bool(mpmath.isfinite(value))


# --- exact evaluation of rational functions ----------------------------------------------------

def rational_only(exprs: Sequence[sp.Expr]) -> bool:
    """Whether every subexpression is a rational number, a symbol, a sum, a product or an integer power."""
    for sub in postorder(sp.Tuple(*exprs)):
        if isinstance(sub, (sp.Symbol, sp.Rational, sp.Add, sp.Mul, sp.Tuple)):
            continue
        if isinstance(sub, sp.Pow) and isinstance(sub.exp, sp.Integer):
            continue
        return False
    return True


def degree_bound(exprs: Sequence[sp.Expr]) -> int:
    """A bound on the total degree of numerator and denominator of rational functions (for the
    chance that a nonzero one vanishes at a random point: at most degree / number of choices)."""
    degree: dict[int, int] = {}
    for sub in postorder(sp.Tuple(*exprs)):
        args = [degree[id(a)] for a in sub.args]
        if isinstance(sub, sp.Symbol):
            degree[id(sub)] = 1
        elif isinstance(sub, (sp.Add, sp.Mul)):
            degree[id(sub)] = sum(args)
        elif isinstance(sub, sp.Pow):
            degree[id(sub)] = args[0] * abs(int(sub.exp))
        else:
            degree[id(sub)] = sum(args)
    return max((degree[id(e)] for e in exprs), default=0) * 2


class _Rationals:
    """Exact fractions, refused past max_bits (a power by its estimate, before it is computed)."""

    def __init__(self, max_bits: float) -> None:
        self.max_bits = max_bits

    def of(self, value: Fraction) -> Fraction:
        return value

    def reduce(self, value: Fraction) -> Fraction:
        if max(value.numerator.bit_length(), value.denominator.bit_length()) > self.max_bits:
            raise NotANumber("an exact intermediate value grew too long")
        return value

    def power(self, base: Fraction, n: int) -> Fraction:
        if max(base.numerator.bit_length(), base.denominator.bit_length()) * abs(n) > self.max_bits:
            raise NotANumber("an exact power would be too long")
        return base**n


class _Residues:
    """Residues modulo a prime: word-sized however long the exact values grow."""

    def __init__(self, prime: int) -> None:
        self.prime = prime

    def of(self, value: Fraction) -> int:
        return residue(value, self.prime)

    def reduce(self, value: int) -> int:
        return value % self.prime

    def power(self, base: int, n: int) -> int:
        return pow(base, n, self.prime)


Field = _Rationals | _Residues


def _values(exprs: Sequence[sp.Expr], point: Mapping[sp.Symbol, Fraction], field: Field,
            budget: Budget | None) -> list[Any]:
    """Rational functions (rational_only) at a rational point, in field, each distinct
    subexpression once; NotANumber at a pole, or where field refuses a value."""
    memo: dict[int, Any] = {}
    roots = sp.Tuple(*exprs)
    for sub in postorder(roots):
        if sub is roots:
            continue
        if budget is not None:
            budget.tick()
        v: Any
        if isinstance(sub, sp.Symbol):
            if sub not in point:
                raise NotANumber(f"no value for {sub}")
            v = field.of(point[sub])
        elif isinstance(sub, sp.Rational):
            v = field.of(Fraction(int(sub.p), int(sub.q)))
        elif isinstance(sub, sp.Add):
            v = sum(memo[id(a)] for a in sub.args)
        elif isinstance(sub, sp.Mul):
            v = math.prod(memo[id(a)] for a in sub.args)
        elif isinstance(sub, sp.Pow):  # an integer power (rational_only)
            base, n = memo[id(sub.args[0])], int(sub.args[1])
            if base == 0 and n < 0:
                raise NotANumber("division by zero")
            v = field.power(base, n)
        else:
            raise NotANumber(f"{type(sub).__name__} is not part of a rational function")
        memo[id(sub)] = field.reduce(v)
    return [memo[id(e)] for e in roots.args]


def _slope(expr: sp.Expr, point: Mapping[sp.Symbol, Fraction], direction: Mapping[sp.Symbol, Fraction],
           field: Field, budget: Budget | None) -> Any:
    """The slope of a rational function along direction at point, in field: forward evaluation
    with dual numbers a + b·ε (ε² = 0), independent of any derivative rule."""
    memo: dict[int, tuple[Any, Any]] = {}
    for sub in postorder(expr):
        if budget is not None:
            budget.tick()
        if isinstance(sub, sp.Symbol):
            if sub not in point:
                raise NotANumber(f"no value for {sub}")
            memo[id(sub)] = (field.of(point[sub]), field.of(direction.get(sub, Fraction(0))))
            continue
        if isinstance(sub, sp.Rational):
            memo[id(sub)] = (field.of(Fraction(int(sub.p), int(sub.q))), field.of(Fraction(0)))
            continue
        parts = [memo[id(a)] for a in sub.args]
        if isinstance(sub, sp.Add):
            a, b = sum(p[0] for p in parts), sum(p[1] for p in parts)
        elif isinstance(sub, sp.Mul):
            a, b = field.of(Fraction(1)), field.of(Fraction(0))
            for pa, pb in parts:
                a, b = field.reduce(a * pa), field.reduce(a * pb + b * pa)
        elif isinstance(sub, sp.Pow):  # (a + bε)^n = a^n + n·a^(n−1)·b·ε
            (base, tangent), n = parts[0], int(sub.args[1])
            if base == 0 and n < 1:
                raise NotANumber("division by zero")
            power = field.power(base, n - 1)
            a, b = power * base, n * power * tangent
        else:
            raise NotANumber(f"{type(sub).__name__} is not part of a rational function")
        memo[id(sub)] = (field.reduce(a), field.reduce(b))
    return memo[id(expr)][1]


def exact(exprs: Sequence[sp.Expr], point: Mapping[sp.Symbol, Fraction], max_digits: int = 4000,
          budget: Budget | None = None) -> list[Fraction]:
    """Rational functions (rational_only) at a rational point, exactly; NotANumber at a pole or
    when an intermediate number grows past max_digits."""
    return _values(exprs, point, _Rationals(max_digits * 3.33), budget)


def exact_slope(expr: sp.Expr, point: Mapping[sp.Symbol, Fraction], direction: Mapping[sp.Symbol, Fraction],
                budget: Budget | None = None) -> Fraction:
    """The exact slope of a rational function along direction (dual numbers over the rationals),
    for showing a difference; NotANumber past 20,000 bits."""
    return Fraction(_slope(expr, point, direction, _Rationals(20_000), budget))


# --- rational functions modulo a prime --------------------------------------------------------

def prime_of(seed: int, salt: int = 0) -> int:
    """A prime between 2^61 and 2^62 drawn by the seed and a salt: the same question gets the same
    prime."""
    import random

    candidate = random.Random((seed << 64) | salt).getrandbits(61) | (1 << 61) | 1
    while not sp.isprime(candidate):
        candidate += 2
    return candidate


MERSENNE_61 = 2**61 - 1


def fingerprint(exprs: Sequence[sp.Expr], variables: Sequence[sp.Symbol], budget: Budget | None = None) -> int:
    """A salt for prime_of from the expressions themselves (their residues at a fixed point, modulo
    a fixed prime): the prime then depends on what is compared, so knowing the seed is not enough
    to build a wrong answer that is a multiple of it. 0 where the fixed point is a pole."""
    point = {v: Fraction(i + 2, 2 * i + 5) for i, v in enumerate(variables)}
    try:
        residues = modular(exprs, point, MERSENNE_61, budget)
    except NotANumber:
        return 0
    salt = 0
    for r in residues:
        salt = (salt * 1_000_003 + r) % MERSENNE_61
    return salt


def residue(value: Fraction, prime: int) -> int:
    """value modulo prime; NotANumber when its denominator is a multiple of the prime."""
    if value.denominator % prime == 0:
        raise NotANumber("a denominator is a multiple of the prime")
    return value.numerator * pow(value.denominator, -1, prime) % prime


def modular(exprs: Sequence[sp.Expr], point: Mapping[sp.Symbol, Fraction], prime: int,
            budget: Budget | None = None) -> list[int]:
    """Rational functions (rational_only) at a rational point, modulo prime: the residue of each
    exact value, in word-sized numbers however long the exact values grow (their fractions can
    have thousands of digits). Equal rationals have equal residues; unequal ones almost always
    differ (the prime is random and large). NotANumber where a denominator vanishes modulo the
    prime (at every pole, and by chance elsewhere)."""
    return _values(exprs, point, _Residues(prime), budget)


def modular_slope(expr: sp.Expr, point: Mapping[sp.Symbol, Fraction], direction: Mapping[sp.Symbol, Fraction],
                  prime: int, budget: Budget | None = None) -> int:
    """The slope of a rational function along direction at point, modulo prime (dual numbers)."""
    return int(_slope(expr, point, direction, _Residues(prime), budget))
