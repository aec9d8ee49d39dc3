"""Generated code (chainsym grad --emit): it runs, matches sympy.diff, and stays within the
cheap-gradient bound (at most 4x f's operations) at two sizes of every benchmark family."""

from __future__ import annotations

import ctypes
import math
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner
from conftest import run

import chainsym
from chainsym.emit import emit, gradient_program, operations

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from families import FAMILIES  # noqa: E402

SIZES = {"a": (20, 40), "b1": (10, 20), "b2": (10, 20), "c": (20, 40), "d": (13, 25), "e": (10, 20)}
NODES = {  # the graph's node count at the two sizes: linear in the size on every family
    "a": (20, 40), "b1": (21, 41), "b2": (20, 40), "c": (1, 1), "d": (17, 31), "e": (36, 55)}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_cheap_gradient_bound_and_linear_graph(family: str) -> None:
    counts, ratios = [], []
    for size in SIZES[family]:
        expr, _ = FAMILIES[family][1](size)
        graph = chainsym.decompose(expr)
        program = gradient_program(graph)
        f_ops = operations(program.forward)
        ratios.append(operations(program.forward + program.backward) / f_ops)
        counts.append(len(graph.nodes))
    assert tuple(counts) == NODES[family]
    assert all(1 < r <= 4 for r in ratios), ratios


def _namespace(code: str) -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec(compile(code, "<chainsym>", "exec"), namespace)  # the test runs chainsym's output, not user input
    return namespace


def _expected(expr: sp.Expr, variables: list[sp.Symbol], point: dict[sp.Symbol, float]) -> tuple[float, list[float]]:
    value = float(expr.evalf(30, subs=point))
    return value, [float(sp.diff(expr, v).evalf(30, subs=point)) for v in variables]


CASES = {
    "sin(x+x^2)": {"x": 0.7},
    "(W2*tanh(W1*x + b1) + b2 - y)^2": {"W1": 0.3, "W2": -1.2, "b1": 0.1, "b2": 0.5, "x": 2.0, "y": 1.5},
    "sigmoid(w*x + b) + relu(x - 1) + e^x*y/(1 + z^2)": {"b": 0.2, "w": -0.4, "x": 1.7, "y": 3.0, "z": 0.5},
    "x1*x2*x3*x4*x5": {f"x{i}": 0.5 + i / 10 for i in range(1, 6)},
    "log(1 + x^2)*atan(y) - sqrt(x^2 + y^2 + 1)": {"x": -0.8, "y": 1.3},
}


@pytest.mark.parametrize("text", sorted(CASES))
def test_python_matches_sympy(text: str) -> None:
    expr = chainsym.parse(text)
    point = {sp.Symbol(k, real=True): v for k, v in CASES[text].items()}
    variables = sorted(point, key=lambda s: s.name)
    code = chainsym.gradient_code(text, "python")
    value, gradient = _namespace(code)["value_and_grad"](*(point[v] for v in variables))  # type: ignore[operator]
    want_value, want_gradient = _expected(expr, variables, point)
    assert value == pytest.approx(want_value, rel=1e-12)
    assert gradient == pytest.approx(want_gradient, rel=1e-10, abs=1e-12)


def test_numpy_vectorises() -> None:
    numpy = pytest.importorskip("numpy")
    text = "(W2*tanh(W1*x + b1) + b2 - y)^2"
    value_and_grad = _namespace(chainsym.gradient_code(text, "numpy"))["value_and_grad"]
    rng = random.Random(7)
    points = [{k: rng.uniform(-2, 2) for k in CASES[text]} for _ in range(4)]
    names = sorted(CASES[text])
    value, gradient = value_and_grad(*(numpy.array([p[n] for p in points]) for n in names))  # type: ignore[operator]
    scalar = _namespace(chainsym.gradient_code(text, "python"))["value_and_grad"]
    for i, p in enumerate(points):
        want_value, want_gradient = scalar(*(p[n] for n in names))  # type: ignore[operator]
        assert value[i] == pytest.approx(want_value, rel=1e-12)
        assert [g[i] for g in gradient] == pytest.approx(want_gradient, rel=1e-12)


@pytest.mark.skipif(shutil.which("gcc") is None and shutil.which("cc") is None, reason="no C compiler")
@pytest.mark.parametrize("text", sorted(CASES))
def test_c_compiles_and_matches(text: str, tmp_path: Path) -> None:
    source = tmp_path / "grad.c"
    source.write_text(chainsym.gradient_code(text, "c"), encoding="utf-8")
    library = tmp_path / "grad.so"
    compiler = shutil.which("gcc") or shutil.which("cc")
    subprocess.run([compiler, "-std=c99", "-Wall", "-Werror", "-O1", "-shared", "-fPIC", str(source), "-o",
                    str(library), "-lm"], check=True, capture_output=True, timeout=120)
    function = ctypes.CDLL(str(library)).value_and_grad
    function.restype = ctypes.c_double
    names = sorted(CASES[text])
    inputs = (ctypes.c_double * len(names))(*(CASES[text][n] for n in names))
    grad = (ctypes.c_double * len(names))()
    value = function(inputs, grad)
    scalar = _namespace(chainsym.gradient_code(text, "python"))["value_and_grad"]
    want_value, want_gradient = scalar(*(CASES[text][n] for n in names))  # type: ignore[operator]
    assert value == pytest.approx(want_value, rel=1e-12)
    assert list(grad) == pytest.approx(want_gradient, rel=1e-12)


def test_families_emit_code_that_matches_the_graph() -> None:
    """The logistic map at 30 steps (a tree of 10^14 nodes as SymPy writes it): emitted code vs chainsym's
    own reverse mode, evaluated at the same point."""
    expr, variables = FAMILIES["b1"][1](30)
    code = emit(gradient_program(chainsym.decompose(expr)), "python")
    value, gradient = _namespace(code)["value_and_grad"](0.3)  # type: ignore[operator]
    u, du = 0.3, 1.0
    for _ in range(30):
        u, du = 3.5 * u * (1 - u), 3.5 * (1 - 2 * u) * du
    assert value == pytest.approx(u, rel=1e-9) and gradient[0] == pytest.approx(du, rel=1e-9)


def test_emitted_python_header_and_signature(runner: CliRunner) -> None:
    code, out, err = run(runner, "grad", "(w*x + b - y)^2", "--emit", "python")
    assert (code, err) == (0, "")
    assert out == """\
# value and gradient of f = (w*x + b - y)^2
# inputs, in sorted name order: b, w, x, y
# operations: f 5, f and its gradient 10 (2.00x); generated by chainsym (reverse mode)
import math

def value_and_grad(b, w, x, y):
    u1 = w*x
    u2 = -y
    u3 = b + u1 + u2
    u4 = u3**2
    g_u4 = 1
    g_u3 = g_u4*(2*u3)
    g_u2 = g_u3
    g_u1 = g_u3
    g_b = g_u3
    g_w = g_u1*x
    g_x = g_u1*w
    g_y = -g_u2
    return u4, [g_b, g_w, g_x, g_y]
"""


def test_names_that_are_keywords_are_renamed() -> None:
    code = chainsym.gradient_code("z = double * lambda_", "c")
    assert "const double double_ = in[0];" in code


def test_unknown_target_is_a_usage_error(runner: CliRunner) -> None:
    code, out, err = run(runner, "grad", "x", "--emit", "fortran")
    assert (code, out) == (2, "")
    assert err.startswith("chainsym: error: Invalid value for '--emit': 'fortran' is not one of")


def test_functions_without_a_library_function_are_refused(runner: CliRunner) -> None:
    code, out, err = run(runner, "grad", "gamma(x)", "--emit", "c")
    assert (code, out) == (2, "")
    assert err == "chainsym: error: --emit c: C's math.h has no function for polygamma, which the gradient needs\n"


def test_a_constant_function_still_gets_its_helpers() -> None:
    """Found by the property test: f = sigmoid(sin(2)) has no node, yet its value needs the helper."""
    code = chainsym.gradient_code("-(-(sigmoid(sin(2))))", "python")
    value, gradient = _namespace(code)["value_and_grad"]()  # type: ignore[operator]
    assert value == pytest.approx(1 / (1 + math.exp(-math.sin(2))), rel=1e-12) and gradient == []


def test_a_gradient_needing_an_infinite_constant_is_refused(runner: CliRunner) -> None:
    """Found by the property test: d(0**x)/dx = 0**x·log(0)."""
    code, out, err = run(runner, "grad", "-(((2)-(2))^(x))", "--emit", "python")
    assert (code, out) == (2, "")
    assert err == ("chainsym: error: the derivative of u1 = 0**x with respect to x is undefined (0**x*zoo): "
                   "0**x has no derivative there\n")


def test_names_the_compiler_or_printer_reserves_are_renamed(tmp_path: Path) -> None:
    """Found by the property test with colliding names: C's `entry` (which SymPy's printer renamed in
    every use but not in its declaration), `_Generic` (a C11 keyword), `HUGE_VALF` (a <math.h>
    macro) and, in gcc's default GNU dialect, `linux` and `unix` (macros for 1) and `asm` (a keyword)."""
    text = "entry*linux + unix*_Generic + asm*HUGE_VALF + nullptr + M_PI_2 + sin(x)"
    code = chainsym.gradient_code(text, "c")
    assert "const double entry_ = in[4];" in code and "const double linux_ = in[5];" in code
    assert "const double _Generic_ = in[2];" in code and "grad[4] = g_entry_;" in code
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        pytest.skip("no C compiler (cc, gcc or clang) on PATH")
    (tmp_path / "grad.c").write_text(code, encoding="utf-8")
    for dialect in ([], ["-std=c99"]):  # the compiler's default (GNU C) and C99
        library = tmp_path / f"grad{len(dialect)}.so"
        subprocess.run([compiler, *dialect, "-Wall", "-Werror", "-shared", "-fPIC", str(tmp_path / "grad.c"), "-o",
                        str(library), "-lm"], check=True, capture_output=True, timeout=120)
        function = ctypes.CDLL(str(library)).value_and_grad
        function.restype = ctypes.c_double
        point = [0.1 * k for k in range(1, 10)]  # HUGE_VALF M_PI_2 _Generic asm entry linux nullptr unix x
        grad = (ctypes.c_double * 9)()
        value = function((ctypes.c_double * 9)(*point), grad)
        scalar = _namespace(chainsym.gradient_code(text, "python"))["value_and_grad"]
        want_value, want_gradient = scalar(*point)  # type: ignore[operator]
        assert value == pytest.approx(want_value, rel=1e-12)
        assert list(grad) == pytest.approx(want_gradient, rel=1e-12)
