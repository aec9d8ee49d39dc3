"""The optional SymEngine back end: conversions both ways over the DAG, and the oracle it gives
for large expressions. Without SymEngine (as if uninstalled) the SymPy path is tested in test_verify."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import sympy as sp

import chainsym
from chainsym import fast
from chainsym.limits import Limits
from chainsym.oracle import DIFFERENCES, verify_derivative

pytest.importorskip("symengine", reason="the fast extra (symengine) is not installed")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from families import FAMILIES  # noqa: E402

x, y = sp.symbols("x y", real=True)


@pytest.mark.parametrize("expr", [sp.sin(x + x**2), sp.exp(x) / (1 + y**2), sp.atan(x * y) - sp.Rational(7, 2) * x,
                                  sp.log(x**2 + 1) * sp.sqrt(y), sp.pi * sp.E * sp.cosh(x)])
def test_round_trip_and_derivative(expr: sp.Expr) -> None:
    assert sp.simplify(fast.to_sympy(fast.to_symengine(expr), {"x": x, "y": y}) - expr) == 0
    assert sp.simplify(fast.diff(expr, x) - sp.diff(expr, x)) == 0


def test_unknown_operations_are_refused() -> None:
    with pytest.raises(fast.Unconvertible):
        fast.to_symengine(sp.Heaviside(x, 0) + sp.Float(0.5))


def test_large_expressions_are_checked_against_symengine() -> None:
    """sin nested 300 deep: a derivative of about 45,000 tree nodes; SymEngine's is three times the
    size of f, so it is the oracle."""
    expr, _ = FAMILIES["a"][1](300)
    d = chainsym.diff(expr)
    assert d.verification is not None
    assert (d.verification.status, d.verification.oracle) == ("numeric", "symengine.diff")
    wrong = verify_derivative(expr, x, d.results[0] + x / 10**6, [x], Limits(), seed=1)
    assert wrong.status == "mismatch" and wrong.oracle == "symengine.diff"


def test_an_expanding_symengine_derivative_gives_way_to_numbers() -> None:
    """u·sin(u) iterated 30 times: SymEngine expands the iterated products (its derivative came back
    through SymPy's evaluation for hours; unevaluated now, but still many times f's size), so the
    derivative is checked by numbers, at the cost of a few evaluations of f."""
    expr, _ = FAMILIES["b2"][1](30)
    d = chainsym.diff(expr)
    assert d.verification is not None
    assert (d.verification.status, d.verification.oracle) == ("numeric", DIFFERENCES)
    assert d.verification.detail == ("numerically at 5 random real points (the derivative has more than 5000 tree "
                                     "nodes, too many for sympy.diff, and SymEngine's is more than 8 times the size "
                                     "of f)")


def test_large_rational_functions_are_proved_without_symengine() -> None:
    """The logistic map, 30 steps (a polynomial of degree 2^30): f's exact slope by dual numbers
    decides, with or without the fast extra."""
    expr, _ = FAMILIES["b1"][1](30)
    d = chainsym.diff(expr)
    assert d.verification is not None
    assert (d.verification.status, d.verification.oracle) == ("proved", "slopes along random directions")


def test_small_expressions_keep_sympy_diff() -> None:
    d = chainsym.diff("sin(x+x^2)")
    assert d.verification is not None and (d.verification.method, d.verification.oracle) == ("identical", "sympy.diff")
