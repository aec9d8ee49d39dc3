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


def test_large_expressions_are_differentiated_by_numbers_with_or_without_symengine(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """sin nested 300 deep and u·sin(u) iterated 30 times: past sympy.diff's size the derivative is
    checked against f's numerical derivative; the fast extra changes nothing (SymEngine's expanded
    derivative cost more to evaluate than f's few evaluations, in every family measured)."""
    for family, size in (("a", 300), ("b2", 30)):
        expr, _ = FAMILIES[family][1](size)
        d = chainsym.diff(expr)
        assert d.verification is not None
        assert (d.verification.status, d.verification.oracle) == ("numeric", DIFFERENCES)
        assert d.verification.detail == ("numerically at 5 random real points (the derivative has more than 5000 "
                                         "tree nodes, too many for sympy.diff)")
        monkeypatch.setattr(fast, "available", lambda: False)
        assert chainsym.diff(expr).verification == d.verification
        monkeypatch.undo()


def test_symengine_decides_where_numbers_find_no_real_point(monkeypatch: pytest.MonkeyPatch) -> None:
    """sqrt(-1 - x²) is real nowhere: numbers differentiate only at real points, SymEngine's
    derivative is compared symbolically, then at complex points (without SymEngine: not verified)."""
    f = sp.sqrt(-1 - x**2)
    small = Limits(oracle_tree=1)
    v = verify_derivative(f, x, -x / sp.sqrt(-1 - x**2), [x], small, seed=1)
    assert (v.status, v.oracle, v.detail) == ("proved", "symengine.diff", "symbolic: identical")
    monkeypatch.setattr(fast, "available", lambda: False)
    assert verify_derivative(f, x, -x / sp.sqrt(-1 - x**2), [x], small, seed=1).status == "skipped"


def test_a_mismatch_by_numbers_is_confirmed_by_symengine() -> None:
    v = verify_derivative(sp.sin(x) ** 3, x, 3 * sp.sin(x) ** 2, [x], Limits(oracle_tree=1), seed=1)
    assert (v.status, v.oracle) == ("mismatch", DIFFERENCES)
    assert "; SymEngine's derivative confirms it (at x = " in v.detail


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
