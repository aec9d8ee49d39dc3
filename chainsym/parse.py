"""Text → `sympy.Expr`, by a hand-written tokenizer and Pratt parser. Nothing is ever evaluated.

The grammar is Python's expression syntax for + - * / ** and calls, plus what people type:
`^` for power (right-associative), implicit multiplication (`2x`, `x y`, `(x+1)(x-1)`), a
function applied to one factor without brackets (`sin x`, `ln x^2`), `e` and `pi`.
The tree keeps what the user wrote (`2x + 3x` stays two terms: built with evaluate=False);
only constant parts are folded, and only after checking that their exact value stays small.
Every rejection is a `ParseError` with a 1-based column and the offending token.
"""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import log10

import sympy as sp

from .errors import ChainsymError, LimitError, ParseError
from .functions import relu, sigmoid, softplus
from .limits import DEFAULT_LIMITS, Limits

# --------------------------------------------------------------------------- vocabulary

_ONE = (1,)
_ONE_OR_TWO = (1, 2)
_TWO = (2,)


def _log(*args: sp.Expr) -> sp.Expr:
    if len(args) == 1:
        return sp.log(*args, evaluate=False)
    value, base = args
    return sp.Mul(sp.log(value, evaluate=False), sp.Pow(sp.log(base, evaluate=False), -1, evaluate=False), evaluate=False)


def _sqrt(arg: sp.Expr) -> sp.Expr:
    return sp.Pow(arg, sp.Rational(1, 2), evaluate=False)


def _fn(cls: type[sp.Function]) -> Callable[..., sp.Expr]:
    return lambda *args: cls(*args, evaluate=False)


# name → (builder over non-constant arguments, allowed argument counts, SymPy head when constant)
FUNCTIONS: dict[str, tuple[Callable[..., sp.Expr], tuple[int, ...]]] = {
    "sin": (_fn(sp.sin), _ONE), "cos": (_fn(sp.cos), _ONE), "tan": (_fn(sp.tan), _ONE),
    "cot": (_fn(sp.cot), _ONE), "sec": (_fn(sp.sec), _ONE), "csc": (_fn(sp.csc), _ONE),
    "asin": (_fn(sp.asin), _ONE), "acos": (_fn(sp.acos), _ONE), "atan": (_fn(sp.atan), _ONE),
    "acot": (_fn(sp.acot), _ONE), "asec": (_fn(sp.asec), _ONE), "acsc": (_fn(sp.acsc), _ONE),
    "arcsin": (_fn(sp.asin), _ONE), "arccos": (_fn(sp.acos), _ONE),
    "arctan": (_fn(sp.atan), _ONE), "arccot": (_fn(sp.acot), _ONE),
    "arcsec": (_fn(sp.asec), _ONE), "arccsc": (_fn(sp.acsc), _ONE),
    "atan2": (_fn(sp.atan2), _TWO), "arctan2": (_fn(sp.atan2), _TWO),
    "sinh": (_fn(sp.sinh), _ONE), "cosh": (_fn(sp.cosh), _ONE), "tanh": (_fn(sp.tanh), _ONE),
    "coth": (_fn(sp.coth), _ONE), "sech": (_fn(sp.sech), _ONE), "csch": (_fn(sp.csch), _ONE),
    "asinh": (_fn(sp.asinh), _ONE), "acosh": (_fn(sp.acosh), _ONE),
    "atanh": (_fn(sp.atanh), _ONE), "acoth": (_fn(sp.acoth), _ONE),
    "asech": (_fn(sp.asech), _ONE), "acsch": (_fn(sp.acsch), _ONE),
    "arcsinh": (_fn(sp.asinh), _ONE), "arccosh": (_fn(sp.acosh), _ONE),
    "arctanh": (_fn(sp.atanh), _ONE), "arsinh": (_fn(sp.asinh), _ONE),
    "arcosh": (_fn(sp.acosh), _ONE), "artanh": (_fn(sp.atanh), _ONE),
    "exp": (_fn(sp.exp), _ONE), "log": (_log, _ONE_OR_TWO), "ln": (_log, _ONE),
    "sqrt": (_sqrt, _ONE), "abs": (_fn(sp.Abs), _ONE), "Abs": (_fn(sp.Abs), _ONE),
    "sign": (_fn(sp.sign), _ONE),
    "max": (_fn(sp.Max), _TWO), "min": (_fn(sp.Min), _TWO),
    "Max": (_fn(sp.Max), _TWO), "Min": (_fn(sp.Min), _TWO),
    "Heaviside": (_fn(sp.Heaviside), _ONE_OR_TWO), "DiracDelta": (_fn(sp.DiracDelta), _ONE),
    "polygamma": (_fn(sp.polygamma), _TWO),
    "sigmoid": (_fn(sigmoid), _ONE), "relu": (_fn(relu), _ONE), "softplus": (_fn(softplus), _ONE),
    "erf": (_fn(sp.erf), _ONE), "gamma": (_fn(sp.gamma), _ONE),
    "factorial": (_fn(sp.factorial), _ONE),
}

CONSTANTS: dict[str, sp.Expr] = {"e": sp.E, "pi": sp.pi}
"""E stays a name (a loss, an energy); chainsym prints Euler's number as e, so results parse back."""

RESERVED: dict[str, str] = {
    "oo": "'oo' (infinity) is not a number",
    "inf": "'inf' (infinity) is not a number",
    "infinity": "'infinity' is not a number",
    "nan": "'nan' is not a number",
    "zoo": "'zoo' (complex infinity) is not a number",
    "I": "'I' (the imaginary unit) is not supported: variables and constants are real",
}

# functions whose constant argument must stay small, or the exact value would be huge
_BOUNDED_ARGUMENT = {"factorial": 1_000, "gamma": 1_000}

ALIASES = {"−": "-", "×": "*", "·": "*", "÷": "/", "π": "pi"}
"""Unicode math symbols accepted as their ASCII spelling (and nothing else outside ASCII)."""

_UNSUPPORTED_OPERATORS = (
    "//", "==", "!=", "<=", ">=", ":=", "->", "<<", ">>", "%", "@", "&", "|", "~", "<", ">",
    "!", ".", ":", "[", "]", "{", "}", "=", ";",
)

# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    """One lexical unit: kind is NUM, NAME, OP or END; col is 1-based."""

    kind: str
    text: str
    col: int


_NUMBER = re.compile(r"(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = ("**", "^", "+", "-", "*", "/", "(", ")", ",")


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
        bad = next((o for o in _UNSUPPORTED_OPERATORS if len(o) == 2 and text.startswith(o, i)), None)
        op = None if bad else next((o for o in _OPERATORS if text.startswith(o, i)), None)
        if op is not None:
            tokens.append(Token("OP", op, i + 1))
            i += len(op)
            continue
        bad = next((o for o in _UNSUPPORTED_OPERATORS if text.startswith(o, i)), None)
        if bad is not None:
            raise ParseError(f"operator {bad!r} is not supported", column=i + 1, token=bad, text=text)
        if ch in "'\"":
            raise ParseError("quotes are not allowed: an expression is not a string", column=i + 1,
                             token=ch, text=text)
        raise ParseError(_describe_char(ch), column=i + 1, token=ch, text=text)
    tokens.append(Token("END", "", n + 1))
    return tokens


def _describe_char(ch: str) -> str:
    name = unicodedata.name(ch, "")
    code = f"U+{ord(ch):04X}" + (f" {name}" if name else "")
    if unicodedata.category(ch).startswith("C"):
        return f"control character {code} is not allowed"
    if ch.isascii():
        return f"unexpected character {ch!r}"
    return f"unexpected character {ch!r} ({code}); only ASCII is accepted, and {' '.join(ALIASES)}"


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class _Val:
    """A parsed subexpression, whether it is constant, and the token it starts at."""

    expr: sp.Expr
    const: bool
    tok: Token


def _digits(q: sp.Rational) -> int:
    """Decimal digits of the larger of numerator and denominator (cheap: from bit lengths)."""
    return int(_log10(q)) + 1


def _log10(q: sp.Rational) -> float:
    """log10 of the larger of numerator and denominator."""
    return log10(max(abs(int(q.p)), abs(int(q.q)), 1))


def _finish(expr: sp.Expr) -> sp.Expr:
    hash(expr)  # cache the hash bottom-up: later hashing of a deep tree then never recurses
    return expr


# --------------------------------------------------------------------------- parser

_ADD, _MUL, _UNARY, _POW = 10, 20, 30, 40


class _Parser:
    """Pratt parser over a token list; depth counts nested brackets, calls, signs and powers."""

    def __init__(self, text: str, limits: Limits,
                 functions: "dict[str, tuple[Callable[..., sp.Expr], tuple[int, ...]]] | None" = None) -> None:
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
            raise LimitError(
                "max_depth",
                f"nesting deeper than {self.limits.max_depth} at column {tok.col}",
            )

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

    def expression(self, min_prec: int) -> _Val:
        """Parse operators binding tighter than min_prec; + - and * / chains become one n-ary node."""
        left = self.prefix()
        while True:
            tok = self.tok
            if tok.text in ("+", "-") and min_prec < _ADD:
                left = self.chain(left, ("+", "-"), _ADD, _build_sum)
            elif tok.text in ("*", "/") and min_prec < _MUL:
                left = self.chain(left, ("*", "/"), _MUL, _build_product)
            elif self.starts_operand(tok) and min_prec < _MUL:
                if tok.kind == "NUM":
                    raise self.fail("missing operator before a number", tok)
                left = self.chain(left, ("*", "/"), _MUL, _build_product)
            elif tok.text in ("**", "^") and min_prec < _POW:
                left = self.power(left)
            else:
                return left

    def chain(self, first: _Val, ops: tuple[str, str], prec: int,
              build: Callable[["_Parser", list[tuple[str, _Val]]], _Val]) -> _Val:
        """Collect a left-associative run of same-precedence operators into one node."""
        items: list[tuple[str, _Val]] = [(ops[0], first)]
        while True:
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
                return build(self, items)

    def power(self, base: _Val) -> _Val:
        op = self.advance()
        self.enter(op)
        if self.tok.kind == "END":
            raise self.fail(f"missing exponent after {op.text!r}", self.tok)
        exponent = self.expression(_UNARY - 1)  # right-associative; admits a sign: x^-2
        self.depth -= 1
        return _build_power(self, base, exponent, op)

    def prefix(self) -> _Val:
        tok = self.tok
        if tok.text in ("+", "-"):
            self.advance()
            self.enter(tok)
            if self.tok.kind == "END":
                raise self.fail(f"missing operand after {tok.text!r}", self.tok)
            operand = self.expression(_UNARY)
            self.depth -= 1
            if tok.text == "+":
                return _Val(operand.expr, operand.const, tok)
            return _build_product(self, [("*", _Val(sp.Integer(-1), True, tok)), ("*", operand)])
        if tok.text == "(":
            self.advance()
            self.enter(tok)
            if self.tok.text == ")":
                raise self.fail("empty brackets", self.tok)
            inner = self.expression(0)
            self.close(tok)
            self.depth -= 1
            return _Val(inner.expr, inner.const, tok)
        if tok.kind == "NUM":
            self.advance()
            return _Val(self.number(tok), True, tok)
        if tok.kind == "NAME":
            return self.name()
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
        if exp and abs(int(exp)) > self.limits.max_constant_digits:
            raise LimitError("max_constant_digits",
                             f"the number {tok.text} at column {tok.col} has more than "
                             f"{self.limits.max_constant_digits} digits")
        if len(mantissa) > self.limits.max_constant_digits:
            raise LimitError("max_constant_digits",
                             f"the number at column {tok.col} has more than "
                             f"{self.limits.max_constant_digits} digits")
        frac = Fraction(Decimal(text))
        return sp.Rational(frac.numerator, frac.denominator)

    def name(self) -> _Val:
        tok = self.advance()
        word = tok.text
        if keyword.iskeyword(word):
            raise self.fail(f"{word!r} is a Python keyword, not a name", tok)
        if word.startswith("__"):
            raise self.fail("names may not start with '__'", tok)
        if word in RESERVED:
            raise self.fail(RESERVED[word], tok)
        if word in self.functions:
            return self.call(tok)
        if self.tok.text == "(":
            if word in CONSTANTS:
                raise self.fail(f"{word!r} is a constant, not a function; write {word}*(...) to multiply", tok)
            raise self.fail(f"unknown function {word!r}", tok)
        if word in CONSTANTS:
            return _Val(CONSTANTS[word], True, tok)
        symbol = self.symbols.get(word)
        if symbol is None:
            symbol = self.symbols[word] = sp.Symbol(word, real=True)
        return _Val(symbol, False, tok)

    def call(self, fname: Token) -> _Val:
        builder, arities = self.functions[fname.text]
        self.enter(fname)
        if self.tok.text == "(":
            opener = self.advance()
            args: list[_Val] = []
            if self.tok.text != ")":
                args.append(self.expression(0))
                while self.tok.text == ",":
                    self.advance()
                    args.append(self.expression(0))
            self.close(opener)
        elif self.tok.kind in ("NAME", "NUM") or self.tok.text == "(":
            first = self.tok
            args = [self.expression(_UNARY)]  # one factor: sin x^2 is sin(x^2); sin x y is sin(x)*y
            if first.kind == "NUM" and self.starts_operand(self.tok):
                raise self.fail(
                    f"ambiguous: write {fname.text}({first.text}{self.tok.text}) or "
                    f"{fname.text}({first.text})*{self.tok.text}", self.tok)
        else:
            raise self.fail(f"function {fname.text!r} needs an argument, as in {fname.text}(x)", fname)
        self.depth -= 1
        if len(args) not in arities:
            want = " or ".join(str(a) for a in arities)
            noun = "argument" if arities == _ONE else "arguments"
            raise self.fail(f"{fname.text} takes {want} {noun}, got {len(args)}", fname)
        return _build_call(self, fname, builder, args)


# --------------------------------------------------------------------------- builders


def _check_constant(p: _Parser, value: sp.Expr, tok: Token) -> sp.Expr:
    """Refuse constants that are not finite numbers or whose exact value is too long."""
    if value.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise p.fail("undefined value (division by zero or a pole)", tok)
    if value.is_extended_real is False or (value.is_extended_real is None and _complex_value(value)):
        raise p.fail(f"the constant {sp.sstr(value)} is not a real number", tok)
    if isinstance(value, sp.Rational) and _digits(value) > p.limits.max_constant_digits:
        raise LimitError("max_constant_digits",
                         f"the constant at column {tok.col} has more than "
                         f"{p.limits.max_constant_digits} digits")
    return value


def _complex_value(value: sp.Expr) -> bool:
    """Whether a constant SymPy cannot classify (acsc(1/2)) has a non-zero imaginary part."""
    try:
        number = sp.N(value, 20)
    except (TypeError, ValueError, ZeroDivisionError):
        return False
    return bool(number.has(sp.I)) and abs(sp.im(number)) > 1e-15 * max(1, abs(number))


def _build_sum(p: _Parser, items: list[tuple[str, _Val]]) -> _Val:
    constant: sp.Expr = sp.Integer(0)
    terms: list[sp.Expr] = []
    for op, val in items:
        if val.const:
            constant = _check_constant(p, constant + val.expr if op == "+" else constant - val.expr, val.tok)
        else:
            terms.append(val.expr if op == "+" else _negate(val.expr))
    first = items[0][1].tok
    if not terms:
        return _Val(constant, True, first)
    if constant != 0:
        terms.append(constant)
    if len(terms) == 1:
        return _Val(terms[0], False, first)
    return _Val(_finish(sp.Add(*terms, evaluate=False)), False, first)


def _negate(expr: sp.Expr) -> sp.Expr:
    """−expr, folding the sign into a leading numeric coefficient (x − 2y has no node for 2y)."""
    if isinstance(expr, sp.Mul) and expr.args[0].is_Number:
        coefficient = -expr.args[0]
        rest = expr.args[1:]
        if coefficient == 1:
            return rest[0] if len(rest) == 1 else _finish(sp.Mul(*rest, evaluate=False))
        return _finish(sp.Mul(coefficient, *rest, evaluate=False))
    return _finish(sp.Mul(-1, expr, evaluate=False))


def _build_product(p: _Parser, items: list[tuple[str, _Val]]) -> _Val:
    coefficient: sp.Expr = sp.Integer(1)
    factors: list[sp.Expr] = []
    for op, val in items:
        if val.const:
            if op == "/" and val.expr == 0:
                raise p.fail("division by zero", val.tok)
            coefficient = _check_constant(p, coefficient * val.expr if op == "*" else coefficient / val.expr, val.tok)
        else:
            factors.append(val.expr if op == "*" else _finish(sp.Pow(val.expr, -1, evaluate=False)))
    first = items[0][1].tok
    if not factors or coefficient == 0:
        return _Val(coefficient, True, first)
    if coefficient != 1:
        factors[:0] = coefficient.args if isinstance(coefficient, sp.Mul) else [coefficient]
    if len(factors) == 1:
        return _Val(factors[0], False, first)
    return _Val(_finish(sp.Mul(*factors, evaluate=False)), False, first)


def _build_power(p: _Parser, base: _Val, exponent: _Val, op: Token) -> _Val:
    if base.expr == sp.E:
        if exponent.const:
            return _Val(_check_constant(p, sp.exp(exponent.expr), op), True, base.tok)
        return _Val(_finish(sp.exp(exponent.expr, evaluate=False)), False, base.tok)
    if base.const and exponent.const:
        _check_power_size(p, base.expr, exponent.expr, op)
        return _Val(_check_constant(p, sp.Pow(base.expr, exponent.expr), op), True, base.tok)
    return _Val(_finish(sp.Pow(base.expr, exponent.expr, evaluate=False)), False, base.tok)


def _check_power_size(p: _Parser, base: sp.Expr, exponent: sp.Expr, op: Token) -> None:
    """Refuse base**exponent before SymPy computes it, when its exact value would be too long."""
    size = power_digits(base, exponent)
    if size > p.limits.max_constant_digits:
        raise LimitError(
            "max_constant_digits",
            f"the constant power at column {op.col} would have about "
            f"{approximate(size)} digits, more than {p.limits.max_constant_digits}",
        )


def power_digits(base: sp.Expr, exponent: sp.Expr) -> float:
    """About how many digits the exact value of base**exponent has (0 when it stays symbolic or small)."""
    if not isinstance(exponent, sp.Rational) or abs(exponent) <= 1:
        return 0.0
    root = base
    scale = sp.Integer(1)
    while isinstance(root, sp.Pow) and isinstance(root.exp, sp.Rational):
        scale *= root.exp
        root = root.base
    if isinstance(root, sp.Rational):
        if abs(root.p) <= 1 and root.q == 1:
            return 0.0
        return _log10(root) * float(abs(exponent * scale))
    if not base.is_number:
        return 0.0
    return float(abs(exponent)) * 4  # pi, e, sqrt(2)+1...: only a bound on the exponent


def approximate(size: float) -> str:
    if size < 1e6:
        return f"{size:.0f}"
    k = int(log10(size))
    return f"{size / 10**k:.1f}×10^{k}"


def _build_call(p: _Parser, fname: Token, builder: Callable[..., sp.Expr], args: list[_Val]) -> _Val:
    exprs = [a.expr for a in args]
    if fname.text == "log" and len(args) == 2 and args[0].const:  # log(c, x) = log(c)/log(x): check log(c)
        _check_constant(p, sp.log(args[0].expr), args[0].tok)
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


def _apply(p: _Parser, fname: Token, builder: Callable[..., sp.Expr], args: list[_Val],
           exprs: list[sp.Expr]) -> _Val:
    if all(a.const for a in args):
        bound = _BOUNDED_ARGUMENT.get(fname.text)
        if bound is not None and isinstance(exprs[0], sp.Rational) and abs(exprs[0]) > bound:
            raise LimitError("max_constant_digits",
                             f"{fname.text} of a number above {bound} at column {fname.col} "
                             "would be a huge exact value")
        written = builder(*exprs)
        value = written.doit()
        if value.has(sp.I) and not written.has(sp.I):  # atan2(2, asec(3)) evaluates through I: keep it
            value = written
        return _Val(_check_constant(p, value, fname), True, fname)
    return _Val(_finish(builder(*exprs)), False, fname)


# --------------------------------------------------------------------------- entry point


def parse(text: str, limits: Limits = DEFAULT_LIMITS,
          functions: "dict[str, tuple[Callable[..., sp.Expr], tuple[int, ...]]] | None" = None) -> sp.Expr:
    """Parse one expression. Raises ParseError (with column and token) or LimitError.
    functions: the table of function names (default FUNCTIONS; the vector front end adds sum, mean, dot)."""
    if not isinstance(text, str):
        raise ParseError(f"expected text, got {type(text).__name__}", column=1, token="", text="")
    if len(text) > limits.max_length:
        raise LimitError("max_length",
                         f"the input is {len(text)} characters long, more than {limits.max_length}")
    parser = _Parser(text, limits, functions)
    # Each nesting level costs a few Python frames; make room for the depth the limits allow.
    needed = 8 * limits.max_depth + 500
    old = sys.getrecursionlimit()
    if needed > old:
        sys.setrecursionlimit(needed)
    try:
        return parser.parse()
    except RecursionError:
        raise LimitError("max_depth", "the input is nested too deeply to parse") from None
    finally:
        if needed > old:
            sys.setrecursionlimit(old)


def parse_name(text: str) -> sp.Symbol:
    """One variable name (for --wrt and the like), checked as the parser checks names."""
    tokens = tokenize(text.strip()) if len(text) <= 200 else []
    if len(tokens) != 2 or tokens[0].kind != "NAME":
        raise ParseError("expected one variable name", column=1, token=text[:40], text=text)
    word = tokens[0].text
    if word in FUNCTIONS or word in CONSTANTS:
        raise ParseError(f"{word!r} is a function or constant, not a variable", column=1, token=word, text=text)
    parser = _Parser(word, DEFAULT_LIMITS)
    return parser.name().expr  # type: ignore[return-value]


@dataclass(frozen=True)
class Statement:
    """One `name = expression` of a program (name None for a bare expression); column is 1-based."""

    name: sp.Symbol | None
    expr: sp.Expr
    column: int


def parse_program(text: str, limits: Limits = DEFAULT_LIMITS,
                  functions: "dict[str, tuple[Callable[..., sp.Expr], tuple[int, ...]]] | None" = None
                  ) -> tuple[Statement, ...]:
    """Statements separated by ';' or newlines, each `name = expression` or (the first) a bare expression."""
    if not isinstance(text, str):
        raise ParseError(f"expected text, got {type(text).__name__}", column=1, token="", text="")
    if len(text) > limits.max_length:
        raise LimitError("max_length",
                         f"the input is {len(text)} characters long, more than {limits.max_length}")
    statements = []
    for start, segment in _segments(text):
        if not segment.strip():
            continue
        eq = _assignment(segment)
        if eq is None:
            column = start + 1 + len(segment) - len(segment.lstrip())
            statements.append(Statement(None, _parse_at(segment, start, text, limits, functions), column))
            continue
        left = segment[:eq]
        if not left.strip():
            raise ParseError("missing name before '='", column=start + eq + 1, token="=", text=text)
        try:
            name = parse_name(left)
        except ParseError as exc:
            raise ParseError(f"the left of '=' must be one variable name ({exc.reason})",
                             column=start + 1 + len(left) - len(left.lstrip()), token=left.strip(), text=text) from None
        statements.append(Statement(name, _parse_at(segment[eq + 1:], start + eq + 1, text, limits, functions),
                                    start + 1 + len(left) - len(left.lstrip())))
    if not statements:
        raise ParseError("empty expression", column=1, token="", text=text)
    return tuple(statements)


def _segments(text: str) -> list[tuple[int, str]]:
    """Split at ';' and newlines outside brackets, keeping each segment's offset."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch in ";\n" and depth <= 0:
            out.append((start, text[start:i]))
            start = i + 1
    out.append((start, text[start:]))
    return out


def _assignment(segment: str) -> int | None:
    """The index of a lone '=' (not part of ==, <=, >=, !=, :=), or None."""
    for i, ch in enumerate(segment):
        if ch == "=" and segment[i - 1:i] not in ("=", "<", ">", "!", ":") and segment[i + 1:i + 2] != "=":
            return i
    return None


def _parse_at(segment: str, offset: int, text: str, limits: Limits,
              functions: "dict[str, tuple[Callable[..., sp.Expr], tuple[int, ...]]] | None" = None) -> sp.Expr:
    """Parse a piece of text; a ParseError's column is made relative to the whole text."""
    try:
        return parse(segment, limits, functions)
    except ParseError as exc:
        raise ParseError(exc.reason, column=exc.column + offset, token=exc.token, text=text) from None


def split_top_level(text: str) -> list[str]:
    """Split at commas outside brackets: "x=log(8, 2),y=1" → ["x=log(8, 2)", "y=1"] (empty parts dropped)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in parts if p.strip()]
