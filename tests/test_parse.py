"""The parser: what it accepts (as exact SymPy trees) and what it refuses (exact messages)."""

from __future__ import annotations

import pytest
import sympy as sp
from conftest import x, y

from chainsym import LimitError, Limits, ParseError, parse
from chainsym.functions import relu, sigmoid, softplus

W1, x_1, alpha, b = sp.symbols("W1 x_1 alpha b", real=True)
R = sp.Rational


def same(a: sp.Expr, b: sp.Expr) -> bool:
    """Mathematically equal (the parser keeps unevaluated trees, so compare values)."""
    return sp.simplify(sp.expand(a - b)) == 0 if a != b else True


ACCEPTED = [
    ("sin(x+x^2)", sp.sin(x + x**2)),
    ("2x", 2 * x),
    ("2 sin(x)", 2 * sp.sin(x)),
    ("(x+1)(x-1)", (x + 1) * (x - 1)),
    ("x y", x * y),
    ("sin x", sp.sin(x)),
    ("ln x", sp.log(x)),
    ("sin x^2", sp.sin(x**2)),
    ("sin x cos x", sp.sin(x) * sp.cos(x)),
    ("e^x", sp.exp(x)),
    ("e", sp.E),
    ("pi x", sp.pi * x),
    ("x^2^3", x**8),
    ("2^3^2", sp.Integer(512)),
    ("x**-2", x**-2),
    ("-x^2", -(x**2)),
    ("-x*y", -x * y),
    ("x/2y", x * y / 2),
    ("x - -2y", x + 2 * y),
    ("1e-3", R(1, 1000)),
    (".5", R(1, 2)),
    ("0.1 + 0.2", R(3, 10)),
    ("1_000", sp.Integer(1000)),
    ("2.5e2", sp.Integer(250)),
    ("W1*x_1 + alpha", W1 * x_1 + alpha),
    ("log(x)", sp.log(x)),
    ("log(x, b)", sp.log(x) / sp.log(b)),
    ("log(8, 2)", sp.log(8) / sp.log(2)),
    ("exp(x)", sp.exp(x)),
    ("sqrt(x)", sp.sqrt(x)),
    ("abs(x)", sp.Abs(x)),
    ("asin(x) + arcsin(x)", 2 * sp.asin(x)),
    ("arctan x", sp.atan(x)),
    ("sinh(x) + arcosh(x)", sp.sinh(x) + sp.acosh(x)),
    ("sigmoid(x) + relu(x) + softplus(x)", sigmoid(x) + relu(x) + softplus(x)),
    ("x**(10**100)", x ** (10**100)),
    ("sin(pi/6) x", x / 2),
    ("3 − 2×x ÷ 4 · π", 3 - sp.pi * x / 2),
    ("x\t+\n1", x + 1),
]


@pytest.mark.parametrize("text, expected", ACCEPTED, ids=[t for t, _ in ACCEPTED])
def test_accepts(text: str, expected: sp.Expr) -> None:
    assert same(parse(text), expected)


def test_variables_are_real_and_multi_letter_names_stay_whole() -> None:
    expr = parse("alpha x_1 W1")
    assert {s.name for s in expr.free_symbols} == {"alpha", "x_1", "W1"}
    assert all(s.is_real for s in expr.free_symbols)


def test_user_structure_is_kept() -> None:
    """2x + 3x stays two terms and x*x two factors: the paths a user wrote survive."""
    assert parse("2x + 3x").args == (2 * x, 3 * x)
    assert parse("x*x").args == (x, x)


def test_numbers_are_exact() -> None:
    value = parse("0.01 x").args[0]
    assert value == R(1, 100) and isinstance(value, sp.Rational)


def test_power_is_right_associative() -> None:
    assert parse("x^y^2") == parse("x^(y^2)")
    assert parse("x**y**2") == parse("x^(y^2)")


REJECTED = [
    # (text, message, column, token)
    ("", "empty expression", 1, ""),
    ("   ", "empty expression", 1, ""),
    ("x+", "missing operand after '+'", 3, "end of input"),
    ("*x", "missing operand before '*'", 1, "*"),
    ("x)", "unbalanced ')'", 2, ")"),
    ("((x", "unclosed '('", 2, "("),
    ("sin(x y,", "unexpected end of input", 9, "end of input"),
    ("f(x, y", "unknown function 'f'", 1, "f"),
    ("x $ y", "unexpected character '$'", 3, "$"),
    ("x % y", "operator '%' is not supported", 3, "%"),
    ("x // y", "operator '//' is not supported", 3, "//"),
    ("x == y", "operator '==' is not supported", 3, "=="),
    ("x.real", "operator '.' is not supported", 2, "."),
    ("'x'", "quotes are not allowed: an expression is not a string", 1, "'"),
    ("lambda: 1", "operator ':' is not supported", 7, ":"),
    ("x if y else 1", "'if' is a Python keyword, not a name", 3, "if"),
    ("None", "'None' is a Python keyword, not a name", 1, "None"),
    ("__class__", "names may not start with '__'", 1, "__class__"),
    ("oo", "'oo' (infinity) is not a number", 1, "oo"),
    ("I*x", "'I' (the imaginary unit) is not supported: variables and constants are real", 1, "I"),
    ("2j", "complex literals are not supported", 1, "2j"),
    ("1/0", "division by zero", 3, "0"),
    ("x/(1-1)", "division by zero", 3, "("),
    ("log(0)", "undefined value (division by zero or a pole)", 1, "log"),
    ("sin", "function 'sin' needs an argument, as in sin(x)", 1, "sin"),
    ("sin(x, y)", "sin takes 1 argument, got 2", 1, "sin"),
    ("log()", "log takes 1 or 2 arguments, got 0", 1, "log"),
    ("()", "empty brackets", 2, ")"),
    ("atan2(x)", "atan2 takes 2 arguments, got 1", 1, "atan2"),
    ("foo(x)", "unknown function 'foo'", 1, "foo"),
    ("e(x)", "'e' is a constant, not a function; write e*(...) to multiply", 1, "e"),
    ("x 2", "missing operator before a number", 3, "2"),
    ("sin 2x", "ambiguous: write sin(2x) or sin(2)*x", 6, "x"),
    ("ｘ", "unexpected character 'ｘ' (U+FF58 FULLWIDTH LATIN SMALL LETTER X); "
          "only ASCII is accepted, and − × · ÷ π √ ∛ ∜ and superscript digits", 1, "ｘ"),
    ("x\x00", "control character U+0000 is not allowed", 2, "\x00"),
    ("x\x1b[2J", "control character U+001B is not allowed", 2, "\x1b"),
    ("x,", "',' outside a function call", 2, ","),
    ("sqrt(-1) x", "the constant sqrt(-1) is not a real number", 1, "sqrt"),
    ("x + acosh(1/2)", "the constant acosh(1/2) is not a real number", 5, "acosh"),
    ("max(x, acsc(1/2))", "the constant acsc(1/2) is not a real number", 8, "acsc"),
    ("log(x, -2)", "the base of a logarithm must be positive and not 1, not -2", 8, "-"),
    ("log(x, 1)", "the base of a logarithm must be positive and not 1, not 1", 8, "1"),
]


@pytest.mark.parametrize("text, message, column, token", REJECTED, ids=[repr(r[0]) for r in REJECTED])
def test_rejects(text: str, message: str, column: int, token: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert (info.value.reason, info.value.column, info.value.token) == (message, column, token)
    assert str(info.value) == f"{message} at column {column} (token {token!r})"


def test_parse_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse("x +")


LIMITED = [
    ("x" * 100_001, "max_length", "the input is 100001 characters long, more than 100000"),
    ("(" * 5000 + "x" + ")" * 5000, "max_depth", "nesting deeper than 200 at column 201"),
    ("-" * 5000 + "x", "max_depth", "nesting deeper than 200 at column 201"),
    ("x" + "^x" * 300, "max_depth", "nesting deeper than 200 at column 402"),
    ("2**10**10", "max_constant_digits", "the constant power at column 2 would have about 3.0×10^9 digits, more than 1000"),
    ("((9**9)**9999)**9999", "max_constant_digits",
     "the constant power at column 8 would have about 85873 digits, more than 1000"),
    ("sqrt(2)**(10**10)", "max_constant_digits",
     "the constant power at column 8 would have about 1.5×10^9 digits, more than 1000"),
    ("factorial(10**9)", "max_constant_digits",
     "factorial of a number above 1000 at column 1 would be a huge exact value"),
    ("1e5000", "max_constant_digits", "the number 1e5000 at column 1 has more than 1000 digits"),
    ("9" * 1001, "max_constant_digits", "the number at column 1 has more than 1000 digits"),
]


@pytest.mark.parametrize("text, limit, message", LIMITED, ids=[r[0][:20] for r in LIMITED])
def test_limits(text: str, limit: str, message: str) -> None:
    with pytest.raises(LimitError) as info:
        parse(text)
    assert info.value.limit == limit
    assert str(info.value) == f"{message} (limit {limit!r}; raise it with Limits({limit}=N))"


def test_limits_can_be_raised() -> None:
    deep = "(" * 300 + "x" + ")" * 300
    assert parse(deep, Limits(max_depth=400)) == x
    assert parse("2^4000", Limits(max_constant_digits=2000)) == 2**4000


def test_symbolic_huge_power_is_fine() -> None:
    assert parse("x**(10**100)").exp == 10**100


def test_parser_never_evaluates_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parser works without eval, exec, compile, sympify or parse_expr."""
    import builtins

    import sympy.parsing.sympy_parser as sympy_parser

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("evaluation attempted")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbidden)
    monkeypatch.setattr(sp, "sympify", forbidden)
    monkeypatch.setattr(sympy_parser, "parse_expr", forbidden)
    assert same(parse("sin(x + x^2) + 2x ln x"), sp.sin(x + x**2) + 2 * x * sp.log(x))
