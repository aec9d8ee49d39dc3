"""Worked steps checked line by line (chainsym check --work, chainsym.check_work): the first wrong
line, its counterexample and the standard mistake that explains it, the correct continuation, the
JSON schema, parse errors placed at their line and column, and hostile lines refused in bounded time."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import jsonschema
import pytest
import sympy as sp
from click.testing import CliRunner
from conftest import run, x, y
from hostile import HOSTILE
from referencing import Registry, Resource

import chainsym
from chainsym.errors import ParseError, UsageError
from chainsym.render import json as json_render
from chainsym.render import render
from chainsym.syntax import Differentiate, parse, parse_step, split_steps

ISSUE = "d/dx sin(x^2)\n= cos(x^2) * d/dx(x^2)\n= cos(x^2) * 2\n"
SEED002 = "h = u^3 + 2u - 5; u = (x+1)^2"
SEED002_STEPS = "= (3u^2+2)(2x+2)\n= (3(x+1)^2+2)(2x+2)\n= (6x+10)(x+1)^2\n"
SEED002_TEXT = ("d/dx[((x+1)^2)^3 + 2(x+1)^2 - 5]\n= (3((x+1)^2)^2 + 2) * d/dx((x+1)^2)\n= (3(x+1)^2+2)(2x+2)\n"
                "= (6x+10)(x+1)^2\n")
LATEX = ("\\frac{d}{dx} \\sin(x^2) &= \\cos(x^2) \\cdot \\frac{d}{dx}\\left(x^2\\right) \\\\\n"
         "&= \\cos(x^2) \\cdot 2x\n")


def same(a: sp.Basic, b: sp.Basic) -> bool:
    return bool(sp.simplify(a - b) == 0)


def validator() -> jsonschema.protocols.Validator:
    derivation = json_render.schema("derivation")
    registry = Registry().with_resource(derivation["$id"], Resource.from_contents(derivation))
    schema = json_render.schema("work")
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=registry)


# --- the step grammar ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, meaning", [
    ("d/dx sin(x^2)", Differentiate(sp.sin(x**2), x)),
    ("cos(x^2) * d/dx(x^2)", sp.cos(x**2) * Differentiate(x**2, x)),
    ("cos(x^2) d/dx[x^2]", sp.cos(x**2) * Differentiate(x**2, x)),
    ("d / d x (x)", Differentiate(x, x)),
    ("(x^2)' + 1", Differentiate(x**2) + 1),
    ("2(x+1)'", 2 * Differentiate(x + 1)),
    ("d/dx(x^2) + 1", Differentiate(x**2, x) + 1),
    ("d/dx (x+1)^2", Differentiate((x + 1)**2, x)),
    ("d/dx(x * d/dy(x y))", Differentiate(x * Differentiate(x * y, y), x)),
    ("\\frac{d}{dx}\\sin(x^2)", Differentiate(sp.sin(x**2), x)),
    ("\\cos(x^2) \\cdot \\frac{d}{dx}\\left(x^2\\right)", sp.cos(x**2) * Differentiate(x**2, x)),
    ("\\frac{\\mathrm{d}}{\\mathrm{d}x}\\left[x^{2}\\right]", Differentiate(x**2, x)),
    ("\\left(x^2\\right)'", Differentiate(x**2)),
    ("\\frac{d}{dx}(x+1)^{2}", Differentiate((x + 1)**2, x)),
])
def test_step_grammar(text: str, meaning: sp.Expr) -> None:
    assert sp.simplify(parse_step(text) - meaning) == 0 and parse_step(text).has(Differentiate)


@pytest.mark.parametrize("text, message, column", [
    ("x * d/dx(x+1)^2", "ambiguous: ^ after d/dx(...) may apply to the derivative or to its argument: write "
                        "(d/dx(x+1))^… or d/dx[(x+1)^…]", 14),
    ("d/dx sin(x) + 1", "ambiguous: write d/dx(sin(x) + 1) or d/dx(sin(x)) + 1", 13),
    ("d/dx (x+1)^2 + 1", "ambiguous: write d/dx[(x+1)^2 + 1] or d/dx[(x+1)^2] + 1", 14),
    ("x * d/dx x", "inside a line, write the argument of d/dx in brackets: d/dx(...)", 10),
    ("x^2'", "a prime ' differentiates a bracket, as in (x^2)'", 4),
    ("dh/dx", "dh/dx is Leibniz notation for the derivative of an unknown function; write d/dx(...) of the "
              "function itself", 1),
    ("\\frac{dy}{dx}", "\\frac{dy}{dx} is Leibniz notation for the derivative of an unknown function; write the "
                       "function itself", 1),
    ("d/dx()", "empty brackets", 6),
])
def test_step_grammar_refuses(text: str, message: str, column: int) -> None:
    with pytest.raises(ParseError) as caught:
        parse_step(text)
    assert (caught.value.reason, caught.value.column) == (message, column)


@pytest.mark.parametrize("text", ["d/dx(x)", "(x)'", "x[1]", "cos(x) * d/dx(x)", "\\cos x \\frac{d}{dx}(x)"])
def test_ordinary_parse_is_unchanged(text: str) -> None:
    with pytest.raises(ParseError):
        parse(text)


def test_split_steps() -> None:
    pieces = split_steps("d/dx sin(x^2) = cos(x^2) d/dx(x^2)\r\n\n  &= 2x \\cos(x^2) \\\\\n")
    assert [(p.text, p.line, p.column) for p in pieces] == [
        ("d/dx sin(x^2)", 1, 1), ("cos(x^2) d/dx(x^2)", 1, 17), ("2x \\cos(x^2)", 3, 6)]


# --- verdicts ------------------------------------------------------------------------------------

def test_the_issue_example() -> None:
    r = chainsym.check_work(ISSUE)
    assert [s.status for s in r.lines] == ["start", "right", "wrong"]
    wrong = r.first_wrong
    assert wrong is not None and (wrong.line, wrong.column, wrong.text) == (3, 3, "cos(x^2) * 2")
    assert wrong.counterexample == (("x", "8.962"),)
    (slip,) = wrong.slips
    assert (slip.written, slip.replaced_by, slip.derivative) == (Differentiate(x**2, x), 2, 2 * x)
    assert [d.kind for d in slip.explanations] == ["power rule dropped"]
    assert same(r.continuation, 2 * x * sp.cos(x**2)) and r.derivatives == ((Differentiate(x**2, x), 2 * x),)
    assert not r.correct and r.verification.status == "mismatch"
    assert str(r).split("\n\n")[0] == (
        "steps   (each compared with the step before it)\n"
        "  line 1   d/dx sin(x^2)\n"
        "  line 2   = cos(x^2) * d/dx(x^2)   right (identical)\n"
        "  line 3   = cos(x^2) * 2           WRONG\n"
        "verdict: INCORRECT: line 3 is the first wrong step\n"
        "  at x = 8.962: line 3 gives 0.410719609367, line 2 gives 3.68086913914\n"
        "  slip: d/dx(x**2) is written as 2, but it is 2*x\n"
        "    why: the power rule is dropped: d/dx(x**2) = n·u^(n−1)·du/dx with u = x, n = 2; the factor u^(n−1) = x"
        " is left out\n"
        "correct continuation from line 2: = 2*x*cos(x**2)\n"
        "  with d/dx(x**2) = 2*x")
    assert "df/dx = 2*x*cos(x**2)" in str(r)  # then chainsym's own derivation of sin(x^2)


def test_seed002_with_its_program() -> None:
    """Seed 002's own derivation of d/dx g(f(x)): u stands for its definition (x+1)^2, so the first
    step is right; the second takes g' at x+1 instead of (x+1)^2; the third does not follow either."""
    r = chainsym.check_work(SEED002_STEPS, expr=SEED002)
    assert [(s.number, s.line, s.status, s.holds) for s in r.lines] == [
        (0, 0, "start", True), (1, 1, "right", True), (2, 2, "wrong", False), (3, 3, "wrong", False)]
    wrong = r.first_wrong
    assert wrong is not None and wrong.slips == ()
    (diagnosis,) = wrong.diagnoses
    assert diagnosis.kind == "wrong inner value" and "must be evaluated at u = (x + 1)**2, not at x + 1" in \
        diagnosis.message
    assert same(r.continuation, (2 * x + 2) * (3 * (x + 1)**4 + 2))
    assert r.derivation is not None and r.derivation.output_name == "h"


def test_seed002_written_out() -> None:
    r = chainsym.check_work(SEED002_TEXT)
    assert [s.status for s in r.lines] == ["start", "right", "wrong", "wrong"]
    assert [d.kind for d in r.lines[2].diagnoses] == ["wrong inner value"]
    assert r.lines[3].holds is False and r.lines[3].counterexample


def test_the_first_line_may_be_repeated(tmp_path: Path) -> None:
    steps = tmp_path / "steps.txt"
    steps.write_text("d/dx sin(x^2)\n= 2x cos(x^2)\n", encoding="utf-8")
    code, out, err = run(CliRunner(), "check", "sin(x^2)", "--work", str(steps))
    assert (code, err) == (0, "")
    assert out.startswith("steps   (each compared with the step before it)\n"
                          "  given    d/dx(sin(x^2))\n"
                          "  line 1   = d/dx sin(x^2)   right (identical)\n"
                          "  line 2   = 2x cos(x^2)     right (identical)\n"
                          "verdict: CORRECT: every step equals the one before it\n"
                          "result: = 2*x*cos(x**2)\n")


def test_latex_steps() -> None:
    r = chainsym.check_work(LATEX)
    assert r.correct and [(s.line, s.column) for s in r.lines] == [(1, 1), (1, 27), (2, 4)]
    assert str(r).splitlines()[2].startswith("  line 1, column 27   = \\cos(x^2) \\cdot \\frac{d}{dx}\\left(x^2\\right)")
    wrong = chainsym.check_work(LATEX.replace("2x", "2"))
    assert [s.kind for s in wrong.lines[2].slips[0].explanations] == ["power rule dropped"]


def test_prime_notation() -> None:
    assert chainsym.check_work("(sin(x^2))'\n= cos(x^2) (x^2)'\n= cos(x^2) * 2x").correct
    r = chainsym.check_work("(sin(x^2))'\n= cos(x^2)")
    assert [d.kind for d in r.lines[1].slips[0].explanations] == ["chain rule dropped"]


@pytest.mark.parametrize("steps, kind", [
    ("d/dx cos(x^2)\n= sin(x^2) * 2x", "sign error (minus sign)"),
    ("d/dx[x^2 sin(x)]\n= 2x cos(x)", "product rule misapplied"),
    ("d/dx (x^3+1)^5\n= 5(x^3+1)^4", "chain rule dropped"),
    ("d/dx (x^3+1)^5\n= 5(x^3+1)^5 * d/dx(x^3+1)", "power not lowered"),
    ("d/dx (x^3+1)^5\n= (x^3+1)^4 * d/dx(x^3+1)", "power rule factor dropped"),
    ("d/dx e^(x^2)\n= e^(x^2) d/dx(x^2)\n= e^(x^2) * 2", "power rule dropped"),
    ("d/dx 2^x\n= x * 2^(x-1)", "power rule for an exponential"),
])
def test_standard_mistakes(steps: str, kind: str) -> None:
    wrong = chainsym.check_work(steps).first_wrong
    assert wrong is not None
    kinds = [d.kind for s in wrong.slips for d in s.explanations] + [d.kind for d in wrong.diagnoses]
    assert kind in kinds, kinds


def test_a_right_derivation_exits_0() -> None:
    code, out, err = run(CliRunner(), "check", "--work", "-", input="d/dx ln(x^2+1)\n= 1/(x^2+1) * d/dx(x^2+1)\n"
                                                                    "= 2x/(x^2+1)\n")
    assert (code, err) == (0, "") and "verdict: CORRECT" in out
    code, out, err = run(CliRunner(), "check", "--work", "-", input=ISSUE)
    assert (code, err) == (1, "") and "verdict: INCORRECT: line 3 is the first wrong step" in out


def test_several_variables() -> None:
    assert chainsym.check_work("d/dx(x^2 y)\n= 2 x y").correct
    assert chainsym.check_work("(x^2 y)'\n= 2xy", "y").first_wrong is not None
    with pytest.raises(UsageError, match="needs the variable of the derivation"):
        chainsym.check_work("(x^2 y)'\n= 2xy")


def test_same_input_same_output() -> None:
    """The same steps give the same output, whatever their line ends (the points are drawn from the steps)."""
    first = render(chainsym.check_work(ISSUE), "json")
    assert first == render(chainsym.check_work(ISSUE), "json") == render(chainsym.check_work(
        ISSUE.replace("\n", "\r\n").rstrip()), "json")


# --- formats -------------------------------------------------------------------------------------

def test_json_validates() -> None:
    check = validator()
    for result in (chainsym.check_work(ISSUE), chainsym.check_work(SEED002_STEPS, expr=SEED002),
                   chainsym.check_work(LATEX), chainsym.check_work("x^2 + 2x + 1\n= (x+1)^2")):
        check.validate(json.loads(result.to_json()))
    data = json.loads(chainsym.check_work(ISSUE).to_json())
    assert (data["schema"], data["version"], data["verdict"], data["first_wrong"]) == (
        "chainsym.work", 1, "incorrect", {"line": 3, "column": 3, "number": 3})
    assert data["steps"][2]["slips"][0]["explanations"][0]["kind"] == "power rule dropped"
    data["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError, match="surprise"):
        check.validate(data)


@pytest.mark.parametrize("fmt, expected", [
    ("markdown", "\\text{line 3} &= 2 \\cos{\\left(x^{2} \\right)} \\qquad\\text{WRONG}"),
    ("latex", "\\text{line 2} &= \\cos{\\left(x^{2} \\right)} \\frac{d}{d x}\\left(x^{2}\\right)"),
    ("html", "<mfrac><mi>d</mi><mrow><mi>d</mi><mi>x</mi></mrow></mfrac>"),
])
def test_compound_formats(fmt: str, expected: str) -> None:
    out = render(chainsym.check_work(ISSUE), fmt)
    assert expected in out and "INCORRECT: line 3 is the first wrong step" in out


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_latex_compiles(tmp_path: Path) -> None:
    (tmp_path / "w.tex").write_text(render(chainsym.check_work(SEED002_STEPS, expr=SEED002), "latex"), "utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "w.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]


# --- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("steps, error", [
    ("d/dx sin(x^2)\n= cos(x^2) * d/dx(x^2\n", ["chainsym: error: line 2: unclosed '(' at column 18 (token '(')",
                                               "  = cos(x^2) * d/dx(x^2", "                   ^"]),
    ("d/dx sin(x^2) = cos(x^2) * # 2\n", ["chainsym: error: line 1: unexpected character '#' at column 28 (token '#')",
                                         "  d/dx sin(x^2) = cos(x^2) * # 2", "                             ^"]),
    ("\\frac{d}{dx} x^2 &= 2\\foo\n", ["chainsym: error: line 1: unknown LaTeX command '\\foo' at column 22 "
                                      "(token '\\\\foo')", "  \\frac{d}{dx} x^2 &= 2\\foo", "                       ^"]),
    ("d/dx x^2\n\n= 2x =\n", ["chainsym: error: line 3: empty expression at column 7 (token '')", "  = 2x =",
                              "        ^"]),
])
def test_parse_errors_name_line_and_column(steps: str, error: list[str]) -> None:
    code, out, err = run(CliRunner(), "check", "--work", "-", input=steps)
    assert (code, out, err.splitlines()) == (2, "", error)


@pytest.mark.parametrize("args, message", [
    (["check", "x^2"], "give either --claim ANSWER or --work FILE"),
    (["check", "x^2", "--claim", "2x", "--work", "-"], "give either --claim ANSWER or --work FILE"),
    (["check", "--work", "/nonexistent/steps.txt"], "cannot read --work /nonexistent/steps.txt"),
    (["check", "-", "--work", "-"], "EXPR and --work cannot both be read from standard input"),
    (["check", "--work", "-", "--where", "u = x"], "--where defines names of EXPR: give EXPR too"),
])
def test_usage_errors(args: list[str], message: str) -> None:
    code, out, err = run(CliRunner(), *args, input="x\n")
    assert code == 2 and out == "" and message in err and len(err.splitlines()) == 1


def test_no_steps() -> None:
    with pytest.raises(UsageError, match="has no steps"):
        chainsym.check_work("\n  \n")


STEP_HOSTILE = [t for t in HOSTILE if "=" not in t and t.strip() not in ("", "\\\\", "x[0]", "d/dx sin(x)")]
"""the hostile corpus as a step (an '=' splits a line into steps; blank lines are no step; in a step
x[0] is x·0 and d/dx sin(x) a derivative)"""
LONG = [
    "d/dx(" * 3000 + "x" + ")" * 3000, "(" * 3000 + "x" + ")'" * 3000, "\\frac{d}{dx}\\left(" * 2000 + "x" +
    "\\right)" * 2000, "d/dx x\n" + "= 1\n" * 201, "d/dx x\n= " + "x+" * 60_000 + "x",
]


@pytest.mark.parametrize("line", STEP_HOSTILE + LONG, ids=[repr(t[:30]) for t in STEP_HOSTILE + LONG])
def test_hostile_lines(line: str) -> None:
    start = time.monotonic()
    code, out, err = run(CliRunner(), "check", "--work", "-", input="d/dx x^2\n" + line + "\n")
    lines = err.splitlines()
    assert code == 2 and out == "" and "Traceback" not in err, (code, err[:300])
    assert lines[0].startswith("chainsym: error: ") and len(lines) in (1, 3) and len(err) < 2000
    assert time.monotonic() - start < 5.0
