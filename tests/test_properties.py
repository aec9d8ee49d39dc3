"""Property-based checks with hypothesis over generated expressions.

Properties: forward = reverse = sympy.diff (numerically, at random points of the domain);
parsing the printed expression gives the same expression back; the CLI never shows a traceback,
whatever the text; the emitted Python, and the emitted C compiled, give f and chainsym's gradient,
also when the variables are named like chainsym's own names or the languages' reserved ones. The
default profile runs in the normal suite; the long one runs 10,000 examples per property (the C
property: a twentieth as many, each a batch of up to 8 expressions compiled together):
python -m pytest tests/test_properties.py --hypothesis-profile=long
"""

from __future__ import annotations

import ctypes
import itertools
import random
import re
import shutil
import subprocess
from pathlib import Path

import mpmath
import pytest
import sympy as sp
from click.testing import CliRunner
from conftest import close_at_points, run
from hypothesis import HealthCheck, assume, given, settings
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
        b = chainsym.decompose(expr).value
    except chainsym.ChainsymError:  # also: undefined for every value, found only by the graph (atanh(x/x) = oo)
        assume(False)
        raise
    again = chainsym.parse(show(expr))
    a = chainsym.decompose(again).value  # what the graph takes from the text, it takes from the printed text
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


def _emitted_python(text: str) -> tuple[chainsym.Graph, str]:
    """The graph of text and its emitted Python; an input chainsym refuses is not an example."""
    try:
        return chainsym.decompose(text), chainsym.gradient_code(text, "python")
    except chainsym.ChainsymError:
        assume(False)
        raise


@given(EXPRESSIONS)
def test_emitted_python_matches_the_gradient(text: str) -> None:
    """chainsym grad --emit python: the generated value_and_grad gives f and the reverse-mode
    gradient at random points (in floating point, where both are finite)."""
    graph, code = _emitted_python(text)
    checked = _python_matches(text, code, graph)
    assume(len(checked) > 0)  # an example with no point in its domain checks nothing: it does not count (and
    # hypothesis fails the property as unsatisfiable if too many examples check nothing)


Checked = list[tuple[dict[sp.Symbol, mpmath.mpf], list[object]]]
"""points where the emitted code was checked, each with f and the gradient there (30 digits)"""


def _python_matches(text: str, code: str, graph: chainsym.Graph) -> Checked:
    """Runs the emitted Python at random points where f and chainsym's reverse-mode gradient are finite,
    asserts that it agrees with them, and returns up to 3 points checked."""
    namespace: dict[str, object] = {}
    exec(compile(code, "<chainsym>", "exec"), namespace)  # chainsym's own output, not user input
    value_and_grad = namespace["value_and_grad"]
    variables = sorted(graph.variables, key=lambda v: v.name)
    gradient = dict(chainsym.diff(text, "all", mode="reverse", verify=False, limits=UNTIMED).reverse.gradient) \
        if variables else {}
    rng = random.Random(text)
    checked: Checked = []
    for _ in range(30):
        point = {v: mpmath.mpf(f"{rng.uniform(-2.5, 2.5):.3f}") for v in variables}
        value = _value(graph.value, point, real=True)  # the real domain: every part of f real
        if value is None:
            continue
        want = [value] + [_value(gradient[v], point) for v in variables]
        if any(w is None for w in want):
            continue
        try:
            got_value, got_gradient = value_and_grad(*(float(point[v]) for v in variables))  # type: ignore[operator]
        except (ValueError, ZeroDivisionError, OverflowError):
            continue  # math's domain is the double-precision one
        got = [got_value, *got_gradient]
        if not _usable(got):
            continue
        _assert_close(got, want, (text, "python", point))
        checked.append((point, want))
        if len(checked) == 3:
            break
    return checked


def _usable(got: list[object]) -> bool:
    """Finite numbers of a size double precision holds to 1e-7 (far past it, f's own rounding dominates)."""
    return all(isinstance(g, (int, float)) and abs(g) < 1e12 for g in got)


def _assert_close(got: list[object], want: list[object], context: tuple[object, ...]) -> None:
    for g, w in zip(got, want, strict=True):
        exact = float(w.real if isinstance(w, mpmath.mpc) else w)  # type: ignore[arg-type]
        assert abs(g - exact) <= 1e-7 * max(1, abs(g)), (*context, got, want)  # type: ignore[operator]


# Variables named like what chainsym generates (intermediates u1, running products u1_p1, adjoints g_u1,
# renamed inputs x_) or what the emitted code and its languages reserve (modules, helpers, builtins,
# C keywords of every standard, <math.h> macros, the compiler's own macros): every one must be renamed
# where it would clash, the same way in every statement, and no generated name may take a user's.
COLLIDING_NAMES = [
    "x", "y", "x_", "g_x", "g_x_", "g_y", "a", "g_a", "grad_a", "adj_a", "bar_a", "grad", "value_and_grad", "in_",
    "u1", "u2", "u3", "u1_", "v1", "w1", "q1", "node1", "t1", "f", "u1_p1", "u1_p2", "u1_s2", "u2_p1", "g_u1",
    "math", "math_", "numpy", "_sigmoid", "_relu", "_softplus", "_step", "sigmoid_", "relu_", "softplus_", "step_",
    "pow", "fabs", "fmax", "fmin", "float", "int", "double", "print", "exec", "main", "exit", "printf", "entry",
    "NAN", "INFINITY", "HUGE_VAL", "HUGE_VALF", "M_PI", "M_E", "errno", "linux", "unix", "asm", "typeof",
    "nullptr", "constexpr", "_Bool", "_Bool_", "_Generic", "_Complex", "_Float64", "E"]
CLUSTERS = [  # names that only collide together
    ["u1", "v1", "w1", "q1", "node1"], ["x", "x_", "g_x", "g_x_"], ["u1", "u1_p1", "u1_p2", "g_u1", "u2"],
    ["math", "math_", "numpy", "x"], ["pow", "pow_", "pow__", "g_pow_"], ["_sigmoid", "sigmoid_", "_relu", "relu_"]]


SHAPES = st.recursive(st.sampled_from(["@0", "@0", "@1", "@2", "@3", "2", "1/2", "pi"]), _combine, max_leaves=8)
"""the EXPRESSIONS shape over slots @0..@3 for names"""


@st.composite
def _colliding(draw: st.DrawFn) -> str:
    """An expression of the EXPRESSIONS shape over a few colliding names."""
    names = draw(st.one_of(st.lists(st.sampled_from(COLLIDING_NAMES), min_size=1, max_size=4, unique=True),
                           st.sampled_from(CLUSTERS)))
    return re.sub(r"@(\d)", lambda m: names[int(m.group(1)) % len(names)], draw(SHAPES))


COLLIDING = _colliding()


@given(COLLIDING)
def test_emitted_python_with_colliding_names_matches_the_gradient(text: str) -> None:
    """Variables named like chainsym's own names or the target languages' reserved ones: the emitted
    Python still computes f and the gradient."""
    graph, code = _emitted_python(text)
    assume(len(_python_matches(text, code, graph)) > 0)


C_COMPILER = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
_batches = itertools.count()


@pytest.mark.skipif(C_COMPILER is None, reason="no C compiler (cc, gcc or clang) on PATH: the emitted C cannot be run")
@settings(max_examples=max(10, settings.default.max_examples // 20),  # a compilation each: a batch per example
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(texts=st.lists(COLLIDING, min_size=1, max_size=8))
def test_emitted_c_with_colliding_names_matches_the_gradient(texts: list[str], tmp_path: Path) -> None:
    """The same for the emitted C, compiled (the compiler's default dialect, in which `linux`, `unix` and
    `M_PI` are macros and `asm` a keyword; -Wall -Werror) into one shared library per batch of
    expressions and called through ctypes at the points where the emitted Python agreed."""
    cases: list[tuple[str, str, int, Checked]] = []
    for text in texts:
        try:
            graph = chainsym.decompose(text)
            python, c = chainsym.gradient_code(text, "python"), chainsym.gradient_code(text, "c")
        except chainsym.ChainsymError:
            continue  # also: C's math.h has no function the gradient needs (polygamma, for gamma)
        checked = _python_matches(text, python, graph)
        if checked:
            cases.append((text, c, len(graph.variables), checked))
    assume(cases)
    build = tmp_path / f"batch{next(_batches)}"
    build.mkdir()
    units = []
    for k, (_, c, _, _) in enumerate(cases):
        (build / f"grad{k}.c").write_text(c, encoding="utf-8")
        units.append(build / f"unit{k}.c")  # chainsym's file as it is, its function renamed for the batch
        units[-1].write_text(f'#define value_and_grad value_and_grad_{k}\n#include "grad{k}.c"\n', encoding="utf-8")
    library = build / "grad.so"
    compiled = subprocess.run([C_COMPILER, "-Wall", "-Werror", "-shared", "-fPIC", *map(str, units), "-o",  # type: ignore[list-item]
                               str(library), "-lm"], capture_output=True, text=True, timeout=300)
    assert compiled.returncode == 0, (texts, compiled.stderr[:3000])
    loaded = ctypes.CDLL(str(library))
    for k, (text, _, n, checked) in enumerate(cases):
        function = getattr(loaded, f"value_and_grad_{k}")
        function.restype = ctypes.c_double
        for point, want in checked:
            inputs = (ctypes.c_double * n)(*(float(point[v]) for v in sorted(point, key=lambda v: v.name)))
            grad = (ctypes.c_double * n)()
            value = function(inputs, grad)
            got: list[object] = [value, *grad]
            assert _usable(got), (text, "c", point, got, want)  # finite where the emitted Python was
            _assert_close(got, want, (text, "c", point))
