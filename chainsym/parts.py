"""Expressions as rational functions of independent parts, modulo a prime (the arithmetic of identity.py).

Sums, products and integer powers are computed; everything else is a *part* given a random value
(a symbol, a function application, a root), except where a relation always holds and is kept:

- a square root √b of a computed b keeps t² = b (t a modular root of b's residue, with either sign);
- a constant surd √m is the product of fixed roots of the primes of m's square-free part, so
  √6 = √2·√3 and √8 = 2√2 (one homomorphism from ℚ(√2, √3, …) into the integers modulo the prime);
- exp of a sum is the product of the exps, exp(k·m) = exp(m)^k, and a power b^(e₁ + e₂) is
  b^e₁·b^e₂ (on SymPy's principal branch, for every b ≠ 0: a point where b's residue is 0 is
  skipped, so a base that is 0 is never split): exp(2x) = exp(x)², x^(s − 1) = x^s/x.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from .numeric import NotANumber
from .residues import residue
from .walk import postorder, tree_size
from .work import Budget

UNDEFINED = (sp.nan, sp.zoo, sp.oo, -sp.oo)
"""values that are no number: a part equal to one of them is never taken as a variable"""
UNDEFINED_TYPES = tuple(type(u) for u in UNDEFINED)
MAX_RADICALS = 3
"""square roots of non-constant expressions that keep their relation t² = b (each doubles the
evaluations: every choice of signs is tried); further ones are independent parts"""
MAX_SURD = 10**12
"""constant surds √m with m·(its denominator) up to this are factored; larger ones are independent parts"""
CONTENT_NODES = 60
"""radicands up to this tree size have their rational content taken out (SymPy's as_content_primitive
recurses) and are expanded when that gives at most EXPANDED_TERMS terms"""
EXPANDED_TERMS = 64


class NotASquare(NotANumber):
    """A prime of a constant surd has no square root modulo this prime: choose one where it has."""

    def __init__(self, number: int) -> None:
        super().__init__(f"{number} is not a square modulo the prime")
        self.number = number


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


def _split(node: sp.Basic) -> sp.Basic | None:
    """exp(a + b + …) or b^(a + …) as the product of one part per term (exp(k·m) as exp(m)^k, and
    k = p/q as exp(m/q)^p); None when node is one part already (one term, coefficient 1/q)."""
    if isinstance(node, sp.exp):
        base, exponent = None, node.args[0]
    elif isinstance(node, sp.Pow) and not isinstance(node.exp, sp.Number):
        base, exponent = node.base, node.exp
    else:
        return None
    if any(isinstance(n, sp.Float) for n in postorder(exponent)):
        return None  # m/q would round a Float inside m: the parts would no longer be the power's
    terms = [term.as_coeff_Mul() for term in sp.Add.make_args(exponent)]
    if len(terms) == 1 and terms[0][0].p == 1:
        return None
    return sp.Mul(*(_power(base, c, m) for c, m in terms), evaluate=False)


def _power(base: sp.Basic | None, c: sp.Rational, m: sp.Basic) -> sp.Basic:
    """base^(c·m) (exp for no base) as (base^(m/q))^p, c = p/q."""
    inner = m if c.q == 1 else sp.Mul(sp.Rational(1, c.q), m)
    if base is None:
        part = sp.exp(inner) if m == 1 else sp.exp(inner, evaluate=False)  # exp(1) is E
    else:
        part = sp.Pow(base, inner, evaluate=False)
    return part if c.p == 1 else sp.Pow(part, int(c.p), evaluate=False)


def _is_radical(key: sp.Basic) -> bool:
    """A square root whose base is computed (not a rational number, whose being a square modulo the
    prime would not change from point to point): its value is a root of the base's. (Not
    base.is_number: SymPy answers that by recursion.)"""
    return isinstance(key, sp.Pow) and key.exp is sp.S.Half and not isinstance(key.base, sp.Rational)


def _is_surd(key: sp.Basic) -> bool:
    return isinstance(key, sp.Pow) and key.exp is sp.S.Half and isinstance(key.base, sp.Rational) and key.base > 0


@dataclass
class Parts:
    """The values of one random point given to independent parts (drawn once, kept for every choice
    of signs), and the square roots met, in order, modulo prime."""

    prime: int
    draw: Callable[[], int]
    values: dict[sp.Basic, int] = field(default_factory=dict)
    radicals: list[sp.Basic] = field(default_factory=list)
    forms: dict[sp.Basic, Radical] = field(default_factory=dict)
    """each square root's form, kept across points (pass one dict to every point's Parts)"""
    splits: dict[sp.Basic, sp.Basic | None] = field(default_factory=dict)
    """each exp or power's product of parts (_split), kept across points like forms"""
    surds: dict[sp.Basic, int | None] = field(default_factory=dict)
    """each constant surd's root (they depend on the prime only: pass one dict to every point)"""

    def value(self, key: sp.Basic) -> int:
        if _is_surd(key):
            if key not in self.surds:
                self.surds[key] = self.surd(key.base)
            surd = self.surds[key]
            if surd is not None:
                return surd
        if key not in self.values:
            self.values[key] = self.draw()
        return self.values[key]

    def form(self, key: sp.Basic) -> Radical:
        if key not in self.forms:
            self.forms[key] = _radical_form(key)
        return self.forms[key]

    def split(self, node: sp.Basic) -> sp.Basic | None:
        if not isinstance(node, (sp.exp, sp.Pow)):
            return None
        if node not in self.splits:
            self.splits[node] = _split(node)
        return self.splits[node]

    def surd(self, number: sp.Rational) -> int | None:
        """√(n/d) = √(n·d)/d modulo the prime: the product of the fixed roots of n·d's primes of odd
        multiplicity; None when n·d is too large to factor (then √ is an independent part)."""
        n, d = int(number.p), int(number.q)
        if n * d > MAX_SURD:
            return None
        value = pow(d, -1, self.prime)
        for q, multiplicity in sp.factorint(n * d).items():
            value = value * pow(q, multiplicity // 2, self.prime) % self.prime
            if multiplicity % 2:
                root = pow(q, (self.prime + 1) // 4, self.prime)
                if root * root % self.prime != q:
                    raise NotASquare(q)
                value = value * root % self.prime
        return value


@dataclass(frozen=True)
class Radical:
    """√(c·b) as s·√m·√b: c the radicand's positive rational content, √c = s·√m (m square-free;
    √m a constant surd), √b the root that keeps t² = b. √(4 − x²) and √(1 − x²/4) share √b."""

    root: sp.Basic
    inverse_content: Fraction
    scale: Fraction
    surd: sp.Basic | None


def _radical_form(key: sp.Basic) -> Radical:
    """√(c·b) = √c·√b for a rational c > 0 (it leaves the argument alone, so principal roots agree);
    b expanded first when small, so √(1 − (x − 1)²) and √(2x − x²) share one root."""
    content, primitive = sp.S.One, key.base
    if tree_size(key.base, CONTENT_NODES) <= CONTENT_NODES and all(map(_plain, postorder(key.base))):
        content, primitive = _expanded(key.base).as_content_primitive()
    if not (isinstance(content, sp.Rational) and content > 0):
        return Radical(key, Fraction(1), Fraction(1), None)
    if content == 1:  # the primitive is rebuilt by SymPy: an unevaluated radicand meets its evaluated twin
        return Radical(sp.Pow(primitive, sp.S.Half, evaluate=False), Fraction(1), Fraction(1), None)
    scale, surd = sp.sqrt(content).as_coeff_Mul()
    return Radical(sp.Pow(primitive, sp.S.Half, evaluate=False), Fraction(int(content.q), int(content.p)),
                   Fraction(int(scale.p), int(scale.q)), None if surd == 1 else surd)


def _plain(node: sp.Basic) -> bool:
    """No Float (b/c would round it) and no power whose exponent is large (its content would be
    computed: (2x + 2)^(10^9) has 2^(10^9))."""
    if isinstance(node, sp.Float):
        return False
    return not isinstance(node, sp.Pow) or not isinstance(node.exp, sp.Rational) or \
        max(abs(int(node.exp.p)), int(node.exp.q)) <= EXPANDED_TERMS


def _polynomial(node: sp.Basic) -> bool:
    return isinstance(node, (sp.Symbol, sp.Rational, sp.Add, sp.Mul)) or \
        (isinstance(node, sp.Pow) and isinstance(node.exp, sp.Integer) and node.exp > 0)


def _expanded(radicand: sp.Basic) -> sp.Basic:
    """A polynomial radicand with its products and powers of sums multiplied out, when that gives at
    most EXPANDED_TERMS terms; else as it is (expand would also multiply out what is inside other
    powers and functions, without bound)."""
    if not all(map(_polynomial, postorder(radicand))):
        return radicand
    terms, expandable = _terms(radicand)
    if not expandable or terms > EXPANDED_TERMS:
        return radicand
    return sp.expand(radicand, power_base=False, power_exp=False, log=False)


def _terms(expr: sp.Basic) -> tuple[int, bool]:
    """(a bound on the terms of expr multiplied out, whether anything would be multiplied out), for a
    small tree (CONTENT_NODES)."""
    if isinstance(expr, sp.Add):
        found = [_terms(a) for a in expr.args]
        return sum(t for t, _ in found), any(e for _, e in found)
    if isinstance(expr, sp.Mul):
        found = [_terms(a) for a in expr.args]
        product = math.prod(t for t, _ in found)
        return product, product > 1 or any(e for _, e in found)
    if isinstance(expr, sp.Pow) and isinstance(expr.exp, sp.Integer) and expr.exp > 1:
        k, _ = _terms(expr.base)
        n = min(int(expr.exp), EXPANDED_TERMS + 1)
        return min(math.comb(n + k - 1, k - 1), EXPANDED_TERMS + 1), k > 1
    return 1, False


def independent_residues(exprs: Sequence[sp.Expr], prime: int, parts: Parts, signs: int = 0,
                         budget: Budget | None = None) -> tuple[list[int], int]:
    """The expressions as rational functions whose variables are their symbols and every other
    part (see _part, _split) taken as independent, modulo prime (≡ 3 mod 4), at the values of parts
    (equal parts on either side share a value): (the residues, a bound on the degree). The first
    MAX_RADICALS square roots √b keep t² = b: t is the root of b's residue, its sign bit i of signs.
    Equal rational functions of the parts are equal functions wherever both are defined.
    NotANumber where a denominator vanishes modulo prime, where a radicand is not a square modulo
    prime, or at a part that is no number (nan, ∞); NotASquare for a constant surd's prime."""
    memo: dict[int, tuple[int, int]] = {}  # id → (residue, degree)
    roots: dict[sp.Basic, tuple[int, int]] = {}
    stack: list[tuple[sp.Basic, bool]] = [(e, False) for e in reversed(exprs)]
    while stack:
        node, ready = stack.pop()
        if id(node) in memo:
            continue
        if budget is not None:
            budget.tick()
        split = parts.split(node)
        if split is not None:
            if not ready:
                stack.append((node, True))
                below = (split, node.base) if isinstance(node, sp.Pow) else (split,)
                stack.extend((n, False) for n in below if id(n) not in memo)
            elif isinstance(node, sp.Pow) and memo[id(node.base)][0] == 0:
                raise NotANumber("a power of 0 split by its exponent")  # 0^(1+s) is not 0·0^s where s = −1
            else:
                memo[id(node)] = memo[id(split)]
            continue
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
                    roots[form.root] = _root(form.root, (b * residue(form.inverse_content, prime) % prime, degree),
                                             parts, signs, prime)
                t, degree = roots[form.root]
                surd = parts.value(form.surd) if form.surd is not None else 1
                value = t * residue(form.scale, prime) * surd % prime
            else:
                value, degree = parts.value(key), 1
            if power < 0 and value == 0:
                raise NotANumber("division by zero")
            memo[id(node)] = (pow(value, power, prime), degree * abs(power))
            continue
        if not ready and node.args:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if id(a) not in memo)
            continue
        args = [memo[id(a)] for a in node.args]
        if isinstance(node, sp.Rational):
            memo[id(node)] = (residue(Fraction(int(node.p), int(node.q)), prime), 0)
        elif isinstance(node, sp.Add):
            memo[id(node)] = (sum(r for r, _ in args) % prime, sum(d for _, d in args))
        elif isinstance(node, sp.Mul):
            memo[id(node)] = (math.prod(r for r, _ in args) % prime, sum(d for _, d in args))
        else:  # an integer power
            (base, degree), n = args[0], int(node.exp)
            if base == 0 and n < 0:
                raise NotANumber("division by zero")
            memo[id(node)] = (pow(base, n, prime), degree * abs(n))
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
