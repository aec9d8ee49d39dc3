"""products.times is sp.Mul, factor for factor and in SymPy's order, on products of every shape:
merged without a re-sort where nothing combines, and handed to sp.Mul where something would."""

from __future__ import annotations

import random

import pytest
import sympy as sp

from chainsym.products import MERGE_FROM, times

x, y, z = sp.symbols("x y z", real=True)
w = sp.Symbol("w")  # no assumptions: powers of it stay unevaluated where x's would not

PLAIN = [sp.sin(x), sp.cos(x), sp.sin(sp.sin(x)), sp.cos(sp.sin(x)), sp.tanh(y + z), sp.log(x**2 + 1),
         x + 1, y - z, sp.atan(x * y), sp.cos(sp.cos(sp.sin(x))), sp.Abs(w), sp.asinh(z), sp.erf(x), sp.pi,
         sp.sinh(x + y), sp.Function("g")(x, y), w, x, y, z]
COMBINING = [x**2, sp.sqrt(x), 1 / (x + 1), sp.exp(x), sp.exp(y), sp.E, sp.sqrt(2), sp.sqrt(3), 2**x, 3**x, sp.I,
             (-1)**x, sp.Rational(-3, 4), sp.Float("0.5"), sp.oo, sp.zoo, sp.Integer(0), sp.sin(x)**2,
             sp.cos(x)**-1, x**y, x**z, (x + 1)**2, sp.Pow(w, 1, evaluate=False), sp.Symbol("A", commutative=False)]


def _products(rng: random.Random, pool: list[sp.Expr]) -> tuple[sp.Expr, sp.Expr]:
    """Two products of 1–9 factors with rational coefficients: every other pair has no factor in
    common (so that the merge, not the fallback, is what most plain pairs take)."""
    sizes = rng.randint(1, 9), rng.randint(1, 9)
    if rng.random() < 0.5:
        picked = rng.sample(pool, sum(sizes))
        factors = picked[:sizes[0]], picked[sizes[0]:]
    else:
        factors = rng.sample(pool, sizes[0]), rng.sample(pool, sizes[1])
    return tuple(sp.Mul(sp.Rational(rng.choice([1, 1, -1, 2, -3]), rng.choice([1, 1, 5])), *f)  # type: ignore[return-value]
                 for f in factors)


@pytest.mark.parametrize("pool", [PLAIN, PLAIN + COMBINING], ids=["plain", "mixed"])
def test_times_is_sympys_product_exactly(pool: list[sp.Expr]) -> None:
    rng = random.Random(13)
    for _ in range(600):
        a, b = _products(rng, pool)
        expected = sp.Mul(a, b)
        got = times(a, b)
        assert got == expected and got.args == expected.args, (a, b)
        assert sp.srepr(got) == sp.srepr(expected)


def test_a_growing_chain_is_merged_without_sympys_flatten(monkeypatch: pytest.MonkeyPatch) -> None:
    """The nested family's forward product: each cos(sin^k(x)) joins the product by a binary search."""
    factors = []
    u: sp.Expr = x
    for _ in range(2 * MERGE_FROM):
        factors.append(sp.cos(u))
        u = sp.sin(u)
    expected = sp.Mul(-2, *factors)
    first, rest = sp.Mul(-2, *factors[:MERGE_FROM]), factors[MERGE_FROM:]

    def refuse(seq: object) -> None:
        raise AssertionError("sp.Mul.flatten was called")

    monkeypatch.setattr(sp.Mul, "flatten", classmethod(lambda cls, seq: refuse(seq)))
    got = first
    for factor in rest:
        got = times(factor, got)
    monkeypatch.undo()
    assert got == expected and got.args == expected.args
    assert got.args[0] == -2 and len(got.args) == 2 * MERGE_FROM + 1


def test_small_and_combining_products_are_sympys() -> None:
    assert times(sp.exp(x), sp.Mul(*PLAIN[:9], sp.exp(2 * x))) == sp.Mul(*PLAIN[:9], sp.exp(3 * x))
    assert times(sp.sqrt(2), sp.Mul(sp.sqrt(3), *PLAIN[:9])) == sp.Mul(sp.sqrt(6), *PLAIN[:9])
    assert times(sp.zoo, sp.Mul(*PLAIN[:9])) == sp.zoo * sp.Mul(*PLAIN[:9])
    assert times(sp.sin(x), sp.Mul(*PLAIN[:9])) == sp.sin(x) ** 2 * sp.Mul(*PLAIN[1:9])
    assert times(sp.Integer(2), x + 1) == 2 * x + 2
