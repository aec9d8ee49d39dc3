"""chainsym check: verdicts, counterexamples, and the chain-rule step a wrong claim gets wrong."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import run

import chainsym
from chainsym import UsageError

SEED_002 = "h = u^3 + 2u - 5; u = (x+1)^2"


@pytest.mark.parametrize("expr, claim", [
    ("sin(x)^2", "2 sin x cos x"),
    ("sin(x)^2", "sin(2x)"),                           # a trig identity
    ("(x+1)^3", "3x^2 + 6x + 3"),                      # expanded
    ("x^3 + 3x^2 + 3x", "3(x+1)^2"),                   # factored
    ("tanh(x)", "1 - tanh(x)^2"),
    ("tanh(x)", "4/(exp(x) + exp(-x))^2"),             # exponential form
    (SEED_002, "(3u^2 + 2)(2x + 2)"),                   # defined names stand for their definitions
    (SEED_002, "2(x+1)(3(x+1)^4 + 2)"),
])
def test_equivalent_forms_are_correct(expr: str, claim: str) -> None:
    r = chainsym.check(expr, claim)
    assert r.correct and r.comparison.status in ("proved", "numeric"), r.comparison


@pytest.mark.parametrize("expr, claim, kind, node, message", [
    ("sin(x^2)", "cos(x^2)", "chain rule dropped", "u2",
     "the chain rule is dropped at u2 = sin(u1): ∂u2/∂u1 = cos(u1) is not multiplied by the inner derivative du1/dx"),
    ("exp(3x)", "exp(3x)", "chain rule dropped", "u2",
     "the chain rule is dropped at u2 = exp(u1): ∂u2/∂u1 = exp(u1) is not multiplied by the inner derivative du1/dx"),
    ("cos(x^2)", "2x sin(x^2)", "sign error (minus sign)", "u2",
     "sign error at u2 = cos(u1): ∂u2/∂u1 is -sin(u1), not sin(u1)"),
    ("x + x^2", "2x", "path dropped", "u2",
     "a path is missing at u2 = x + u1: the direct term ∂u2/∂x = 1 is left out of the sum"),
    ("2x + 3x", "2", "path dropped", "u3",
     "the path through u2 is missing at u3 = u1 + u2, where the paths meet: the term ∂u3/∂u2 · du2/dx is left out "
     "of the sum"),
    ("x sin x", "cos x", "product rule misapplied", "u2",
     "the product rule is misapplied at u2 = x*u1: the derivative of a product is Σ (one factor's derivative "
     "× the other factors), not the product of the derivatives"),
])
def test_mistakes_are_named(expr: str, claim: str, kind: str, node: str, message: str) -> None:
    r = chainsym.check(expr, claim)
    assert not r.correct and r.diagnosis is not None
    assert (r.diagnosis.kind, r.diagnosis.node, r.diagnosis.message) == (kind, node, message)
    assert r.counterexample and r.claimed_value != r.correct_value


def test_seed_002_claim_is_wrong() -> None:
    """Seed 002 claims d/dx g(f(x)) = (6x+10)(x+1)² for g(u) = u³+2u−5, f(x) = (x+1)²."""
    r = chainsym.check(SEED_002, "(6x+10)(x+1)^2")
    assert not r.correct
    (name, value), = r.counterexample
    assert name == "x"
    import sympy as sp

    x = sp.Symbol("x", real=True)
    at = sp.Float(value)
    claimed = ((6 * x + 10) * (x + 1) ** 2).subs(x, at)
    right = (2 * (x + 1) * (3 * (x + 1) ** 4 + 2)).subs(x, at)
    assert abs(claimed - sp.Float(r.claimed_value)) < 1e-9 * abs(claimed)
    assert abs(right - sp.Float(r.correct_value)) < 1e-9 * abs(right)
    assert r.diagnosis is None  # two mistakes at once: the counterexample and the correct steps tell why


def test_seed_002_cli(runner: CliRunner) -> None:
    code, out, err = run(runner, "check", SEED_002, "--claim", "(6x+10)(x+1)^2")
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines[0] == "claim: dh/dx = (6x+10)(x+1)^2"
    assert lines[1] == "verdict: INCORRECT"
    assert lines[2].startswith("  at x = ") and ": the claim gives " in lines[2]
    assert lines[4] == "correct: dh/dx = (2*x + 2)*(3*(x + 1)**4 + 2)"
    assert "  dh/dx = ∂h/∂u · du/dx   = (3*u**2 + 2)·(2*x + 2) = (2*x + 2)*(3*(x + 1)**4 + 2)" in lines


def test_cli_correct_exits_0(runner: CliRunner) -> None:
    code, out, _ = run(runner, "check", "sin(x^2)", "--claim", "2x cos(x^2)")
    assert code == 0 and out.splitlines()[:3] == [
        "claim: df/dx = 2x cos(x^2)", "verdict: CORRECT (identical)", "correct: df/dx = 2*x*cos(x**2)"]


def test_cli_json(runner: CliRunner) -> None:
    code, out, _ = run(runner, "check", "sin(x^2)", "--claim", "cos(x^2)", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert (data["schema"], data["version"], data["verdict"], data["correct"]) == ("chainsym.check", 2, "incorrect", False)
    assert data["diagnosis"]["kind"] == "chain rule dropped"
    assert set(data["counterexample"]) == {"point", "claim", "derivative"}
    assert data["derivation"]["result"] == data["result"] == "2*x*cos(x**2)"


@pytest.mark.parametrize("args, message", [
    (["check", "x^2", "--claim", "y"], "chainsym: error: --claim uses y, which f does not depend on\n"),
    (["check", "x y", "--claim", "y"], "chainsym: error: the expression has several variables (x, y): "
                                       "choose with --wrt, e.g. --wrt x, or --wrt all\n"),
    (["check", "x^2", "--claim", "2x +"], "chainsym: error: --claim: missing operand after '+' at column 5 "
                                          "(token 'end of input')\n"),
])
def test_check_errors(runner: CliRunner, args: list[str], message: str) -> None:
    assert run(runner, *args) == (2, "", message)


def test_check_needs_one_variable() -> None:
    with pytest.raises(UsageError, match="check compares one derivative"):
        chainsym.check("x y", "y", wrt="x,y")


# --- ambiguity, and claims of every kind --------------------------------------------------------

def test_square_of_a_sum_claimed_as_2_times_it_is_ambiguous(runner: CliRunner) -> None:
    """(2x+3)² claimed as 2(2x+3): dropping the chain rule at u2 = u1 + 3 or at u3 = u2² both give it."""
    r = chainsym.check("(2x+3)^2", "2(2x+3)")
    assert r.verdict == "incorrect" and r.diagnosis is None
    assert [(d.kind, d.node) for d in r.diagnoses] == [("chain rule dropped", "u2"), ("chain rule dropped", "u3")]
    code, out, _ = run(runner, "check", "(2x+3)^2", "--claim", "2(2x+3)")
    assert code == 1
    assert "  why (ambiguous: 2 standard mistakes each reproduce the claim):" in out.splitlines()
    data = json.loads(run(runner, "check", "(2x+3)^2", "--claim", "2(2x+3)", "--format", "json")[1])
    assert data["ambiguous"] and data["diagnosis"] is None and len(data["diagnoses"]) == 2


def test_outer_derivative_at_the_wrong_inner_value() -> None:
    """Seed 002's slip alone: g'(u) = 3u² + 2 taken at x + 1 instead of u = (x+1)²."""
    r = chainsym.check(SEED_002, "(3(x+1)^2 + 2)(2x + 2)")
    assert r.diagnosis is not None and (r.diagnosis.kind, r.diagnosis.node) == ("wrong inner value", "h")
    assert "∂h/∂u must be evaluated at u = (x + 1)**2, not at x + 1" in r.diagnosis.message


def test_a_missing_path_is_named_where_the_paths_meet() -> None:
    r = chainsym.check("z = x + y; y = x^2", "1")
    assert r.diagnosis is not None and r.diagnosis.message == (
        "the path through y is missing at z = x + y, where the paths meet: the term ∂z/∂y · dy/dx is left out of "
        "the sum")


@pytest.mark.parametrize("claim", [{"x": "2*x*y", "y": "x^2"}, "x: 2*x*y; y: x^2", "x: 2x y, y: x^2",
                                   '{"x": "2*x*y", "y": "x^2"}', ["2*x*y", "x^2"]])
def test_gradient_claims_name_the_wrong_entry(claim: object) -> None:
    r = chainsym.check("x^2*y + sin(y)", claim)
    assert (r.verdict, r.claim_kind, r.label) == ("incorrect", "grad", "∇f")
    assert [e.label for e in r.wrong] == ["∂f/∂y"] and [e.index for e in r.entries] == [("x",), ("y",)]
    assert r.entries[0].check.correct and r.wrong[0].check.counterexample
    assert r.wrong[0].check.diagnosis is not None and r.wrong[0].check.diagnosis.kind == "path dropped"
    import sympy as sp

    x, y = sp.symbols("x y", real=True)
    assert r.result == {x: 2 * x * y, y: x**2 + sp.cos(y)}


def test_gradient_claim_on_the_command_line(runner: CliRunner) -> None:
    code, out, _ = run(runner, "check", "x^2*y + sin(y)", "--claim", "x: 2*x*y; y: x^2 + cos(y)")
    assert code == 0 and out.splitlines()[:4] == [
        "claim: ∇f = x: 2*x*y; y: x^2 + cos(y)", "verdict: CORRECT (all 2 entries)",
        "  ∂f/∂x = 2*x*y: CORRECT (identical)", "  ∂f/∂y = x^2 + cos(y): CORRECT (identical)"]
    code, out, _ = run(runner, "check", "x^2*y + sin(y)", "--claim", "x: 2*x*y; y: x^2")
    assert code == 1 and out.splitlines()[1] == "verdict: INCORRECT (1 of 2 entries wrong: ∂f/∂y)"


def test_hessian_and_jacobian_claims(runner: CliRunner) -> None:
    r = chainsym.check("x^2*y", [["2*y", "2*x"], ["2*x", "2"]])
    assert (r.claim_kind, [e.label for e in r.wrong]) == ("hessian", ["∂²f/∂y²"])
    assert [e.label for e in r.entries] == ["∂²f/∂x²", "∂²f/∂x∂y", "∂²f/∂y∂x", "∂²f/∂y²"]
    assert chainsym.check("x^2*y", "[[2y, 2x], [2x, 0]]").correct
    r = chainsym.check("[x*y, x - y]", "[[y, x], [1, 1]]")
    assert (r.claim_kind, [(e.label, e.index) for e in r.wrong]) == ("jacobian", [("∂f_2/∂y", (2, 2))])
    code, out, _ = run(runner, "check", "x^2*y", "--claim", "[[2y, 2x], [2x, 2]]", "--format", "json")
    data = json.loads(out)
    assert code == 1 and (data["kind"], data["wrong"]) == ("hessian", ["∂²f/∂y²"])
    assert data["result"] == [["2*y", "2*x"], ["2*x", "0"]] and len(data["entries"]) == 4


def test_higher_order_and_point_claims(runner: CliRunner) -> None:
    r = chainsym.check("sin(x^2)", "2cos(x^2) - 4x^2 sin(x^2)", order=2)
    assert r.correct and r.label == "d²f/dx²"
    r = chainsym.check("sin(x^2)", "-4x^2 sin(x^2)", order=2)
    assert not r.correct and r.diagnosis is not None and r.diagnosis.kind == "path dropped"
    assert chainsym.check("x^3", "12", at="x=2").correct
    r = chainsym.check("sin(x^2)", "cos(4)", at="x=2")
    assert r.counterexample == (("x", "2"),) and r.diagnosis is not None and r.diagnosis.kind == "chain rule dropped"
    code, out, _ = run(runner, "check", "x^3", "--order", "3", "--claim", "6")
    assert code == 0 and out.splitlines()[0] == "claim: d³f/dx³ = 6"


def test_multi_entry_json_validates() -> None:
    from test_formats import _validator

    from chainsym.render import json as json_render

    validator = _validator("check")
    for expr, claim in [("x^2*y + sin(y)", "x: 2*x*y; y: x^2"), ("x^2*y", "[[2y, 2x], [2x, 2]]"),
                        ("[x*y, x - y]", "[[y, x], [1, -1]]"), ("x^3 + 3x^2 + 3x", "3(x+1)^2")]:
        validator.validate(json_render.data(chainsym.check(expr, claim)))


@pytest.mark.parametrize("expr, claim, kwargs, message", [
    ("x y", {"x": "y"}, {}, "«claim» gives no entry for y"),
    ("x y", {"x": "y", "y": "x", "z": "0"}, {}, "entries for z, which are not among the variables (x, y)"),
    ("x y", "x: y; x: y", {}, "«claim» gives x twice"),
    ("x y", [["y", "1"]], {}, "«claim» is 1x2, the hessian is 2x2 (variables x, y)"),
    ("x y", ["y"], {}, "«claim» lists 1 entries for 2 variables (x, y)"),
    ("sin(x)", "cos(x)", {"kind": "grad"}, "a grad claim is a mapping"),
    ("x y", {"x": "y", "y": "x"}, {"order": 2}, "«order» must be a whole number from 1 (above 1 only for a deriv"),
    ("x^2", "2x", {"kind": "curl"}, "«kind» must be one of diff, grad, jacobian, hessian"),
    ("x^2", "4", {"at": "x=2, y=1"}, "«at» gives a value for y, which f does not depend on"),
    ("x y", {"x": "y", "y": "x +"}, {}, "«claim» entry y: missing operand"),
    ("x y", {"x": "y", "y": "xy"}, {}, "«claim» entry ∂f/∂y: uses xy, which f does not depend on"),
])
def test_claim_errors(expr: str, claim: object, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError) as info:
        chainsym.check(expr, claim, **kwargs)  # type: ignore[arg-type]
    assert message.replace("«", "").replace("»", "") in str(info.value)


@pytest.mark.parametrize(("f", "claim"), [
    ("exp(-10**6*x**2)", "0"),
    ("exp(-10**6*x**2)", "2*10**6*x*exp(-10**6*x**2)"),  # the sign flipped
    ("x*exp(-x**2)**1000", "exp(-x**2)**1000"),  # the product rule's second term dropped
])
def test_a_wrong_claim_whose_values_are_tiny_is_incorrect(f: str, claim: str) -> None:
    """Found by a fresh-eyes attack: at every sampled point both sides were below 10^-40, inside the
    absolute tolerance 10^-20, so these were CORRECT. Sides close absolutely but not relatively
    now differ when each side's digits are stable at 60 and 120 digits."""
    assert not chainsym.check(f, claim).correct
