"""Scale: large results as programs of shared parts, steps by name, deep graphs without recursion."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import mpmath
import pytest
import sympy as sp
from click.testing import CliRunner
from conftest import run

import chainsym
from chainsym.limits import Limits
from chainsym.numeric import evaluate
from chainsym.share import program_form
from chainsym.walk import Substituter, tree_size

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from families import FAMILIES  # noqa: E402

x = sp.Symbol("x", real=True)


def _expand(program, i: int) -> sp.Expr:  # type: ignore[no-untyped-def]
    values: dict[sp.Basic, sp.Basic] = {}
    for name, value in program.definitions:
        values[name] = Substituter(values)(value)
    return Substituter(values)(program.results[i])  # type: ignore[return-value]


def test_small_results_are_shown_whole() -> None:
    assert program_form([sp.sin(x) * sp.cos(x)], 2000) is None


def test_program_form_is_the_same_expression() -> None:
    expr, _ = FAMILIES["b2"][1](12)
    d = chainsym.diff(expr, verify=False)
    program = d.program
    assert program is not None and tree_size(d.results[0], 2000) > 2000
    assert [n.name for n, _ in program.definitions][:3] == ["t1", "t2", "t3"]
    assert all(tree_size(value, 200) <= 200 for _, value in program.definitions)
    point = {x: 0.37}
    assert abs(evaluate(_expand(program, 0), point, 30) - evaluate(d.results[0], point, 30)) < 1e-20


def test_expand_shows_the_result_whole() -> None:
    expr, _ = FAMILIES["b2"][1](12)
    assert chainsym.diff(expr, verify=False, expand=True).program is None
    assert chainsym.diff(expr, verify=False, limits=Limits(expand_nodes=10**9)).program is None


def test_cli_says_which_form_is_shown(runner: CliRunner) -> None:
    program = "; ".join(f"u{k} = u{k - 1}*sin(u{k - 1})" for k in range(12, 1, -1)) + "; u1 = x*sin(x)"
    code, out, err = run(runner, "diff", program, "--no-verify", "-q")
    assert (code, err) == (0, "")
    first = out.splitlines()[0]
    assert first.startswith("du12/dx = (t1 + x*cos(x))*(t1*x*cos(t2) + t3)*(t1*t3*x*cos(t4) + t5)*") and first.endswith(
        "   (too large to show whole: written over 22 shared parts, defined below; --expand prints it whole)")
    assert out.splitlines()[1:3] == ["  t1 = sin(x)", "  t2 = t1*x"]
    code, out, err = run(runner, "diff", program, "--no-verify", "-q", "--expand")
    assert (code, err) == (0, "") and len(out.splitlines()) == 1 and "t1" not in out
    code, out, err = run(runner, "diff", "x*sin(x)", "--format", "json", "--no-verify")
    assert '"result_form": "expression"' in out


def test_deep_chain_both_modes_and_text() -> None:
    expr, _ = FAMILIES["a"][1](2000)
    d = chainsym.diff(expr, mode="both")  # verified by differentiation in numbers: the tree is too large for sympy.diff
    assert d.agreement.startswith("forward and reverse mode agree")
    assert d.verification is not None and d.verification.ok
    text = str(d)
    assert text.startswith("f = <expression nested too deeply to print whole (2000 distinct operations)>\n")
    assert "  du2000/dx = ∂u2000/∂u1999 · du1999/dx" in text and "= cos(u1999)·du1999/dx" in text


def test_steps_show_derivatives_by_name_when_large() -> None:
    expr, _ = FAMILIES["b2"][1](12)
    text = str(chainsym.diff(expr, verify=False))
    assert "  du24/dx = ∂u24/∂u22 · du22/dx + ∂u24/∂u23 · du23/dx     = u23·du22/dx + u22·du23/dx\n" in text


def test_backpropagation_through_ten_thousand_levels() -> None:
    """Reverse mode asks SymPy about the deepest values first; depth 10,000 must not recurse."""
    expr, _ = FAMILIES["a"][1](10_000)
    d = chainsym.diff(expr, mode="reverse", verify=False)
    u, du = 0.7, 1.0
    for _ in range(10_000):
        u, du = math.sin(u), math.cos(u) * du
    assert float(evaluate(d.results[0], {x: mpmath.mpf("0.7")}, 30)) == pytest.approx(du, rel=1e-9)


def test_a_deep_sympy_expression_is_differentiated_at_the_default_recursion_limit() -> None:
    """sin nested 300 deep, passed as a SymPy object: its seed text came from SymPy's printer,
    which recursed past Python's limit (a RecursionError from diff); now it is named by its size."""
    expr, _ = FAMILIES["a"][1](300)
    assert sys.getrecursionlimit() <= 1000
    d = chainsym.diff(expr)
    assert d.verification is not None and d.verification.status == "numeric"
    assert str(d).splitlines()[0] == "f = <expression nested too deeply to print whole (300 distinct operations)>"
    ctx = mpmath.MPContext()
    ctx.dps = 40
    u, slope = ctx.mpf(1) / 2, ctx.mpf(1)
    for _ in range(300):
        u, slope = ctx.sin(u), slope * ctx.cos(u)
    assert abs(evaluate(d.results[0], {x: sp.Rational(1, 2)}) - slope) < 1e-25
