"""The command line: exact output, exit codes, stdin, JSON, errors on one line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sympy as sp
from click.testing import CliRunner
from conftest import run

SIN_X_PLUS_X2 = """\
f = sin(x**2 + x)
decomposition
  u1 = x**2      square
  u2 = x + u1    sum
  u3 = sin(u2)   sin      = f
total derivatives   du/dx = ∂u/∂x + Σ ∂u/∂ui · dui/dx
  (∂: partial, the node's other arguments held fixed; d: total, through every path from x)
  du1/dx = ∂u1/∂x                      = 2*x
  du2/dx = ∂u2/∂x + ∂u2/∂u1 · du1/dx   = 1 + 1·(2*x) = 2*x + 1
  du3/dx = ∂u3/∂u2 · du2/dx            = cos(u2)·(2*x + 1) = (2*x + 1)*cos(x**2 + x)
df/dx = (2*x + 1)*cos(x**2 + x)
verified: equal to sympy.diff(f, x) (symbolic: identical)
"""


def test_diff_text(runner: CliRunner) -> None:
    assert run(runner, "diff", "sin(x+x^2)") == (0, SIN_X_PLUS_X2, "")


def test_quiet_prints_only_the_result(runner: CliRunner) -> None:
    assert run(runner, "diff", "sin(x+x^2)", "--quiet") == (0, "(2*x + 1)*cos(x**2 + x)\n", "")


def test_stdin(runner: CliRunner) -> None:
    assert run(runner, "diff", "-", "-q", input="ln x / x\n") == (0, "(1 - log(x))/x**2\n", "")


def test_wrt_chooses_among_several(runner: CliRunner) -> None:
    assert run(runner, "diff", "x^2 y + sin y", "--wrt", "y", "-q") == (0, "x**2 + cos(y)\n", "")


def test_several_variables_need_wrt(runner: CliRunner) -> None:
    assert run(runner, "diff", "x y") == (
        2, "", "chainsym: error: the expression has several variables (x, y): choose with --wrt, e.g. --wrt x, or --wrt all\n")


def test_no_verify(runner: CliRunner) -> None:
    code, out, _ = run(runner, "diff", "x^3", "--no-verify")
    assert code == 0 and out.endswith("df/dx = 3*x**2\nnot verified (verification was turned off)\n")


def test_json(runner: CliRunner) -> None:
    code, out, err = run(runner, "diff", "sin(x+x^2)", "--format", "json")
    data = json.loads(out)
    assert (code, err) == (0, "")
    assert data["schema"] == "chainsym.derivation" and data["version"] == 2
    assert (data["expression"], data["wrt"], data["result"]) == ("sin(x**2 + x)", "x", "(2*x + 1)*cos(x**2 + x)")
    assert [(n["name"], n["op"], n["local"]) for n in data["nodes"]] == [
        ("u1", "Pow", "x**2"), ("u2", "Add", "x + u1"), ("u3", "sin", "sin(u2)")]
    assert data["steps"][1] == {
        "wrt": "x", "node": "u2", "rule": "∂u2/∂x + ∂u2/∂u1 · du1/dx", "by_name": False,
        "terms": [{"arg": "x", "partial": "1", "derivative": "1"},
                  {"arg": "u1", "partial": "1", "derivative": "2*x"}],
        "total": "2*x + 1"}
    assert (data["verification"]["status"], data["verification"]["method"]) == ("proved", "identical")


def test_json_result_reads_back(runner: CliRunner) -> None:
    import chainsym

    _, out, _ = run(runner, "diff", "x*exp(-x^2)", "--format", "json")
    x = sp.Symbol("x", real=True)
    assert sp.simplify(chainsym.parse(json.loads(out)["result"]) - sp.diff(x * sp.exp(-x**2), x)) == 0


def test_parse_error_shows_a_caret(runner: CliRunner) -> None:
    assert run(runner, "diff", "sin(x) + $") == (
        2, "", "chainsym: error: unexpected character '$' at column 10 (token '$')\n  sin(x) + $\n           ^\n")


def test_long_input_error_shows_a_window(runner: CliRunner) -> None:
    text = "x + " * 50 + "$" + " + x" * 50
    code, _, err = run(runner, "diff", text)
    first, line, caret = err.splitlines()
    assert code == 2 and first == "chainsym: error: unexpected character '$' at column 201 (token '$')"
    assert line.startswith("  ...") and line.endswith("...") and line[len(caret) - 1] == "$"


def test_control_characters_are_not_echoed(runner: CliRunner) -> None:
    code, _, err = run(runner, "diff", "x\x1b[2J")
    assert code == 2 and "\x1b" not in err and "  x?[2J\n" in err


def test_limit_option(runner: CliRunner) -> None:
    deep = "(" * 250 + "x" + ")" * 250
    assert run(runner, "diff", deep, "-q")[0] == 2
    assert run(runner, "diff", deep, "-q", "--limit", "max_depth=300") == (0, "1\n", "")


@pytest.mark.parametrize("args, message", [
    (["diff", "x", "--limit", "bogus=1"], "chainsym: error: Invalid value for --limit: expected NAME=VALUE with NAME one of"),
    (["diff", "x", "--limit", "max_depth=lots"], "chainsym: error: Invalid value for --limit: max_depth needs a number, got 'lots'"),
    (["diff", "x", "--format", "pdf"], "chainsym: error: Invalid value for '--format': 'pdf' is not one of 'dot', 'html', 'json', 'latex', 'markdown', 'text'."),
    (["diff", "x", "--wrt", "lambda"], "chainsym: error: --wrt 'lambda': 'lambda' is a Python keyword, not a name"),
    (["diff", "x", "--wrt", "x+1"], "chainsym: error: --wrt 'x+1': expected one variable name"),
    (["diff", "x", "--wrt", "sin"], "chainsym: error: --wrt 'sin': 'sin' is a function or constant, not a variable"),
    (["diff"], "chainsym: error: Missing argument 'EXPR'. (see 'chainsym diff --help')"),
    (["frobnicate"], "chainsym: error: No such command 'frobnicate'. (see 'chainsym --help')"),
])
def test_usage_errors_are_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    code, out, err = run(runner, *args)
    assert (code, out) == (2, "")
    assert err.startswith(message) and err.count("\n") == 1


def test_mismatch_exits_1(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong derivative (here planted by breaking the Mul rule) is reported, never hidden."""
    from chainsym import rules

    monkeypatch.setitem(rules.RULES, sp.Mul, lambda args, i: sp.Integer(1))
    rules._partials.cache_clear()
    try:
        code, out, err = run(runner, "diff", "x*sin(x)")
    finally:
        rules._partials.cache_clear()
    assert code == 1
    assert "MISMATCH with sympy.diff(f, x): at x = " in out
    assert err.startswith("chainsym: MISMATCH: at x = ") and err.count("\n") == 1


@pytest.mark.parametrize("command, example", [([], 'chainsym diff "sin(x+x^2)"'),
                                              (["diff"], 'chainsym diff "sin(x+x^2)"'),
                                              (["check"], 'chainsym check "sin(x^2)" --claim "cos(x^2)"')])
def test_help_has_an_example(runner: CliRunner, command: list[str], example: str) -> None:
    code, out, _ = run(runner, *command, "--help")
    assert code == 0 and "Examples:" in out and example in out


def test_python_dash_m() -> None:
    proc = subprocess.run([sys.executable, "-m", "chainsym", "diff", "x^2", "-q"],
                          capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "2*x\n", "")


def test_python_dash_m_error_has_no_traceback() -> None:
    proc = subprocess.run([sys.executable, "-m", "chainsym", "diff", "__import__('os')"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("chainsym: error: quotes are not allowed")


def _rejections() -> list[tuple[str, str]]:
    from test_parse import LIMITED, REJECTED

    cases = [(text, f"{message} at column {column} (token {token!r})") for text, message, column, token in REJECTED]
    cases += [(text, message) for text, _, message in LIMITED]
    return cases


@pytest.mark.parametrize("text, message", _rejections(), ids=[repr(t[:20]) for t, _ in _rejections()])
def test_every_rejection_exits_2_with_its_message(runner: CliRunner, text: str, message: str) -> None:
    code, out, err = run(runner, "diff", text, "--wrt", "x")
    assert (code, out) == (2, "")
    assert err.splitlines()[0].startswith(f"chainsym: error: {message}")
    assert "Traceback" not in err


def test_huge_integers_print_by_size() -> None:
    from chainsym.render.common import show

    assert show(sp.Integer(10) ** 5000) == "<integer of about 5001 digits>"
    assert show(sp.Rational(1, 10**5000) * sp.Symbol("x")) == "x/<integer of about 5001 digits>"


@pytest.mark.parametrize("expr, result", [("-x^2", "-2*x\n"), ("-(abs(x))", "-sign(x)\n"), ("-sh x", None),
                                          ("--x", "1\n"), ("-q x", None)])
def test_expressions_starting_with_minus_are_not_options(runner: CliRunner, expr: str, result: str | None) -> None:
    code, out, err = run(runner, "diff", expr, "-q", "--wrt", "x")
    if result is None:  # sh and q are names: -sh*x, -q*x
        assert code == 0 and "Usage" not in out
    else:
        assert (code, out, err) == (0, result, "")


def test_error_column_of_an_expression_starting_with_minus(runner: CliRunner) -> None:
    assert run(runner, "diff", "-x$") == (2, "", "chainsym: error: unexpected character '$' at column 3 (token '$')\n"
                                                 "  -x$\n    ^\n")


def test_latex_input_and_the_derivative_operator(runner: CliRunner) -> None:
    """LaTeX is read where plain text is (EXPR, --claim); \\frac{d}{dx} in front names the variable."""
    assert run(runner, "diff", r"\frac{d}{dy} x^{2} y", "-q") == (0, "x**2\n", "")
    assert run(runner, "diff", "d/dx sin(x^2)", "-q") == (0, "2*x*cos(x**2)\n", "")
    assert run(runner, "diff", "d/dx sin(x^2)", "--wrt", "y") == (
        2, "", "chainsym: error: the expression is written as d/dx but --wrt is y\n")
    code, out, _ = run(runner, "check", "x^2", "--claim", r"\frac{4x}{2}")
    assert code == 0 and out.splitlines()[1] == "verdict: CORRECT (symbolic: expand(difference) = 0)"
    code, _, err = run(runner, "diff", r"\sqrt{x}", "--input", "plain")
    assert code == 2 and err.startswith("chainsym: error: unexpected character '\\\\' at column 1")
