"""Rational functions evaluated exactly: as fractions, or as residues modulo a large prime.

A rational function (sums, products, integer powers of symbols and rationals) at a rational point
has an exact value; modulo a random prime its residue stays word-sized however long the fraction
grows, and equal values have equal residues. Forward-mode dual numbers give exact slopes the same
way. Any other expression is a rational function of its *parts* (function applications, roots)
taken as independent variables: equal as such, the two sides are equal functions (verdict.py).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

from .numeric import NotANumber
from .walk import postorder, tree_size
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

def prime_of(seed: int, salt: int = 0, three_mod_four: bool = False) -> int:
    """A prime between 2^61 and 2^62 drawn by the seed and a salt: the same question gets the same
    prime. three_mod_four: one ≡ 3 (mod 4), whose square roots are one power (b^((p+1)/4))."""
    import random

    candidate = random.Random((seed << 64) | salt).getrandbits(61) | (1 << 61) | (3 if three_mod_four else 1)
    step = 4 if three_mod_four else 2
    while not sp.isprime(candidate):
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


# --- rational functions of independent parts, modulo a prime --------------------------------------

UNDEFINED = (sp.nan, sp.zoo, sp.oo, -sp.oo)
"""values that are no number: a part equal to one of them is never taken as a variable"""
UNDEFINED_TYPES = tuple(type(u) for u in UNDEFINED)
MAX_RADICALS = 3
"""square roots of non-constant expressions that keep their relation t² = b (each doubles the
evaluations: every choice of signs is tried); further ones are independent parts"""


def _part(node: sp.Basic) -> tuple[sp.Basic, int] | None:
    """How node enters a rational function of independent parts: None for a number, a sum, a
    product or an integer power (computed from its arguments); else (the part, the power of it
    node is). A power p/q of b is the p-th power of the part b^(1/q), so √x and x^(3/2) are one
    part; a symbol, a function application and any other power is its own part."""
    if isinstance(node, (sp.Rational, sp.Add, sp.Mul)):
        return None
    if isinstance(node, sp.Pow):
        exponent = node.exp
        if isinstance(exponent, sp.Integer):
            return None
        if exponent is sp.S.Half:
            return node, 1
        if isinstance(exponent, sp.Rational):
            return sp.Pow(node.base, sp.Rational(1, exponent.q), evaluate=False), int(exponent.p)
    if any(node is u for u in UNDEFINED):  # singletons: == would compare each structurally
        raise NotANumber(f"{node} is not a number")
    return node, 1


def _is_radical(key: sp.Basic) -> bool:
    """A square root whose base is computed (not a rational number, whose being a square modulo the
    prime would not change from point to point): its value is a root of the base's. (Not
    base.is_number: SymPy answers that by recursion.)"""
    return isinstance(key, sp.Pow) and key.exp is sp.S.Half and not isinstance(key.base, sp.Rational)


@dataclass
class Parts:
    """The values of one random point given to independent parts (drawn once, kept for every choice
    of signs), and the square roots met, in order."""

    draw: Callable[[], int]
    values: dict[sp.Basic, int] = field(default_factory=dict)
    radicals: list[sp.Basic] = field(default_factory=list)
    forms: dict[sp.Basic, Radical] = field(default_factory=dict)
    """each square root's form, kept across points (pass one dict to every point's Parts)"""

    def value(self, key: sp.Basic) -> int:
        if key not in self.values:
            self.values[key] = self.draw()
        return self.values[key]

    def form(self, key: sp.Basic) -> Radical:
        if key not in self.forms:
            self.forms[key] = _radical_form(key)
        return self.forms[key]


@dataclass(frozen=True)
class Radical:
    """√(c·b) as s·√m·√b: c the radicand's positive rational content, √c = s·√m (m square-free;
    √m an independent part), √b the root that keeps t² = b. √(4 − x²) and √(1 − x²/4) share √b."""

    root: sp.Basic
    inverse_content: Fraction
    scale: Fraction
    surd: sp.Basic | None


CONTENT_NODES = 60
"""radicands up to this tree size have their rational content taken out (SymPy's as_content_primitive
recurses)"""


def _radical_form(key: sp.Basic) -> Radical:
    """√(c·b) = √c·√b for a rational c > 0 (it leaves the argument alone, so principal roots agree)."""
    content, primitive = sp.S.One, key.base
    small = tree_size(key.base, CONTENT_NODES) <= CONTENT_NODES
    if small and not any(isinstance(n, sp.Float) for n in postorder(key.base)):  # b/c would round a Float
        content, primitive = key.base.as_content_primitive()
    if not (isinstance(content, sp.Rational) and content > 0):
        return Radical(key, Fraction(1), Fraction(1), None)
    if content == 1:  # the primitive is rebuilt by SymPy: an unevaluated radicand meets its evaluated twin
        return Radical(sp.Pow(primitive, sp.S.Half, evaluate=False), Fraction(1), Fraction(1), None)
    scale, surd = sp.sqrt(content).as_coeff_Mul()
    return Radical(sp.Pow(primitive, sp.S.Half, evaluate=False), Fraction(int(content.q), int(content.p)),
                   Fraction(int(scale.p), int(scale.q)), None if surd == 1 else surd)


def independent_residues(exprs: Sequence[sp.Expr], prime: int, parts: Parts, signs: int = 0,
                         budget: Budget | None = None) -> tuple[list[int], int]:
    """The expressions as rational functions whose variables are their symbols and every other
    part (see _part) taken as independent, modulo prime (≡ 3 mod 4), at the values of parts (equal
    parts on either side share a value): (the residues, a bound on the degree). The first
    MAX_RADICALS square roots √b keep t² = b: t is the root of b's residue, its sign bit i of signs.
    Equal rational functions of the parts are equal functions wherever both are defined.
    NotANumber where a denominator vanishes modulo prime, where a radicand is not a square modulo
    prime, or at a part that is no number (nan, ∞)."""
    field_ = _Residues(prime)
    memo: dict[int, tuple[int, int]] = {}  # id → (residue, degree)
    roots: dict[sp.Basic, tuple[int, int]] = {}
    stack: list[tuple[sp.Basic, bool]] = [(e, False) for e in reversed(exprs)]
    while stack:
        node, ready = stack.pop()
        if id(node) in memo:
            continue
        if budget is not None:
            budget.tick()
        part = _part(node)
        if part is not None:
            key, power = part
            form = parts.form(key) if _is_radical(key) else None
            radical = form is not None and (form.root in parts.radicals or len(parts.radicals) < MAX_RADICALS)
            if radical and not ready:
                stack.extend(((node, True), (key.base, False)))
                continue
            if form is not None and radical:
                if form.root not in roots:
                    b, degree = memo[id(key.base)]
                    roots[form.root] = _root(form.root, (b * field_.of(form.inverse_content) % prime, degree), parts,
                                             signs, prime)
                t, degree = roots[form.root]
                value = t * field_.of(form.scale) * (parts.value(form.surd) if form.surd is not None else 1) % prime
            else:
                value, degree = parts.value(key), 1
            if power < 0 and value == 0:
                raise NotANumber("division by zero")
            memo[id(node)] = (field_.power(value, power), degree * abs(power))
            continue
        if not ready and node.args:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if id(a) not in memo)
            continue
        args = [memo[id(a)] for a in node.args]
        if isinstance(node, sp.Rational):
            memo[id(node)] = (field_.of(Fraction(int(node.p), int(node.q))), 0)
        elif isinstance(node, sp.Add):
            memo[id(node)] = (sum(r for r, _ in args) % prime, sum(d for _, d in args))
        elif isinstance(node, sp.Mul):
            memo[id(node)] = (math.prod(r for r, _ in args) % prime, sum(d for _, d in args))
        else:  # an integer power
            (base, degree), n = args[0], int(node.exp)
            if base == 0 and n < 0:
                raise NotANumber("division by zero")
            memo[id(node)] = (field_.power(base, n), degree * abs(n))
    return [memo[id(e)][0] for e in exprs], 2 * max((memo[id(e)][1] for e in exprs), default=0)


def _root(key: sp.Basic, base: tuple[int, int], parts: Parts, signs: int, prime: int) -> tuple[int, int]:
    """The square root of the radicand's residue (prime ≡ 3 mod 4: b^((p+1)/4)), with the sign
    signs gives this radical; its degree counts as the radicand's."""
    b, degree = base
    t = pow(b, (prime + 1) // 4, prime)
    if b == 0 or t * t % prime != b:
        raise NotANumber("a radicand is not a nonzero square modulo the prime")
    if key not in parts.radicals:
        parts.radicals.append(key)
    if signs >> parts.radicals.index(key) & 1:
        t = prime - t
    return t, max(1, degree)
