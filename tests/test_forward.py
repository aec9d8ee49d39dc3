"""Forward mode on the seeds' worked examples: every du/dx, not only the answer."""

from __future__ import annotations

import sympy as sp
from conftest import x

import chainsym
from chainsym.forward import forward
from chainsym.render.common import products, rule


def steps(text: str, wrt: sp.Symbol = x) -> list[tuple[str, str, str, sp.Expr]]:
    """(node, rule in names, products of values, total) for each step."""
    fp = forward(chainsym.decompose(text), wrt)
    return [(s.node.name, rule(s, wrt.name), products(s, wrt.name), s.total) for s in fp.steps]


def test_seed_004_sin_of_x_plus_x_squared() -> None:
    assert steps("sin(x+x^2)") == [
        ("u1", "∂u1/∂x", "2*x", 2 * x),
        ("u2", "∂u2/∂x + ∂u2/∂u1 · du1/dx", "1 + 1·(2*x)", 2 * x + 1),
        ("u3", "∂u3/∂u2 · du2/dx", "cos(u2)·(2*x + 1)", (2 * x + 1) * sp.cos(x**2 + x)),
    ]


def test_seed_004_x_plus_x_squared_partial_is_not_total() -> None:
    """∂u2/∂x = 1 but du2/dx = 1 + 2x: the direct term and the path through u1 both count."""
    (s1, s2) = forward(chainsym.decompose("x + x^2"), x).steps
    direct, through = s2.terms
    assert (direct.partial.arg, direct.partial.local, direct.derivative) == (x, 1, 1)
    assert (through.partial.arg.name, through.partial.local, through.derivative) == ("u1", 1, 2 * x)
    assert s2.total == 2 * x + 1


def test_seed_004_x_times_x_squared() -> None:
    assert steps("x * x^2") == [
        ("u1", "∂u1/∂x", "2*x", 2 * x),
        ("u2", "∂u2/∂x + ∂u2/∂u1 · du1/dx", "u1 + x·(2*x)", 3 * x**2),
    ]


def test_seed_001_two_x_plus_three_squared() -> None:
    """y = (2x+3)²: u = 2x+3, dy/du = 2u, du/dx = 2, dy/dx = 4u = 8x + 12."""
    assert steps("(2x+3)^2") == [
        ("u1", "∂u1/∂x", "2", 2),
        ("u2", "∂u2/∂u1 · du1/dx", "1·2", 2),
        ("u3", "∂u3/∂u2 · du2/dx", "(2*u2)·2", 8 * x + 12),
    ]


def test_seed_001_exp_of_x_squared() -> None:
    assert steps("e^(x^2)") == [
        ("u1", "∂u1/∂x", "2*x", 2 * x),
        ("u2", "∂u2/∂u1 · du1/dx", "exp(u1)·(2*x)", 2 * x * sp.exp(x**2)),
    ]


def test_seed_001_two_paths_add_up() -> None:
    """y = 2x + 3x: the paths through 2x and 3x contribute 2 and 3."""
    assert steps("2x + 3x")[-1] == ("u3", "∂u3/∂u1 · du1/dx + ∂u3/∂u2 · du2/dx", "1·2 + 1·3", 5)


def test_nodes_independent_of_wrt_are_listed_not_stepped() -> None:
    fp = forward(chainsym.decompose("x^2 + sin(y)"), x)
    assert [s.node.name for s in fp.steps] == ["u1", "u3"]
    assert [s.name for s in fp.independent] == ["u2"]
    assert fp.result == 2 * x


def test_big_power_is_not_expanded() -> None:
    d = chainsym.diff("(x+1)^100000")
    assert d.result == 100000 * (x + 1) ** 99999
    assert d.verification is not None and d.verification.status == "proved"


def test_derivative_by_a_variable_not_in_f_is_zero() -> None:
    d = chainsym.diff("x^2", wrt="y")
    assert d.result == 0 and d.verification is not None and d.verification.ok
