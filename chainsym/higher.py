"""Higher order: nth derivatives, order by order, and Hessians by forward-over-reverse.

The Hessian takes the gradient from one backpropagation sweep, decomposes all its components
into one graph (they share most of their structure), and runs the total-derivative rule over
that graph once per variable: row j of that pass gives every ∂²f/∂xᵢ∂xⱼ at once.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from . import bounded
from .errors import UsageError
from .forward import forward
from .functions import rewrite_primitives
from .graph import decompose_all
from .limits import DEFAULT_LIMITS, Limits
from .model import Derivation, ForwardPass, Graph, Verification
from .tidy import tidy_all
from .numeric import NotANumber, evaluate_all, finite
from .verify import ATTEMPTS, POINTS, RELATIVE_TOLERANCE, compare, draw

MAX_ORDER = 12
"""highest order --order accepts (each order's expression can double in size)"""


@dataclass(frozen=True)
class Orders:
    """The nth derivative as n derivations, each differentiating the previous result, and the
    verdict on the last against sympy.diff(f, x, n)."""

    orders: tuple[Derivation, ...]
    verification: Verification | None
    at: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()
    value: sp.Expr | None = None
    """the nth derivative at the point `at`, exactly"""


@dataclass(frozen=True)
class Hessian:
    """∂²f/∂xᵢ∂xⱼ by forward mode over the gradient's graph, with the passes that found it."""

    derivation: Derivation
    """f's gradient by backpropagation"""
    gradient_graph: Graph
    outputs: tuple[sp.Basic, ...]
    """the operand of each gradient component in gradient_graph"""
    passes: tuple[ForwardPass, ...]
    """one forward pass over gradient_graph per variable"""
    matrix: sp.Matrix
    symmetric: bool
    """whether every mixed partial ∂²f/∂xᵢ∂xⱼ equals ∂²f/∂xⱼ∂xᵢ as computed (identical, or at
    random points: the two come from different forward passes)"""
    verification: Verification | None


def nth(first: Derivation, order: int, differentiate, verify: bool, limits: Limits = DEFAULT_LIMITS  # type: ignore[no-untyped-def]
        ) -> Orders:
    """Orders 2..n by differentiating each result again (differentiate(expr) → Derivation); the
    caller has checked 1 ≤ order ≤ MAX_ORDER before any work."""
    if len(first.wrt) != 1:
        raise UsageError("--order differentiates by one variable: choose it with --wrt")
    orders = [first]
    for _ in range(order - 1):
        orders.append(differentiate(orders[-1].results[0]))
    check = None
    if verify:
        x = first.wrt[0]
        try:
            expected = bounded.run(lambda: sp.diff(rewrite_primitives(first.graph.value), x, order), limits.verify_seconds)
        except bounded.Unavailable as exc:
            check = Verification("skipped", "none", f"sympy.diff(f, {x}, {order}) did not finish ({str(exc)[:40]})",
                                 f"sympy.diff(f, {x}, {order})")
        else:
            variables = first.graph.variables or (x,)
            verdict = compare(orders[-1].results[0], expected, variables, limits, first.graph.value)
            check = Verification(verdict.status, verdict.method, verdict.detail, f"sympy.diff(f, {x}, {order})",
                                 verdict.points, verdict.tolerance)
    return Orders(tuple(orders), check)


def hessian(d: Derivation, verify: bool = True, limits: Limits = DEFAULT_LIMITS) -> Hessian:
    """Forward-over-reverse: d holds f's gradient by backpropagation (d.results, in d.wrt order)."""
    variables = d.wrt
    graph, outputs = decompose_all(tuple(d.results), limits)
    passes = tuple(forward(graph, x) for x in variables)
    rows = []
    for out in outputs:
        row = []
        for x, fp in zip(variables, passes):
            totals = {step.node.symbol: step.total for step in fp.steps}
            row.append(totals.get(out, sp.Integer(1) if out == x else sp.Integer(0)))
        rows.append(row)
    n = len(variables)
    entries = list(tidy_all([e for row in rows for e in row], limits))
    matrix = sp.Matrix(n, n, entries)
    symmetric = _symmetric(matrix, d.graph.variables)
    check = _verify(d.graph.value, variables, matrix, d.graph.variables, limits) if verify else None
    return Hessian(d, graph, outputs, passes, matrix, symmetric, check)


def _symmetric(matrix: sp.Matrix, variables: Sequence[sp.Symbol]) -> bool:
    """Every entry equals its mirror: identical, or equal at random points where all are finite
    (the whole matrix evaluated at once over its shared DAG)."""
    n = matrix.shape[0]
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n) if matrix[i, j] != matrix[j, i]]
    if not pairs:
        return True
    rng = random.Random(20261122)
    checked = 0
    for _ in range(ATTEMPTS):
        point = draw(rng, variables, "real")
        try:
            values = evaluate_all(list(matrix), point)
        except (NotANumber, ZeroDivisionError, OverflowError, ValueError):
            continue
        if not all(finite(v) for v in values):
            continue
        for i, j in pairs:
            a, b = values[i * n + j], values[j * n + i]
            if abs(a - b) > RELATIVE_TOLERANCE * max(1, abs(a), abs(b)):
                return False
        checked += 1
        if checked == POINTS:
            return True
    return False


def _verify(expr: sp.Expr, wrt: Sequence[sp.Symbol], ours: sp.Matrix, variables: Sequence[sp.Symbol],
            limits: Limits) -> Verification:
    """Entry by entry against sympy.hessian."""
    try:
        expected = bounded.run(lambda: sp.hessian(rewrite_primitives(expr), list(wrt)), limits.verify_seconds)
    except bounded.Unavailable as exc:
        return Verification("skipped", "none", f"sympy.hessian did not finish ({str(exc)[:40]})", "sympy.hessian")
    verdicts = [compare(a, b, variables or wrt, limits, expr) for a, b in zip(ours, expected)]
    bad = [v for v in verdicts if v.status == "mismatch"]
    if bad:
        return Verification("mismatch", bad[0].method, bad[0].detail, "sympy.hessian", bad[0].points, bad[0].tolerance)
    if any(v.status == "skipped" for v in verdicts):
        return Verification("skipped", "none", "some entries could not be compared", "sympy.hessian")
    numeric = [v for v in verdicts if v.status == "numeric"]
    if numeric:
        return Verification("numeric", "numeric", f"all {len(verdicts)} entries equal ({len(numeric)} numerically)",
                            "sympy.hessian", numeric[0].points, numeric[0].tolerance)
    return Verification("proved", "simplify", f"all {len(verdicts)} entries equal symbolically", "sympy.hessian")
