"""LaTeX input: each form's meaning against a SymPy expression built by hand, each refusal with its
exact message, column and token (data in notation_corpus.py); the derivative operator; the round
trip of everything chainsym prints as LaTeX; depth, recursion and threads."""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sympy as sp
from conftest import close_at_points
from hypothesis import assume, given
from hypothesis import strategies as st
from notation_corpus import (
    LATEX,
    LATEX_ONLY,
    LATEX_ONLY_REFUSED,
    LATEX_REFUSED,
    NOTATION,
    NOTATION_REFUSED,
    OPERATORS,
    OPERATORS_REFUSED,
    PROGRAMS,
    PROGRAMS_REFUSED,
    same_meaning,
)

import chainsym
from chainsym import LimitError, Limits, ParseError
from chainsym.render.latex import expression as latex
from chainsym.syntax import detect_syntax, parse, parse_name, parse_with_operator

x = sp.Symbol("x", real=True)


def test_corpus_size() -> None:
    sizes = [LATEX, LATEX_ONLY, LATEX_REFUSED, LATEX_ONLY_REFUSED, NOTATION, NOTATION_REFUSED, OPERATORS,
             OPERATORS_REFUSED, PROGRAMS, PROGRAMS_REFUSED]
    assert sum(len(s) for s in sizes) >= 300
    assert all(detect_syntax(t) == "latex" for t, _ in LATEX)
    assert all(detect_syntax(t) == "plain" for t, _ in NOTATION)


@pytest.mark.parametrize("text, expected", LATEX, ids=[t for t, _ in LATEX])
def test_latex(text: str, expected: sp.Expr) -> None:
    assert same_meaning(parse(text), expected)


@pytest.mark.parametrize("text, expected", LATEX_ONLY, ids=[t for t, _ in LATEX_ONLY])
def test_latex_as_tex_reads_it(text: str, expected: sp.Expr) -> None:
    """Text without a backslash, read as LaTeX (syntax="latex"): letters side by side multiply."""
    assert same_meaning(parse(text, syntax="latex"), expected)


def refused(text: str, syntax: str = "auto") -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(text, syntax=syntax)
    return info.value


@pytest.mark.parametrize("text, message, column, token", LATEX_REFUSED, ids=[repr(r[0]) for r in LATEX_REFUSED])
def test_latex_refused(text: str, message: str, column: int, token: str) -> None:
    error = refused(text)
    assert (error.reason, error.column, error.token) == (message, column, token)
    assert str(error).count("\n") == 0


@pytest.mark.parametrize("text, message, column, token", LATEX_ONLY_REFUSED,
                         ids=[repr(r[0]) for r in LATEX_ONLY_REFUSED])
def test_latex_only_refused(text: str, message: str, column: int, token: str) -> None:
    error = refused(text, "latex")
    assert (error.reason, error.column, error.token) == (message, column, token)


@pytest.mark.parametrize("text, expected, wrt", OPERATORS, ids=[t for t, _, _ in OPERATORS])
def test_derivative_operator(text: str, expected: sp.Expr, wrt: str | None) -> None:
    expr, variable = parse_with_operator(text)
    assert variable == wrt
    assert same_meaning(expr, expected)


@pytest.mark.parametrize("text, message, column, token", OPERATORS_REFUSED, ids=[repr(r[0]) for r in OPERATORS_REFUSED])
def test_derivative_operator_refused(text: str, message: str, column: int, token: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_with_operator(text)
    assert (info.value.reason, info.value.column, info.value.token) == (message, column, token)


def test_operator_result_is_immutable_data() -> None:
    result = parse_with_operator(r"\frac{d}{dx} x^2")
    assert result.wrt == "x" and result == (x**2, "x")
    with pytest.raises(AttributeError):
        result.wrt = "y"  # type: ignore[misc]
    assert hash(result) == hash(parse_with_operator(r"\frac{d}{dx} x^2"))


def test_syntax_is_chosen_or_detected() -> None:
    x_, y_, xy = sp.symbols("x y xy", real=True)
    assert parse("xy") == xy  # plain: one name
    assert parse("xy", syntax="latex") == x_ * y_  # LaTeX: two letters
    assert parse("x y", syntax="plain") == x_ * y_
    assert parse(r"x \cdot y", syntax="auto") == x_ * y_
    assert parse("x_{1}").name == "x_1"  # type: ignore[attr-defined]
    with pytest.raises(ParseError, match="unexpected character"):
        parse(r"\frac{1}{2}", syntax="plain")
    with pytest.raises(ValueError, match="syntax must be one of"):
        parse("x", syntax="tex")
    assert parse("x^2", chainsym.Limits(), None) == x**2  # the positional signature still works


def test_latex_keeps_what_was_written() -> None:
    """As in the plain grammar: 2x + 3x stays two terms, constants are folded."""
    assert parse(r"2x + 3x", syntax="latex").args == (2 * x, 3 * x)
    assert parse(r"x \cdot x").args == (x, x)
    assert parse(r"2^{10} x") == 1024 * x


@pytest.mark.parametrize("text, name", [(r"\alpha", "alpha"), ("x_{1}", "x_1"), (r"\mathrm{loss}", "loss"),
                                        (r"\theta_{2}", "theta_2"), (r"\lambda", "lamda"), ("x", "x")])
def test_parse_name(text: str, name: str) -> None:
    symbol = parse_name(text)
    assert symbol.name == name and symbol.is_real


@pytest.mark.parametrize("text", [r"\pi", r"x_{1} y", r"\sin", r"\frac{1}{2}", "x y"])
def test_parse_name_refuses_what_is_not_one_name(text: str) -> None:
    with pytest.raises(ParseError):
        parse_name(text)


# --------------------------------------------------------------------------- the round trip

ROUND_TRIP = [
    "sin(x+x^2)", "1/(1+exp(-x))", "sigmoid(x)^2", "relu(x) + softplus(x)", "x^x", "log(x, 2)", "atan2(y, x)",
    "max(x, y, x^2)", "min(x, 0)", "abs(x - 1)", "sign(x)", "Heaviside(x)", "DiracDelta(x)", "gamma(x)^2",
    "factorial(x + 1)", "polygamma(1, x)", "erf(x)", "sqrt(x^2 + 1)", "x^(1/3)", "x^(-2/3)", "asin(x) + acot(x)",
    "asec(x) + acsc(x)", "sech(x) csch(x)", "acoth(x) + asech(x) + acsch(x)", "x_1^2 + alpha theta", "e^(x y)",
    "pi x / 2", "-3x/4", "(x + 1)^2 (x - 1)^-1", "tan(x)^2 + 1", "log(x)^2", "exp(sin(x))", "x y z", "2^x",
    "sinh(x)^2 - cosh(x)^2", "W_2 x_1 + b_1",
]


def reads_back(expr: sp.Expr) -> None:
    """expr, printed as LaTeX, parses back to an equal expression, read as LaTeX and (when the
    printed text has a backslash) as detected. A complex constant, as in the derivative of (-1)^x,
    cannot: variables and constants are real, and i is a variable."""
    if expr.has(sp.I, sp.nan, sp.zoo, sp.oo, -sp.oo):  # complex or undefined (log(1, 1) = nan): no input
        return
    shown = latex(expr)
    for again in [parse(shown, syntax="latex")] + ([parse(shown)] if "\\" in shown else []):
        if again == expr or again.doit() == expr.doit() or latex(again) == shown:
            continue  # (the last: the same tree up to the order of terms, as -1/(x - x) and -1/(-x + x))
        if again.free_symbols == expr.free_symbols and sp.simplify((again - expr).doit()) == 0:
            continue
        variables = sorted(expr.free_symbols | again.free_symbols, key=str) or [x]
        assert close_at_points(again, expr, variables), (expr, shown, again)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_printed_latex_reads_back(text: str) -> None:
    """The expression, and the derivative chainsym prints for it, as SymPy's LaTeX printer shows
    them (chainsym's --format latex), parse back to equal expressions."""
    reads_back(parse(text))
    derivation = chainsym.diff(text, wrt="x", verify=False, limits=Limits(tidy_ops=1))
    reads_back(derivation.result)


@pytest.mark.xfail(strict=True, reason="SymPy's LaTeX printer (default order) prints the tree parsed from "
                   "-(-(x*(-x))) as '- \\left(-1\\right) - x x' (chainsym diff --format latex shows it as f), "
                   "which reads back as 1 - x^2: a printing defect, not a parsing one")
def test_the_parsed_tree_of_nested_signs_is_misprinted() -> None:
    expr = parse("-(-(x*(-x)))")
    assert latex(expr) != r"- \left(-1\right) - x x"
    assert latex(expr, written=True) == r"- \left(-1\right) x \left(- x\right)"  # order='none' is right


UNARY = ["sin", "cos", "tan", "exp", "log", "sqrt", "abs", "atan", "asin", "acos", "sinh", "cosh", "tanh", "asinh",
         "acosh", "atanh", "sigmoid", "relu", "softplus", "erf", "sign", "cot", "sec", "csc", "acot", "asec", "acsc",
         "coth", "sech", "csch", "acoth", "asech", "acsch", "gamma", "factorial", "Heaviside", "DiracDelta"]
LEAVES = st.sampled_from(["x", "y", "2", "3", "1/2", "0.5", "pi", "e", "x", "x_1", "alpha", "theta", "W_2"])


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*", "/", "^", " "]), children, children).map(
            lambda t: f"({t[1]}){t[0]}({t[2]})" if t[0] != " " else f"({t[1]})({t[2]})"),
        st.tuples(st.sampled_from(UNARY), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(["atan2", "max", "min", "log", "polygamma"]), children, children).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        children.map(lambda c: f"-({c})"),
        st.tuples(children, st.sampled_from(["2", "3", "-1", "1/2", "1/3", "-2/3"])).map(lambda t: f"({t[0]})^({t[1]})"),
    )


EXPRESSIONS = st.recursive(LEAVES, _combine, max_leaves=8)


@given(EXPRESSIONS)
def test_generated_expressions_read_back_from_latex(text: str) -> None:
    """Over generated expressions: the expression (in SymPy's form) and its derivative."""
    try:
        expr = parse(text).doit()
        derivative = chainsym.diff(text, wrt="x", verify=False, limits=Limits(tidy_ops=1)).result
    except chainsym.ChainsymError:
        assume(False)
        raise
    for e in (expr, derivative):
        try:
            reads_back(e)
        except TypeError:  # close_at_points comparing values SymPy cannot order (Abs(DiracDelta(0)) > 1)
            assume(False)


# --------------------------------------------------------------------------- depth, recursion, threads

DEEP = [
    ("\\frac{1}{" * 5000 + "x" + "}" * 5000, 1806),
    ("{" * 5000 + "x" + "}" * 5000 + r"\,", 201),
    (r"\sqrt{" * 3000 + "x" + "}" * 3000, 1206),
    (r"\left(" * 3000 + "x" + r"\right)" * 3000, 1201),
    ("x^{" * 3000 + "2" + "}" * 3000 + r"\,", 603),
    (r"\sin^{" * 3000 + "2" + "} x" * 3000, 601),
    (r"\log_{" * 3000 + "2" + "} x" * 3000, 601),
    (r"\left|" * 3000 + "x" + r"\right|" * 3000, 1201),
    ("-" * 5000 + r"\pi", 201),
    (r"\operatorname{sigmoid}(" * 3000 + "x" + ")" * 3000, 4601),
    (r"\sigma(" * 3000 + "x" + ")" * 3000, 1401),
    ("\\sqrt[" * 2000 + "2" + "]{x}" * 2000, 1206),
    ("x_{1}" + "|" * 3000 + "x" + "|" * 3000, 206),
]


@pytest.mark.parametrize("text, column", DEEP, ids=[t[:12] for t, _ in DEEP])
def test_latex_nesting_counts_against_max_depth(text: str, column: int) -> None:
    with pytest.raises(LimitError) as info:
        parse(text)
    assert info.value.limit == "max_depth"
    assert f"nesting deeper than 200 at column {column}" in str(info.value)


@pytest.mark.parametrize("make", [
    lambda n: "\\frac{1}{" * n + "x" + "}" * n,
    lambda n: r"\sin(" * n + "x" + ")" * n,
    lambda n: r"\sin{\left(" * n + "x" + r"\right)}" * n,
    lambda n: r"\sqrt[3]{" * n + "x" + "}" * n,
    lambda n: "x^{" * n + "2" + "}" * n,
    lambda n: r"\left|" * n + "x" + r"\right|" * n,
    lambda n: "|" * n + "x" + "|" * n + r"\,",
    lambda n: "-" * n + r"\pi",
    lambda n: r"\sin " * n + "x",
], ids=["frac", "call", "sympy-call", "root", "power", "abs", "bars", "signs", "bare-call"])
def test_at_most_two_frames_per_level(make: object) -> None:
    """300 levels parse within a recursion limit of 2 frames per level plus the caller's stack,
    without changing the limit (global state): the parser is safe in threads and servers."""
    before = sys.getrecursionlimit()
    depth = 300
    text = make(depth)  # type: ignore[operator]
    result: list[object] = []

    def work() -> None:
        try:
            result.append(parse(text, Limits(max_depth=depth + 5), syntax="latex"))
        except LimitError as exc:
            result.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert sys.getrecursionlimit() == before
    assert isinstance(result[0], sp.Expr), result[0]


def test_parsing_in_threads_agrees_with_parsing_alone() -> None:
    texts = [t for t, _ in LATEX] + [t for t, _ in NOTATION]
    alone = [parse(t) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(parse, texts))
    assert together == alone


def test_huge_root_index_is_a_limit() -> None:
    with pytest.raises(LimitError) as info:
        parse(r"\sqrt[10^{1001}]{2}")
    assert info.value.limit == "max_constant_digits"


def test_latex_never_evaluates_python(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from sympy.parsing import sympy_parser

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("evaluation attempted")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbidden)
    monkeypatch.setattr(sp, "sympify", forbidden)
    monkeypatch.setattr(sympy_parser, "parse_expr", forbidden)
    assert same_meaning(parse(r"\frac{1}{1+e^{-x}} + \sin^{2} x"), 1 / (1 + sp.exp(-x)) + sp.sin(x) ** 2)


def test_each_corpus_lists_a_text_once() -> None:
    for corpus in (LATEX, LATEX_ONLY, NOTATION, LATEX_REFUSED, LATEX_ONLY_REFUSED, NOTATION_REFUSED, OPERATORS,
                   OPERATORS_REFUSED):
        texts = [entry[0] for entry in corpus]
        assert len(set(texts)) == len(texts)


def test_unicode_in_sentences_is_spelled_for_pdflatex_not_replaced() -> None:
    """The numeric verdict's tolerance |Δ| printed as |?| in LaTeX: every symbol chainsym's sentences use
    is spelled out."""
    from chainsym.render.latex import text

    assert text("|Δ| ≤ 1e-20, ∇f, δ, √2, ε, σ, ∞, x³, x⁻¹") == (
        r"|$\Delta$| $\leq$ 1e-20, $\nabla$f, $\delta$, $\surd$2, $\varepsilon$, $\sigma$, $\infty$, x$^3$, x$^-$$^1$")
