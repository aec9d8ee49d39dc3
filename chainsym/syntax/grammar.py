"""Tokens → `sympy.Expr`, by a Pratt parser. Nothing is ever evaluated.

The grammar is Python's expression syntax for + - * / ** and calls, plus what people type:
`^` for power (right-associative), implicit multiplication (`2x`, `x y`, `(x+1)(x-1)`), a
function applied to one factor without brackets (`sin x`, `ln x^2`), `e` and `pi`.
The tree keeps what the user wrote (`2x + 3x` stays two terms: built with evaluate=False);
only constant parts are folded, and only after checking that their exact value stays small.
Every nesting level costs at most two Python frames (no recursion limit is ever changed).
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import sympy as sp

from ..errors import ChainsymError, LimitError, ParseError
from ..limits import Limits
from ..sizes import approximate, digits, power_digits
from .tokens import Token, tokenize
from .vocabulary import BOUNDED_ARGUMENT, CONSTANTS, FUNCTIONS, ONE, RESERVED, Builder, FunctionTable


@dataclass(frozen=True)
class Val:
    """A parsed subexpression, whether it is constant, and the token it starts at."""

    expr: sp.Expr
    const: bool
    tok: Token


def finish(expr: sp.Expr) -> sp.Expr:
    """Cache the hash bottom-up: later hashing of a deep tree then never recurses."""
    hash(expr)
    return expr


_ADD, _MUL, _UNARY, _POW = 10, 20, 30, 40


class Parser:
    """Pratt parser over a token list; depth counts nested brackets, calls, signs and powers."""

    def __init__(self, text: str, limits: Limits, functions: FunctionTable | None = None) -> None:
        self.text = text
        self.limits = limits
        self.functions = FUNCTIONS if functions is None else functions
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0
        self.symbols: dict[str, sp.Symbol] = {}

    # ---- helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def fail(self, message: str, tok: Token) -> ParseError:
        token = tok.text if tok.kind != "END" else "end of input"
        return ParseError(message, column=tok.col, token=token, text=self.text)

    def enter(self, tok: Token) -> None:
        self.depth += 1
        if self.depth > self.limits.max_depth:
            raise LimitError("max_depth", f"nesting deeper than {self.limits.max_depth} at column {tok.col}")

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
                self.depth -= 1
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
            self.depth -= 1
            if tok.text == "+":
                return Val(operand.expr, operand.const, tok)
            return build_product(self, [("*", Val(sp.Integer(-1), True, tok)), ("*", operand)])
        if tok.text == "(":
            self.advance()
            self.enter(tok)
            if self.tok.text == ")":
                raise self.fail("empty brackets", self.tok)
            inner = self.expression(0)
            self.close(tok)
            self.depth -= 1
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

    def number(self, tok: Token) -> sp.Rational:
        """The exact value of a literal: decimals and exponents become rationals, never floats."""
        text = tok.text.replace("_", "")
        mantissa, _, exp = text.lower().partition("e")
        digits = self.limits.max_constant_digits
        if exp and abs(int(exp)) > digits:
            raise LimitError("max_constant_digits",
                             f"the number {tok.text} at column {tok.col} has more than {digits} digits")
        if len(mantissa) > digits:
            raise LimitError("max_constant_digits", f"the number at column {tok.col} has more than {digits} digits")
        frac = Fraction(Decimal(text))
        return sp.Rational(frac.numerator, frac.denominator)

    def name(self, tok: Token) -> Val:
        """A variable or constant (tok already consumed); a name followed by '(' is not a function."""
        word = tok.text
        if keyword.iskeyword(word):
            raise self.fail(f"{word!r} is a Python keyword, not a name", tok)
        if word.startswith("__"):
            raise self.fail("names may not start with '__'", tok)
        if word in RESERVED:
            raise self.fail(RESERVED[word], tok)
        if self.tok.text == "(":
            if word in CONSTANTS:
                raise self.fail(f"{word!r} is a constant, not a function; write {word}*(...) to multiply", tok)
            raise self.fail(f"unknown function {word!r}", tok)
        if word in CONSTANTS:
            return Val(CONSTANTS[word], True, tok)
        symbol = self.symbols.get(word)
        if symbol is None:
            symbol = self.symbols[word] = sp.Symbol(word, real=True)
        return Val(symbol, False, tok)

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
        self.depth -= 1
        if len(args) not in arities:
            want = " or ".join(str(a) for a in arities)
            noun = "argument" if arities == ONE else "arguments"
            raise self.fail(f"{fname.text} takes {want} {noun}, got {len(args)}", fname)
        return build_call(self, fname, builder, args)


# --------------------------------------------------------------------------- builders


def check_constant(p: Parser, value: sp.Expr, tok: Token) -> sp.Expr:
    """Refuse constants that are not finite numbers or whose exact value is too long."""
    if value.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise p.fail("undefined value (division by zero or a pole)", tok)
    if value.is_extended_real is False or (value.is_extended_real is None and _complex_value(value)):
        raise p.fail(f"the constant {sp.sstr(value)} is not a real number", tok)
    if isinstance(value, sp.Rational) and digits(value) > p.limits.max_constant_digits:
        raise LimitError("max_constant_digits",
                         f"the constant at column {tok.col} has more than {p.limits.max_constant_digits} digits")
    return value


def _complex_value(value: sp.Expr) -> bool:
    """Whether a constant SymPy cannot classify (acsc(1/2)) has a non-zero imaginary part."""
    try:
        number = sp.N(value, 20)
    except (TypeError, ValueError, ZeroDivisionError):
        return False
    return bool(number.has(sp.I)) and abs(sp.im(number)) > 1e-15 * max(1, abs(number))


def build_sum(p: Parser, items: list[tuple[str, Val]]) -> Val:
    constant: sp.Expr = sp.Integer(0)
    terms: list[sp.Expr] = []
    for op, val in items:
        if val.const:
            constant = check_constant(p, constant + val.expr if op == "+" else constant - val.expr, val.tok)
        else:
            terms.append(val.expr if op == "+" else _negate(val.expr))
    first = items[0][1].tok
    if not terms:
        return Val(constant, True, first)
    if constant != 0:
        terms.append(constant)
    if len(terms) == 1:
        return Val(terms[0], False, first)
    return Val(finish(sp.Add(*terms, evaluate=False)), False, first)


def _negate(expr: sp.Expr) -> sp.Expr:
    """−expr, folding the sign into a leading numeric coefficient (x − 2y has no node for 2y)."""
    if isinstance(expr, sp.Mul) and expr.args[0].is_Number:
        coefficient = -expr.args[0]
        rest = expr.args[1:]
        if coefficient == 1:
            return rest[0] if len(rest) == 1 else finish(sp.Mul(*rest, evaluate=False))
        return finish(sp.Mul(coefficient, *rest, evaluate=False))
    return finish(sp.Mul(-1, expr, evaluate=False))


def build_product(p: Parser, items: list[tuple[str, Val]]) -> Val:
    coefficient: sp.Expr = sp.Integer(1)
    factors: list[sp.Expr] = []
    for op, val in items:
        if val.const:
            if op == "/" and val.expr == 0:
                raise p.fail("division by zero", val.tok)
            coefficient = check_constant(p, coefficient * val.expr if op == "*" else coefficient / val.expr, val.tok)
        else:
            factors.append(val.expr if op == "*" else finish(sp.Pow(val.expr, -1, evaluate=False)))
    first = items[0][1].tok
    if not factors or coefficient == 0:
        return Val(coefficient, True, first)
    if coefficient != 1:
        factors[:0] = coefficient.args if isinstance(coefficient, sp.Mul) else [coefficient]
    if len(factors) == 1:
        return Val(factors[0], False, first)
    return Val(finish(sp.Mul(*factors, evaluate=False)), False, first)


def build_power(p: Parser, base: Val, exponent: Val, op: Token) -> Val:
    if base.expr == sp.E:
        if exponent.const:
            return Val(check_constant(p, sp.exp(exponent.expr), op), True, base.tok)
        return Val(finish(sp.exp(exponent.expr, evaluate=False)), False, base.tok)
    if base.const and exponent.const:
        _check_power_size(p, base.expr, exponent.expr, op)
        return Val(check_constant(p, sp.Pow(base.expr, exponent.expr), op), True, base.tok)
    return Val(finish(sp.Pow(base.expr, exponent.expr, evaluate=False)), False, base.tok)


def _check_power_size(p: Parser, base: sp.Expr, exponent: sp.Expr, op: Token) -> None:
    """Refuse base**exponent before SymPy computes it, when its exact value would be too long."""
    size = power_digits(base, exponent)
    if size > p.limits.max_constant_digits:
        raise LimitError("max_constant_digits",
                         f"the constant power at column {op.col} would have about {approximate(size)} digits, "
                         f"more than {p.limits.max_constant_digits}")


def build_call(p: Parser, fname: Token, builder: Builder, args: list[Val]) -> Val:
    exprs = [a.expr for a in args]
    if fname.text == "log" and len(args) == 2 and args[0].const:  # log(c, x) = log(c)/log(x): check log(c)
        check_constant(p, sp.log(args[0].expr), args[0].tok)
    if fname.text == "log" and len(args) == 2 and args[1].const:  # log(x, b) = log(x)/log(b)
        base = args[1].expr
        if not (base.is_extended_positive or (base.is_extended_positive is None and sp.N(base) > 0)) or base == 1:
            raise p.fail(f"the base of a logarithm must be positive and not 1, not {sp.sstr(base)}", args[1].tok)
    try:
        return _apply(p, fname, builder, args, exprs)
    except ChainsymError:
        raise
    except (ValueError, TypeError) as exc:  # SymPy refusing the arguments, e.g. max of a non-real
        raise p.fail(f"{fname.text} cannot take these arguments ({str(exc)[:80]})", fname) from None


def _apply(p: Parser, fname: Token, builder: Builder, args: list[Val], exprs: list[sp.Expr]) -> Val:
    if all(a.const for a in args):
        bound = BOUNDED_ARGUMENT.get(fname.text)
        if bound is not None and isinstance(exprs[0], sp.Rational) and abs(exprs[0]) > bound:
            raise LimitError("max_constant_digits",
                             f"{fname.text} of a number above {bound} at column {fname.col} "
                             "would be a huge exact value")
        written = builder(*exprs)
        value = written.doit()
        if value.has(sp.I) and not written.has(sp.I):  # atan2(2, asec(3)) evaluates through I: keep it
            value = written
        return Val(check_constant(p, value, fname), True, fname)
    return Val(finish(builder(*exprs)), False, fname)
