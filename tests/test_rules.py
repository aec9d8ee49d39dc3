"""The rule table: one small test per operation, and refusal for operations without a rule."""

from __future__ import annotations

import pytest
import sympy as sp
from conftest import x, y

from chainsym import UnsupportedOpError, decompose
from chainsym.functions import relu, sigmoid, softplus
from chainsym.rules import local_partial, partials

a, b = sp.symbols("a b", real=True)

CASES = [
    (sp.Add, (a, b, 3), 0, 1),
    (sp.Mul, (2, a, b), 1, 2 * b),
    (sp.Mul, (a, a), 0, a),
    (sp.Pow, (a, 3), 0, 3 * a**2),
    (sp.Pow, (a, b), 0, b * a ** (b - 1)),
    (sp.Pow, (a, b), 1, a**b * sp.log(a)),
    (sp.Pow, (2, a), 1, 2**a * sp.log(2)),
    (sp.sin, (a,), 0, sp.cos(a)),
    (sp.cos, (a,), 0, -sp.sin(a)),
    (sp.tan, (a,), 0, sp.tan(a) ** 2 + 1),
    (sp.exp, (a,), 0, sp.exp(a)),
    (sp.log, (a,), 0, 1 / a),
    (sp.Abs, (a,), 0, sp.sign(a)),
    (sp.sign, (a,), 0, 2 * sp.DiracDelta(a)),
    (sp.asin, (a,), 0, 1 / sp.sqrt(1 - a**2)),
    (sp.atan, (a,), 0, 1 / (a**2 + 1)),
    (sp.tanh, (a,), 0, 1 - sp.tanh(a) ** 2),
    (sp.atan2, (a, b), 0, b / (a**2 + b**2)),
    (sp.Max, (a, b), 0, sp.Heaviside(a - b)),
    (sp.Min, (a, b), 1, sp.Heaviside(a - b)),
    (sigmoid, (a,), 0, sigmoid(a) * (1 - sigmoid(a))),
    (relu, (a,), 0, sp.Heaviside(a, 0)),
    (softplus, (a,), 0, sigmoid(a)),
]


@pytest.mark.parametrize("op, args, i, expected", CASES, ids=[f"{c[0].__name__}-{c[2]}" for c in CASES])
def test_local_partial(op: type, args: tuple[sp.Expr, ...], i: int, expected: sp.Expr) -> None:
    assert sp.simplify(local_partial(op, args, i) - expected) == 0


def test_repeated_argument_sums_its_slots() -> None:
    (p,) = partials(decompose("x*x").nodes[0])
    assert p.positions == (0, 1) and p.local == 2 * x


def test_partials_skip_constants() -> None:
    (p,) = partials(decompose("3*x").nodes[0])
    assert (p.arg, p.local) == (x, 3)


def test_relu_has_derivative_zero_at_its_kink() -> None:
    assert local_partial(relu, (a,), 0).subs(a, 0) == 0


def test_undefined_function_is_unsupported() -> None:
    f = sp.Function("f")
    with pytest.raises(UnsupportedOpError) as info:
        local_partial(f, (a,), 0)
    assert str(info.value) == "no derivative rule for the operation 'f'"


def test_function_without_fdiff_is_unsupported() -> None:
    with pytest.raises(UnsupportedOpError, match="'floor'"):
        partials(decompose(sp.floor(x) + y).nodes[0])
