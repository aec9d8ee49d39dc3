"""What both grammars (plain text and LaTeX) share: a cursor over tokens, and the builders that turn
parsed parts into SymPy trees.

The builders keep what the user wrote (evaluate=False: `2x + 3x` stays two terms) and fold only
constant parts, after checking that their exact value is a finite real number of bounded size. A
grammar calls them with itself as the `Reader`, for its limits and for errors at a token's column.
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
from .tokens import Token
from .vocabulary import BOUNDED_ARGUMENT, CONSTANTS, RESERVED, Builder


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


class Reader:
    """A cursor over a token list (ending in an END token), the nesting depth, the variables made."""

    def __init__(self, text: str, limits: Limits, tokens: list[Token]) -> None:
        self.text = text
        self.limits = limits
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.symbols: dict[str, sp.Symbol] = {}

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, ahead: int = 1) -> Token:
        """The token `ahead` places after the current one (END past the end)."""
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def fail(self, message: str, tok: Token) -> ParseError:
        token = tok.text if tok.kind != "END" else "end of input"
        return ParseError(message, column=tok.col, token=token, text=self.text)

    def enter(self, tok: Token) -> None:
        """One nesting level deeper (brackets, groups, calls, signs, powers), within Limits.max_depth."""
        self.depth += 1
        if self.depth > self.limits.max_depth:
            raise LimitError("max_depth", f"nesting deeper than {self.limits.max_depth} at column {tok.col}")

    def leave(self) -> None:
        self.depth -= 1

    def number(self, tok: Token) -> sp.Rational:
        """The exact value of a literal: decimals and exponents become rationals, never floats."""
        text = tok.text.replace("_", "")
        mantissa, _, exp = text.lower().partition("e")
        most = self.limits.max_constant_digits
        if exp and abs(int(exp)) > most:
            raise LimitError("max_constant_digits",
                             f"the number {tok.text} at column {tok.col} has more than {most} digits")
        if len(mantissa) > most:
            raise LimitError("max_constant_digits", f"the number at column {tok.col} has more than {most} digits")
        frac = Fraction(Decimal(text))
        return sp.Rational(frac.numerator, frac.denominator)

    def check_name(self, word: str, tok: Token) -> None:
        """Refuse Python keywords, dunder names and reserved words (oo, nan, I...) as names."""
        if keyword.iskeyword(word):
            raise self.fail(f"{word!r} is a Python keyword, not a name", tok)
        if word.startswith("__"):
            raise self.fail("names may not start with '__'", tok)
        if word in RESERVED:
            raise self.fail(RESERVED[word], tok)

    def variable(self, word: str, tok: Token) -> Val:
        """The constant (e, pi) or the real variable called word; one Symbol per name."""
        if word in CONSTANTS:
            return Val(CONSTANTS[word], True, tok)
        symbol = self.symbols.get(word)
        if symbol is None:
            symbol = self.symbols[word] = sp.Symbol(word, real=True)
        return Val(symbol, False, tok)


def constant(value: int | sp.Expr, tok: Token) -> Val:
    """A constant Val written at tok."""
    return Val(sp.Integer(value) if isinstance(value, int) else value, True, tok)


# --------------------------------------------------------------------------- builders


def check_constant(p: Reader, value: sp.Expr, tok: Token) -> sp.Expr:
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


def build_sum(p: Reader, items: list[tuple[str, Val]]) -> Val:
    """A run of + and - as one n-ary Add; its constant terms folded into one."""
    total: sp.Expr = sp.Integer(0)
    terms: list[sp.Expr] = []
    for op, val in items:
        if val.const:
            total = check_constant(p, total + val.expr if op == "+" else total - val.expr, val.tok)
        else:
            terms.append(val.expr if op == "+" else _negate(val.expr))
    first = items[0][1].tok
    if not terms:
        return Val(total, True, first)
    if total != 0:
        terms.append(total)
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


def build_product(p: Reader, items: list[tuple[str, Val]]) -> Val:
    """A run of * and / (written or implicit) as one n-ary Mul; its constant factors folded into one."""
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


def build_negative(p: Reader, operand: Val, sign: Token) -> Val:
    """−operand, as a product with −1 (so that -2 is the number −2)."""
    return build_product(p, [("*", constant(-1, sign)), ("*", operand)])


def build_power(p: Reader, base: Val, exponent: Val, op: Token) -> Val:
    """base^exponent; e^u is exp(u); a constant power is computed only when its size is bounded."""
    if base.expr == sp.E:
        if exponent.const:
            return Val(check_constant(p, sp.exp(exponent.expr), op), True, base.tok)
        return Val(finish(sp.exp(exponent.expr, evaluate=False)), False, base.tok)
    if base.const and exponent.const:
        _check_power_size(p, base.expr, exponent.expr, op)
        return Val(check_constant(p, sp.Pow(base.expr, exponent.expr), op), True, base.tok)
    return Val(finish(sp.Pow(base.expr, exponent.expr, evaluate=False)), False, base.tok)


def _check_power_size(p: Reader, base: sp.Expr, exponent: sp.Expr, op: Token) -> None:
    """Refuse base**exponent before SymPy computes it, when its exact value would be too long."""
    size = power_digits(base, exponent)
    if size > p.limits.max_constant_digits:
        raise LimitError("max_constant_digits",
                         f"the constant power at column {op.col} would have about {approximate(size)} digits, "
                         f"more than {p.limits.max_constant_digits}")


def build_call(p: Reader, name: str, fname: Token, builder: Builder, args: list[Val]) -> Val:
    """The function called name (as the vocabulary spells it) applied to args, written at fname.
    Constant calls are evaluated and checked; log's constant base must be positive and not 1."""
    exprs = [a.expr for a in args]
    if name == "log" and len(args) == 2 and args[0].const:  # log(c, x) = log(c)/log(x): check log(c)
        if check_constant(p, sp.log(args[0].expr), args[0].tok) == 0:
            return Val(sp.Integer(0), True, fname)  # log(1, x) is 0 wherever it is defined: cot(log(1, x)) is cot(0)
    if name == "log" and len(args) == 2 and args[1].const:  # log(x, b) = log(x)/log(b)
        base = args[1].expr
        if not (base.is_extended_positive or (base.is_extended_positive is None and sp.N(base) > 0)) or base == 1:
            raise p.fail(f"the base of a logarithm must be positive and not 1, not {sp.sstr(base)}", args[1].tok)
    try:
        return _apply(p, name, fname, builder, args, exprs)
    except ChainsymError:
        raise
    except (ValueError, TypeError) as exc:  # SymPy refusing the arguments, e.g. max of a non-real
        raise p.fail(f"{name} cannot take these arguments ({str(exc)[:80]})", fname) from None


def _apply(p: Reader, name: str, fname: Token, builder: Builder, args: list[Val], exprs: list[sp.Expr]) -> Val:
    if all(a.const for a in args):
        bound = BOUNDED_ARGUMENT.get(name)
        if bound is not None and isinstance(exprs[0], sp.Rational) and abs(exprs[0]) > bound:
            raise LimitError("max_constant_digits",
                             f"{name} of a number above {bound} at column {fname.col} would be a huge exact value")
        written = builder(*exprs)
        value = written.doit()
        if value.has(sp.I) and not written.has(sp.I):  # atan2(2, asec(3)) evaluates through I: keep it
            value = written
        return Val(check_constant(p, value, fname), True, fname)
    return Val(finish(builder(*exprs)), False, fname)
