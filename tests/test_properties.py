"""Property-based checks with hypothesis over generated expressions.

Properties: forward = reverse = sympy.diff (numerically, at random points of the domain);
parsing the printed expression gives the same expression back; the CLI never shows a traceback,
whatever the text. The default profile runs in the normal suite; the long one runs 10,000
examples per property: python -m pytest tests/test_properties.py --hypothesis-profile=long
"""

from __future__ import annotations

import random

import mpmath
import sympy as sp
from click.testing import CliRunner
from conftest import close_at_points, run
from hypothesis import assume, given
from hypothesis import strategies as st

import chainsym
from chainsym.functions import rewrite_primitives
from chainsym.numeric import NotANumber, evaluate, finite
from chainsym.render.common import show

UNARY = ["sin", "cos", "tan", "exp", "log", "sqrt", "abs", "atan", "asin", "acos", "sinh", "cosh", "tanh",
         "asinh", "acosh", "atanh", "sigmoid", "relu", "softplus", "erf", "sign", "cot", "sec", "csc",
         "acot", "asec", "acsc", "coth", "sech", "csch", "acoth", "asech", "acsch", "gamma", "ln"]
BINARY_FUNCTIONS = ["atan2", "max", "min", "log"]
LEAVES = st.sampled_from(["x", "y", "2", "3", "1/2", "0.5", "pi", "e", "x", "x", "y"])


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*", "/", "^", " "]), children, children).map(
            lambda t: f"({t[1]}){t[0]}({t[2]})" if t[0] != " " else f"({t[1]})({t[2]})"),
        st.tuples(st.sampled_from(UNARY), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(BINARY_FUNCTIONS), children, children).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        children.map(lambda c: f"-({c})"),
        children.map(lambda c: f"({c}) + ({c})*x"),  # shared subexpressions
    )


EXPRESSIONS = st.recursive(LEAVES, _combine, max_leaves=8)
UNTIMED = chainsym.Limits()


def _value(expr: sp.Expr, point: dict[sp.Symbol, object], real: bool = False) -> object | None:
    try:
        v = evaluate(rewrite_primitives(expr), point, 30, real=real)  # type: ignore[arg-type]
    except (NotANumber, ZeroDivisionError, OverflowError, ValueError):
        return None
    if not finite(v) or (isinstance(v, mpmath.mpc) and abs(v.imag) > 1e-15 * max(1, abs(v))):
        return None
    return v


def _parse_or_skip(text: str) -> chainsym.Derivation:
    try:
        # no timed simplification: a SIGALRM landing in hypothesis's gc hook is reported by pytest
        return chainsym.diff(text, wrt="x", mode="both", verify=False, limits=UNTIMED)
    except chainsym.ChainsymError:
        assume(False)  # an undefined constant (log(0)...) or a limit: not what this property tests
        raise


@given(EXPRESSIONS)
def test_forward_equals_reverse_equals_sympy(text: str) -> None:
    d = _parse_or_skip(text)
    assert not d.agreement.startswith("DISAGREE"), (text, d.agreement)
    x = sp.Symbol("x", real=True)
    expected = sp.diff(rewrite_primitives(d.graph.value), x)
    forward_result = d.forward[0].result
    reverse_result = dict(d.reverse.gradient).get(x, sp.Integer(0)) if d.reverse else None
    rng = random.Random(text)
    checked = 0
    for _ in range(30):
        point = {v: mpmath.mpf(f"{rng.uniform(-2.5, 2.5):.3f}") for v in d.graph.variables}
        values = [_value(d.graph.value, point, real=True)]  # the real domain: every part of f real
        values += [_value(e, point) for e in (expected, forward_result, reverse_result)]
        if any(v is None for v in values):
            continue
        _, want, fwd, rev = values
        tolerance = mpmath.mpf("1e-10") * max(1, abs(want))
        assert abs(fwd - want) <= tolerance, (text, point, fwd, want)
        assert abs(rev - want) <= tolerance, (text, point, rev, want)
        checked += 1
        if checked == 3:
            break
    assume(checked > 0)  # an example with no point in its domain checks nothing: it does not count (and
    # hypothesis fails the property as unsatisfiable if too many examples check nothing)


@given(EXPRESSIONS)
def test_printed_expression_parses_back(text: str) -> None:
    try:
        expr = chainsym.parse(text)
    except chainsym.ChainsymError:
        assume(False)
        raise
    again = chainsym.parse(show(expr))
    a, b = chainsym.decompose(again).value, chainsym.decompose(expr).value
    assert a == b or close_at_points(a, b, sorted(a.free_symbols | b.free_symbols, key=str) or [sp.Symbol("x")])


def _near_miss(draw: st.DrawFn) -> str:
    text = draw(EXPRESSIONS)
    edits = draw(st.lists(st.tuples(st.integers(0, max(0, len(text))), st.sampled_from(
        list("()+-*/^,.=;$'\"[]{}_ 0123456789xyzeï\x00\x1b") + ["**", "//", "sin", "lambda", "__"])),
        max_size=3))
    for position, piece in edits:
        text = text[:position] + piece + text[position + 1:]
    return text


NEAR_MISSES = st.composite(_near_miss)()


@given(st.one_of(st.text(max_size=200), NEAR_MISSES))
def test_cli_never_shows_a_traceback(text: str) -> None:
    # tidy_ops=1: no timed simplification, so no SIGALRM lands inside hypothesis's own gc hooks
    code, out, err = run(CliRunner(), "diff", text, "--wrt", "x", "--no-verify", "--limit", "tidy_ops=1")
    assert "Traceback" not in err and "internal error" not in err, (text, err)
    assert code in (0, 2), (text, code, err)
    if code == 2:
        assert err.startswith("chainsym: error: ") and len(err.splitlines()) in (1, 3)


@given(EXPRESSIONS)
def test_emitted_python_matches_the_gradient(text: str) -> None:
    """chainsym grad --emit python: the generated value_and_grad gives f and the reverse-mode
    gradient at random points (in floating point, where both are finite)."""
    try:
        graph = chainsym.decompose(text)
        code = chainsym.gradient_code(text, "python")
    except chainsym.ChainsymError:
        assume(False)
        raise
    namespace: dict[str, object] = {}
    exec(compile(code, "<chainsym>", "exec"), namespace)  # chainsym's own output, not user input
    value_and_grad = namespace["value_and_grad"]
    variables = sorted(graph.variables, key=lambda v: v.name)
    gradient = dict(chainsym.diff(text, "all", mode="reverse", verify=False, limits=UNTIMED).reverse.gradient) \
        if variables else {}
    rng = random.Random(text)
    checked = 0
    for _ in range(30):
        point = {v: mpmath.mpf(f"{rng.uniform(-2.5, 2.5):.3f}") for v in variables}
        want = [_value(graph.value, point, real=True)] + [_value(gradient[v], point) for v in variables]
        if any(w is None for w in want):
            continue
        try:
            got_value, got_gradient = value_and_grad(*(float(point[v]) for v in variables))  # type: ignore[operator]
        except (ValueError, ZeroDivisionError, OverflowError):
            continue  # math's domain is the double-precision one
        got = [got_value, *got_gradient]
        if not all(isinstance(g, (int, float)) and abs(g) < 1e12 for g in got):
            continue
        for g, w in zip(got, want, strict=False):
            assert abs(g - float(w.real if isinstance(w, mpmath.mpc) else w)) <= 1e-7 * max(1, abs(g)), (text, point, got, want)
        checked += 1
        if checked == 3:
            break
    assume(checked > 0)  # an example with no point in its domain checks nothing: it does not count (and
    # hypothesis fails the property as unsatisfiable if too many examples check nothing)
