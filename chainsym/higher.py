"""Higher order: nth derivatives, order by order, and Hessians by forward-over-reverse.

The Hessian takes the gradient from one backpropagation sweep, decomposes all its components
into one graph (they share most of their structure), and runs the total-derivative rule over
that graph once per variable: the pass for xⱼ gives every ∂²f/∂xᵢ∂xⱼ at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import sympy as sp

from .canon import canonical_all
from .errors import UsageError
from .forward import forward
from .functions import rewrite_primitives
from .graph import decompose_all
from .limits import Limits
from .model import Verification
from .oracle import directional
from .results import Derivation, Hessian, Orders
from .sampling import question, seed_of
from .verdict import combine, compare
from .walk import Substituter, tree_size
from .work import Budget

MAX_ORDER = 12
"""highest order accepted (each order's expression can double in size)"""
ORDER_ORACLE_TREE = 2_000
"""sympy.diff(f, x, n) is the oracle of an nth derivative up to this size of f's tree times n"""


def nth(first: Derivation, order: int, differentiate: Callable[[sp.Expr], Derivation], verify: bool,
        at: Mapping[sp.Symbol, sp.Expr] | None, limits: Limits, budget: Budget) -> Orders:
    """Orders 2..n by differentiating each result again; the last checked against sympy.diff(f, x, n)."""
    orders = [first]
    for _ in range(order - 1):
        budget.check()
        if tree_size(orders[-1].results[0], limits.oracle_tree) > limits.oracle_tree:
            raise UsageError(f"the derivative of order {len(orders)} already has more than {limits.oracle_tree} "
                             f"tree nodes: ask for a lower «order»", param="order")
        orders.append(differentiate(orders[-1].results[0]))
    x = first.wrt[0]
    check = _verify_order(first, orders[-1].results[0], x, order, limits, budget) if verify else None
    if at is None:
        return Orders(tuple(orders), check)
    missing = [v.name for v in first.graph.variables if v not in at]
    if missing:
        raise UsageError(f"«at» gives no value for {', '.join(missing)}", param="at")
    from .exact import finite_value

    value = Substituter(dict(at))(orders[-1].results[0])
    value = finite_value(sp.nsimplify(value) if value.is_Float else value, f"the derivative of order {order}", limits)
    return Orders(tuple(orders), check, tuple(at.items()), value)


def _verify_order(first: Derivation, result: sp.Expr, x: sp.Symbol, order: int, limits: Limits,
                  budget: Budget) -> Verification:
    oracle = f"sympy.diff(f, {x}, {order})"
    f = first.graph.value
    if tree_size(f, ORDER_ORACLE_TREE) * order > ORDER_ORACLE_TREE:
        return Verification("skipped", "none", f"f is too large for {oracle} (more than {ORDER_ORACLE_TREE} tree "
                            "nodes times the order)", oracle)
    expected = sp.diff(rewrite_primitives(f), x, order)
    variables = first.graph.variables or (x,)
    return compare(result, expected, variables, seed=seed_of(question("", f), x.name, str(order)), domain_of=f,
                   oracle=oracle, budget=budget)


def hessian(d: Derivation, verify: bool, at: Mapping[sp.Symbol, sp.Expr] | None, limits: Limits,
            budget: Budget) -> Hessian:
    """Forward-over-reverse: d holds f's gradient by backpropagation (d.results, in d.wrt order)."""
    variables = d.wrt
    taken = tuple(v.name for v in d.graph.variables)
    graph, outputs = decompose_all(tuple(d.results), limits, taken)
    passes = tuple(forward(graph, x, budget) for x in variables)
    rows = []
    for out in outputs:
        row = []
        for x, fp in zip(variables, passes, strict=False):
            totals = {step.node.symbol: step.total for step in fp.steps}
            row.append(totals.get(out, sp.Integer(1) if out == x else sp.Integer(0)))
        rows.append(row)
    n = len(variables)
    matrix = sp.Matrix(n, n, list(canonical_all([e for row in rows for e in row], limits, budget)))
    seed = seed_of(question(d.source, d.expr), "hessian", *(v.name for v in variables))
    symmetric = _symmetric(matrix, d.graph.variables, seed, budget)
    check = _verify(d, variables, matrix, limits, seed, budget) if verify else None
    values = None
    point: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()
    if at is not None:
        from .exact import finite_value

        missing = [v.name for v in d.graph.variables if v not in at]
        if missing:
            raise UsageError(f"«at» gives no value for {', '.join(missing)}", param="at")
        substitute = Substituter(dict(at))
        values = matrix.applyfunc(lambda e: finite_value(substitute(e), "an entry of the Hessian", limits))
        point = tuple(at.items())
    return Hessian(d, graph, outputs, passes, matrix, symmetric, check, point, values)


def _symmetric(matrix: sp.Matrix, variables: Sequence[sp.Symbol], seed: int, budget: Budget) -> bool:
    """Every entry equals its mirror (two different forward passes computed them)."""
    n = matrix.shape[0]
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n) if matrix[i, j] != matrix[j, i]]
    verdicts = [compare(matrix[i, j], matrix[j, i], variables, seed=seed, oracle="the mirror entry", budget=budget)
                for i, j in pairs]
    return all(v.status != "mismatch" for v in verdicts)


def _verify(d: Derivation, wrt: Sequence[sp.Symbol], ours: sp.Matrix, limits: Limits, seed: int,
            budget: Budget) -> Verification:
    """Entry by entry against sympy.hessian when f is small; else each row (the gradient of one
    gradient component) along random directions."""
    f = d.graph.value
    variables = d.graph.variables or tuple(wrt)
    n = len(wrt)
    if tree_size(f, limits.oracle_tree) * n <= limits.oracle_tree:
        expected = sp.hessian(rewrite_primitives(f), list(wrt))
        verdicts = [compare(a, b, variables, seed=seed, domain_of=f, oracle="sympy.hessian", budget=budget)
                    for a, b in zip(ours, expected, strict=False)]
        return combine(verdicts, "entries")
    rows = [directional(g, wrt, list(ours.row(i)), variables, seed, budget) for i, g in enumerate(d.results)]
    return combine(rows, "rows")
