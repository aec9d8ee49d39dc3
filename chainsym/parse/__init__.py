"""Text → `sympy.Expr`, never evaluated: a tokenizer (tokens), a Pratt parser (grammar), programs
and name=value lists (program), and the vocabulary they share."""

from __future__ import annotations

import sympy as sp

from ..errors import LimitError, ParseError
from ..limits import DEFAULT_LIMITS, Limits
from .build import approximate, power_digits
from .grammar import Parser
from .program import Statement, check_length, parse_program, split_pairs, split_top_level
from .tokens import Token, tokenize
from .vocabulary import CONSTANTS, FUNCTIONS, FunctionTable

__all__ = ["CONSTANTS", "FUNCTIONS", "FunctionTable", "Statement", "Token", "approximate", "parse", "parse_name",
           "parse_program", "power_digits", "split_pairs", "split_top_level", "tokenize"]


def parse(text: str, limits: Limits = DEFAULT_LIMITS, functions: FunctionTable | None = None) -> sp.Expr:
    """Parse one expression. Raises ParseError (with column and token) or LimitError.
    functions: the table of function names (default FUNCTIONS; the vector front end adds sum, mean, dot)."""
    check_length(text, limits)
    try:
        return Parser(text, limits, functions).parse()
    except RecursionError:  # the caller's stack was already deep: Python's limit, not ours, was reached
        raise LimitError("max_depth", "the input is nested too deeply to parse here") from None


def parse_name(text: str) -> sp.Symbol:
    """One variable name (for wrt and the like), checked as the parser checks names."""
    tokens = tokenize(text.strip()) if len(text) <= 200 else []
    if len(tokens) != 2 or tokens[0].kind != "NAME":
        raise ParseError("expected one variable name", column=1, token=text[:40], text=text)
    word = tokens[0].text
    if word in FUNCTIONS or word in CONSTANTS:
        raise ParseError(f"{word!r} is a function or constant, not a variable", column=1, token=word, text=text)
    parser = Parser(word, DEFAULT_LIMITS)
    return parser.name(parser.advance()).expr  # type: ignore[return-value]
