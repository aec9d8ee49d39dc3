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
