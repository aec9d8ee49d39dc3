"""Forward mode: the total-derivative rule du/dx = Σ ∂u/∂a · da/dx, node by node.

A client of the one sweep: a term is the local partial (written in the variables) times the
argument's derivative; a total is their sum. When x itself is an argument, its term ∂u/∂x · 1
is the direct ∂f/∂x of the rule. Terms whose da/dx is 0 never arise: a zero total carries nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from .model import ForwardPass, ForwardStep, Graph, Node, Term
from .products import times
from .sweep import Carried, Edge, sweep
from .walk import Substituter, evaluating
from .work import Budget


class Derivatives:
    """The symbolic forward flow: da/dx carried along edges as SymPy expressions."""

    def __init__(self, graph: Graph) -> None:
        self.substitute = Substituter(graph.values)

    def term(self, edge: Edge, source: sp.Expr) -> sp.Expr:
        if not edge.consumer.evaluated:
            return sp.Mul(self.substitute(edge.partial.local, evaluate=False), source, evaluate=False)
        with evaluating():
            return times(self.substitute(edge.partial.local), source)

    def combine(self, target: sp.Symbol, node: Node | None, carried: Sequence[Carried[sp.Expr]]) -> sp.Expr:
        if node is not None and not node.evaluated:
            return sp.Add(*(c.term for c in carried), evaluate=False)
        with evaluating():
            return sp.Add(*(c.term for c in carried))

    def live(self, total: sp.Expr) -> bool:
        return bool(total != 0)


def forward(graph: Graph, wrt: sp.Symbol, budget: Budget | None = None) -> ForwardPass:
    """Run the total-derivative rule over graph for one variable."""
    visits = sweep(graph, Derivatives(graph), {wrt: sp.Integer(1)}, budget=budget)
    steps: list[ForwardStep] = []
    independent: list[sp.Symbol] = []
    totals: dict[sp.Basic, sp.Expr] = {wrt: sp.Integer(1)}
    for v in visits:
        assert v.node is not None
        if v.total is None:
            independent.append(v.target)
            continue
        terms = tuple(Term(c.edge.partial, c.source) for c in v.carried)
        steps.append(ForwardStep(node=v.node, terms=terms, total=v.total))
        totals[v.target] = v.total
    result = totals.get(graph.output, sp.Integer(0))
    return ForwardPass(wrt=wrt, steps=tuple(steps), independent=tuple(independent), result=result)
