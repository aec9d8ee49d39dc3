"""Forward mode: the total-derivative rule du/dx = Σ ∂u/∂a · da/dx, node by node.

A node's arguments a are variables or earlier intermediates; when x itself is an argument,
its term ∂u/∂x · 1 is the direct ∂f/∂x of the rule. Terms whose da/dx is 0 are dropped.
"""

from __future__ import annotations

import sympy as sp
from sympy.core.parameters import evaluate

from .model import ForwardPass, ForwardStep, Graph, Term
from .rules import partials
from .walk import Substituter


def forward(graph: Graph, wrt: sp.Symbol) -> ForwardPass:
    """Run the total-derivative rule over graph for one variable."""
    derivative: dict[sp.Basic, sp.Expr] = {wrt: sp.Integer(1)}
    values = graph.values
    substitute = Substituter(values)
    steps: list[ForwardStep] = []
    independent: list[sp.Symbol] = []
    for node in graph.nodes:
        terms = tuple(
            Term(partial=p, derivative=derivative[p.arg])
            for p in sorted(partials(node), key=lambda p: _order(p.arg, values))
            if p.arg in derivative
        )
        if not terms:
            independent.append(node.symbol)
            continue
        with evaluate(node.evaluated):
            total = sp.Add(*(sp.Mul(substitute(t.partial.local), t.derivative) for t in terms))
        if total != 0:
            derivative[node.symbol] = total
        steps.append(ForwardStep(node=node, terms=terms, total=total))
    result = derivative.get(graph.output, sp.Integer(0))
    return ForwardPass(wrt=wrt, steps=tuple(steps), independent=tuple(independent), result=result)


def _order(arg: sp.Symbol, values: dict[sp.Symbol, sp.Expr]) -> tuple[int, str]:
    """Variables first (the direct ∂/∂x term), then intermediates in graph order."""
    return (1, "") if arg in values else (0, arg.name)
