"""Programs and lists: `z = x^2 - y^2; x = s - sin(t)` → statements, `x=2, y=log(8, 2)` → pairs.

One splitter finds the top-level separators (outside brackets) for all of them, keeping each
piece's offset so that an error inside a piece points at its column in the whole text. A program's
lines may end in CRLF and carry `#` comments; each statement may be plain text or LaTeX.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from ..errors import LimitError, ParseError
from ..limits import Limits
from .vocabulary import FunctionTable

OPENERS, CLOSERS = "([{", ")]}"


@dataclass(frozen=True)
class Statement:
    """One `name = expression` of a program (name None for a bare expression); column is 1-based."""

    name: sp.Symbol | None
    expr: sp.Expr
    column: int


def split_top_level(text: str, separators: str = ",") -> list[tuple[int, str]]:
    """The pieces of text between separators that stand outside brackets, with their offsets.
    A character after a backslash is never a separator or bracket (LaTeX's `\\;` and `\\{`)."""
    out, depth, start = [], 0, 0
    escaped = False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth -= 1
        elif ch in separators and depth <= 0:
            out.append((start, text[start:i]))
            start = i + 1
    out.append((start, text[start:]))
    return out


def check_length(text: object, limits: Limits) -> str:
    """The text itself, after checking it is text and within the length limit."""
    if not isinstance(text, str):
        raise ParseError(f"expected text, got {type(text).__name__}", column=1, token="", text="")
    if len(text) > limits.max_length:
        raise LimitError("max_length", f"the input is {len(text)} characters long, more than {limits.max_length}")
    return text


def strip_comments(text: str) -> str:
    """text with each `#` comment (to the end of its line) blanked out, so that columns stay."""
    if "#" not in text:
        return text
    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        cut = body.find("#")
        while cut > 0 and body[cut - 1] == "\\":  # \# is LaTeX's escaped hash, not a comment
            cut = body.find("#", cut + 1)
        out.append(line if cut < 0 else body[:cut] + " " * (len(body) - cut) + line[len(body):])
    return "".join(out)


def parse_program(text: str, limits: Limits, functions: FunctionTable | None = None,
                  syntax: str = "auto") -> tuple[Statement, ...]:
    """Statements separated by ';' or line ends (LF, CRLF or CR), each `name = expression` or (the
    first) a bare expression; `#` starts a comment. syntax: "plain", "latex" or "auto" (per statement)."""
    from . import parse, parse_name  # the package's entry points, which this module serves

    check_length(text, limits)
    text_read = strip_comments(text)
    statements = []
    for start, segment in split_top_level(text_read, ";\n\r"):
        if not segment.strip():
            continue
        eq = _assignment(segment)
        if eq is None:
            column = start + 1 + len(segment) - len(segment.lstrip())
            statements.append(Statement(None, _at(parse, segment, start, text, limits, functions, syntax), column))
            continue
        left = segment[:eq]
        if not left.strip():
            raise ParseError("missing name before '='", column=start + eq + 1, token="=", text=text)
        column = start + 1 + len(left) - len(left.lstrip())
        try:
            name = parse_name(left, syntax)
        except ParseError as exc:
            raise ParseError(f"the left of '=' must be one variable name ({exc.reason})",
                             column=column, token=left.strip(), text=text) from None
        expr = _at(parse, segment[eq + 1:], start + eq + 1, text, limits, functions, syntax)
        statements.append(Statement(name, expr, column))
    if not statements:
        raise ParseError("empty expression", column=1, token="", text=text)
    return tuple(statements)


def _assignment(segment: str) -> int | None:
    """The index of a lone '=' (not part of ==, <=, >=, !=, :=), or None."""
    for i, ch in enumerate(segment):
        if ch == "=" and segment[i - 1:i] not in ("=", "<", ">", "!", ":") and segment[i + 1:i + 2] != "=":
            return i
    return None


def _at(parse: Callable[..., sp.Expr], segment: str, offset: int, text: str, limits: Limits,
        functions: FunctionTable | None, syntax: str) -> sp.Expr:
    """Parse a piece of text; a ParseError's column is made relative to the whole text."""
    try:
        return parse(segment, limits, functions, syntax)
    except ParseError as exc:
        raise ParseError(exc.reason, column=exc.column + offset, token=exc.token, text=text) from None


def split_pairs(text: str) -> list[tuple[str, str, int]]:
    """`x=2, y=log(8, 2)` → [(name, value text, offset of the value)]; a piece without '=' is an error."""
    pairs = []
    for start, item in split_top_level(text):
        if not item.strip():
            continue
        name, sep, value = item.partition("=")
        if not sep:
            raise ParseError("expected name=value", column=start + 1 + len(item) - len(item.lstrip()),
                             token=item.strip()[:40], text=text)
        pairs.append((name.strip(), value, start + len(name) + 1))
    return pairs
