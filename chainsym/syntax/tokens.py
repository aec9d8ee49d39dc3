"""Text → tokens: numbers, names, operators. An unknown character or operator is a ParseError
with its 1-based column; nothing outside the whitelist gets past this stage."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..errors import ParseError
from .vocabulary import ALIASES

UNSUPPORTED_OPERATORS = (
    "//", "==", "!=", "<=", ">=", ":=", "->", "<<", ">>", "%", "@", "&", "|", "~", "<", ">",
    "!", ".", ":", "[", "]", "{", "}", "=", ";",
)
OPERATORS = ("**", "^", "+", "-", "*", "/", "(", ")", ",")
_NUMBER = re.compile(r"(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+)?", re.ASCII)
"""ASCII digits only: Python's \\d alone also matches fullwidth, Arabic-Indic and mathematical digits"""
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Token:
    """One lexical unit: kind is NUM, NAME, OP or END; col is 1-based."""

    kind: str
    text: str
    col: int


def tokenize(text: str) -> list[Token]:
    """Split text into tokens; an unknown character or operator is a ParseError."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
            continue
        if ch in ALIASES:
            alias = ALIASES[ch]
            tokens.append(Token("NAME" if alias.isalpha() else "OP", alias, i + 1))
            i += 1
            continue
        if m := _NUMBER.match(text, i):
            if text[m.end():m.end() + 1] in ("j", "J") and not _NAME.match(text, m.end() + 1):
                raise ParseError("complex literals are not supported", column=i + 1,
                                 token=text[i:m.end() + 1], text=text)
            tokens.append(Token("NUM", m.group(), i + 1))
            i = m.end()
            continue
        if m := _NAME.match(text, i):
            tokens.append(Token("NAME", m.group(), i + 1))
            i = m.end()
            continue
        tokens.append(_operator(text, i))
        i += len(tokens[-1].text)
    tokens.append(Token("END", "", n + 1))
    return tokens


def _operator(text: str, i: int) -> Token:
    """The operator at text[i], or a ParseError naming what is there instead."""
    bad = next((o for o in UNSUPPORTED_OPERATORS if len(o) == 2 and text.startswith(o, i)), None)
    op = None if bad else next((o for o in OPERATORS if text.startswith(o, i)), None)
    if op is not None:
        return Token("OP", op, i + 1)
    bad = next((o for o in UNSUPPORTED_OPERATORS if text.startswith(o, i)), None)
    if bad is not None:
        raise ParseError(f"operator {bad!r} is not supported", column=i + 1, token=bad, text=text)
    ch = text[i]
    if ch in "'\"":
        raise ParseError("quotes are not allowed: an expression is not a string", column=i + 1, token=ch, text=text)
    raise ParseError(describe_char(ch), column=i + 1, token=ch, text=text)


def describe_char(ch: str) -> str:
    """Why a character is refused, naming it by its Unicode code and name."""
    name = unicodedata.name(ch, "")
    code = f"U+{ord(ch):04X}" + (f" {name}" if name else "")
    if unicodedata.category(ch).startswith("C"):
        return f"control character {code} is not allowed"
    if ch.isascii():
        return f"unexpected character {ch!r}"
    return f"unexpected character {ch!r} ({code}); only ASCII is accepted, and {' '.join(ALIASES)}"
