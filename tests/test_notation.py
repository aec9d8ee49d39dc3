"""Textbook notation in plain input: each form's meaning against a SymPy expression built by hand,
each refusal with its exact message, column and token (data in notation_corpus.py)."""

from __future__ import annotations

import pytest
import sympy as sp
from notation_corpus import NOTATION, NOTATION_REFUSED, PROGRAMS, PROGRAMS_REFUSED, same_meaning

from chainsym import ParseError
from chainsym.limits import DEFAULT_LIMITS
from chainsym.syntax import parse, parse_program


@pytest.mark.parametrize("text, expected", NOTATION, ids=[t for t, _ in NOTATION])
def test_notation(text: str, expected: sp.Expr) -> None:
    assert same_meaning(parse(text), expected)


@pytest.mark.parametrize("text, message, column, token", NOTATION_REFUSED, ids=[r[0] for r in NOTATION_REFUSED])
def test_notation_refused(text: str, message: str, column: int, token: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert (info.value.reason, info.value.column, info.value.token) == (message, column, token)


def test_a_bracket_after_a_one_letter_name_multiplies_but_keeps_the_terms() -> None:
    """x(x+1) is the product x·(x+1) as written, not x² + x."""
    x = sp.Symbol("x", real=True)
    expr = parse("x(x+1)")
    assert isinstance(expr, sp.Mul) and len(expr.args) == 2 and x in expr.args


def test_inverse_and_power_are_told_apart() -> None:
    x = sp.Symbol("x", real=True)
    assert parse("sin^-1 x") == sp.asin(x)
    assert parse("sin(x)^-1") == 1 / sp.sin(x)
    assert parse("(sin x)^-1") == 1 / sp.sin(x)


@pytest.mark.parametrize("text, expected", PROGRAMS, ids=[repr(t) for t, _ in PROGRAMS])
def test_programs(text: str, expected: list[tuple[str | None, sp.Expr]]) -> None:
    statements = parse_program(text, DEFAULT_LIMITS)
    assert [(s.name.name if s.name is not None else None) for s in statements] == [n for n, _ in expected]
    for statement, (_, meaning) in zip(statements, expected, strict=True):
        assert same_meaning(statement.expr, meaning)


@pytest.mark.parametrize("text, message, column, token", PROGRAMS_REFUSED, ids=[repr(r[0]) for r in PROGRAMS_REFUSED])
def test_programs_refused(text: str, message: str, column: int, token: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_program(text, DEFAULT_LIMITS)
    assert (info.value.reason, info.value.column, info.value.token) == (message, column, token)


def test_a_comment_keeps_the_columns_of_the_text() -> None:
    with pytest.raises(ParseError) as info:
        parse_program("z = x^2 # ok\nx = s + $", DEFAULT_LIMITS)
    assert info.value.column == len("z = x^2 # ok\nx = s + ") + 1
