"""Plain text → `sympy.Expr`, by a Pratt parser. Nothing is ever evaluated.

The grammar is Python's expression syntax for + - * / ** and calls, plus what people type:
`^` for power (right-associative), implicit multiplication (`2x`, `x y`, `(x+1)(x-1)`, `x(x+1)`
when x is a one-letter name and not a function), a function applied to one factor without
brackets (`sin x`, `ln x^2`), a function's power or inverse before its argument (`sin^2 x`,
`sin^-1 x`), `|x|`, `x!`, superscripts (`x²`), roots (`√x`), `e` and `pi`.
The tree keeps what the user wrote (`2x + 3x` stays two terms: built with evaluate=False);
only constant parts are folded (build.py), and only after checking that their exact value stays small.
Every nesting level costs at most two Python frames (no recursion limit is ever changed).
"""

from __future__ import annotations

import re

import sympy as sp

from ..errors import ParseError
from ..limits import Limits
from .bars import pair_bars
from .build import Reader, Val, build_call, build_negative, build_power, build_product, build_sum
from .steps import differentiate
from .tokens import Token, superscript_value, tokenize
from .vocabulary import CONSTANTS, FUNCTIONS, INVERSES, ONE, PRODUCT_NAME, ROOTS, FunctionTable, arity_text

_ADD, _MUL, _UNARY, _POW = 10, 20, 30, 40
_PRODUCT_NAME = re.compile(PRODUCT_NAME + r"\Z")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
CLOSER = {"(": ")", "{": "}", "[": "]"}


def _op(tok: Token, *texts: str) -> bool:
    return tok.kind == "OP" and tok.text in texts


class Parser(Reader):
    """Pratt parser over a token list; depth counts nested brackets, bars, calls, signs and powers.
    With steps (a worked step), d/dx(...), d/dx[...] and (...)' are unevaluated derivatives."""

    def __init__(self, text: str, limits: Limits, functions: FunctionTable | None = None, steps: bool = False) -> None:
        self.functions = FUNCTIONS if functions is None else functions
        self.steps = steps
        tokens = pair_bars(tokenize(text, steps), text, ends_operand=self.ends_operand,
                           starts_operand=self.starts_factor, opens=lambda t: _op(t, "(", "{", "["),
                           closes=lambda t: _op(t, ")", "}", "]"), spelling=("abs(", ")"))
        super().__init__(text, limits, tokens)
        self.callee: Token | None = None
        """a one-letter name just read before '(': if a ',' follows, f(x, y) was meant as a call"""

    # ---- token classes
    def is_function(self, tok: Token) -> bool:
        return (tok.kind == "NAME" and tok.text in self.functions) or tok.kind == "ROOT"

    def ends_operand(self, tok: Token) -> bool:
        return (tok.kind in ("NUM", "SUP", "CLOSE_BAR") or _op(tok, ")", "}", "]", "!", "'")
                or (tok.kind == "NAME" and tok.text not in self.functions))

    def starts_factor(self, tok: Token) -> bool:
        return tok.kind in ("NUM", "NAME", "ROOT") or _op(tok, "(", "[")

    def starts_operand(self, tok: Token) -> bool:
        return self.starts_factor(tok) or tok.kind == "OPEN_BAR"

    # ---- grammar
    def parse(self, operator: str | None = None) -> sp.Expr:
        """The whole token list as one expression. With operator (a derivative operator's text, read
        before the tokens), the expression must be one term: d/dx x^2 + 1 is ambiguous."""
        if self.tok.kind == "END":
            raise ParseError("empty expression", column=1, token="", text=self.text)
        first = self.tok
        val = self.expression(0 if operator is None else _ADD)
        tok = self.tok
        if operator is not None and _op(tok, "+", "-"):
            term = self.text[first.col - 1:tok.col - 1].strip()
            whole = self.text[first.col - 1:].strip()
            raise self.fail(f"ambiguous: write {operator}({whole}) or {operator}({term}) {whole[len(term):].strip()}",
                            tok)
        if tok.kind != "END":
            if _op(tok, ")", "}", "]"):
                raise self.fail(f"unbalanced {tok.text!r}", tok)
            if tok.text == ",":
                raise self.fail("',' outside a function call", tok)
            raise self.fail("unexpected token", tok)
        return val.expr

    def expression(self, min_prec: int) -> Val:
        """Operators binding tighter than min_prec; a run of + - (or * /, or implicit products)
        becomes one n-ary node. Recursion: one frame here and one in prefix() or call() per level."""
        tok = self.tok
        if self.is_function(tok):
            left = self.call(self.advance())
        elif self.steps and (found := self.operator_at(self.pos)) is not None:
            left = self.derivative(*found)
        else:
            left = self.prefix()
        while True:
            tok = self.tok
            if tok.kind == "SUP" and min_prec < _POW:
                self.advance()
                left = build_power(self, left, self.superscript(tok), tok)
                continue
            if _op(tok, "!") and min_prec < _POW:  # x! is factorial(x), as in textbooks (and SymPy's LaTeX)
                self.advance()
                if _op(self.tok, "!"):
                    raise self.fail("the double factorial x!! is not supported", self.tok)
                left = build_call(self, "factorial", tok, FUNCTIONS["factorial"][0], [left])
                continue
            if _op(tok, "'") and min_prec < _POW:  # (...)': only a worked step has the token
                if not _op(self.tokens[self.pos - 1], ")", "]"):
                    raise self.fail("a prime ' differentiates a bracket, as in (x^2)'", tok)
                self.advance()
                left = Val(differentiate(left.expr, None), False, left.tok)
                continue
            if _op(tok, "**", "^") and min_prec < _POW:
                op = self.advance()
                self.enter(op)
                if self.tok.kind == "END":
                    raise self.fail(f"missing exponent after {op.text!r}", self.tok)
                exponent = self.expression(_UNARY - 1)  # right-associative; admits a sign: x^-2
                self.leave()
                left = build_power(self, left, exponent, op)
                continue
            if _op(tok, "+", "-") and min_prec < _ADD:
                ops, prec = ("+", "-"), _ADD
            elif (_op(tok, "*", "/") or self.starts_operand(tok)) and min_prec < _MUL:
                ops, prec = ("*", "/"), _MUL
            else:
                return left
            items: list[tuple[str, Val]] = [(ops[0], left)]
            while True:  # a left-associative run of one precedence, collected into one node
                tok = self.tok
                if _op(tok, *ops):
                    self.advance()
                    if self.tok.kind == "END":
                        raise self.fail(f"missing operand after {tok.text!r}", self.tok)
                    items.append((tok.text, self.expression(prec)))
                elif prec == _MUL and self.starts_operand(tok):
                    if tok.kind == "NUM":
                        raise self.fail("missing operator before a number", tok)
                    items.append(("*", self.expression(prec)))
                else:
                    break
            left = build_sum(self, items) if prec == _ADD else build_product(self, items)

    def prefix(self) -> Val:
        tok = self.tok
        if _op(tok, "+", "-"):
            self.advance()
            self.enter(tok)
            if self.tok.kind == "END":
                raise self.fail(f"missing operand after {tok.text!r}", self.tok)
            operand = self.expression(_UNARY)
            self.leave()
            return Val(operand.expr, operand.const, tok) if tok.text == "+" else build_negative(self, operand, tok)
        if _op(tok, "(", "{", "["):
            callee, self.callee = self.callee, None
            self.advance()
            self.enter(tok)
            if _op(self.tok, ")", "}"):
                raise self.fail("empty brackets" if tok.text == "(" else "empty braces", self.tok)
            inner = self.expression(0)
            self.close(tok, callee)
            self.leave()
            return Val(inner.expr, inner.const, tok)
        if tok.kind == "OPEN_BAR":
            return self.bars(self.advance())
        if tok.kind == "NUM":
            self.advance()
            return Val(self.number(tok), True, tok)
        if tok.kind == "NAME":  # a function name is taken by expression(), before prefix()
            return self.name(self.advance())
        if tok.kind == "END":
            raise self.fail("unexpected end of input", tok)
        if tok.kind == "SUP":
            raise self.fail("a superscript needs something before it, as in x²", tok)
        if _op(tok, ")", "}", "]"):
            raise self.fail(f"unbalanced {tok.text!r}", tok)
        raise self.fail(f"missing operand before {tok.text!r}", tok)

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

    def close(self, opener: Token, callee: Token | None = None) -> None:
        closer = CLOSER[opener.text]
        if not _op(self.tok, closer):
            if self.tok.kind == "END":
                raise self.fail(f"unclosed {opener.text!r}", opener)
            if callee is not None and self.tok.text == ",":
                raise self.fail(f"unknown function {callee.text!r}", callee)
            raise self.fail(f"expected {closer!r} (for the {opener.text!r} at column {opener.col})", self.tok)
        self.advance()

    # ---- worked steps
    def operator_at(self, k: int) -> tuple[str, int] | None:
        """A derivative operator d/dx (or d / d x) at token k: (the variable, the index after it)."""
        tokens = self.tokens
        if k + 3 >= len(tokens) or not tokens[k].text.startswith("d") or not _op(tokens[k + 1], "/"):
            return None
        after = tokens[k + 2]
        if tokens[k].kind == "NAME" == after.kind and _PRODUCT_NAME.match(tokens[k].text[1:]) \
                and after.text[:1] == "d" and _PRODUCT_NAME.match(after.text[1:]):
            raise self.fail(f"{tokens[k].text}/{after.text} is Leibniz notation for the derivative of an unknown "
                            f"function; write d/{after.text}(...) of the function itself", tokens[k])
        if tokens[k].text != "d":
            return None
        if after.kind != "NAME" or not after.text.startswith("d"):
            return None
        name, end = (after.text[1:], k + 3) if after.text != "d" else (tokens[k + 3].text, k + 4)
        if tokens[end - 1].kind != "NAME" or not _VARIABLE.match(name) or name in self.functions \
                or name in CONSTANTS:
            return None
        return name, end

    def derivative(self, name: str, end: int) -> Val:
        """d/dx(...) or d/dx[...] in a worked step: the derivative of the bracket, not yet taken. A power
        or prime right after the bracket is refused (of the derivative, or of its argument?), except at
        the start of the text, where the operator takes the whole term: d/dx (x+1)^2, as in diff."""
        first, last = self.tok, self.tokens[end - 1]
        shown = self.text[first.col - 1:last.col - 1 + len(last.text)]
        self.pos = end
        opener = self.tok
        if not _op(opener, "(", "["):
            raise self.fail(f"inside a line, write the argument of {shown} in brackets: {shown}(...)", opener)
        self.check_name(name, last)
        variable = self.variable(name, last).expr
        self.advance()
        self.enter(opener)
        if _op(self.tok, ")", "]"):
            raise self.fail("empty brackets", self.tok)
        inner = self.expression(0)
        closer = self.tok
        self.close(opener)
        self.leave()
        after = self.tok
        if (after.kind == "SUP" or _op(after, "^", "**", "!", "'")) and first is self.tokens[0]:
            self.pos = end
            term = self.expression(_ADD)
            if _op(self.tok, "+", "-"):
                written = self.text[opener.col - 1:self.tok.col - 1].strip()
                raise self.fail(f"ambiguous: write {shown}[{self.text[opener.col - 1:].strip()}] or "
                                f"{shown}[{written}] {self.text[self.tok.col - 1:].strip()}", self.tok)
            return Val(differentiate(term.expr, variable), False, first)
        if after.kind == "SUP" or _op(after, "^", "**", "!", "'"):
            arg = self.text[opener.col:closer.col - 1].strip()
            arg = arg if len(arg) <= 30 else arg[:29] + "…"
            raise self.fail(f"ambiguous: {after.text} after {shown}(...) may apply to the derivative or to its "
                            f"argument: write ({shown}({arg})){after.text}… or {shown}[({arg}){after.text}…]", after)
        return Val(differentiate(inner.expr, variable), False, first)

    def superscript(self, tok: Token) -> Val:
        """x²'s exponent, read as a number literal is (its digits bounded by max_constant_digits)."""
        return Val(self.number(Token("NUM", superscript_value(tok.text), tok.col)), True, tok)

    def name(self, tok: Token) -> Val:
        """A variable or constant (tok already consumed). Before '(', a one-letter name multiplies:
        x(x+1); a longer one would be a call of a function chainsym does not know."""
        word = tok.text
        self.check_name(word, tok)
        if _op(self.tok, "("):
            if word in CONSTANTS:
                raise self.fail(f"{word!r} is a constant, not a function; write {word}*(...) to multiply", tok)
            if not _PRODUCT_NAME.match(word):
                raise self.fail(f"unknown function {word!r}", tok)
            self.callee = tok
        return self.variable(word, tok)

    def call(self, fname: Token) -> Val:
        """A function applied to bracketed arguments, or to one factor: sin x^2 is sin(x^2); a power
        or inverse may come first: sin^2 x is (sin x)^2, sin^-1 x is asin(x)."""
        if fname.kind == "ROOT":
            name, builder = ROOTS[fname.text]
            arities: tuple[int, ...] = ONE
        else:
            name = fname.text
            builder, arities = self.functions[name]
        self.enter(fname)
        power = None
        if self.tok.kind == "SUP" or _op(self.tok, "^", "**"):
            power = self.function_power(fname, name)
            if power is None:  # the inverse function
                name = INVERSES[name]
                builder, arities = FUNCTIONS[name]
        if _op(self.tok, "("):
            opener = self.advance()
            args: list[Val] = []
            if not _op(self.tok, ")"):
                args.append(self.expression(0))
                while _op(self.tok, ","):
                    self.advance()
                    args.append(self.expression(0))
            self.close(opener)
        elif self.tok.kind in ("NAME", "NUM", "ROOT", "OPEN_BAR"):
            first = self.tok
            args = [self.expression(_UNARY)]  # one factor: sin x^2 is sin(x^2); sin x y is sin(x)*y
            after = self.tok
            if (first.kind == "NUM" and self.starts_operand(after)) or _op(after, "("):
                arg = self.text[first.col - 1:after.col - 1].strip()
                rest = self.factor_text(self.pos)
                raise self.fail(f"ambiguous: write {fname.text}({arg}{rest}) or {fname.text}({arg})*{rest}", after)
        else:
            raise self.fail(f"function {fname.text!r} needs an argument, as in {fname.text}(x)", fname)
        self.leave()
        if len(args) not in arities:
            raise self.fail(f"{fname.text} takes {arity_text(arities)}, got {len(args)}", fname)
        value = build_call(self, name, fname, builder, args)
        return value if power is None else build_power(self, value, power, power.tok)

    def function_power(self, fname: Token, name: str) -> Val | None:
        """The exponent written between a function and its argument (sin^2 x, sin² x, sin^{2} x);
        None for -1 (sin^-1 x, sin⁻¹ x): the inverse function, which only some functions have."""
        tok = self.advance()
        if tok.kind == "SUP":
            exponent = self.superscript(tok)
        elif self.tok.kind == "NUM" or (_op(self.tok, "-") and self.peek().kind == "NUM"):
            sign = self.advance() if _op(self.tok, "-") else None
            number = self.advance()
            value = self.number(number)
            exponent = Val(-value if sign else value, True, sign or number)
        elif _op(self.tok, "{"):
            opener = self.advance()
            self.enter(opener)
            exponent = self.expression(0)
            self.close(opener)
            self.leave()
        else:
            raise self.fail(f"after {fname.text}{tok.text} write a whole number, -1 or {{...}}, as in "
                            f"{fname.text}{tok.text}2 x or {fname.text}{tok.text}-1 x", self.tok)
        if exponent.expr != -1:
            return exponent
        if name not in INVERSES:
            raise self.fail(f"{fname.text}^-1 would be the inverse function of {fname.text}, which chainsym does "
                            f"not know; for the reciprocal write 1/{fname.text}(x)", fname)
        return None

    def factor_text(self, i: int) -> str:
        """The text of the operand starting at token i, for a message: x, (x+1), |x|, or √…"""
        tok = self.tokens[i]
        if tok.kind in ("NAME", "NUM"):
            return tok.text
        if _op(tok, "(") or tok.kind == "OPEN_BAR":
            depth = 0
            for j in range(i, len(self.tokens)):
                t = self.tokens[j]
                depth += 1 if _op(t, "(") or t.kind == "OPEN_BAR" else -1 if _op(t, ")") or t.kind == "CLOSE_BAR" else 0
                if depth == 0:
                    return self.text[tok.col - 1:t.col - 1 + len(t.text)]
        return tok.text + "…"


