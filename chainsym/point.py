"""The forward and backward passes with numbers: every node's value and every adjoint at a point.

Two clients of the one sweep: values carried forward (each node's operation applied to its
arguments' values), then adjoints carried backward (upstream × the local partial at the point).
Exact wherever the inputs are (SymPy rationals; sin(2) stays sin(2)), each with a decimal
reading. A point outside the domain is a clear error naming the node, not a complex number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import sympy as sp

from .errors import UsageError
from .exact import exact_value, finite_value, reading
from .functions import relu
from .limits import DEFAULT_LIMITS, Limits
from .model import Graph, Node, Point, PointValue
from .rules import local_at
from .sweep import Carried, Edge, sweep
from .work import Budget

_KINKS = {relu: "relu'(0) is taken as 0 (the convention PyTorch uses)",
          sp.Abs: "|u|' at 0 is taken as sign(0) = 0",
          sp.sign: "sign'(0) is taken as 0", sp.Heaviside: "the step's derivative at 0 is taken as 0"}


def value(exact: sp.Expr) -> PointValue:
    """An exact value and its decimal reading (12 significant digits, no trailing zeros)."""
    return PointValue(exact, reading(exact))


class Values:
    """Forward: each node's value from its arguments' values, checked to be a finite real number."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.notes: list[str] = []

    def term(self, edge: Edge, source: sp.Expr) -> sp.Expr:
        return source

    def combine(self, target: sp.Symbol, node: Node | None, carried: Sequence[Carried[sp.Expr]]) -> sp.Expr:
        assert node is not None
        known = {c.edge.arg: c.source for c in carried}
        args = tuple(known.get(a, a) for a in node.args)
        result = exact_value(node, args, self.limits)
        if node.op in _KINKS and any(a == 0 for a in args[:1]):
            self.notes.append(f"{node.name} is at its kink: {_KINKS[node.op]}")
        return result

    def live(self, total: sp.Expr) -> bool:
        return True


class NumericAdjoints:
    """Backward: upstream × the local partial at the point, summed over the consumers."""

    def __init__(self, values: Mapping[sp.Symbol, sp.Expr], limits: Limits) -> None:
        self.values = values
        self.limits = limits
        self.locals: dict[tuple[sp.Symbol, sp.Symbol], sp.Expr] = {}
        self.notes: list[str] = []

    def local(self, edge: Edge) -> sp.Expr:
        key = (edge.consumer.symbol, edge.arg)
        if key not in self.locals:
            node = edge.consumer
            at = {a: self.values[a] for a in node.args if isinstance(a, sp.Symbol)}
            here, note = local_at(edge.partial, node.op, node.args, at)
            if note:
                self.notes.append(f"∂{node.name}/∂{edge.arg.name}: {note}")
            what = f"∂{node.name}/∂{edge.arg.name} = {sp.sstr(edge.partial.local)} (for {node.name} = " \
                   f"{sp.sstr(node.local, order='none')})"
            self.locals[key] = finite_value(here, what, self.limits)
        return self.locals[key]

    def term(self, edge: Edge, source: sp.Expr) -> sp.Expr:
        return finite_value(source * self.local(edge), f"the adjoint of {edge.arg.name}", self.limits)

    def combine(self, target: sp.Symbol, node: Node | None, carried: Sequence[Carried[sp.Expr]]) -> sp.Expr:
        return finite_value(sp.Add(*(c.term for c in carried)), f"the adjoint of {target.name}", self.limits)

    def live(self, total: sp.Expr) -> bool:
        return True


class NumericTangents:
    """Forward mode with numbers: local ∂c/∂a at the point × the incoming tangent da/dx, summed over
    the arguments (the locals are the backward pass's, computed once)."""

    def __init__(self, adjoints: NumericAdjoints, wrt: sp.Symbol, limits: Limits) -> None:
        self.adjoints, self.wrt, self.limits = adjoints, wrt, limits

    def term(self, edge: Edge, source: sp.Expr) -> sp.Expr:
        what = f"∂{edge.consumer.name}/∂{edge.arg.name} · d{edge.arg.name}/d{self.wrt.name}"
        return finite_value(self.adjoints.local(edge) * source, what, self.limits)

    def combine(self, target: sp.Symbol, node: Node | None, carried: Sequence[Carried[sp.Expr]]) -> sp.Expr:
        return finite_value(sp.Add(*(c.term for c in carried)), f"d{target.name}/d{self.wrt.name}", self.limits)

    def live(self, total: sp.Expr) -> bool:
        return True


Tangents = tuple[tuple[tuple[sp.Symbol, sp.Symbol, PointValue], ...],
                 tuple[tuple[sp.Symbol, sp.Symbol, sp.Symbol, PointValue, PointValue, PointValue], ...]]


def _tangents(graph: Graph, adjoints: NumericAdjoints, local: Callable[[Edge], PointValue],
              variables: Sequence[sp.Symbol], limits: Limits, budget: Budget | None) -> Tangents:
    """du/dx at the point for every node and each x, with the terms that make it up."""
    totals, edges = [], []
    for x in variables:
        for v in sweep(graph, NumericTangents(adjoints, x, limits), {x: sp.Integer(1)}, budget=budget):
            if v.total is None:
                continue
            totals.append((x, v.target, value(v.total)))
            edges += [(x, v.target, c.edge.arg, local(c.edge), value(c.source), value(c.term)) for c in v.carried]
    return tuple(totals), tuple(edges)


def at_point(graph: Graph, inputs: Mapping[sp.Symbol, sp.Expr], wrt: Sequence[sp.Symbol],
             learning_rate: sp.Expr | None = None, limits: Limits = DEFAULT_LIMITS,
             budget: Budget | None = None, data: Sequence[sp.Symbol] = (),
             forward_wrt: Sequence[sp.Symbol] = ()) -> Point:
    """Evaluate the graph forward, then backpropagate numbers, at inputs (one value per variable);
    for each variable in `forward_wrt`, the forward-mode tangents du/dx too. With a learning rate, the
    gradient-descent step for every variable in wrt that is not data."""
    missing = [v.name for v in graph.variables if v not in inputs]
    if missing:
        raise UsageError(f"«at» gives no value for {', '.join(missing)}", param="at")
    values_flow = Values(limits)
    forward = sweep(graph, values_flow, dict(inputs), budget=budget)
    val: dict[sp.Symbol, sp.Expr] = dict(inputs)
    val.update((v.target, v.total) for v in forward if v.total is not None)
    adjoints_flow = NumericAdjoints(val, limits)
    seeds = {graph.output: sp.Integer(1)} if isinstance(graph.output, sp.Symbol) else {}
    backward = sweep(graph, adjoints_flow, seeds, backward=True, budget=budget)
    adjoint = {v.target: v.total if v.total is not None else sp.Integer(0) for v in backward}
    readings: dict[Edge, PointValue] = {}

    def local(edge: Edge) -> PointValue:
        """An edge's local partial at the point, read once for the backward pass and every tangent."""
        if edge not in readings:
            readings[edge] = value(adjoints_flow.local(edge))
        return readings[edge]

    edges = tuple((c.edge.consumer.symbol, c.edge.arg, value(c.source), local(c.edge), value(c.term))
                  for v in reversed(backward) for c in v.carried)
    edges = _by_consumer(edges, graph)
    gradient = tuple((v, value(adjoint.get(v, sp.Integer(0)))) for v in wrt)
    tangents, tangent_edges = _tangents(graph, adjoints_flow, local, forward_wrt, limits, budget)
    updates: tuple[tuple[sp.Symbol, PointValue], ...] = ()
    if learning_rate is not None:
        updates = tuple((v, value(inputs.get(v, sp.Integer(0)) - learning_rate * g.exact))
                        for v, g in gradient if v not in data)
    return Point(
        inputs=tuple((v, inputs[v]) for v in graph.variables),
        values=tuple((n.symbol, value(val[n.symbol])) for n in graph.nodes),
        adjoints=tuple((v.target, value(adjoint[v.target])) for v in backward),
        edges=edges,
        gradient=gradient,
        learning_rate=learning_rate,
        updates=updates,
        notes=tuple(dict.fromkeys(values_flow.notes + adjoints_flow.notes)),
        tangents=tangents,
        tangent_edges=tangent_edges,
    )


def _by_consumer(edges: tuple[tuple[sp.Symbol, sp.Symbol, PointValue, PointValue, PointValue], ...],
                 graph: Graph) -> tuple[tuple[sp.Symbol, sp.Symbol, PointValue, PointValue, PointValue], ...]:
    """The edges in backward order of their consumers (the order backpropagation takes them)."""
    rank = {n.symbol: i for i, n in enumerate(graph.nodes)}
    return tuple(sorted(edges, key=lambda e: -rank[e[0]]))


__all__ = ["at_point", "value"]
