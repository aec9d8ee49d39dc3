"""The standard chain-rule mistakes behind a wrong claim: the derivative recomputed by the one sweep
with one mistake planted at one edge or node (a hook on the forward flow) — the inner derivative
dropped, a local partial's sign flipped, one path of a multi-path sum left out, the product rule
applied as (uv)' = u'v', an outer derivative taken at the wrong inner value (g'(x+1) for
g'((x+1)²)), the whole derivative negated. A claim equal to a candidate at every test point is
explained by it; when several explain it, all are listed and the diagnosis is ambiguous."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from .forward import Derivatives
from .functions import rewrite_primitives
from .model import Diagnosis, Graph, Node
from .sweep import Carried, Edge, default_edges, sweep
from .verdict import DPS, _real_values, close
from .walk import Substituter, postorder
from .work import Budget

INNER_VALUES = 12
"""per edge, how many subexpressions of the argument's value are tried as a wrong inner value"""
MAX_CANDIDATE_NODES = 200
"""graphs larger than this get no diagnosis (each candidate is a full forward sweep)"""
# --- diagnosis -----------------------------------------------------------------------------------

PRIORITY = {"chain rule dropped": 0, "wrong inner value": 1, "product rule misapplied": 1, "path dropped": 2,
            "sign error (minus sign)": 3, "sign error": 4}
"""Several mistakes can give the same wrong result (negating any factor of a chain negates the
whole); those of the likeliest kind are reported: a minus sign lost from a partial that has one."""


def diagnose(graph: Graph, wrt: sp.Symbol, claim: sp.Expr, points: Sequence[dict[sp.Symbol, Any]],
             budget: Budget | None = None) -> tuple[Diagnosis, ...]:
    """Every standard mistake (of the likeliest kind) whose result equals the claim at all points."""
    if len(graph.nodes) > MAX_CANDIDATE_NODES or not points:
        return ()
    claim = rewrite_primitives(claim)
    claimed = [_real_values([claim], p, DPS, None, False, budget) for p in points]
    if any(c is None for c in claimed):
        return ()
    matches: list[Diagnosis] = []
    for diagnosis, candidate in _candidates(graph, wrt, budget):
        candidate = rewrite_primitives(candidate)
        values = [_real_values([candidate], p, DPS, None, False, budget) for p in points]
        pairs = zip(values, claimed, strict=True)
        if all(v is not None and c is not None and close(v[0], c[0], DPS) for v, c in pairs):
            if diagnosis not in matches:
                matches.append(diagnosis)
    if not matches:
        return ()
    best = min(PRIORITY[m.kind] for m in matches)
    return tuple(m for m in matches if PRIORITY[m.kind] == best)


@dataclass(frozen=True)
class Mistake:
    """One planted mistake: its kind, the consumer node, and the argument it concerns."""

    kind: str
    node: Node | None
    arg: sp.Symbol | None = None
    inner: sp.Expr | None = None
    """for a wrong inner value: what the argument is replaced by in the local partial"""


class Mistaken(Derivatives):
    """The forward flow with one mistake planted: the term hook of the one sweep."""

    def __init__(self, graph: Graph, wrt: sp.Symbol, mistake: Mistake) -> None:
        super().__init__(graph)
        self.wrt = wrt
        self.mistake = mistake

    def term(self, edge: Edge, source: sp.Expr) -> sp.Expr:
        m = self.mistake
        if edge.consumer != m.node or (m.arg is not None and edge.arg != m.arg):
            return super().term(edge, source)
        if m.kind == "chain rule dropped":
            return super().term(edge, sp.Integer(1))
        if m.kind.startswith("sign error"):
            return -super().term(edge, source)
        if m.kind == "path dropped":
            return sp.Integer(0)
        if m.kind == "wrong inner value" and m.inner is not None:
            local = edge.partial.local.xreplace({edge.arg: m.inner})
            return sp.Mul(self.substitute(local), source)
        return super().term(edge, source)

    def combine(self, target: sp.Symbol, node: Node | None, carried: Sequence[Carried[sp.Expr]]) -> sp.Expr:
        if self.mistake.kind == "product rule misapplied" and node is not None and node == self.mistake.node:
            known = {c.edge.arg: c.source for c in carried}
            return sp.Mul(*(known.get(a, 0) if isinstance(a, sp.Symbol) else a for a in node.args))
        return super().combine(target, node, carried)


def _derivative(graph: Graph, wrt: sp.Symbol, mistake: Mistake, budget: Budget | None) -> sp.Expr:
    visits = sweep(graph, Mistaken(graph, wrt, mistake), {wrt: sp.Integer(1)}, budget=budget)
    totals = {v.target: v.total for v in visits if v.total is not None}
    return totals.get(graph.output, sp.Integer(1) if graph.output == wrt else sp.Integer(0))


def _candidates(graph: Graph, wrt: sp.Symbol, budget: Budget | None) -> Iterator[tuple[Diagnosis, sp.Expr]]:
    """(diagnosis, the derivative with that one mistake) for every node and mistake."""
    edges_of = default_edges(graph)
    for node in graph.nodes:
        edges = list(edges_of(node))
        name, local = node.name, sp.sstr(node.local, order="none")
        for e in edges:
            p = e.partial
            if p.arg != wrt:
                yield (Diagnosis("chain rule dropped", name,
                                 f"the chain rule is dropped at {name} = {local}: "
                                 f"∂{name}/∂{p.arg} = {sp.sstr(p.local)} "
                                 f"is not multiplied by the inner derivative d{p.arg}/d{wrt}"),
                       _derivative(graph, wrt, Mistake("chain rule dropped", node, p.arg), budget))
                yield from _inner_values(graph, wrt, node, e, budget)
            kind = "sign error (minus sign)" if p.local.could_extract_minus_sign() else "sign error"
            yield (Diagnosis(kind, name, f"sign error at {name} = {local}: ∂{name}/∂{p.arg} is {sp.sstr(p.local)}, "
                                         f"not {sp.sstr(-p.local)}"),
                   _derivative(graph, wrt, Mistake(kind, node, p.arg), budget))
            if len(edges) > 1:
                message = (f"a path is missing at {name} = {local}: the direct term ∂{name}/∂{wrt} = "
                           f"{sp.sstr(p.local)} is left out of the sum" if p.arg == wrt else
                           f"the path through {p.arg} is missing at {name} = {local}, where the paths meet: "
                           f"the term ∂{name}/∂{p.arg} · d{p.arg}/d{wrt} is left out of the sum")
                yield (Diagnosis("path dropped", name, message),
                       _derivative(graph, wrt, Mistake("path dropped", node, p.arg), budget))
        if node.op is sp.Mul and len(edges) > 1 and node.body is None:
            yield (Diagnosis("product rule misapplied", name,
                             f"the product rule is misapplied at {name} = {local}: the derivative of a product "
                             "is Σ (one factor's derivative × the other factors), not the product of the derivatives"),
                   _derivative(graph, wrt, Mistake("product rule misapplied", node), budget))
    yield (Diagnosis("sign error", "", "sign error: the claim is the negative of the derivative"),
           -_derivative(graph, wrt, Mistake("none", None), budget))


def _inner_values(graph: Graph, wrt: sp.Symbol, node: Node, edge: Edge, budget: Budget | None
                  ) -> Iterator[tuple[Diagnosis, sp.Expr]]:
    """The outer derivative taken at a part of the argument's value instead of the whole of it:
    g'(x+1)·(x+1)²' for g'((x+1)²)·(x+1)²' (seed 002's slip)."""
    value = graph.values.get(edge.arg)
    if value is None or edge.partial.local.free_symbols.isdisjoint({edge.arg}):
        return
    inner = graph.index[edge.arg]
    written = inner.body if inner.body is not None else inner.expr
    parts = [s for s in postorder(written) if s.args and s != written and s.free_symbols][:INNER_VALUES]
    parts += [s for s in written.free_symbols if s not in parts][:2]
    for part in parts:
        shown = sp.sstr(part)
        substituted = Substituter(graph.values)(part)
        local = sp.sstr(edge.partial.local.xreplace({edge.arg: part}))
        yield (Diagnosis("wrong inner value", node.name,
                         f"the outer derivative is taken at the wrong inner value at {node.name} = "
                         f"{sp.sstr(node.local, order='none')}: ∂{node.name}/∂{edge.arg} must be evaluated at "
                         f"{edge.arg} = {sp.sstr(written)}, not at {shown} (it gives {local})"),
               _derivative(graph, wrt, Mistake("wrong inner value", node, edge.arg, substituted), budget))
