"""Where a comparison looks: seeds from the question itself and the random points they draw.

Every comparison draws its points from a generator seeded by the question (the same question gives
the same points, on any machine), salted by what is compared where an answer could be built
against known points; at several scales, through every sign pattern first, and at the breakpoints
(steps and kinks) of the expressions.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

from .residues import fingerprint

SCALES = (1, 1, 10, 100, 1000)
"""the magnitudes points are drawn at, in turn: most near 1, some far out"""
SIGNED = 3
"""the first points run through every sign pattern of this many variables, however the seed falls"""


def seed_of(*parts: str) -> int:
    """A seed from the question itself: the same inputs draw the same points, on any machine."""
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:4], "big")


def question(source: str, expr: sp.Expr) -> str:
    """The question for a seed: its text, or for a SymPy expression a digest of its structure
    (linear in its DAG; printing it cost more than differentiating the logistic map)."""
    return source or f"sympy expression {fingerprint([expr]):016x}"


@dataclass
class Sampler:
    """Random points, rational (exact), at several scales, plus chosen breakpoints first."""

    seed: int
    breakpoints: dict[sp.Symbol, tuple[Fraction, ...]] = field(default_factory=dict)
    salt: int = 0
    """a digest of what is compared (residues.fingerprint): knowing the seed does not give the points"""
    count: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed << 64 | self.salt if self.salt else self.seed)

    def point(self, variables: Sequence[sp.Symbol], complex_part: bool = False) -> dict[sp.Symbol, Any]:
        """The next point: first each breakpoint's two sides in turn, then random points whose scales
        cycle through SCALES and whose signs run through every pattern of the first SIGNED variables
        (both signs of x in two points, the four quadrants of x, y in four), so every region is visited."""
        self.count += 1
        k = self.count - 1
        point: dict[sp.Symbol, Any] = {}
        for j, v in enumerate(variables):
            near = self.breakpoints.get(v, ())[:4]
            if near and (k < 2 * len(near) or self.rng.random() < 0.25):
                side = (-1, 1)[k % 2] if k < 2 * len(near) else self.rng.choice((-1, 1))
                base = near[(k // 2) % len(near)] if k < 2 * len(near) else self.rng.choice(near)
                point[v] = base + Fraction(side * self.rng.randint(1, 99), 1000)
                continue
            scale = SCALES[(self.count + self.rng.randint(0, 1)) % len(SCALES)]
            if j < SIGNED and k < 1 << SIGNED:
                sign = (1, -1)[k >> j & 1]
            else:
                sign = self.rng.choice((1, -1))
            value = Fraction(self.rng.randint(1, 9999), 10000) * scale * sign
            point[v] = value if not complex_part else (value, Fraction(self.rng.randint(-9999, 9999), 10000))
        return point


FINE = 10**14
"""exact (modular) checks add a random multiple of 10^-18 to each coordinate, below 10^-4 so the
point keeps its scale: FINE values per coordinate, so a nonzero rational function of degree d
vanishes at such a point with chance at most d/FINE (Schwartz–Zippel)"""


def fine_point(sampler: Sampler, variables: Sequence[sp.Symbol]) -> dict[sp.Symbol, Any]:
    """The sampler's next point with FINE more choices per coordinate, for exact checks only
    (their arithmetic is modular, so long coordinates cost nothing)."""
    return refine(sampler, sampler.point(variables))


def refine(sampler: Sampler, point: dict[sp.Symbol, Any]) -> dict[sp.Symbol, Any]:
    return {v: c + Fraction(sampler.rng.randint(1, FINE), 10**18) for v, c in point.items()}
