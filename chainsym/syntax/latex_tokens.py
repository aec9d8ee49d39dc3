"""LaTeX's lexicon and tokenizer for chainsym's LaTeX grammar (latex.py): the commands it knows,
the TeX primitives it refuses by name, and the split of text into tokens, with brackets paired."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import sympy as sp

from ..errors import ParseError
from .tokens import Token, describe_char
from .vocabulary import ALIASES, FunctionTable

GREEK = {name: name for name in (
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota", "kappa",
    "varkappa", "mu", "nu", "xi", "rho", "varrho", "sigma", "varsigma", "tau", "upsilon", "phi", "varphi", "chi",
    "psi", "omega", "varpi", "ell", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Upsilon", "Phi", "Psi",
    "Omega", "Pi",
)}
GREEK["lambda"] = "lamda"  # 'lambda' is a Python keyword; SymPy prints Symbol('lamda') as \lambda
"""Greek letters (and \\ell), read as the variable of that name"""

LETTER_FUNCTIONS = {"sigma": "sigmoid", "theta": "Heaviside", "delta": "DiracDelta", "Gamma": "gamma", "zeta": "zeta"}
"""letters that are a function when a bracket follows, as SymPy prints these functions (zeta(3)
appears in polygamma's values)"""
EXTRA_FUNCTIONS: FunctionTable = {"zeta": (lambda *args: sp.zeta(*args, evaluate=False), (1, 2))}
"""functions read only as SymPy prints them (not by name in plain text)"""

PRODUCTS = {"cdot": "*", "times": "*", "ast": "*", "div": "/"}
SPACING = {",", ";", ":", "!", " ", "quad", "qquad", "displaystyle", "textstyle"}
FRACTIONS = {"frac", "dfrac", "tfrac"}
NAMED = {"mathrm", "mathit", "text", "textrm", "operatorname"}
BAR_COMMANDS = {"lvert": "\\left|", "rvert": "\\right|"}
SPECIAL = FRACTIONS | {"sqrt", "pi", "partial", "left", "right"} | NAMED | set(BAR_COMMANDS)

REFUSED_COMMANDS = {
    "infty": "'\\infty' (infinity) is not a number",
    "partial": "'\\partial' is read only in a derivative operator \\frac{\\partial}{\\partial x} at the start",
    "imath": "the imaginary unit is not supported: variables and constants are real",
    "\\": "'\\\\' (a line break) is not read: one expression per line",
}
TEX_PRIMITIVES = {
    "input", "include", "def", "edef", "gdef", "xdef", "let", "catcode", "csname", "endcsname", "write",
    "immediate", "openout", "openin", "read", "newcommand", "renewcommand", "providecommand", "DeclareMathOperator",
    "expandafter", "usepackage", "documentclass", "begin", "end", "special", "jobname", "string", "makeatletter",
    "lowercase", "uppercase", "global", "newread", "newwrite", "verbatim", "href", "url", "includegraphics", "loop",
    "repeat", "afterassignment", "futurelet", "uccode", "lccode", "mathcode", "char", "relax",
}
"""TeX's own programming and file commands: refused with a message saying that no TeX is run"""

OPENERS = {"(": ")", "[": "]", "{": "}", "\\left(": "\\right)", "\\left[": "\\right]", "\\left|": "\\right|"}
CLOSERS = {v: k for k, v in OPENERS.items()}
ROUND = ("(", "\\left(", "[", "\\left[")

_ADD, _MUL, _UNARY, _POW = 10, 20, 30, 40
_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+", re.ASCII)
_WORD = re.compile(r"\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}|([A-Za-z])")
_LETTERS = re.compile(r"[A-Za-z]+")
_COMMAND = re.compile(r"\\([A-Za-z]+|.)", re.DOTALL)
ACCEPTED_UNICODE = " ".join(ALIASES)


def _q(text: str) -> str:
    """A LaTeX token quoted for a message: '\\frac', not repr's '\\\\frac'."""
    return f"'{text}'" if text.isprintable() and "'" not in text else repr(text)


def _op(tok: Token, *texts: str) -> bool:
    return tok.kind == "OP" and tok.text in texts


def _cmd(tok: Token) -> str:
    """The name of a command token: \\frac → frac ('' for other tokens)."""
    return tok.text[1:] if tok.kind == "CMD" else ""


def named_word(tok: Token) -> str:
    r"""The name inside \operatorname{..}, \mathrm{..}, \text{..}: \mathrm{e} → e."""
    return tok.text[tok.text.index("{") + 1:-1].strip() if "{" in tok.text else tok.text.split()[-1][-1]


def function_words(functions: Iterable[str]) -> re.Pattern[str]:
    """Words that, written as plain letters in LaTeX, were surely meant as a function or a Greek letter:
    `sin x` typesets (and reads) as s·i·n·x."""
    return _words(frozenset(w for w in functions if len(w) >= 2 and w.isalpha()))


@lru_cache(maxsize=8)
def _words(names: frozenset[str]) -> re.Pattern[str]:
    words = names | {"pi"} | {g for g in GREEK if len(g) >= 3}
    return re.compile("|".join(sorted(words, key=len, reverse=True)))


def _hint(word: str, functions: Iterable[str]) -> str:
    if word == "pi" or word in GREEK:
        return "\\" + word
    standard = {"sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
                "coth", "exp", "ln", "log", "max", "min"}
    return "\\" + word if word in standard else "\\operatorname{" + word + "}"


# --------------------------------------------------------------------------- tokens


def tokenize_latex(text: str, functions: FunctionTable, steps: bool = False) -> tuple[list[Token], dict[int, int]]:
    """LaTeX → tokens and the pairing of brackets (opener index ↔ closer index). Kinds: NUM, NAME
    (one letter), CMD (\\frac, \\alpha, \\sin…), OPNAME (\\operatorname{..}), ROMAN (\\mathrm{..},
    \\text{..}), OP, END. Unknown commands, TeX primitives, unbalanced brackets are ParseErrors.
    In a worked step (steps), the prime ' is an operator too: (x^2)'."""
    tokens: list[Token] = []
    words = function_words(functions)
    known = SPECIAL | set(GREEK) | set(functions) | set(PRODUCTS) | set(REFUSED_COMMANDS)
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n~":
            i += 1
        elif ch == "\\":
            i = _command(text, i, tokens, known)
        elif ch.isascii() and ch.isalpha():
            run = _LETTERS.match(text, i)
            assert run is not None
            if len(run.group()) > 1 and (found := words.search(run.group())):
                word = found.group()
                raise ParseError(f"{run.group()!r} in LaTeX is a product of single letters; write "
                                 f"{_hint(word, functions)} for {word!r}", column=i + 1, token=run.group(), text=text)
            tokens.extend(Token("NAME", c, i + k + 1) for k, c in enumerate(run.group()))
            i = run.end()
        elif m := _NUMBER.match(text, i):
            tokens.append(Token("NUM", m.group(), i + 1))
            i = m.end()
        elif ch in "+-*/^_,!|()[]{}" or (steps and ch == "'"):
            tokens.append(Token("OP", ch, i + 1))
            i += 1
        elif ch in ALIASES:  # − × · ÷ as operators, π as \pi
            alias = ALIASES[ch]
            tokens.append(Token("CMD", "\\" + alias, i + 1) if alias.isalpha() else Token("OP", alias, i + 1))
            i += 1
        elif ch == "$":
            raise ParseError("write the mathematics without $ delimiters", column=i + 1, token=ch, text=text)
        else:
            raise ParseError(describe_char(ch, ACCEPTED_UNICODE), column=i + 1, token=ch, text=text)
    tokens.append(Token("END", "", n + 1))
    return tokens, _pair_brackets(tokens, text)


def _command(text: str, i: int, tokens: list[Token], known: set[str]) -> int:
    """Read the command at text[i] (a backslash) into tokens; the index after it."""
    m = _COMMAND.match(text, i)
    if m is None:
        raise ParseError("a lone backslash at the end", column=i + 1, token="\\", text=text)
    name, end = m.group(1), m.end()
    if name in SPACING:
        return end
    if name in ("left", "right"):
        return _delimiter(text, i, end, name, tokens)
    if name in NAMED:
        word = _WORD.match(text, _skip_spaces(text, end))
        if word is None:
            example = "sigmoid" if name == "operatorname" else "e"
            raise ParseError(f"\\{name} takes a name in braces, as in \\{name}{{{example}}}",
                             column=i + 1, token="\\" + name, text=text)
        kind = "OPNAME" if name == "operatorname" else "ROMAN"
        tokens.append(Token(kind, "\\" + name + ("{" + (word.group(1) or word.group(2)) + "}"), i + 1))
        return word.end()
    if name in BAR_COMMANDS:
        tokens.append(Token("OP", BAR_COMMANDS[name], i + 1))
        return end
    if name in TEX_PRIMITIVES:
        raise ParseError(f"'\\{name}' is a TeX command, not mathematics: chainsym reads mathematics and runs no TeX",
                         column=i + 1, token="\\" + name, text=text)
    if name not in known:
        shown = "\\" + name
        raise ParseError(f"unknown LaTeX command {_q(shown)}", column=i + 1, token=shown, text=text)
    tokens.append(Token("CMD", "\\" + name, i + 1))
    return end


def _skip_spaces(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _delimiter(text: str, i: int, end: int, which: str, tokens: list[Token]) -> int:
    r"""\left( \right) \left[ \right] \left| \right| (also \left\lvert) as one OP token."""
    j = _skip_spaces(text, end)
    allowed = "([|" if which == "left" else ")]|"
    delimiter = text[j:j + 1]
    if text.startswith(("\\lvert", "\\rvert", "\\vert"), j):
        delimiter, j = "|", j + (5 if text.startswith("\\vert", j) else 6) - 1
    if delimiter == "" or delimiter not in allowed:
        shown = text[j:j + 1] or "end of input"
        raise ParseError(f"\\{which} must be followed by one of {' '.join(allowed)}",
                         column=j + 1 if delimiter else i + 1, token=shown, text=text)
    tokens.append(Token("OP", "\\" + which + delimiter, i + 1))
    return j + 1


def _pair_brackets(tokens: list[Token], text: str) -> dict[int, int]:
    """opener index ↔ closer index for every bracket; an unbalanced or crossed bracket is a ParseError."""
    partner: dict[int, int] = {}
    stack: list[int] = []
    for k, tok in enumerate(tokens):
        if tok.kind != "OP":
            continue
        if tok.text in OPENERS:
            stack.append(k)
        elif tok.text in CLOSERS:
            if not stack:
                raise ParseError(f"unbalanced {_q(tok.text)}", column=tok.col, token=tok.text, text=text)
            opener = tokens[stack[-1]]
            if OPENERS[opener.text] != tok.text:
                raise ParseError(_expected(opener), column=tok.col, token=tok.text, text=text)
            o = stack.pop()
            partner[o], partner[k] = k, o
    if stack:
        opener = tokens[stack[-1]]
        raise ParseError(f"unclosed {_q(opener.text)}", column=opener.col, token=opener.text, text=text)
    return partner


def _expected(opener: Token) -> str:
    """The message for a closing bracket that does not match its opener."""
    return f"expected {_q(OPENERS[opener.text])} (for the {_q(opener.text)} at column {opener.col})"
