"""The forward and backward passes with numbers: every node's value and every adjoint at a point.

Exact wherever the inputs are (SymPy rationals; sin(2) stays sin(2)), each with a decimal
approximation for reading. A point outside the domain is a clear error, not a complex number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy as sp

from .errors import LimitError, UsageError
from .functions import relu
from .limits import DEFAULT_LIMITS, Limits
from .model import Graph, Point, PointValue
from .parse import approximate, power_digits
from .rules import partials

_KINKS = {relu: "relu'(0) is taken as 0 (the convention PyTorch uses)",
          sp.Abs: "|u|' at 0 is taken as sign(0) = 0"}


def value(exact: sp.Expr) -> PointValue:
    """An exact value and its decimal reading (12 significant digits, no trailing zeros)."""
    if exact.is_Integer:
        return PointValue(exact, str(exact))
    approx = sp.N(exact, 15)
    if approx.is_real and abs(approx) < 1e300:
        return PointValue(exact, f"{float(approx):.12g}")
    return PointValue(exact, sp.sstr(sp.N(exact, 12)))


def at_point(graph: Graph, inputs: Mapping[sp.Symbol, sp.Expr], wrt: Sequence[sp.Symbol],
             learning_rate: sp.Expr | None = None, limits: Limits = DEFAULT_LIMITS) -> Point:
    """Evaluate the graph forward, then backpropagate numbers, at inputs (one value per variable)."""
    missing = [v.name for v in graph.variables if v not in inputs]
    if missing:
        raise UsageError(f"--at gives no value for {', '.join(missing)}")
    val: dict[sp.Basic, sp.Expr] = dict(inputs)
    notes: list[str] = []
    for node in graph.nodes:
        args = [val.get(a, a) for a in node.args]
        if node.op is sp.Pow and power_digits(*args) > limits.max_constant_digits:
            raise LimitError("max_constant_digits",
                             f"at this point {node.name} = {sp.sstr(node.local, order='none')} would be an exact "
                             f"number of about {approximate(power_digits(*args))} digits, more than "
                             f"{limits.max_constant_digits}")
        result = node.op(*args)
        if result.has(sp.zoo, sp.oo, -sp.oo, sp.nan) or result.is_extended_real is False:
            formula = sp.sstr(node.local, order="none")
            here = sp.sstr(node.op(*args, evaluate=False), order="none")
            raise UsageError(f"the function is not defined at this point: {node.name} = {formula} is {here}"
                             f"{'' if here == str(result) else ' = ' + str(result)}, not a finite real number")
        if node.op in _KINKS and args[0] == 0:
            notes.append(f"{node.name} is at its kink: {_KINKS[node.op]}")
        val[node.symbol] = result
    adjoint: dict[sp.Basic, sp.Expr] = {graph.output: sp.Integer(1)}
    edges = []
    for node in reversed(graph.nodes):
        upstream = adjoint.get(node.symbol, sp.Integer(0))
        local_at = {a: val[a] for a in node.args if isinstance(a, sp.Symbol)}
        for p in partials(node):
            local = p.local.xreplace(local_at)
            downstream = upstream * local
            adjoint[p.arg] = adjoint.get(p.arg, sp.Integer(0)) + downstream
            edges.append((node.symbol, p.arg, value(upstream), value(local), value(downstream)))
    gradient = tuple((v, value(adjoint.get(v, sp.Integer(0)))) for v in wrt)
    updates: tuple[tuple[sp.Symbol, PointValue], ...] = ()
    if learning_rate is not None:
        updates = tuple((v, value(inputs.get(v, sp.Integer(0)) - learning_rate * g.exact)) for v, g in gradient)
    order = [n.symbol for n in reversed(graph.nodes)] + list(graph.variables)
    return Point(
        inputs=tuple((v, inputs[v]) for v in graph.variables),
        values=tuple((n.symbol, value(val[n.symbol])) for n in graph.nodes),
        adjoints=tuple((s, value(adjoint.get(s, sp.Integer(0)))) for s in order),
        edges=tuple(edges),
        gradient=gradient,
        learning_rate=learning_rate,
        updates=updates,
        notes=tuple(notes),
    )
