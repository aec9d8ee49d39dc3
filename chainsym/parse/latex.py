r"""LaTeX → `sympy.Expr`, by the same kind of hand-written Pratt parser as the plain grammar, with the
same builders (build.py): nothing is evaluated, no TeX is run, no command outside the tables below
is accepted.

What it reads: `\frac \dfrac \tfrac` (also `\frac12`), `\sqrt{..}`, `\sqrt[n]{..}`, `^{..}`,
subscripted names (`x_{1}` is the variable x_1), `\left( \right)`, `\left[ \right]`, `\left| \right|`
and bare `|..|`, `{}` groups, `\cdot \times \div`, `\pi`, `e` and `\mathrm{e}`, the functions as
commands (`\sin`, `\exp`, `\ln`, `\log`, `\log_{b}`, `\max`…) or `\operatorname{sigmoid}`, a
function's power or inverse (`\sin^2 x`, `\sin^{-1} x`), Greek letters as names (`\alpha` is
alpha; `\lambda` is lamda, as SymPy spells it), `\mathrm{name}`, `x!`, spacing (`\, \; \! \quad ~`).
As TeX typesets them, letters side by side are a product (`xy` is x·y) and a superscript or
subscript without braces takes one character (`x^23` is refused: x^{2}·3 or x^{23}?). Every
expression chainsym prints with SymPy's LaTeX printer reads back, including `\sigma\left(x\right)`
(sigmoid), `\theta\left(x\right)` (Heaviside), `\delta\left(x\right)` (DiracDelta) and
`\Gamma\left(x\right)` (gamma), `\zeta\left(3\right)`: those letters followed by a bracket are the functions.

`\frac{d}{dx}` in front of an expression is a derivative operator; `LatexParser.parse` returns it
apart (see `chainsym.parse.parse_with_operator`). Errors carry the column in the text as written.
Nesting costs at most two Python frames per unit of Limits.max_depth (the recursion limit is never
changed), so the depth limit, not Python's, bounds what is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import sympy as sp

from ..errors import ParseError
from ..limits import Limits
from .bars import pair_bars
from .build import Reader, Val, build_call, build_negative, build_power, build_product, build_sum, constant
from .tokens import Token, describe_char
from .vocabulary import ALIASES, FUNCTIONS, INVERSES, FunctionTable, arity_text

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


def tokenize_latex(text: str, functions: FunctionTable) -> tuple[list[Token], dict[int, int]]:
    """LaTeX → tokens and the pairing of brackets (opener index ↔ closer index). Kinds: NUM, NAME
    (one letter), CMD (\\frac, \\alpha, \\sin…), OPNAME (\\operatorname{..}), ROMAN (\\mathrm{..},
    \\text{..}), OP, END. Unknown commands, TeX primitives, unbalanced brackets are ParseErrors."""
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
        elif ch in "+-*/^_,!|()[]{}":
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
            raise ParseError(f"\\{name} takes a name in braces, as in \\{name}{{{'sigmoid' if name == 'operatorname' else 'e'}}}",
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
        raise ParseError(f"\\{which} must be followed by one of {' '.join(allowed)}", column=j + 1 if delimiter else i + 1,
                         token=shown, text=text)
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
                raise ParseError(f"expected {_q(OPENERS[opener.text])} (for the {_q(opener.text)} at column {opener.col})",
                                 column=tok.col, token=tok.text, text=text)
            o = stack.pop()
            partner[o], partner[k] = k, o
    if stack:
        opener = tokens[stack[-1]]
        raise ParseError(f"unclosed {_q(opener.text)}", column=opener.col, token=opener.text, text=text)
    return partner


# --------------------------------------------------------------------------- grammar


class LatexParser(Reader):
    """Pratt parser over LaTeX tokens. Every method that recurses into expression() either is called
    from expression() itself or enters one nesting level first: Python frames stay within two per
    level of Limits.max_depth."""

    def __init__(self, text: str, limits: Limits, functions: FunctionTable | None = None) -> None:
        self.functions = FUNCTIONS if functions is None else functions
        tokens, self.partner = tokenize_latex(text, self.functions)
        tokens = pair_bars(tokens, text, ends_operand=self.ends_operand, starts_operand=self.starts_factor,
                           opens=lambda t: _op(t, *OPENERS), closes=lambda t: _op(t, *CLOSERS),
                           spelling=("\\left|", "\\right|"))
        super().__init__(text, limits, tokens)

    # ---- token classes
    def at(self, k: int) -> Token:
        return self.tokens[min(k, len(self.tokens) - 1)]

    def is_symbol(self, tok: Token) -> bool:
        return tok.kind == "CMD" and (_cmd(tok) in GREEK or _cmd(tok) == "pi")

    def is_function_command(self, tok: Token) -> bool:
        name = _cmd(tok)
        return name in self.functions and name not in GREEK and name not in SPECIAL

    def is_function_at(self, k: int) -> bool:
        tok = self.at(k)
        if tok.kind == "OPNAME" or self.is_function_command(tok):
            return True
        return _cmd(tok) in LETTER_FUNCTIONS and self.bracket_follows(k)

    def bracket_follows(self, k: int) -> bool:
        r"""Whether a round bracket follows token k, after an optional superscript: \Gamma^{2}\left(x\right)."""
        j = k + 1
        if _op(self.at(j), "^"):
            j = self.partner.get(j + 1, j + 1) + 1
        return _op(self.at(j), "(", "\\left(")

    def ends_operand(self, tok: Token) -> bool:
        return (tok.kind in ("NUM", "NAME", "ROMAN", "CLOSE_BAR") or self.is_symbol(tok)
                or _op(tok, ")", "]", "}", "\\right)", "\\right]", "\\right|", "!"))

    def starts_factor(self, tok: Token) -> bool:
        return (tok.kind in ("NUM", "NAME", "ROMAN", "OPNAME") or _op(tok, "(", "[", "{", "\\left(", "\\left[", "\\left|")
                or (tok.kind == "CMD" and _cmd(tok) not in PRODUCTS))

    def starts_operand(self, tok: Token) -> bool:
        return self.starts_factor(tok) or tok.kind == "OPEN_BAR"

    def product_op(self, tok: Token) -> str | None:
        if _op(tok, "*", "/"):
            return tok.text
        return PRODUCTS.get(_cmd(tok))

    # ---- the whole input
    def parse(self, allow_operator: bool = False) -> tuple[sp.Expr, str | None]:
        r"""The expression, and the variable of a leading \frac{d}{dx} (only if allow_operator)."""
        if self.tok.kind == "END":
            raise ParseError("empty expression", column=1, token="", text=self.text)
        wrt = operator = None
        found = self.derivative(0)
        if found is not None:
            wrt, end = found
            operator = self.text[self.tokens[0].col - 1:self.at(end).col - 1].strip()
            if not allow_operator:
                raise self.fail(f"{operator} is a derivative operator, not part of an expression", self.tok)
            self.pos = end
            if self.tok.kind == "END":
                raise self.fail(f"missing expression after {operator}", self.tok)
        first = self.tok
        val = self.expression(0 if operator is None else _ADD)
        tok = self.tok
        if operator is not None and _op(tok, "+", "-"):
            term = self.text[first.col - 1:tok.col - 1].strip()
            whole = self.text[first.col - 1:].strip()
            raise self.fail(f"ambiguous: write {operator}\\left({whole}\\right) or {operator}\\left({term}\\right) "
                            f"{whole[len(term):].strip()}", tok)
        if tok.kind != "END":
            if tok.text == ",":
                raise self.fail("',' outside a function call", tok)
            raise self.fail("unexpected token", tok)
        return val.expr, wrt

    def derivative(self, k: int) -> tuple[str, int] | None:
        r"""A derivative operator written as a fraction at token k: (x, the index after it) for
        \frac{d}{dx} (or \mathrm{d}, \partial). Leibniz quotients (\frac{dy}{dx}) and higher orders
        (\frac{d^2}{dx^2}) are ParseErrors: read as fractions they would mean something else."""
        if self.is_d(self.at(k)) and _op(self.at(k + 1), "/") and self.is_d(self.at(k + 2)) and _cmd(self.at(k)) == "":
            found = self.name_at(k + 3)
            if found is None or self.at(found[1]).kind == "END":
                return None
            return found
        if _cmd(self.at(k)) not in FRACTIONS or not _op(self.at(k + 1), "{"):
            return None
        c1 = self.partner[k + 1]
        if not _op(self.at(c1 + 1), "{"):
            return None
        c2 = self.partner[c1 + 1]
        top, bottom = self.tokens[k + 2:c1], self.tokens[c1 + 2:c2]
        if not top or not bottom or not self.is_d(top[0]) or not self.is_d(bottom[0]) or \
                (_cmd(top[0]) == "partial") != (_cmd(bottom[0]) == "partial"):
            return None
        shown = self.text[self.at(k).col - 1:self.at(c2).col]
        if any(_op(t, "^") for t in top + bottom):
            raise self.fail(f"{shown}: only first derivatives are read as an operator \\frac{{d}}{{dx}}; "
                            "differentiate again for a higher order", self.at(k))
        if len(top) > 1:
            raise self.fail(f"{shown} is Leibniz notation for the derivative of an unknown function; "
                            "write the function itself", self.at(k))
        found = self.name_at(c1 + 3)
        return None if found is None or found[1] != c2 else (found[0], c2 + 1)

    def is_d(self, tok: Token) -> bool:
        return (tok.kind == "NAME" and tok.text == "d") or _cmd(tok) == "partial" or \
            (tok.kind == "ROMAN" and named_word(tok) == "d")

    def name_at(self, start: int) -> tuple[str, int] | None:
        """The variable name written by the tokens at start (x, x_{1}, \\theta, \\mathrm{dt}) and the
        index after it, or None."""
        saved = self.pos
        self.pos = start
        tok = self.advance()
        word = tok.text if tok.kind == "NAME" else named_word(tok) if tok.kind == "ROMAN" else GREEK.get(_cmd(tok))
        if word is not None:
            word = self.subscript(word)
            self.check_name(word, tok)
        end, self.pos = self.pos, saved
        return None if word is None else (word, end)

    # ---- expressions
    def expression(self, min_prec: int) -> Val:
        """Operators binding tighter than min_prec; runs of + - (or products) become one n-ary node."""
        tok = self.tok
        if self.is_function_at(self.pos):
            left = self.call(self.advance())
        elif _cmd(tok) in FRACTIONS:
            left = self.fraction(self.advance())
        elif _cmd(tok) == "sqrt":
            left = self.root(self.advance())
        else:
            left = self.prefix()
        while True:
            tok = self.tok
            if _op(tok, "^") and min_prec < _POW:
                left = self.power(left, self.advance())
                if _op(self.tok, "^"):
                    raise self.fail("double superscript: write x^{a^{b}} or {x^{a}}^{b}", self.tok)
                continue
            if _op(tok, "!") and min_prec < _POW:
                self.advance()
                if _op(self.tok, "!"):
                    raise self.fail("the double factorial x!! is not supported", self.tok)
                left = build_call(self, "factorial", tok, FUNCTIONS["factorial"][0], [left])
                continue
            if _op(tok, "_"):
                raise self.fail("a subscript belongs right after its letter, as in x_{1}^{2}", tok)
            if _op(tok, "+", "-") and min_prec < _ADD:
                left = self.run(left, ("+", "-"), _ADD)
            elif (self.product_op(tok) or self.starts_operand(tok)) and min_prec < _MUL:
                left = self.run(left, ("*", "/"), _MUL)
            else:
                return left

    def run(self, left: Val, ops: tuple[str, str], prec: int) -> Val:
        """A left-associative run of one precedence (a sum, or a product written or implied)."""
        items: list[tuple[str, Val]] = [(ops[0], left)]
        while True:
            tok = self.tok
            op = tok.text if _op(tok, "+", "-") and prec == _ADD else self.product_op(tok) if prec == _MUL else None
            if op is not None:
                self.advance()
                if self.tok.kind == "END":
                    raise self.fail(f"missing operand after {_q(tok.text)}", self.tok)
                items.append((op, self.expression(prec)))
            elif prec == _MUL and self.starts_operand(tok):
                if tok.kind == "NUM" and self.tokens[self.pos - 1].kind == "NUM":
                    raise self.fail("missing operator before a number", tok)  # 2 3 reads as 23; x 2 and (-1) 3 multiply
                items.append(("*", self.expression(prec)))
            else:
                return build_sum(self, items) if prec == _ADD else build_product(self, items)

    def prefix(self) -> Val:
        tok = self.tok
        if _op(tok, "+", "-"):
            self.advance()
            self.enter(tok)
            if self.tok.kind == "END":
                raise self.fail(f"missing operand after {_q(tok.text)}", self.tok)
            operand = self.expression(_UNARY)
            self.leave()
            return Val(operand.expr, operand.const, tok) if tok.text == "+" else build_negative(self, operand, tok)
        if tok.kind == "NUM":
            self.advance()
            return Val(self.number(tok), True, tok)
        if tok.kind in ("NAME", "ROMAN") or self.is_symbol(tok):
            self.advance()
            return self.name(tok)
        if _op(tok, "(", "[", "{", "\\left(", "\\left[", "\\left|"):
            opener, closer = self.open_group()
            inner = self.expression(0)
            self.end_group(opener, closer)
            if opener.text == "\\left|":
                return build_call(self, "abs", opener, FUNCTIONS["abs"][0], [inner])
            return Val(inner.expr, inner.const, opener)
        if tok.kind == "OPEN_BAR":
            return self.bars(self.advance())
        if tok.kind == "END":
            raise self.fail("unexpected end of input", tok)
        if _cmd(tok) in REFUSED_COMMANDS:
            raise self.fail(REFUSED_COMMANDS[_cmd(tok)], tok)
        raise self.fail(f"missing operand before {_q(tok.text)}", tok)

    def open_group(self) -> tuple[Token, int]:
        """Consume an opening bracket, one level deeper; the opener and its closer's index."""
        opener = self.advance()
        closer = self.partner[self.pos - 1]
        self.enter(opener)
        if self.pos == closer:
            raise self.fail("empty braces" if opener.text == "{" else "empty brackets", self.tok)
        return opener, closer

    def end_group(self, opener: Token, closer: int) -> None:
        if self.pos != closer:
            tok = self.tok
            if tok.text == ",":
                raise self.fail("',' outside a function call", tok)
            raise self.fail(f"expected {_q(OPENERS[opener.text])} (for the {_q(opener.text)} at column {opener.col})", tok)
        self.advance()
        self.leave()

    def bars(self, opener: Token) -> Val:
        """|...| is abs(...); the pairing of the bars was decided before parsing (bars.py)."""
        self.enter(opener)
        if self.tok.kind in ("END", "CLOSE_BAR"):
            raise self.fail("unclosed '|'" if self.tok.kind == "END" else "empty bars", opener)
        inner = self.expression(0)
        if self.tok.kind != "CLOSE_BAR":
            if self.tok.kind == "END":
                raise self.fail("unclosed '|'", opener)
            raise self.fail(f"expected '|' (for the '|' at column {opener.col})", self.tok)
        self.advance()
        self.leave()
        return build_call(self, "abs", opener, FUNCTIONS["abs"][0], [inner])

    def name(self, tok: Token) -> Val:
        """A letter, a Greek letter, \\pi or \\mathrm{name} (tok consumed), with its subscript: x_{1}."""
        if tok.kind == "NAME":
            word = tok.text
        elif tok.kind == "ROMAN":
            word = named_word(tok)
        else:
            word = GREEK.get(_cmd(tok), _cmd(tok))
        word = self.subscript(word)
        self.check_name(word, tok)
        return self.variable(word, tok)

    def subscript(self, word: str) -> str:
        """word, or word_index when a subscript follows: x_1, x_{12}, x_{ij}, x_{\\alpha}."""
        if not _op(self.tok, "_"):
            return word
        self.advance()
        tok = self.tok
        if _op(tok, "{"):
            closer = self.partner[self.pos]
            self.advance()
            parts = []
            while self.pos < closer:
                part = self.advance()
                if part.kind == "NAME" or (part.kind == "NUM" and part.text.isdigit()):
                    parts.append(part.text)
                elif _cmd(part) in GREEK:
                    parts.append(GREEK[_cmd(part)])
                else:
                    raise self.fail("a subscript is letters and digits, as in x_{1}", part)
            self.advance()
            if not parts:
                raise self.fail("empty subscript", tok)
            index = "".join(parts)
        elif tok.kind == "NAME" or (tok.kind == "NUM" and len(tok.text) == 1):
            index = self.advance().text
        elif tok.kind == "NUM" and tok.text.isdigit():
            raise self.fail(f"ambiguous: write {word}_{{{tok.text}}} or {word}_{{{tok.text[0]}}} \\cdot "
                            f"{tok.text[1:]}", tok)
        elif _cmd(tok) in GREEK:
            index = GREEK[_cmd(self.advance())]
        else:
            raise self.fail("a subscript is letters and digits, as in x_{1}", tok)
        if _op(self.tok, "_"):
            raise self.fail("a name takes one subscript, as in x_{12}", self.tok)
        return word + "_" + index

    def atom(self, start_col: int, alone: bool = True) -> Val:
        """A one-token argument without braces (x^2, \\frac ab, \\sqrt x): a digit, a letter, a Greek
        letter, \\pi or \\mathrm{..}. If alone, what follows it at once (x^23, e^xy) is refused as
        ambiguous (not so after a fraction's numerator: \\frac ab is a/b)."""
        tok = self.tok
        owner = self.text[start_col - 1:tok.col - 1].rstrip()
        owner = owner if len(owner) <= 30 else "…" + owner[-29:]
        if tok.kind == "NUM" and len(tok.text) > 1:
            raise self.fail(f"ambiguous: write {owner}{{{tok.text}}} or {owner}{{{tok.text[0]}}} \\cdot "
                            f"{tok.text[1:]}", tok)
        if tok.kind == "NUM":
            value = Val(self.number(self.advance()), True, tok)
        elif tok.kind in ("NAME", "ROMAN") or self.is_symbol(tok):
            self.advance()
            word = tok.text if tok.kind == "NAME" else named_word(tok) if tok.kind == "ROMAN" else GREEK.get(
                _cmd(tok), _cmd(tok))
            self.check_name(word, tok)
            value = self.variable(word, tok)
        else:
            shown = tok.text if tok.kind != "END" else ""
            raise self.fail(f"write the argument in braces: {owner}{{{shown}...}}", tok)
        after = self.tok
        if alone and after.kind in ("NAME", "NUM") and after.col == tok.col + len(tok.text):
            raise self.fail(f"ambiguous: write {owner}{{{tok.text}{after.text}}} or {owner}{{{tok.text}}} "
                            f"{after.text}", after)
        return value

    def power(self, base: Val, op: Token) -> Val:
        """base^{...} or base^c (one character, as TeX reads it)."""
        tok = self.tok
        if _op(tok, "{"):
            opener, closer = self.open_group()
            exponent = self.expression(0)
            self.end_group(opener, closer)
        elif _op(tok, "-", "+"):
            raise self.fail(f"an exponent with a sign needs braces, as in x^{{{tok.text}1}}", tok)
        elif tok.kind == "END":
            raise self.fail("missing exponent after '^'", tok)
        else:
            exponent = self.atom(base.tok.col)
        return build_power(self, base, exponent, op)

    def fraction(self, ftok: Token) -> Val:
        """\\frac{a}{b}, \\frac ab, \\frac12."""
        if self.derivative(self.pos - 1) is not None:
            found = self.derivative(self.pos - 1)
            assert found is not None
            shown = self.text[ftok.col - 1:self.at(found[1]).col - 1].strip()
            raise self.fail(f"the derivative operator {shown} may only stand at the start, in front of the "
                            "whole expression", ftok)
        tok = self.tok
        if tok.kind == "NUM" and len(tok.text) == 2 and tok.text.isdigit():  # \frac12 is 1/2, as in TeX
            self.advance()
            after = self.tok
            if after.kind in ("NAME", "NUM") and after.col == tok.col + 2:
                raise self.fail(f"ambiguous: write \\frac{{{tok.text[0]}}}{{{tok.text[1]}{after.text}}} or "
                                f"\\frac{{{tok.text[0]}}}{{{tok.text[1]}}} {after.text}", after)
            parts = [constant(int(tok.text[0]), tok), constant(int(tok.text[1]), Token("NUM", tok.text[1], tok.col + 1))]
        else:
            parts = []
            for alone in (False, True):
                if _op(self.tok, "{"):
                    opener, closer = self.open_group()
                    parts.append(self.expression(0))
                    self.end_group(opener, closer)
                elif self.tok.kind == "END":
                    raise self.fail(f"{ftok.text} needs two arguments, as in {ftok.text}{{1}}{{2}}", self.tok)
                else:
                    parts.append(self.atom(ftok.col, alone))
        value = build_product(self, [("*", parts[0]), ("/", parts[1])])
        return Val(value.expr, value.const, ftok)

    def root(self, stok: Token) -> Val:
        """\\sqrt{x} and \\sqrt[n]{x} = x^(1/n)."""
        index = None
        if _op(self.tok, "["):
            opener, closer = self.open_group()
            index = self.expression(0)
            self.end_group(opener, closer)
        if _op(self.tok, "{"):
            opener, closer = self.open_group()
            radicand = self.expression(0)
            self.end_group(opener, closer)
        elif self.tok.kind == "END":
            raise self.fail("\\sqrt needs an argument, as in \\sqrt{x}", self.tok)
        else:
            radicand = self.atom(stok.col)
        if index is None:  # as the plain grammar's sqrt(x): a constant keeps its written form in messages
            return build_call(self, "sqrt", stok, FUNCTIONS["sqrt"][0], [radicand])
        exponent = build_product(self, [("*", constant(1, index.tok)), ("/", index)])
        if radicand.const and exponent.const:
            power = exponent.expr
            return build_call(self, "root", stok, lambda r: sp.Pow(r, power, evaluate=False), [radicand])
        value = build_power(self, radicand, exponent, stok)
        return Val(value.expr, value.const, stok)

    # ---- functions
    def call(self, ftok: Token) -> Val:
        r"""A function command applied to its argument: \sin(x), \sin{\left(x \right)}, \sin{x}, or one
        factor without brackets (\sin x^2); a power or inverse may come first (\sin^2 x, \sin^{-1} x),
        or a base (\log_{2} x), or \operatorname{atan}_{2}. The arguments are read here, not in a
        helper: two Python frames per nesting level."""
        name, power, extra = self.function_head(ftok)
        tok = self.tok
        braced = _op(tok, "{") and _op(self.at(self.pos + 1), "(", "\\left(") and \
            self.partner[self.pos + 1] + 1 == self.partner[self.pos]
        args: list[Val] = []
        if braced or _op(tok, *ROUND):
            opener = self.tokens[self.pos + 1] if braced else tok
            self.pos += 2 if braced else 1
            closer = self.partner[self.pos - 1]
            if self.pos != closer:
                args.append(self.expression(0))
                while _op(self.tok, ","):
                    self.advance()
                    args.append(self.expression(0))
            if self.pos != closer:
                raise self.fail(f"expected {_q(OPENERS[opener.text])} (for the {_q(opener.text)} at column {opener.col})",
                                self.tok)
            self.pos += 2 if braced else 1
        elif _op(tok, "{"):
            group, closer = self.open_group()
            args.append(self.expression(0))
            self.end_group(group, closer)
        elif self.starts_operand(tok):
            args.append(self.expression(_UNARY))
            after = self.tok
            if self.starts_operand(after) and not self.is_function_at(self.pos):
                written = self.text[tok.col - 1:after.col - 1].strip()
                rest = self.factor_text(self.pos)
                join = "" if written[-1].isdigit() and rest[0].isalpha() else " "
                raise self.fail(f"ambiguous: write {ftok.text}({written}{join}{rest}) or {ftok.text}({written}) "
                                f"{rest}", after)
        else:
            raise self.fail(f"function {_q(ftok.text)} needs an argument, as in {ftok.text}(x)", ftok)
        self.leave()
        return self.apply(ftok, name, args + extra, power)

    def function_head(self, ftok: Token) -> tuple[str, Val | None, list[Val]]:
        """The function's name, and what is written between it and its argument: a power, a log base,
        a DiracDelta order. One nesting level is entered (call() leaves it)."""
        if ftok.kind == "OPNAME":
            name = named_word(ftok)
            if name not in self.functions:
                raise self.fail(f"unknown function {name!r}", ftok)
        else:
            name = LETTER_FUNCTIONS.get(_cmd(ftok), _cmd(ftok))
        self.enter(ftok)
        extra: list[Val] = []
        if _op(self.tok, "_"):
            extra, name = self.function_subscript(ftok, name)
        power: Val | None = None
        if _op(self.tok, "^"):
            power, name, order = self.function_power(ftok, name)
            extra += order
        return name, power, extra

    def apply(self, ftok: Token, name: str, args: list[Val], power: Val | None) -> Val:
        builder, arities = self.functions.get(name) or FUNCTIONS.get(name) or EXTRA_FUNCTIONS[name]
        if len(args) not in arities and not (name == "DiracDelta" and len(args) == 2):
            raise self.fail(f"{ftok.text} takes {arity_text(arities)}, got {len(args)}", ftok)
        value = build_call(self, name, ftok, builder, args)
        return value if power is None else build_power(self, value, power, power.tok)

    def function_subscript(self, ftok: Token, name: str) -> tuple[list[Val], str]:
        r"""\log_{b} (the base, as a second argument) or \operatorname{atan}_{2} (atan2)."""
        underscore = self.advance()
        tok = self.tok
        if name == "atan" and (tok.text == "2" or (_op(tok, "{") and self.at(self.pos + 1).text == "2"
                                                 and self.partner[self.pos] == self.pos + 2)):
            self.pos += 1 if tok.text == "2" else 3
            return [], "atan2"
        if name != "log":
            raise self.fail(f"{ftok.text} takes no subscript", underscore)
        if _op(tok, "{"):
            opener, closer = self.open_group()
            base = self.expression(0)
            self.end_group(opener, closer)
        else:
            base = self.atom(ftok.col)
        return [base], name

    def function_power(self, ftok: Token, name: str) -> tuple[Val | None, str, list[Val]]:
        r"""The superscript between a function and its argument: (power, name, extra arguments).
        \sin^{-1} is the inverse function (name becomes asin); \delta^{\left( 1 \right)} is the
        derivative order of DiracDelta, as SymPy prints it."""
        self.advance()
        tok = self.tok
        if _op(tok, "{"):
            closer = self.partner[self.pos]
            inside = self.tokens[self.pos + 1:closer]
            if [t.text for t in inside] == ["-", "1"]:
                self.pos = closer + 1
                if name not in INVERSES:
                    raise self.fail(f"{ftok.text}^{{-1}} would be the inverse function of {ftok.text}, which "
                                    f"chainsym does not know; for the reciprocal write \\frac{{1}}{{{ftok.text} x}}",
                                    ftok)
                return None, INVERSES[name], []
            if name == "DiracDelta" and [t.text for t in inside][::2] == ["\\left(", "\\right)"] and len(inside) == 3:
                self.pos = closer + 1
                return None, name, [Val(self.number(inside[1]), True, inside[1])]
            opener, closer = self.open_group()
            exponent = self.expression(0)
            self.end_group(opener, closer)
            return exponent, name, []
        if _op(tok, "-"):
            raise self.fail(f"write {ftok.text}^{{-1}}: an exponent with a sign needs braces", tok)
        if tok.kind in ("NUM", "NAME") or self.is_symbol(tok):
            return self.atom(ftok.col), name, []
        raise self.fail(f"after {ftok.text}^ write a digit or a group, as in {ftok.text}^2 x or {ftok.text}^{{-1}} x",
                        tok)

    def factor_text(self, k: int) -> str:
        """The text of the operand starting at token k, for a message."""
        tok = self.tokens[k]
        if k in self.partner:
            return self.text[tok.col - 1:self.tokens[self.partner[k]].col - 1 + len(self.tokens[self.partner[k]].text)]
        return tok.text if tok.kind in ("NAME", "NUM") or tok.kind == "CMD" else tok.text + "…"


def read_latex(text: str, limits: Limits, functions: FunctionTable | None = None,
               allow_operator: bool = False) -> tuple[sp.Expr, str | None]:
    """LaTeX text → (expression, the variable of a leading \\frac{d}{dx} or None)."""
    return LatexParser(text, limits, functions).parse(allow_operator)


