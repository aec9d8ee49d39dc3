"""What the plain-text parser knows: function names, constants, reserved words, the Unicode
spellings it accepts. Adding a function is one line in FUNCTIONS."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from ..functions import relu, sigmoid, softplus

Builder = Callable[..., sp.Expr]
FunctionTable = dict[str, tuple[Builder, tuple[int, ...]]]

ONE = (1,)
ONE_OR_TWO = (1, 2)
TWO = (2,)
TWO_OR_MORE = tuple(range(2, 1_001))
"""max and min take any number of arguments from two (SymPy prints Max(x, y, z) with three)"""


def arity_text(arities: tuple[int, ...]) -> str:
    """How many arguments, for a message: "1 argument", "1 or 2 arguments", "2 or more arguments"."""
    if arities == TWO_OR_MORE:
        return "2 or more arguments"
    return " or ".join(str(a) for a in arities) + (" argument" if arities == ONE else " arguments")


def _log(*args: sp.Expr) -> sp.Expr:
    if len(args) == 1:
        return sp.log(*args, evaluate=False)
    value, base = args
    return sp.Mul(sp.log(value, evaluate=False), sp.Pow(sp.log(base, evaluate=False), -1, evaluate=False),
                  evaluate=False)


def _sqrt(arg: sp.Expr) -> sp.Expr:
    return sp.Pow(arg, sp.Rational(1, 2), evaluate=False)


def _root(n: int) -> Builder:
    return lambda arg: sp.Pow(arg, sp.Rational(1, n), evaluate=False)


def _fn(cls: type[sp.Function]) -> Builder:
    return lambda *args: cls(*args, evaluate=False)


FUNCTIONS: FunctionTable = {
    "sin": (_fn(sp.sin), ONE), "cos": (_fn(sp.cos), ONE), "tan": (_fn(sp.tan), ONE),
    "cot": (_fn(sp.cot), ONE), "sec": (_fn(sp.sec), ONE), "csc": (_fn(sp.csc), ONE),
    "asin": (_fn(sp.asin), ONE), "acos": (_fn(sp.acos), ONE), "atan": (_fn(sp.atan), ONE),
    "acot": (_fn(sp.acot), ONE), "asec": (_fn(sp.asec), ONE), "acsc": (_fn(sp.acsc), ONE),
    "arcsin": (_fn(sp.asin), ONE), "arccos": (_fn(sp.acos), ONE),
    "arctan": (_fn(sp.atan), ONE), "arccot": (_fn(sp.acot), ONE),
    "arcsec": (_fn(sp.asec), ONE), "arccsc": (_fn(sp.acsc), ONE),
    "atan2": (_fn(sp.atan2), TWO), "arctan2": (_fn(sp.atan2), TWO),
    "sinh": (_fn(sp.sinh), ONE), "cosh": (_fn(sp.cosh), ONE), "tanh": (_fn(sp.tanh), ONE),
    "coth": (_fn(sp.coth), ONE), "sech": (_fn(sp.sech), ONE), "csch": (_fn(sp.csch), ONE),
    "asinh": (_fn(sp.asinh), ONE), "acosh": (_fn(sp.acosh), ONE),
    "atanh": (_fn(sp.atanh), ONE), "acoth": (_fn(sp.acoth), ONE),
    "asech": (_fn(sp.asech), ONE), "acsch": (_fn(sp.acsch), ONE),
    "arcsinh": (_fn(sp.asinh), ONE), "arccosh": (_fn(sp.acosh), ONE),
    "arctanh": (_fn(sp.atanh), ONE), "arsinh": (_fn(sp.asinh), ONE),
    "arcosh": (_fn(sp.acosh), ONE), "artanh": (_fn(sp.atanh), ONE),
    "exp": (_fn(sp.exp), ONE), "log": (_log, ONE_OR_TWO), "ln": (_log, ONE),
    "sqrt": (_sqrt, ONE), "abs": (_fn(sp.Abs), ONE), "Abs": (_fn(sp.Abs), ONE),
    "sign": (_fn(sp.sign), ONE),
    "max": (_fn(sp.Max), TWO_OR_MORE), "min": (_fn(sp.Min), TWO_OR_MORE),
    "Max": (_fn(sp.Max), TWO_OR_MORE), "Min": (_fn(sp.Min), TWO_OR_MORE),
    "Heaviside": (_fn(sp.Heaviside), ONE_OR_TWO), "DiracDelta": (_fn(sp.DiracDelta), ONE),
    "polygamma": (_fn(sp.polygamma), TWO),
    "sigmoid": (_fn(sigmoid), ONE), "relu": (_fn(relu), ONE), "softplus": (_fn(softplus), ONE),
    "erf": (_fn(sp.erf), ONE), "gamma": (_fn(sp.gamma), ONE),
    "factorial": (_fn(sp.factorial), ONE),
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

BOUNDED_ARGUMENT = {"factorial": 1_000, "gamma": 1_000}
"""functions whose constant argument must stay small, or the exact value would be huge"""

ALIASES = {"−": "-", "×": "*", "·": "*", "÷": "/", "π": "pi"}
"""Unicode math symbols accepted as their ASCII spelling (and nothing else outside ASCII)."""

SUPERSCRIPTS = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9",
                "⁻": "-"}
"""superscript characters and their ASCII: x⁻¹ is x^-1"""

ROOTS: dict[str, tuple[str, Builder]] = {"√": ("sqrt", _sqrt), "∛": ("cbrt", _root(3)), "∜": ("root4", _root(4))}
"""root signs, read as functions of one factor: √x, ∛(x+1); ∛x is x^(1/3), the principal root"""

INVERSES = {"sin": "asin", "cos": "acos", "tan": "atan", "cot": "acot", "sec": "asec", "csc": "acsc",
            "sinh": "asinh", "cosh": "acosh", "tanh": "atanh", "coth": "acoth", "sech": "asech", "csch": "acsch"}
"""sin^-1 x is arcsin x (the textbook's inverse function), for these functions only"""

PRODUCT_NAME = r"[A-Za-z](?:[0-9]+|_[A-Za-z0-9]+)?"
"""Names that multiply a bracket: x(x+1), a2(b+c), x_1(x+1). A longer name followed by '(' reads as
a call of a function chainsym does not know: 'sine(x)' or 'print(1)' is refused, not multiplied."""
