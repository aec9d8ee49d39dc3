"""Reverse mode (backpropagation): seed df/df = 1, then for each node in reverse topological order
df/da = Σ over its consumers c of df/dc · ∂c/∂a. One sweep gives every partial ∂f/∂v.

A client of the one sweep going backward: each edge keeps its three quantities — upstream df/dc,
local ∂c/∂a, downstream df/dc·∂c/∂a — so a printout can show every path before the sum.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from .model import AdjointStep, Contribution, Graph, Node, ReversePass
from .products import times
from .rules import WIDE
from .sweep import Carried, Edge, sweep
from .walk import Substituter, evaluating
from .work import Budget


class Adjoints:
    """The symbolic backward flow: df/dc carried from consumers to arguments."""

    def __init__(self, graph: Graph) -> None:
        self.substitute = Substituter(graph.values)
        # an adjoint holds the partials of every node above it: SymPy may evaluate it only when the
        # whole graph is shallow (its argument sorting recurses through deep operands)
        self.shallow = all(n.evaluated for n in graph.nodes)

    def term(self, edge: Edge, source: sp.Expr) -> sp.Expr:
        if not self.shallow or len(edge.consumer.args) > WIDE:  # a wide product's partials stay shared
            local = self.substitute(edge.partial.local, evaluate=False)
            return local if source == 1 else sp.Mul(source, local, evaluate=False)
        with evaluating():
            local = self.substitute(edge.partial.local)
            return local if source == 1 else times(source, local)

    def combine(self, target: sp.Symbol, node: Node | None, carried: Sequence[Carried[sp.Expr]]) -> sp.Expr:
        if not self.shallow and node is not None:
            return sp.Add(*(c.term for c in carried), evaluate=False)
        with evaluating():
            return sp.Add(*(c.term for c in carried))

    def live(self, total: sp.Expr) -> bool:
        return bool(total != 0)


def reverse(graph: Graph, budget: Budget | None = None) -> ReversePass:
    """Backpropagate from the output through every node to every variable."""
    seeds = {graph.output: sp.Integer(1)} if isinstance(graph.output, sp.Symbol) else {}
    steps = []
    for v in sweep(graph, Adjoints(graph), seeds, backward=True, budget=budget):
        contributions = tuple(Contribution(consumer=c.edge.consumer.symbol, partial=c.edge.partial,
                                           upstream=c.source, downstream=c.term) for c in v.carried)
        steps.append(AdjointStep(target=v.target, contributions=contributions,
                                 total=sp.Integer(0) if v.total is None else v.total))
    gradient = tuple((s.target, s.total) for s in steps[len(graph.nodes):])
    return ReversePass(steps=tuple(steps), gradient=gradient)
