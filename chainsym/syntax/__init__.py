r"""Text → `sympy.Expr`, never evaluated: a tokenizer (tokens) and Pratt parser (grammar) for plain
text, another for LaTeX (latex), the builders both share (build), absolute-value bars (bars),
programs and name=value lists (program), and the vocabulary they share.

Which grammar reads a text: `syntax="plain"`, `"latex"`, or `"auto"` (the default): LaTeX when the
text contains a backslash (`\frac`, `\sin`, `\,`…) or a braced subscript (`x_{1}`), plain otherwise.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import sympy as sp

from ..errors import LimitError, ParseError
from ..limits import DEFAULT_LIMITS, Limits
from ..sizes import approximate, power_digits
from .grammar import Parser
from .latex import read_latex
from .program import Statement, check_length, parse_program, split_pairs, split_top_level, strip_comments
from .steps import Differentiate, Piece, differentiate, split_steps, step_label
from .tokens import Token, tokenize
from .vocabulary import CONSTANTS, FUNCTIONS, FunctionTable

__all__ = ["CONSTANTS", "FUNCTIONS", "Differentiate", "FunctionTable", "Piece", "Statement", "Token", "WithOperator",
           "approximate", "detect_syntax", "parse", "parse_name", "parse_program", "parse_step", "parse_with_operator",
           "power_digits", "split_pairs", "split_steps", "split_top_level", "step_label", "strip_comments", "tokenize"]

SYNTAXES = ("auto", "plain", "latex")
_PLAIN_OPERATOR = re.compile(r"\s*d\s*/\s*d\s*([A-Za-z][A-Za-z0-9_]*)(?=\s*[^\s*/^+\-)!,=])")
"""d/dx in front of an expression (an operand follows, not an operator: d/dx*y is a quotient), in plain text"""


class WithOperator(NamedTuple):
    r"""An expression and the variable of the derivative operator written in front of it
    (`\frac{d}{dx} sin x`, `d/dx sin(x)`), or None when there is none: `expr, wrt = ...`."""

    expr: sp.Expr
    wrt: str | None


def detect_syntax(text: str) -> str:
    """"latex" when text contains a backslash or a braced subscript `_{`; "plain" otherwise."""
    return "latex" if "\\" in text or "_{" in text else "plain"


def parse(text: str, limits: Limits = DEFAULT_LIMITS, functions: FunctionTable | None = None,
          syntax: str = "auto") -> sp.Expr:
    """Parse one expression. Raises ParseError (with column and token) or LimitError.
    functions: the table of function names (default FUNCTIONS; the vector front end adds sum, mean, dot).
    syntax: "plain", "latex" or "auto" (see the module docstring). A derivative operator in front
    (d/dx, \\frac{d}{dx}) is refused here: `parse_with_operator` reads it."""
    return _read(text, limits, functions, syntax, False).expr


def parse_with_operator(text: str, limits: Limits = DEFAULT_LIMITS, functions: FunctionTable | None = None,
                        syntax: str = "auto") -> WithOperator:
    r"""Parse an expression that may start with a derivative operator: `\frac{d}{dx}`,
    `\frac{\mathrm{d}}{\mathrm{d}x}`, `\frac{\partial}{\partial x}` in LaTeX, `d/dx` in plain text.
    Returns (expr, wrt): wrt is the variable's name ("x", "x_1", "theta"), or None without an
    operator. The operator applies to one term: `\frac{d}{dx} x^2 + 1` is refused as ambiguous."""
    return _read(text, limits, functions, syntax, True)


def parse_step(text: str, limits: Limits = DEFAULT_LIMITS, functions: FunctionTable | None = None,
               syntax: str = "auto") -> sp.Expr:
    r"""Parse one step of a worked derivation: an expression in which derivatives may stand
    unevaluated, as `Differentiate` markers: `d/dx(...)`, `d/dx[...]`, `(...)'` (by the derivation's
    variable), `\frac{d}{dx}(...)`, `\frac{d}{dx}\left(...\right)`; an operator in front of the
    whole text takes one term, as in `parse_with_operator` (`d/dx sin(x^2)`, `d/dx (x+1)^2`), unless a
    bracket right after it is followed by + or − (`d/dx(x^2) + 1`: the bracket's derivative). Inside a
    line a power or prime right after an operator's bracket is refused as ambiguous (`x d/dx(x+1)^2`)."""
    return _read(text, limits, functions, syntax, True, steps=True).expr


def _read(text: str, limits: Limits, functions: FunctionTable | None, syntax: str, operator: bool,
          steps: bool = False) -> WithOperator:
    check_length(text, limits)
    if syntax not in SYNTAXES:
        raise ValueError(f"syntax must be one of {', '.join(SYNTAXES)}, not {syntax!r}")
    if syntax == "auto":
        syntax = detect_syntax(text)
    try:
        if syntax == "latex":
            return WithOperator(*read_latex(text, limits, functions, operator, steps))
        if steps:
            return WithOperator(_read_plain_step(text, limits, functions), None)
        return _read_plain(text, limits, functions, operator)
    except RecursionError:  # the caller's stack was already deep: Python's limit, not ours, was reached
        raise LimitError("max_depth", "the input is nested too deeply to parse here") from None


def _read_plain(text: str, limits: Limits, functions: FunctionTable | None, operator: bool) -> WithOperator:
    m = _PLAIN_OPERATOR.match(text)
    if m is None or m.group(1) in CONSTANTS or (functions or FUNCTIONS).get(m.group(1)):
        return WithOperator(Parser(text, limits, functions).parse(), None)
    shown = f"d/d{m.group(1)}"
    if not operator:
        raise ParseError(f"{shown} in front of an expression is a derivative operator, not a quotient; for the "
                         f"quotient write (d/d{m.group(1)})*(...)", column=len(text) - len(text.lstrip()) + 1,
                         token=text[:m.end()].strip(), text=text)
    rest = " " * m.end() + text[m.end():]  # blanks keep the columns of the whole text
    parser = Parser(rest, limits, functions)
    wrt = parse_name(m.group(1), "plain").name
    return WithOperator(parser.parse(operator=shown), wrt)


def _read_plain_step(text: str, limits: Limits, functions: FunctionTable | None) -> sp.Expr:
    """A plain worked step: an operator in front without a bracket takes one term (d/dx sin(x^2));
    every other operator is read by the grammar (d/dx(x^2) + 1, cos(x) * d/dx[x^2])."""
    m = _PLAIN_OPERATOR.match(text)
    if m is None or text[m.end():].lstrip().startswith(("(", "[")) or m.group(1) in CONSTANTS or \
            (functions or FUNCTIONS).get(m.group(1)):
        return Parser(text, limits, functions, steps=True).parse()
    rest = " " * m.end() + text[m.end():]
    expr = Parser(rest, limits, functions, steps=True).parse(operator=f"d/d{m.group(1)}")
    return differentiate(expr, parse_name(m.group(1), "plain"))


def parse_name(text: str, syntax: str = "auto") -> sp.Symbol:
    r"""One variable name (for wrt and the like), checked as the parser checks names. In LaTeX
    (`\alpha`, `x_{1}`, `\mathrm{loss}`) it is the name the LaTeX parser gives that variable."""
    if (syntax == "auto" and detect_syntax(text) == "latex") or syntax == "latex":
        return _latex_name(text)
    tokens = tokenize(text.strip()) if len(text) <= 200 else []
    if len(tokens) != 2 or tokens[0].kind != "NAME":
        raise ParseError("expected one variable name", column=1, token=text[:40], text=text)
    word = tokens[0].text
    if word in FUNCTIONS or word in CONSTANTS:
        raise ParseError(f"{word!r} is a function or constant, not a variable", column=1, token=word, text=text)
    parser = Parser(word, DEFAULT_LIMITS)
    symbol = parser.name(parser.advance()).expr
    assert isinstance(symbol, sp.Symbol)
    return symbol


def _latex_name(text: str) -> sp.Symbol:
    expr = parse(text, DEFAULT_LIMITS, None, "latex") if len(text) <= 200 else None
    if not isinstance(expr, sp.Symbol):
        raise ParseError("expected one variable name", column=1, token=text[:40], text=text)
    return expr
