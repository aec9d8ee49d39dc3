"""Reverse mode (backpropagation): seed f̄ = 1, then for each node in reverse topological order
ā = Σ over its consumers c of c̄ · ∂c/∂a. One sweep gives every partial ∂f/∂v.

Each edge keeps its three quantities — upstream c̄, local ∂c/∂a, downstream c̄·∂c/∂a — so a
printout can show every path's contribution before the sum.
"""

from __future__ import annotations

import sympy as sp
from sympy.core.parameters import evaluate

from .model import AdjointStep, Contribution, Graph, ReversePass
from .rules import WIDE, partials
from .walk import Substituter


def reverse(graph: Graph) -> ReversePass:
    """Backpropagate from the output through every node to every variable."""
    incoming: dict[sp.Basic, list[Contribution]] = {}
    adjoint: dict[sp.Basic, sp.Expr] = {}
    substitute = Substituter(graph.values)
    steps: list[AdjointStep] = []
    # an adjoint holds the partials of every node above it: SymPy may evaluate it only when the
    # whole graph is shallow (its argument sorting recurses through deep operands)
    shallow = all(n.evaluated for n in graph.nodes)
    for node in reversed(graph.nodes):
        contributions = tuple(reversed(incoming.pop(node.symbol, ())))  # consumers in graph order
        if node.symbol == graph.output:
            total: sp.Expr = sp.Integer(1)
        else:
            with evaluate(shallow):
                total = sp.Add(*(c.downstream for c in contributions))
        adjoint[node.symbol] = total
        steps.append(AdjointStep(target=node.symbol, contributions=contributions, total=total))
        if total == 0:
            continue
        with evaluate(shallow and len(node.args) <= WIDE):  # a wide product's partials stay shared
            for p in partials(node):
                local = substitute(p.local)
                downstream = local if total == 1 else sp.Mul(total, local)
                incoming.setdefault(p.arg, []).append(
                    Contribution(consumer=node.symbol, partial=p, upstream=total, downstream=downstream))
    gradient = []
    for variable in graph.variables:
        contributions = tuple(reversed(incoming.pop(variable, ())))
        if variable == graph.output:
            total = sp.Integer(1)
        else:
            total = sp.Add(*(c.downstream for c in contributions))
        steps.append(AdjointStep(target=variable, contributions=contributions, total=total))
        gradient.append((variable, total))
    return ReversePass(steps=tuple(steps), gradient=tuple(gradient))
