"""The one sweep: quantities carried along the graph's edges, node by node, in topological order
(forward) or in reverse (backward). Every chain-rule computation in chainsym is this loop with a
different Flow: symbolic forward mode (du/dx) and backpropagation (df/du), values and adjoints
at a point, emitted code, `check`'s planted mistakes, and Jacobian blocks of vector nodes.

An edge is a local partial ∂c/∂a of a consumer c in one of its arguments a. Forward, an edge
carries from a to c the term ∂c/∂a · da/dx; backward, from c to a the term df/dc · ∂c/∂a. A
target's total combines the terms that reach it; a total the flow calls dead carries nothing on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import sympy as sp

from .model import Graph, Node, Partial
from .rules import partials
from .work import Budget

T = TypeVar("T")


@dataclass(frozen=True)
class Edge:
    """The local partial ∂consumer/∂arg."""

    consumer: Node
    partial: Partial

    @property
    def arg(self) -> sp.Symbol:
        return self.partial.arg


@dataclass(frozen=True)
class Carried(Generic[T]):
    """What one edge brings its target: the source's total and the edge's term."""

    edge: Edge
    source: T
    """da/dx going forward (a the argument); df/dc going backward (c the consumer)"""
    term: T
    """∂c/∂a · da/dx forward; df/dc · ∂c/∂a backward"""


@dataclass(frozen=True)
class Visit(Generic[T]):
    """One target of the sweep with everything that reached it and its total."""

    target: sp.Symbol
    node: Node | None
    """None for a variable (reached only going backward)"""
    carried: tuple[Carried[T], ...]
    total: T | None
    """None when nothing reached the target"""
    seeded: bool = False


class Flow(Protocol[T]):
    """What a client of the sweep supplies: how an edge carries, and how a target combines."""

    def term(self, edge: Edge, source: T) -> T: ...

    def combine(self, target: sp.Symbol, node: Node | None, carried: Sequence[Carried[T]]) -> T: ...

    def live(self, total: T) -> bool: ...


EdgesOf = Callable[[Node], Sequence[Edge]]


def sweep(graph: Graph, flow: Flow[T], seeds: Mapping[sp.Symbol, T], *, backward: bool = False,
          edges: EdgesOf | None = None, budget: Budget | None = None) -> list[Visit[T]]:
    """Carry quantities through the graph from the seeds; one Visit per node (and, backward, per
    variable), in the order visited."""
    edges_for = edges or default_edges(graph)
    totals: dict[sp.Symbol, T] = dict(seeds)
    visits: list[Visit[T]] = []
    if not backward:
        for node in graph.nodes:
            if budget is not None:
                budget.tick()
            if node.symbol in seeds:
                visits.append(Visit(node.symbol, node, (), seeds[node.symbol], seeded=True))
                continue
            carried = tuple(Carried(e, totals[e.arg], flow.term(e, totals[e.arg]))
                            for e in edges_for(node) if e.arg in totals)
            visits.append(_visit(node.symbol, node, carried, flow, totals))
        return visits
    pending: dict[sp.Symbol, list[Carried[T]]] = {}
    order: list[tuple[sp.Symbol, Node | None]] = [(n.symbol, n) for n in reversed(graph.nodes)]
    order += [(v, None) for v in graph.variables]
    for target, here in order:
        if budget is not None:
            budget.tick()
        reached = tuple(reversed(pending.pop(target, [])))  # consumers in graph order
        if target in seeds:
            visit: Visit[T] = Visit(target, here, reached, seeds[target], seeded=True)
        else:
            visit = _visit(target, here, reached, flow, totals)
        visits.append(visit)
        total = visit.total
        if here is None or total is None or (not visit.seeded and not flow.live(total)):
            continue
        totals[target] = total
        for e in edges_for(here):
            pending.setdefault(e.arg, []).append(Carried(e, total, flow.term(e, total)))
    return visits


def _visit(target: sp.Symbol, node: Node | None, carried: tuple[Carried[T], ...], flow: Flow[T],
           totals: dict[sp.Symbol, T]) -> Visit[T]:
    if not carried:
        return Visit(target, node, carried, None)
    total = flow.combine(target, node, carried)
    if flow.live(total):
        totals[target] = total
    return Visit(target, node, carried, total)


def default_edges(graph: Graph) -> EdgesOf:
    """The scalar edges of a graph's nodes: variables first (by name), then intermediates in the
    order the node has them (the order the total-derivative rule is written in)."""
    intermediates = set(graph.index)

    def of(node: Node) -> tuple[Edge, ...]:
        ordered = sorted(partials(node), key=lambda p: (1, "") if p.arg in intermediates else (0, p.arg.name))
        return tuple(Edge(node, p) for p in ordered)

    return of
