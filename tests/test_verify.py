"""Verification: proofs, numeric agreement, mismatches found, and skipping when the oracle is slow."""

from __future__ import annotations

import sympy as sp
from conftest import x, y

import chainsym
from chainsym.functions import relu
from chainsym.limits import Limits
from chainsym.verify import TOLERANCE_TEXT, compare, numeric, verify


def test_identical_is_proved() -> None:
    v = verify(sp.sin(x), x, sp.cos(x), [x])
    assert (v.status, v.method, v.detail) == ("proved", "identical", "the difference is 0 as built")


def test_equal_after_simplify_is_proved() -> None:
    v = verify(sp.atan(x) + sp.atan(1 / x), x, sp.Integer(0), [x])
    assert (v.status, v.method) == ("proved", "simplify")


def test_relu_is_checked_numerically() -> None:
    v = verify(relu(x) * x, x, sp.Heaviside(x, 0) * x + relu(x), [x])
    assert (v.status, v.method, v.tolerance) == ("numeric", "numeric", TOLERANCE_TEXT)
    assert v.detail == "equal at 5 random real points" and len(v.points) == 5


def test_wrong_claim_is_a_mismatch_with_a_point() -> None:
    v = verify(sp.sin(x**2), x, sp.cos(x**2), [x])
    assert v.status == "mismatch"
    assert v.detail.startswith("at x = ") and "chainsym gives" in v.detail and "sympy.diff gives" in v.detail
    (point,) = v.points
    (name, value), = point
    claimed = sp.cos(sp.Float(value) ** 2)
    assert name == "x" and abs(claimed - 2 * sp.Float(value) * claimed) > 1e-6


def test_complex_points_when_the_real_domain_is_empty() -> None:
    expr = sp.sqrt(-1 - x**2)
    v = numeric(sp.diff(expr, x), -x / sp.sqrt(-1 - x**2), [x], expr)
    assert (v.status, v.detail) == ("numeric", "equal at 5 random complex points")


def test_several_variables() -> None:
    v = compare(2 * x * y, sp.diff(x**2 * y, x), [x, y], Limits())
    assert v.status == "proved"


def logistic(k: int) -> sp.Expr:
    expr: sp.Expr = x
    for _ in range(k):
        expr = 3 * expr * (1 - expr)
    return expr


def test_slow_oracle_falls_back_to_central_differences(without_symengine: None) -> None:
    expr = logistic(12)
    right = sp.diff(expr, x)
    v = verify(expr, x, right, [x], Limits(verify_seconds=0.05, oracle_tree=10**9))
    assert (v.status, v.oracle) == ("numeric", "central differences (mpmath.diff)")
    assert v.detail == "sympy.diff did not finish within 0.05 s; equal at 5 random real points"


def test_huge_tree_goes_straight_to_central_differences(without_symengine: None) -> None:
    expr = logistic(12)
    v = verify(expr, x, sp.diff(expr, x), [x])
    assert (v.status, v.oracle) == ("numeric", "central differences (mpmath.diff)")
    assert v.detail == ("f's expression tree has more than 20000 nodes, too many for sympy.diff; "
                        "equal at 5 random real points")


def test_central_differences_catch_a_wrong_derivative(without_symengine: None) -> None:
    expr = logistic(12)
    v = verify(expr, x, sp.diff(expr, x) + x / 10**6, [x], Limits(verify_seconds=0.05))
    assert v.status == "mismatch" and "central differences give" in v.detail


def test_a_gradient_is_verified_together_without_symengine(without_symengine: None) -> None:
    """Many components: one numeric comparison with sympy.diff's, not a simplify per component."""
    variables = list(sp.symbols("a1:11", real=True))
    f = sp.tanh(sum(v * (i + 1) for i, v in enumerate(variables))) ** 2
    d = chainsym.diff(f, variables, mode="reverse")
    assert {(v.status, v.oracle, v.detail) for v in d.verifications} == {
        ("numeric", "sympy.diff", "every component equal at 5 random real points")}
    from chainsym.verify import verify_gradient
    wrong = list(d.results)
    wrong[3] += variables[0] / 10**6
    bad = verify_gradient(f, variables, wrong, variables)
    assert bad is not None and bad[0].status == "mismatch" and "for ∂/∂a4" in bad[0].detail


def test_directional_gradient_check() -> None:
    """Without an oracle for the whole gradient: slopes along random directions catch a wrong component."""
    from chainsym.verify import directional
    variables = list(sp.symbols("a1:6", real=True))
    f = sp.exp(sum(variables) / 5) * variables[0]
    right = [sp.diff(f, v) for v in variables]
    ok = directional(f, variables, right, variables, "test")
    assert {v.status for v in ok} == {"numeric"} and ok[0].detail == "test; directional derivatives equal at 5 random real points"
    wrong = list(right)
    wrong[2] = wrong[2] * (1 + sp.Rational(1, 10**5))
    bad = directional(f, variables, wrong, variables, "test")
    assert bad[0].status == "mismatch" and "along a random direction" in bad[0].detail
