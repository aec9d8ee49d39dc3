"""Text → tokens: numbers, names, operators. An unknown character or operator is a ParseError
with its 1-based column; nothing outside the whitelist gets past this stage.

Besides ASCII it reads the textbook's Unicode: superscript exponents (`x²`, `x⁻¹`: one SUP token
holding the ASCII exponent), roots (`√x`, `∛x`: ROOT tokens) and `− × · ÷ π`. Braces are read only
as an exponent's group (`x^{2}`, `sin^{-1} x`); everywhere else they are refused."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..errors import ParseError
from .vocabulary import ALIASES, ROOTS, SUPERSCRIPTS

UNSUPPORTED_OPERATORS = (
    "//", "==", "!=", "<=", ">=", ":=", "->", "<<", ">>", "%", "@", "&", "~", "<", ">",
    ".", ":", "[", "]", "{", "}", "=", ";",
)
OPERATORS = ("**", "^", "+", "-", "*", "/", "(", ")", ",", "|", "!")
_NUMBER = re.compile(r"(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+)?", re.ASCII)
"""ASCII digits only: Python's \\d alone also matches fullwidth, Arabic-Indic and mathematical digits"""
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Token:
    """One lexical unit; col is 1-based. Kinds: NUM, NAME, OP, SUP (a superscript exponent: "⁻¹";
    `superscript_value` reads it), ROOT (√ ∛ ∜), END; the bar pairing (bars.py) turns OP "|" into OPEN_BAR
    or CLOSE_BAR, and the LaTeX tokenizer adds CMD, OPNAME and ROMAN."""

    kind: str
    text: str
    col: int


STEP_OPERATORS = "[]'"
"""read only in a worked step: d/dx[...] and the prime of (...)'"""


def tokenize(text: str, steps: bool = False) -> list[Token]:
    """Split text into tokens; an unknown character or operator is a ParseError. In a worked step
    (steps), square brackets and the prime ' are operators too."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    braces: list[int] = []  # columns of the open exponent braces
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
            continue
        if ch in SUPERSCRIPTS:
            tokens.append(_superscript(text, i))
            i += len(tokens[-1].text)
            continue
        if ch in ROOTS:
            tokens.append(Token("ROOT", ch, i + 1))
            i += 1
            continue
        if ch == "{" and tokens and tokens[-1].text in ("^", "**"):
            tokens.append(Token("OP", ch, i + 1))
            braces.append(i + 1)
            i += 1
            continue
        if ch == "}" and braces:
            tokens.append(Token("OP", ch, i + 1))
            braces.pop()
            i += 1
            continue
        if steps and ch in STEP_OPERATORS:
            tokens.append(Token("OP", ch, i + 1))
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


def _superscript(text: str, i: int) -> Token:
    """A run of superscript characters: x⁻¹ is the exponent -1 (a lone ⁻ is refused)."""
    j = i
    while j < len(text) and text[j] in SUPERSCRIPTS:
        j += 1
    exponent = superscript_value(text[i:j])
    if not exponent.lstrip("-").isdigit() or exponent.count("-") > 1:
        raise ParseError("a superscript exponent is a whole number, as in x² or x⁻¹", column=i + 1,
                         token=text[i:j], text=text)
    return Token("SUP", text[i:j], i + 1)


def superscript_value(sup: str) -> str:
    """A superscript in ASCII: ⁻¹ → -1."""
    return "".join(SUPERSCRIPTS[c] for c in sup)


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


ACCEPTED_UNICODE = f"{' '.join(ALIASES)} {' '.join(ROOTS)} and superscript digits"


def describe_char(ch: str, accepted: str = ACCEPTED_UNICODE) -> str:
    """Why a character is refused, naming it by its Unicode code and name; accepted: the non-ASCII
    characters the grammar reads, for the message."""
    name = unicodedata.name(ch, "")
    code = f"U+{ord(ch):04X}" + (f" {name}" if name else "")
    if unicodedata.category(ch).startswith("C"):
        return f"control character {code} is not allowed"
    if ch.isascii():
        return f"unexpected character {ch!r}"
    return f"unexpected character {ch!r} ({code}); only ASCII is accepted, and {accepted}"
