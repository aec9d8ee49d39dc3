"""Vectors, Jacobians, Hessians and higher order: the seeds' examples, a corpus of vector functions
verified against sympy.jacobian, shape errors, and the CLI."""

from __future__ import annotations

import json

import pytest
import sympy as sp
from click.testing import CliRunner
from conftest import run

import chainsym
from chainsym.graph import decompose
from chainsym.reverse import reverse
from chainsym.vector_results import Jacobian


def gradient_check(derivation: Jacobian) -> None:
    """A second, independent route: reverse mode over the scalar graph of each output component
    gives the Jacobian's rows."""
    output = next(n for n in derivation.nodes if n.name == derivation.output)
    for row, component in enumerate(output.value):
        gradient = dict(reverse(decompose(component)).gradient)
        for w, jac in zip(derivation.wrt, derivation.jacobians, strict=False):
            inp = next(i for i in derivation.inputs if i.name == w)
            numerator = jac if derivation.layout == "numerator" else jac.T
            for col, c in enumerate(inp.components):
                assert sp.simplify(numerator[row, col] - gradient.get(c, 0)) == 0


def _symbols(names: str) -> list[sp.Symbol]:
    return list(sp.symbols(names, real=True))


def test_seed000_mean_of_hadamard_and_difference() -> None:
    """Seed 000: z = mean(x + y), x = s ⊙ t, y = s − t with n = 3 (its (x⁽ⁱ⁾, y⁽ⁱ⁾) read as x⁽ⁱ⁾ + y⁽ⁱ⁾):
    ∂z/∂s = (t + 1)ᵀ/3 and ∂z/∂t = (s − 1)ᵀ/3, each 1×n."""
    d = chainsym.jacobian("z = mean(x + y); x = s*t; y = s - t", "s,t", vectors=["s:3", "t:3"])
    s1, s2, s3, t1, t2, t3 = _symbols("s1 s2 s3 t1 t2 t3")
    assert (d.jacobians[0] - sp.Matrix([[(t1 + 1) / 3, (t2 + 1) / 3, (t3 + 1) / 3]])).expand() == sp.zeros(1, 3)
    assert (d.jacobians[1] - sp.Matrix([[(s1 - 1) / 3, (s2 - 1) / 3, (s3 - 1) / 3]])).expand() == sp.zeros(1, 3)
    assert d.result.shape == (1, 6) and d.result[:, 3:] == d.jacobians[1]
    assert [v.status for v in d.verifications] == ["proved", "proved"]
    text = str(d)
    assert "  x = s ⊙ t       Hadamard product (elementwise), shape (3)\n" in text
    assert "  dx/ds = ∂x/∂s\n      = diag(t1, t2, t3)   (3,3)\n" in text
    assert "      = [1/3, 1/3, 1/3]·diag(t1 + 1, t2 + 1, t3 + 1)   (1,3)·(3,3) → (1,3)\n" in text
    assert "∂z/∂s = [(t1 + 1)/3, (t2 + 1)/3, (t3 + 1)/3]   shape (1,3)\n" in text


def test_seed003_shape_rule() -> None:
    """Seed 003: for y = f(x) ∈ R^M, x ∈ R^N and z = g(y) ∈ R^K, ∂z/∂x = ∂z/∂y · ∂y/∂x is (K×M)(M×N) = K×N."""
    d = chainsym.jacobian("z = W*y; y = sin(V*x)", "x", vectors=["x:4"], matrices=["W:2x3", "V:3x4"])
    assert d.jacobians[0].shape == (2, 4)
    assert d.verifications[0].ok
    assert "(2,3)·(3,4) → (2,4)" in str(d)


def test_list_of_scalars() -> None:
    d = chainsym.jacobian("[s*t, s - t]", "s,t")
    s, t = _symbols("s t")
    assert d.jacobians == (sp.Matrix([[t], [1]]), sp.Matrix([[s], [-1]]))


def test_denominator_layout_transposes() -> None:
    numerator = chainsym.jacobian("[s*t, s - t, s^2]", "s,t")
    denominator = chainsym.jacobian("[s*t, s - t, s^2]", "s,t", layout="denominator")
    assert [j.T for j in numerator.jacobians] == list(denominator.jacobians)
    assert denominator.jacobians[0].shape == (1, 3)


def test_layer_matrix_forms_are_checked() -> None:
    """Seed 001: for z = W x + b, ∂L/∂x = Wᵀ ∂L/∂z and ∂L/∂W = ∂L/∂z xᵀ, checked against scalar differentiation."""
    d = chainsym.jacobian("L = dot(z - y, z - y); z = W*x + b", "x,W,b", vectors=["x:3", "b:2", "y:2"],
                          matrices=["W:2x3"])
    (layer,) = d.layers
    assert layer.z == "z" and layer.statements == (("∂L/∂x = Wᵀ ∂L/∂z", True), ("∂L/∂W = ∂L/∂z xᵀ", True))
    gradient_check(d)  # the Jacobian rows equal reverse mode over each scalar component


CORPUS = [
    ("exp(s) * t + sum(s)", ["s:3", "t:3"], []),
    ("sigmoid(W*x + b)", ["x:3", "b:2"], ["W:2x3"]),
    ("tanh(W*x)", ["x:2"], ["W:2x2"]),
    ("dot(s, t) * s", ["s:2", "t:2"], []),
    ("log(1 + s^2) / 2", ["s:4"], []),
    ("mean(relu(s) + softplus(t))", ["s:3", "t:3"], []),
    ("sum(sin(s) * cos(t))", ["s:2", "t:2"], []),
    ("s / (1 + dot(s, s))", ["s:3"], []),
]


@pytest.mark.parametrize("expr,vecs,mats", CORPUS)
def test_corpus_is_verified(expr: str, vecs: list[str], mats: list[str]) -> None:
    d = chainsym.jacobian(expr, vectors=vecs, matrices=mats)
    assert all(v.ok for v in d.verifications), [v.detail for v in d.verifications]
    gradient_check(d)


@pytest.mark.parametrize("args,message", [
    (["s*t", "--vector", "s:3", "--vector", "t:2"], "chainsym: error: s*t: shapes (2) and (3) do not match\n"),
    (["W*x", "--matrix", "W:2x3", "--vector", "x:2"],
     "chainsym: error: W*x: a 2x3 matrix times shape (2): the inner sizes 3 and 2 differ\n"),
    (["sum(s)", "--vector", "s:x"], "chainsym: error: --vector 's:x': expected NAME:SIZE, e.g. s:3\n"),
    (["sum(s)", "--vector", "s:3", "--wrt", "q"], "chainsym: error: --wrt q: not an input (inputs: s)\n"),
    (["sum(s)", "--vector", "s:3", "--vector", "t:2"], "chainsym: error: declared but not used: t\n"),
    (["sum(x)"], "chainsym: error: sum(x): sum takes a vector or a matrix, not shape scalar\n"),
    (["s*W", "--matrix", "W:2x2", "--vector", "s:2"],
     "chainsym: error: s*W: a vector times a matrix: write transpose(v)*W for a row vector\n"),
])
def test_shape_errors(runner: CliRunner, args: list[str], message: str) -> None:
    code, out, err = run(runner, "jacobian", *args)
    assert (code, out, err) == (2, "", message)


def test_jacobian_cli_json(runner: CliRunner) -> None:
    code, out, err = run(runner, "jacobian", "[s*t, s - t]", "--wrt", "s,t", "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["jacobians"]["s"] == {"shape": [2, 1], "entries": [["t"], ["1"]]}
    assert data["verifications"]["t"]["status"] == "proved"


# --- higher order -------------------------------------------------------------------------------

def test_seed001_second_derivative_at_a_point(runner: CliRunner) -> None:
    """Seed 001: d²(x³)/dx² at x = 2 is 12."""
    orders = chainsym.derivatives("x^3", order=2, at="x=2")
    assert [d.results[0] for d in orders.orders] == [3 * sp.Symbol("x", real=True) ** 2, 6 * sp.Symbol("x", real=True)]
    assert orders.value == 12 and orders.verification is not None and orders.verification.method == "identical"
    code, out, err = run(runner, "diff", "x^3", "--order", "2", "--at", "x=2")
    assert (code, err) == (0, "")
    assert out.splitlines()[-3:] == ["d^2f/dx^2 = 6*x", "at x = 2: d^2f/dx^2 = 12",
                                     "verified: equal to sympy.diff(f, x, 2) (symbolic: identical)"]
    assert "=== order 2: differentiate df/dx = f' ===" in out


@pytest.mark.parametrize("expr,n", [("sin(x^2)", 3), ("e^x * ln(x)", 4), ("sigmoid(x)", 3), ("atan(x)/x", 2)])
def test_nth_derivative_matches_sympy(expr: str, n: int) -> None:
    orders = chainsym.derivatives(expr, order=n)
    assert orders.verification is not None and orders.verification.ok


def test_order_bounds(runner: CliRunner) -> None:
    code, out, err = run(runner, "diff", "x^3", "--order", "20")
    assert (code, out) == (2, "")
    assert err.startswith("chainsym: error: Invalid value for '--order': 20 is not in the range 1<=x<=12.")
    code, out, err = run(runner, "diff", "x^3", "--order", "2", "--format", "dot")
    assert (code, out) == (2, "")


def test_hessian_forward_over_reverse() -> None:
    h = chainsym.hessian("x^2*y + sin(x*y)", "x,y")
    x, y = _symbols("x y")
    f = x**2 * y + sp.sin(x * y)
    assert sp.simplify(h.matrix - sp.hessian(f, [x, y])) == sp.zeros(2, 2)
    assert h.symmetric and h.verification is not None and h.verification.status == "proved"
    assert len(h.passes) == 2 and len(h.gradient_graph.nodes) == 7


def test_hessian_cli(runner: CliRunner) -> None:
    code, out, err = run(runner, "hessian", "x^2*y", "--wrt", "x,y")
    assert (code, err) == (0, "")
    assert out.splitlines()[-5:] == [
        "  ∂²f/∂x² = 2*y", "  ∂²f/∂x∂y = 2*x", "  ∂²f/∂y² = 0",
        "mixed partials agree: ∂²f/∂xi∂xj = ∂²f/∂xj∂xi for every pair",
        "verified: equal to sympy.hessian(f, [x, y]) (symbolic: identical)"]
    code, out, err = run(runner, "hessian", "x^2*y", "--format", "json")
    assert json.loads(out)["result"] == [["2*y", "2*x"], ["2*x", "0"]]


@pytest.mark.parametrize("args,message", [
    (["[x, y"], "chainsym: error: a list [a, b, …] must end with ']' at column 6 (token 'end of input')\n"
                "  [x, y\n       ^\n"),
    (["W*x", "--matrix", "W:2x3", "--vector", "x:3", "--vector", "W:2"], "chainsym: error: W is declared twice\n"),
    (["2"], "chainsym: error: the expression has no operation to differentiate\n"),
    (["z = x; x = z"], "chainsym: error: the definitions are circular: z -> x -> z\n"),
])
def test_more_jacobian_errors(runner: CliRunner, args: list[str], message: str) -> None:
    assert run(runner, "jacobian", *args) == (2, "", message)


# --- one engine: names, shapes, matrix products ---------------------------------------------------

def test_a_user_variable_named_like_an_intermediate(runner: CliRunner) -> None:
    """Issue 11: vectors.py used to hard-code u1, u2, … for its nodes; the naming authority picks v1."""
    code, out, err = run(runner, "jacobian", "exp(u1*x) + u1", "--wrt", "x,u1")
    assert (code, err) == (0, "")
    d = chainsym.jacobian("exp(u1*x) + u1", "x,u1")
    u1, x = _symbols("u1 x")
    assert d.result == sp.Matrix([[u1 * sp.exp(u1 * x), x * sp.exp(u1 * x) + 1]])
    assert [n.name for n in d.nodes] == ["v1", "v2", "f"] and d.verification.ok


def test_the_result_is_the_m_by_n_jacobian() -> None:
    d = chainsym.jacobian("[s*t, s - t, sin(s*t)]", ["s", "t"])
    s, t = _symbols("s t")
    assert d.result == sp.Matrix([[t, s], [1, -1], [t * sp.cos(s * t), s * sp.cos(s * t)]])
    assert d.result.shape == (3, 2) and d.verification.ok


def test_a_loss_gradient_is_shaped_like_the_weights() -> None:
    """∂L/∂W of a 2x3 W is 2x3 (not a flattened 1x6 row); ∂L/∂x of x:3 is a column."""
    d = chainsym.jacobian("L = dot(z - y, z - y); z = W*x + b", "W", vectors=["x:3", "b:2", "y:2"],
                          matrices=["W:2x3"])
    assert d.result.shape == (2, 3) and d.jacobians[0].shape == (1, 6)
    W11, x1, b1, y1 = _symbols("W11 x1 b1 y1")
    assert sp.expand(d.result[0, 0] - sp.diff(sum(
        (sum(sp.Symbol(f"W{i}{j}", real=True) * sp.Symbol(f"x{j}", real=True) for j in (1, 2, 3))
         + sp.Symbol(f"b{i}", real=True) - sp.Symbol(f"y{i}", real=True)) ** 2 for i in (1, 2)), W11)) == 0


@pytest.mark.parametrize("expr, mats, vecs, shape", [
    ("W2*W1*x", ["W2:2x3", "W1:3x4"], ["x:4"], (2, 4)),
    ("sum(X*W)", ["X:4x3", "W:3x2"], [], (1, 6)),
    ("transpose(W)*y", ["W:2x3"], ["y:2"], (3, 2)),
    ("sum(tanh(W^T))", ["W:2x3"], [], (1, 6)),
])
def test_matrix_products_and_transposes(expr: str, mats: list[str], vecs: list[str], shape: tuple[int, int]) -> None:
    d = chainsym.jacobian(expr, vectors=vecs, matrices=mats)
    assert d.jacobians[-1].shape == shape
    assert d.verification.ok, d.verification
    gradient_check(d)


def test_jacobian_at_a_point_and_data() -> None:
    d = chainsym.jacobian("L = dot(W*x - y, W*x - y)", vectors=["x:2", "y:1"], matrices=["W:1x2"], data="x,y",
                          at="W11=1, W12=2, x1=3, x2=4, y1=1")
    assert d.wrt == ("W",)
    assert d.values == (sp.Matrix([[60, 80]]),)  # 2(W x − y) xᵀ = 2·10·(3, 4)
