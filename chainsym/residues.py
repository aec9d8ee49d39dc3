"""Rational functions evaluated exactly: as fractions, or as residues modulo a large prime.

A rational function (sums, products, integer powers of symbols and rationals) at a rational point
has an exact value; modulo a random prime its residue stays word-sized however long the fraction
grows, and equal values have equal residues. Forward-mode dual numbers give exact slopes the same
way. Any other expression is a rational function of its *parts* (function applications, roots):
parts.py evaluates it so.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import sympy as sp

from .numeric import NotANumber
from .walk import postorder
from .work import Budget

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

def prime_of(seed: int, salt: int = 0, three_mod_four: bool = False, squares: Sequence[int] = ()) -> int:
    """A prime between 2^61 and 2^62 drawn by the seed and a salt: the same question gets the same
    prime. three_mod_four: one ≡ 3 (mod 4), whose square roots are one power (b^((p+1)/4)).
    squares: positive integers that must have square roots modulo the prime (half the primes
    qualify for each, so the search is a few times longer per number)."""
    import random

    candidate = random.Random((seed << 64) | salt).getrandbits(61) | (1 << 61) | (3 if three_mod_four else 1)
    step = 4 if three_mod_four else 2
    while not (sp.isprime(candidate) and all(pow(m, (candidate - 1) // 2, candidate) == 1 for m in squares)):
        candidate += step
    return candidate


def fingerprint(exprs: Sequence[sp.Expr], budget: Budget | None = None) -> int:
    """A salt for prime_of from the expressions themselves: a SHA-256 digest of their structure,
    every number in full (one digest per distinct subexpression, so linear in the DAG). The prime
    then depends on all of what is compared, so knowing the seed is not enough to build a wrong
    answer that the prime divides (a salt from residues modulo a fixed prime was: add a multiple of
    both primes, and the residues, the salt and the prime stay the same)."""
    digests: dict[int, bytes] = {}
    roots = sp.Tuple(*exprs)
    for node in postorder(roots):
        if budget is not None:
            budget.tick()
        h = hashlib.sha256(type(node).__name__.encode())
        if isinstance(node, sp.Rational):
            h.update(f"{int(node.p):x}/{int(node.q):x}".encode())  # hex: no limit on the digits
        elif isinstance(node, sp.Float):
            h.update(repr(node._mpf_).encode())
        elif isinstance(node, sp.Symbol):
            h.update(node.name.encode("utf-8", "surrogatepass"))
        elif not node.args:
            h.update(str(node).encode())
        for arg in node.args:
            h.update(digests[id(arg)])
        digests[id(node)] = h.digest()
    return int.from_bytes(digests[id(roots)][:8], "big")


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
