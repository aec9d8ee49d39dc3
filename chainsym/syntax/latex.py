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
apart (see `chainsym.syntax.parse_with_operator`). Errors carry the column in the text as written.
Nesting costs at most two Python frames per unit of Limits.max_depth (the recursion limit is never
changed), so the depth limit, not Python's, bounds what is read.
"""
from __future__ import annotations

import sympy as sp

from ..errors import ParseError
from ..limits import Limits
from .bars import pair_bars
from .build import Val, build_call, build_negative, build_power, build_product, build_sum
from .latex_forms import Forms
from .latex_tokens import (
    _ADD,
    _MUL,
    _POW,
    _UNARY,
    CLOSERS,
    FRACTIONS,
    GREEK,
    LETTER_FUNCTIONS,
    OPENERS,
    PRODUCTS,
    REFUSED_COMMANDS,
    SPECIAL,
    _cmd,
    _expected,
    _op,
    _q,
    named_word,
    tokenize_latex,
)
from .steps import differentiate
from .tokens import Token
from .vocabulary import FUNCTIONS, FunctionTable

# --------------------------------------------------------------------------- grammar


class LatexParser(Forms):
    """Pratt parser over LaTeX tokens. Every method that recurses into expression() either is called
    from expression() itself or enters one nesting level first: Python frames stay within two per
    level of Limits.max_depth."""

    def __init__(self, text: str, limits: Limits, functions: FunctionTable | None = None, steps: bool = False) -> None:
        self.functions = FUNCTIONS if functions is None else functions
        self.steps = steps
        tokens, self.partner = tokenize_latex(text, self.functions, steps)
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
                or _op(tok, ")", "]", "}", "\\right)", "\\right]", "\\right|", "!", "'"))

    def starts_factor(self, tok: Token) -> bool:
        return (tok.kind in ("NUM", "NAME", "ROMAN", "OPNAME")
                or _op(tok, "(", "[", "{", "\\left(", "\\left[", "\\left|")
                or (tok.kind == "CMD" and _cmd(tok) not in PRODUCTS))

    def starts_operand(self, tok: Token) -> bool:
        return self.starts_factor(tok) or tok.kind == "OPEN_BAR"

    def product_op(self, tok: Token) -> str | None:
        if _op(tok, "*", "/"):
            return tok.text
        return PRODUCTS.get(_cmd(tok))

    # ---- the whole input
    def parse(self, allow_operator: bool = False) -> tuple[sp.Expr, str | None]:
        r"""The expression, and the variable of a leading \frac{d}{dx} (only if allow_operator). In a
        worked step, a leading operator's term is returned as a marker (a bracket after it: see operator())."""
        if self.tok.kind == "END":
            raise ParseError("empty expression", column=1, token="", text=self.text)
        wrt = operator = None
        found = self.derivative(0)
        if found is not None and self.steps and _op(self.at(found[1]), "(", "[", "{", "\\left(", "\\left["):
            found = None
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
        if self.steps and wrt is not None:
            return differentiate(val.expr, self.variable(wrt, self.tokens[0]).expr), None
        return val.expr, wrt

    # ---- expressions
    def expression(self, min_prec: int) -> Val:
        """Operators binding tighter than min_prec; runs of + - (or products) become one n-ary node."""
        tok = self.tok
        if self.steps and (found := self.derivative(self.pos)) is not None:
            left = self.operator(*found)
        elif self.is_function_at(self.pos):
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
            if _op(tok, "'") and min_prec < _POW:
                left = self.prime(left)
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
            raise self.fail(_expected(opener), tok)
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


def read_latex(text: str, limits: Limits, functions: FunctionTable | None = None,
               allow_operator: bool = False, steps: bool = False) -> tuple[sp.Expr, str | None]:
    """LaTeX text → (expression, the variable of a leading \\frac{d}{dx} or None); a worked step
    (steps) keeps its derivatives as markers and returns no variable."""
    return LatexParser(text, limits, functions, steps).parse(allow_operator or steps)

