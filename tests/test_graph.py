"""Decomposition: one operation per node, shared subexpressions once, no recursion."""

from __future__ import annotations

import pytest
import sympy as sp
from conftest import x, y

from chainsym import LimitError, Limits, UnsupportedOpError, decompose, parse
from chainsym.render.common import show_local


def table(text: str) -> list[tuple[str, str]]:
    return [(n.name, show_local(n.local)) for n in decompose(text).nodes]


def test_seed_004_sin_x_plus_x_squared() -> None:
    g = decompose("sin(x+x^2)")
    assert table("sin(x+x^2)") == [("u1", "x**2"), ("u2", "x + u1"), ("u3", "sin(u2)")]
    assert g.output == sp.Symbol("u3", real=True)
    assert [n.expr for n in g.nodes] == [x**2, x + x**2, sp.sin(x + x**2)]


def test_shared_subexpression_is_one_node() -> None:
    assert table("sin(x)*sin(x) + sin(x)") == [("u1", "sin(x)"), ("u2", "u1*u1"), ("u3", "u2 + u1")]


def test_sharing_is_found_across_separately_built_trees() -> None:
    expr = sp.Add(sp.sin(x + 1), sp.cos(sp.Add(x, 1)), evaluate=False)  # two distinct x+1 objects
    assert [n.op_name for n in decompose(expr).nodes] == ["Add", "sin", "cos", "Add"]


def test_subtraction_and_division_are_primitive_operations() -> None:
    assert table("x^2 - y^2") == [("u1", "x**2"), ("u2", "y**2"), ("u3", "-u2"), ("u4", "u1 + u3")]
    assert table("x/y") == [("u1", "1/y"), ("u2", "x*u1")]


def test_constants_are_leaves_not_nodes() -> None:
    assert table("2 pi x + sqrt(2)") == [("u1", "2*pi*x"), ("u2", "u1 + sqrt(2)")]


def test_variable_and_constant_graphs_have_no_nodes() -> None:
    assert decompose("x").nodes == () and decompose("x").output == x
    assert decompose("7").nodes == () and decompose("7").output == 7


def test_intermediate_names_avoid_user_variables() -> None:
    assert table("u1 + u2^2") == [("v1", "u2**2"), ("v2", "u1 + v1")]


def test_variables_sorted_by_name() -> None:
    assert [v.name for v in decompose("z + a*b").variables] == ["a", "b", "z"]


def test_deep_chain_of_10000_nodes_needs_no_recursion() -> None:
    expr: sp.Expr = x
    for _ in range(10_000):
        expr = sp.sin(expr, evaluate=False)
    g = decompose(expr)
    assert len(g.nodes) == 10_000
    assert g.nodes[-1].args == (g.nodes[-2].symbol,)


def test_wide_sum_of_10000_terms_is_one_add_node() -> None:
    g = decompose(sp.Add(*sp.symbols("a0:10000", real=True)))
    assert len(g.nodes) == 1 and len(g.nodes[0].args) == 10_000


def test_iterated_map_graph_stays_linear() -> None:
    """u <- u*sin(u): SymPy's tree doubles each step, the graph grows by two nodes."""
    u: sp.Expr = x
    for _ in range(30):
        u = sp.Mul(u, sp.sin(u), evaluate=False)
    assert len(decompose(u).nodes) == 60


def test_node_limit() -> None:
    with pytest.raises(LimitError) as info:
        decompose(parse("sin(cos(tan(x)))"), Limits(max_nodes=2))
    assert str(info.value).startswith("the expression has more than 2 distinct operations (limit 'max_nodes'")


def test_non_expression_is_unsupported() -> None:
    with pytest.raises(UnsupportedOpError, match="'StrictLessThan'"):
        decompose(x < y)  # type: ignore[arg-type]
