"""Tokens → `sympy.Expr`, by a Pratt parser. Nothing is ever evaluated.

The grammar is Python's expression syntax for + - * / ** and calls, plus what people type:
`^` for power (right-associative), implicit multiplication (`2x`, `x y`, `(x+1)(x-1)`), a
function applied to one factor without brackets (`sin x`, `ln x^2`), `e` and `pi`.
The tree keeps what the user wrote (`2x + 3x` stays two terms: built with evaluate=False);
only constant parts are folded (build.py), and only after checking that their exact value stays small.
Every nesting level costs at most two Python frames (no recursion limit is ever changed).
"""

from __future__ import annotations

import sympy as sp

from ..errors import ParseError
from ..limits import Limits
from .build import Reader, Val, build_call, build_negative, build_power, build_product, build_sum
from .tokens import Token, tokenize
from .vocabulary import CONSTANTS, FUNCTIONS, ONE, FunctionTable

_ADD, _MUL, _UNARY, _POW = 10, 20, 30, 40


class Parser(Reader):
    """Pratt parser over a token list; depth counts nested brackets, calls, signs and powers."""

    def __init__(self, text: str, limits: Limits, functions: FunctionTable | None = None) -> None:
        self.functions = FUNCTIONS if functions is None else functions
        super().__init__(text, limits, tokenize(text))

    def starts_operand(self, tok: Token) -> bool:
        return tok.kind in ("NUM", "NAME") or tok.text == "("

    # ---- grammar
    def parse(self) -> sp.Expr:
        if self.tok.kind == "END":
            raise ParseError("empty expression", column=1, token="", text=self.text)
        val = self.expression(0)
        if self.tok.kind != "END":
            tok = self.tok
            if tok.text == ")":
                raise self.fail("unbalanced ')'", tok)
            if tok.text == ",":
                raise self.fail("',' outside a function call", tok)
            raise self.fail("unexpected token", tok)
        return val.expr

    def expression(self, min_prec: int) -> Val:
        """Operators binding tighter than min_prec; a run of + - (or * /, or implicit products)
        becomes one n-ary node. Recursion: one frame here and one in prefix() or call() per level."""
        tok = self.tok
        left = self.call(self.advance()) if tok.kind == "NAME" and tok.text in self.functions else self.prefix()
        while True:
            tok = self.tok
            if tok.text in ("**", "^") and min_prec < _POW:
                op = self.advance()
                self.enter(op)
                if self.tok.kind == "END":
                    raise self.fail(f"missing exponent after {op.text!r}", self.tok)
                exponent = self.expression(_UNARY - 1)  # right-associative; admits a sign: x^-2
                self.leave()
                left = build_power(self, left, exponent, op)
                continue
            if tok.text in ("+", "-") and min_prec < _ADD:
                ops, prec = ("+", "-"), _ADD
            elif (tok.text in ("*", "/") or self.starts_operand(tok)) and min_prec < _MUL:
                ops, prec = ("*", "/"), _MUL
            else:
                return left
            items: list[tuple[str, Val]] = [(ops[0], left)]
            while True:  # a left-associative run of one precedence, collected into one node
                tok = self.tok
                if tok.text in ops:
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
        if tok.text in ("+", "-"):
            self.advance()
            self.enter(tok)
            if self.tok.kind == "END":
                raise self.fail(f"missing operand after {tok.text!r}", self.tok)
            operand = self.expression(_UNARY)
            self.leave()
            return Val(operand.expr, operand.const, tok) if tok.text == "+" else build_negative(self, operand, tok)
        if tok.text == "(":
            self.advance()
            self.enter(tok)
            if self.tok.text == ")":
                raise self.fail("empty brackets", self.tok)
            inner = self.expression(0)
            self.close(tok)
            self.leave()
            return Val(inner.expr, inner.const, tok)
        if tok.kind == "NUM":
            self.advance()
            return Val(self.number(tok), True, tok)
        if tok.kind == "NAME":  # a function name is taken by expression(), before prefix()
            return self.name(self.advance())
        if tok.kind == "END":
            raise self.fail("unexpected end of input", tok)
        if tok.text == ")":
            raise self.fail("unbalanced ')'", tok)
        raise self.fail(f"missing operand before {tok.text!r}", tok)

    def close(self, opener: Token) -> None:
        if self.tok.text != ")":
            if self.tok.kind == "END":
                raise self.fail("unclosed '('", opener)
            raise self.fail(f"expected ')' (for the '(' at column {opener.col})", self.tok)
        self.advance()

    def name(self, tok: Token) -> Val:
        """A variable or constant (tok already consumed); a name followed by '(' is not a function."""
        word = tok.text
        self.check_name(word, tok)
        if self.tok.text == "(":
            if word in CONSTANTS:
                raise self.fail(f"{word!r} is a constant, not a function; write {word}*(...) to multiply", tok)
            raise self.fail(f"unknown function {word!r}", tok)
        return self.variable(word, tok)

    def call(self, fname: Token) -> Val:
        """A function applied to bracketed arguments, or to one factor: sin x^2 is sin(x^2)."""
        builder, arities = self.functions[fname.text]
        self.enter(fname)
        if self.tok.text == "(":
            opener = self.advance()
            args: list[Val] = []
            if self.tok.text != ")":
                args.append(self.expression(0))
                while self.tok.text == ",":
                    self.advance()
                    args.append(self.expression(0))
            self.close(opener)
        elif self.tok.kind in ("NAME", "NUM"):
            first = self.tok
            args = [self.expression(_UNARY)]  # one factor: sin x^2 is sin(x^2); sin x y is sin(x)*y
            if first.kind == "NUM" and self.starts_operand(self.tok):
                raise self.fail(f"ambiguous: write {fname.text}({first.text}{self.tok.text}) or "
                                f"{fname.text}({first.text})*{self.tok.text}", self.tok)
        else:
            raise self.fail(f"function {fname.text!r} needs an argument, as in {fname.text}(x)", fname)
        self.leave()
        if len(args) not in arities:
            want = " or ".join(str(a) for a in arities)
            noun = "argument" if arities == ONE else "arguments"
            raise self.fail(f"{fname.text} takes {want} {noun}, got {len(args)}", fname)
        return build_call(self, fname.text, fname, builder, args)
