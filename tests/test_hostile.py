"""Every hostile input: exit 2, one error line (plus the caret excerpt), no traceback, no code run,
within 5 s — through EXPR and through every option that takes a name or an expression."""

from __future__ import annotations

import os
import time

import pytest
from click.testing import CliRunner
from conftest import run
from hostile import CANARY, HOSTILE

import chainsym.cli  # noqa: F401  (imported before eval is forbidden below)

# SymPy imports some modules lazily (simplify, physics), and those run eval: let that happen now.
chainsym.cli.main(["diff", "sin(x)^2 + cos(x)^2", "--quiet"])
chainsym.cli.main(["check", "x^2 + y", "--wrt", "x", "--claim", "sin(x)^2 + cos(x)^2"])

BUDGET = 5.0


def assert_refused(code: int, out: str, err: str, elapsed: float) -> None:
    lines = err.splitlines()
    assert code == 2, (code, err[:300])
    assert out == ""
    assert "Traceback" not in err
    assert lines and lines[0].startswith("chainsym: error: ")
    assert len(lines) in (1, 3), lines  # the error, and for a parse error the input and a caret
    if len(lines) == 3:
        assert lines[2].strip() == "^"
    assert len(err) < 2000
    assert elapsed < BUDGET


@pytest.fixture(autouse=True)
def no_evaluation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing may evaluate the text: eval, sympify and SymPy's parser raise if called.

    (exec stays: SymPy imports some of its modules lazily, and importing runs exec.)
    """
    import builtins

    import sympy
    import sympy.parsing.sympy_parser as sympy_parser

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("evaluation attempted")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(sympy, "sympify", forbidden)
    monkeypatch.setattr(sympy_parser, "parse_expr", forbidden)
    monkeypatch.setattr(sympy_parser, "eval_expr", forbidden)


def test_corpus_size() -> None:
    assert len(HOSTILE) >= 150


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t[:30]) for t in HOSTILE])
def test_expression(runner: CliRunner, text: str) -> None:
    start = time.monotonic()
    code, out, err = run(runner, "diff", text, "--wrt", "x")
    assert_refused(code, out, err, time.monotonic() - start)
    assert not os.path.exists(CANARY)


OPTIONS = [
    ("--wrt", "__import__('os')"), ("--wrt", "x.real"), ("--wrt", "lambda"), ("--wrt", "ｘ"),
    ("--wrt", "x" * 1_000_000), ("--wrt", "x,"), ("--wrt", ""), ("--wrt", "sin"),
    ("--where", "x = __import__('os')"), ("--where", "y"), ("--where", "y = (" * 5000),
    ("--where", "lambda = 1"), ("--where", "y = 1/0"), ("--where", "y = 2**10**10"),
    ("--where", "x = x"), ("--where", "= 1"), ("--where", "y = ｙ"),
    ("--at", "x=__import__('os')"), ("--at", "x=1/0"), ("--at", "x=y"), ("--at", "x"), ("--at", "x=2**10**10"),
    ("--at", "x=" + "9" * 5000), ("--at", "lambda=1"), ("--at", "x=1,x=2"), ("--at", "x=\x1b[2J"),
    ("--at", "x=log(0)"), ("--at", ""),
]


@pytest.mark.parametrize("option, value", OPTIONS, ids=[f"{o}={v[:20]!r}" for o, v in OPTIONS])
def test_options(runner: CliRunner, option: str, value: str) -> None:
    start = time.monotonic()
    code, out, err = run(runner, "diff", "x^2 + y", "--wrt", "x", option, value) if option != "--wrt" else \
        run(runner, "diff", "x^2 + y", option, value)
    assert_refused(code, out, err, time.monotonic() - start)


@pytest.mark.parametrize("claim", ["__import__('os')", "x.real", "1/0", "lambda: 1", "y + 1", "(" * 5000,
                                   "2**10**10", "", "ｘ", "oo"])
def test_claims(runner: CliRunner, claim: str) -> None:
    start = time.monotonic()
    code, out, err = run(runner, "check", "x^2", "--claim", claim)
    assert_refused(code, out, err, time.monotonic() - start)


def test_stdin_is_bounded(runner: CliRunner) -> None:
    start = time.monotonic()
    code, out, err = run(runner, "diff", "-", input="x+" * 1_000_000 + "x")
    assert_refused(code, out, err, time.monotonic() - start)
    assert err.startswith("chainsym: error: standard input is longer than 100000 characters (limit 'max_length'")


NEW_COMMANDS = [
    ["grad", "--emit", "python"], ["grad", "--emit", "c"], ["hessian"], ["jacobian"],
    ["jacobian", "--vector", "x:3"], ["diff", "--order", "2", "--wrt", "x"], ["graph"],
]


@pytest.mark.parametrize("command", NEW_COMMANDS, ids=[" ".join(c) for c in NEW_COMMANDS])
def test_every_command_refuses_hostile_text(runner: CliRunner, command: list[str]) -> None:
    """The same hostile corpus through grad --emit, hessian, jacobian, --order and graph. One text
    is hostile only to diff --wrt x: "x = 1" is a program defining the constant function x, whose
    code grad --emit rightly prints."""
    for text in HOSTILE:
        if command[0] == "grad" and text == "x = 1":
            continue
        start = time.monotonic()
        code, out, err = run(runner, command[0], text, *command[1:])
        assert_refused(code, out, err, time.monotonic() - start)
    assert not os.path.exists(CANARY)
