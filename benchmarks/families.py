"""The benchmark families of ../shared/PERFORMANCE.md, built as SymPy expressions (shared
subexpressions stay shared: the iterated maps are DAGs of linear size, trees of exponential size).

Each builder takes the size and returns (f, the variables to differentiate by). The tests use
them too, at small sizes, for operation counts.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import sympy as sp

x = sp.Symbol("x", real=True)


def a_sin(n: int) -> tuple[sp.Expr, list[sp.Symbol]]:
    """a: sin(sin(…sin(x))), n deep."""
    u: sp.Expr = x
    for _ in range(n):
        u = sp.sin(u, evaluate=False)  # the same tree; SymPy's evaluation would recurse past depth ~400
    return u, [x]


def _empty_cache() -> None:
    """Clear SymPy's cache before an iterated map is built. The cache is bounded: once part of an
    earlier build of the same map has been evicted, the new build makes copies equal to objects
    still held in its keys, and a lookup compares the two copies level by level, through every path
    of the DAG: 2^k work (a test building u·sin(u) 30 steps deep hung for minutes that way)."""
    sp.core.cache.clear_cache()


def b1_logistic(k: int) -> tuple[sp.Expr, list[sp.Symbol]]:
    """b1: the logistic map u₀ = x, uₖ₊₁ = r·uₖ·(1 − uₖ) with r = 7/2, k steps."""
    _empty_cache()
    u: sp.Expr = x
    r = sp.Rational(7, 2)
    for _ in range(k):
        u = r * u * (1 - u)
    return u, [x]


def b2_usinu(k: int) -> tuple[sp.Expr, list[sp.Symbol]]:
    """b2: u₀ = x, uₖ₊₁ = uₖ·sin(uₖ), k steps."""
    _empty_cache()
    u: sp.Expr = x
    for _ in range(k):
        u = u * sp.sin(u)
    return u, [x]


def c_product(n: int) -> tuple[sp.Expr, list[sp.Symbol]]:
    """c: x1·x2·…·xn, the whole gradient."""
    xs = list(sp.symbols(f"x1:{n + 1}", real=True))
    return sp.Mul(*xs), xs


def d_mlp(weights: int) -> tuple[sp.Expr, list[sp.Symbol]]:
    """d: (W2·tanh(W1·x + b1) + b2 − y)² for one sample, 4 inputs, H tanh units: 6H + 1 ≈ weights."""
    d = 4
    h = max(1, round((weights - 1) / (d + 2)))
    xs = sp.symbols(f"x1:{d + 1}", real=True)
    w1 = [[sp.Symbol(f"W1_{j}_{i}", real=True) for i in range(d)] for j in range(h)]
    b1 = [sp.Symbol(f"b1_{j}", real=True) for j in range(h)]
    w2 = [sp.Symbol(f"W2_{j}", real=True) for j in range(h)]
    b2, y = sp.symbols("b2 y", real=True)
    hidden = [sp.tanh(sum((w1[j][i] * xs[i] for i in range(d)), b1[j])) for j in range(h)]
    loss = (sum((w2[j] * hidden[j] for j in range(h)), b2) - y) ** 2
    return loss, [w for row in w1 for w in row] + b1 + w2 + [b2]


def e_rational(n: int) -> tuple[sp.Expr, list[sp.Symbol]]:
    """e: P/Q in 5 variables, n random terms each (coefficients 1..9, exponents 0..3, seeded)."""
    rng = random.Random(n)
    vs = list(sp.symbols("v1:6", real=True))

    def poly() -> sp.Expr:
        return sp.Add(*(rng.randint(1, 9) * sp.Mul(*(v ** rng.randint(0, 3) for v in vs)) for _ in range(n)))

    return poly() / (1 + poly() ** 2), vs


FAMILIES: dict[str, tuple[str, Callable[[int], tuple[sp.Expr, list[sp.Symbol]]]]] = {
    "a": ("sin nested n deep", a_sin),
    "b1": ("logistic map, k steps", b1_logistic),
    "b2": ("u*sin(u) iterated, k steps", b2_usinu),
    "c": ("x1*...*xn, gradient", c_product),
    "d": ("MLP loss, gradient over ~n weights", d_mlp),
    "e": ("P/(1+Q^2), n terms each, gradient", e_rational),
}
