"""Backpropagation: agreement with forward mode and sympy.diff, edges, paths, programs, points."""

from __future__ import annotations

import pytest
import sympy as sp
from click.testing import CliRunner
from conftest import close_at_points, run, x, y
from corpus import CORPUS

import chainsym
from chainsym import UsageError
from chainsym.functions import rewrite_primitives
from chainsym.reverse import reverse

s, t = sp.symbols("s t", real=True)
MULTIVARIABLE = ["x^2 y + sin y", "x y z", "atan2(y, x)", "exp(x y) / (1 + x^2 + y^2)",
                 "sigmoid(x w + b)", "(x - y)^2 + (x + y)^3", "log(1 + exp(x)) - x y", "max(x, y) * min(x, y)"]


@pytest.mark.parametrize("text", CORPUS + MULTIVARIABLE)
def test_forward_equals_reverse_equals_sympy(text: str) -> None:
    d = chainsym.diff(text, wrt="all", mode="both")
    assert d.agreement.startswith("forward and reverse mode agree"), d.agreement
    assert all(v.ok for v in d.verifications), d.verifications
    f = rewrite_primitives(d.graph.value)
    for v, r in zip(d.wrt, d.results, strict=False):
        expected = sp.diff(f, v)
        ours = rewrite_primitives(r)
        assert ours == expected or close_at_points(ours, expected, list(d.graph.variables))


def test_one_sweep_visits_every_node_once() -> None:
    g = chainsym.decompose("sin(x y) + x^2 + exp(y z)")
    rp = reverse(g)
    assert [st.target for st in rp.steps] == [n.symbol for n in reversed(g.nodes)] + list(g.variables)
    assert [v.name for v, _ in rp.gradient] == ["x", "y", "z"]


def test_seed_001_two_paths_are_listed_then_summed() -> None:
    """y = 2x + 3x: the path through 2x gives 2, the path through 3x gives 3, together 5."""
    rp = reverse(chainsym.decompose("2x + 3x"))
    last = rp.steps[-1]
    assert [(c.consumer.name, c.upstream, c.partial.local, c.downstream) for c in last.contributions] == [
        ("u1", 1, 2, 2), ("u2", 1, 3, 3)]
    assert last.total == 5


def test_seed_003_upstream_local_downstream() -> None:
    rp = reverse(chainsym.decompose("sin(x+x^2)"))
    (edge,) = rp.steps[1].contributions  # into u2, from u3 = sin(u2)
    assert (edge.upstream, edge.partial.local, edge.downstream) == (1, sp.cos(sp.Symbol("u2", real=True)),
                                                                    sp.cos(x**2 + x))


def test_seed_001_two_layer_relu_at_a_point() -> None:
    d = chainsym.diff("z1 = W1*x + b1; h1 = relu(z1); z2 = W2*h1 + b2; L = (z2 - y)^2",
                      wrt="W1,b1,W2,b2", at="x=2,y=5,W1=3,b1=1,W2=2,b2=0", lr="0.01")
    p = d.point
    assert p is not None and d.output_name == "L"
    assert {k.name: v.exact for k, v in p.values} == {"z1": 7, "h1": 7, "z2": 14, "L": 81}
    adjoints = {k.name: v.exact for k, v in p.adjoints}
    assert (adjoints["z2"], adjoints["h1"], adjoints["z1"]) == (18, 36, 36)
    assert {k.name: v.exact for k, v in p.gradient} == {"W1": 72, "b1": 36, "W2": 126, "b2": 18}
    assert {k.name: (v.exact, v.approx) for k, v in p.updates}["W1"] == (sp.Rational(57, 25), "2.28")
    assert [(c.name, a.name, up.exact, lo.exact, down.exact) for c, a, up, lo, down in p.edges][:2] == [
        ("L", "y", 1, -18, -18), ("L", "z2", 1, 18, 18)]


def test_seed_000_declared_dependencies_in_leibniz_form() -> None:
    d = chainsym.diff("x^2 - y^2", wrt="s,t", mode="forward",
                      where=["x = s - sin(t)", "y = e^s + cos(t)"])
    dzds = d.forward[0].steps[-1]
    assert [(term.partial.arg.name, term.partial.local, term.derivative) for term in dzds.terms] == [
        ("x", 2 * x, 1), ("y", -2 * y, sp.exp(s))]
    expected = sp.diff((s - sp.sin(t)) ** 2 - (sp.exp(s) + sp.cos(t)) ** 2, s)
    assert sp.simplify(d.results[0] - expected) == 0
    assert all(v.ok for v in d.verifications)


def test_program_form_is_the_same_as_where() -> None:
    a = chainsym.diff("z = x^2 - y^2; x = s - sin(t); y = e^s + cos(t)", wrt="s")
    b = chainsym.diff("z = x^2 - y^2", wrt="s", where=["x = s - sin(t)", "y = e^s + cos(t)"])
    assert a.results == b.results and a.output_name == b.output_name == "z"


def test_seed_004_direct_and_indirect_terms_in_a_program() -> None:
    """f(x, u(x)) = x + u with u = x²: df/dx = ∂f/∂x + ∂f/∂u · du/dx = 1 + 1·2x."""
    d = chainsym.diff("f = x + u; u = x^2")
    step = d.steps[-1]
    assert [(term.partial.arg.name, term.partial.local, term.derivative) for term in step.terms] == [
        ("x", 1, 1), ("u", 1, 2 * x)]
    assert d.result == 2 * x + 1


def test_grad_returns_every_partial() -> None:
    g = chainsym.grad("x^2 y + sin y")
    assert g.result == {x: 2 * x * y, y: x**2 + sp.cos(y)}
    assert g.verification is not None and g.verification.status == "proved"  # the gradient carries its verdict


def test_default_mode_is_reverse_for_several_variables() -> None:
    assert chainsym.diff("x y", wrt="x,y").mode == "reverse"
    assert chainsym.diff("x y", wrt="x").mode == "forward"


@pytest.mark.parametrize("text, where, message", [
    ("z = x + 1; x = z^2", (), "circular definitions: z → x → z"),
    ("x = 1; x = 2", (), "x is defined twice (again at column 8)"),
    ("z = x^2", ["w = 3"], "w is defined but z does not depend on it"),
    ("z = x^2; y = 1; q = 2", (), "y, q are defined but z does not depend on them"),
    ("z = x^2; x", (), "statement at column 10 is not a definition: write name = expression"),
    ("x^2", ["x"], "where='x': expected a definition, name = expression"),
])
def test_program_errors(text: str, where: list[str], message: str) -> None:
    with pytest.raises(UsageError) as info:
        chainsym.diff(text, wrt="all", where=where)
    assert str(info.value) == message


def test_wrt_an_intermediate_is_refused() -> None:
    with pytest.raises(UsageError) as info:
        chainsym.diff("z = x^2; x = s t", wrt="x")
    assert str(info.value) == "wrt=x: x is defined in terms of other variables; differentiate by an input (s, t)"


@pytest.mark.parametrize("at, message", [
    ("x=1", "at gives no value for y"),
    ("x=1,y", "at='y': expected name=value"),
    ("x=1,y=z", "at=y: expected a number, got 'z'"),
    ("x=1,y=2,x=3", "at gives x twice"),
    ("x=1,y=(", "at=y: unexpected end of input at column 2 (token 'end of input')"),
])
def test_point_errors(at: str, message: str) -> None:
    with pytest.raises(UsageError) as info:
        chainsym.diff("x y", wrt="x", at=at)
    assert str(info.value) == message


@pytest.mark.parametrize("at, message", [
    ("x=1", "--at gives no value for y"),
    ("x=1,y", "--at 'y': expected name=value"),
    ("x=1,y=z", "--at y: expected a number, got 'z'"),
])
def test_point_errors_name_the_flag_on_the_command_line(runner: CliRunner, at: str, message: str) -> None:
    """The library names its parameter (at=), the command line the flag (--at)."""
    assert run(runner, "diff", "x y", "--wrt", "x", "--at", at) == (2, "", f"chainsym: error: {message}\n")


def test_point_outside_the_domain() -> None:
    with pytest.raises(UsageError) as info:
        chainsym.diff("log(x - 3)", at="x=1")
    assert str(info.value) == ("the function is not defined at this point: u2 = log(u1) is log(-2) = log(2) + I*pi, "
                               "not a finite real number")


def test_relu_kink_uses_the_documented_convention() -> None:
    d = chainsym.diff("relu(x) + x", at="x=0")
    assert d.point is not None
    assert dict(d.point.gradient)[x].exact == 1
    assert d.point.notes == ("u1 is at its kink: relu'(0) is taken as 0 (the convention PyTorch uses)",)


def test_lr_needs_at() -> None:
    with pytest.raises(UsageError, match="lr needs a point: give at too"):
        chainsym.diff("x^2", lr="0.1")


def test_cli_both_modes_and_json_gradient(runner: CliRunner) -> None:
    code, out, _ = run(runner, "diff", "x^2 y", "--wrt", "x,y", "--mode", "both")
    assert code == 0 and "forward and reverse mode agree" in out
    assert "∂f/∂x = 2*x*y\n∂f/∂y = x**2\n" in out
    import json

    code, out, _ = run(runner, "diff", "x^2 y", "--wrt", "all", "--format", "json")
    data = json.loads(out)
    assert (data["wrt"], data["result"], data["mode"]) == (["x", "y"], {"x": "2*x*y", "y": "x**2"}, "reverse")
    assert data["backward"][0] == {"target": "u2", "total": "1", "by_name": False, "contributions": []}


def test_cli_backprop_text(runner: CliRunner) -> None:
    code, out, _ = run(runner, "diff", "2x + 3x", "--mode", "reverse", "--no-verify")
    assert code == 0
    assert """\
  df/dx = df/du1 · ∂u1/∂x + df/du2 · ∂u2/∂x
      path via u1: 1 × 2 = 2
      path via u2: 1 × 3 = 3
      sum = 5
""" in out


def test_cli_point_and_learning_rate(runner: CliRunner) -> None:
    code, out, _ = run(runner, "diff", "z1 = W1*x + b1; h1 = relu(z1); z2 = W2*h1 + b2; L = (z2 - y)^2",
                       "--wrt", "W1", "--at", "x=2,y=5,W1=3,b1=1,W2=2,b2=0", "--lr", "0.01")
    assert code == 0
    for line in ["  z2 = W2*h1 + b2    = 14", "  dL/dz2 = 18    via L: 1 × 18 = 18", "  ∂L/∂W1 = 72",
                 "  W1: 3 → 57/25 ≈ 2.28"]:
        assert line in out.splitlines(), line
