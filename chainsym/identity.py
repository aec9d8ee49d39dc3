"""Identities proved by treating every part of an expression as an independent variable.

Two expressions that are one rational function of their parts — symbols, function applications,
roots — are equal functions wherever both are defined, whatever the parts are. Equality of
rational functions is decided by residues at random values modulo a random prime
(Schwartz–Zippel: a nonzero one of degree d vanishes at a random point with chance ≤ d/p). The
relations between parts that always hold are kept (parts.py): square roots keep t² = b and are
tried with every choice of signs, so an identity that holds on one branch only (√(x²) = x) is not
proved; constant surds, exp of sums and powers of sums are products of parts. Parts related
otherwise (sin² + cos² = 1) are left to numbers: a difference here proves nothing.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp
from sympy.polys.polyerrors import BasePolynomialError

from .numeric import NotANumber
from .parts import NotASquare, Parts, Radical, independent_residues
from .residues import fingerprint, prime_of
from .walk import postorder, tree_size
from .work import Budget


@dataclass(frozen=True)
class Identity:
    """A proved identity: at how many points, the chance it is wrong at each (over 2^61), the parts."""

    points: int
    chance: int
    parts: tuple[sp.Basic, ...]
    radicals: int

    def text(self) -> str:
        roots = ("" if not self.radicals else "; the square root with either sign" if self.radicals == 1
                 else "; each square root with either sign")
        return (f"exactly as rational functions of {_parts_text(self.parts)} (as independent variables{roots}), "
                f"at {self.points} random points modulo a random 62-bit prime; a nonzero difference would vanish "
                f"at each with probability ≤ {self.chance}/2^61")


def one_rational_function(left: sp.Expr, right: sp.Expr, seed: int, points: int, attempts: int, max_chance: int,
                          budget: Budget | None = None) -> Identity | None:
    """The identity left = right when their residues agree at `points` random values under every
    choice of signs; None when they differ anywhere, or no values are defined within `attempts`.
    The prime is one where every constant surd's primes have square roots (found as they are met)."""
    salt = fingerprint([left, right], budget)
    squares: list[int] = []
    forms: dict[sp.Basic, Radical] = {}  # each root's form (its content taken out) once, for every point
    splits: dict[sp.Basic, sp.Basic | None] = {}
    while True:
        prime = prime_of(seed, salt, three_mod_four=True, squares=squares)
        try:
            return _at(left, right, prime, (forms, splits), points, attempts, max_chance, budget)
        except NotASquare as refused:
            if len(squares) == MAX_SURD_PRIMES:
                return None
            squares.append(refused.number)


MAX_SURD_PRIMES = 6
"""distinct primes under constant square roots (each halves the primes that qualify)"""


Kept = tuple[dict[sp.Basic, Radical], dict[sp.Basic, sp.Basic | None]]


def _at(left: sp.Expr, right: sp.Expr, prime: int, kept: Kept,
        points: int, attempts: int, max_chance: int, budget: Budget | None) -> Identity | None:
    """one_rational_function at one prime; kept: the roots' forms and the powers' splits, for every point."""
    forms, splits = kept
    surds: dict[sp.Basic, int | None] = {}  # each constant surd's root at this prime, for every point
    rng = random.Random(prime)
    found = 0
    for _ in range(attempts):
        parts = Parts(prime, lambda: rng.randrange(prime), forms=forms, splits=splits, surds=surds)
        try:
            (a, b), degree = independent_residues([left, right], prime, parts, 0, budget)
            if a != b:
                return None
            for signs in range(1, 2 ** len(parts.radicals)):
                (a, b), _ = independent_residues([left, right], prime, parts, signs, budget)
                if a != b:
                    return None
        except NotASquare:
            raise
        except NotANumber:
            continue
        # accepting only points where each radicand is a square costs at most a factor 2 per radical
        chance = degree * 2 ** (len(parts.radicals) + 1) if parts.radicals else degree
        if chance > max_chance:
            return None
        found += 1
        if found == points:
            return Identity(found, chance, tuple(parts.values) + tuple(parts.radicals), len(parts.radicals))
    return None


EXPAND_NODES = 300
"""differences up to this tree size are also tried symbolically, by expand (degrees bounded too)"""


def expanded_difference(difference: sp.Expr) -> sp.Expr | None:
    """A bounded symbolic decision: a small difference whose powers are of low degree, expanded (0:
    equal; a nonzero number: they differ by a constant, however small); None past the bounds."""
    if tree_size(difference, EXPAND_NODES) > EXPAND_NODES:
        return None
    for sub in postorder(difference):
        if isinstance(sub, sp.Pow) and (not sub.exp.is_Rational or abs(sub.exp) > 12):
            return None
    try:
        return sp.expand(difference)
    except (ValueError, TypeError, RecursionError):
        return None


def nonzero(number: sp.Expr) -> bool:
    """Whether SymPy knows a constant is not 0 (its answer may go through minimal polynomials, which
    raise on some algebraic numbers: no answer then)."""
    try:
        return number.is_zero is False
    except (BasePolynomialError, ValueError, TypeError, RecursionError, NotImplementedError):
        return False


def _parts_text(parts: Sequence[sp.Basic], shown: int = 4) -> str:
    """The first few parts, symbols first, each in at most 30 characters."""
    if not parts:
        return "no variable part (numbers and constant square roots)"
    texts = sorted((not isinstance(p, sp.Symbol), _short(p)) for p in parts)
    names = [t for _, t in texts[:shown]]
    if len(parts) > shown:
        return ", ".join(names) + f" and {len(parts) - shown} more"
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def _short(part: sp.Basic) -> str:
    """A part as SymPy prints it, or by its outer operation when it is large (printing a deep
    expression recurses as deep)."""
    if tree_size(part, SHORT_NODES) <= SHORT_NODES:
        text = str(sp.sstr(part))
        return text if len(text) <= 30 else text[:29] + "…"
    if isinstance(part, sp.Pow):
        small = tree_size(part.exp, SHORT_NODES) <= SHORT_NODES
        return "sqrt(…)" if part.exp == sp.S.Half else f"(…)**{sp.sstr(part.exp) if small else '(…)'}"
    return f"{part.func.__name__}(…)"


SHORT_NODES = 16
"""parts up to this tree size are printed whole"""
