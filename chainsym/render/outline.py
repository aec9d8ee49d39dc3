"""The derivation as a format-neutral outline: sections of formula rows built from typed parts.

LaTeX, Markdown and HTML (MathML) each print the same outline with their own spelling of the
parts, so the three formats never disagree about what a derivation says.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..model import ForwardPass, Point, PointValue, ReversePass
from ..results import Derivation
from .common import (
    brief,
    by_name,
    consumer,
    final,
    generic,
    products,
    program_note,
    result_name,
    show,
    verdicts,
)


@dataclass(frozen=True)
class Ex:
    """An expression; `written` keeps the operands in the order the node has them (x + u1)."""

    expr: sp.Basic
    written: bool = False
    factor: bool = False
    """a factor of a product: bracketed when it is a sum or negative"""


@dataclass(frozen=True)
class Name:
    """A variable or intermediate name: x, u1, f."""

    name: str


@dataclass(frozen=True)
class Total:
    """The total derivative d(of)/d(wrt), through every path (dⁿ(of)/d(wrt)ⁿ for order n)."""

    of: str
    wrt: str
    order: int = 1


@dataclass(frozen=True)
class Partial:
    """The local partial ∂(of)/∂(wrt), the node's other arguments held fixed."""

    of: str
    wrt: str


@dataclass(frozen=True)
class Second:
    """The second partial ∂²(of)/∂a∂b (∂²(of)/∂a² when a is b)."""

    of: str
    a: str
    b: str


@dataclass(frozen=True)
class Mat:
    """A Jacobian block or a matrix: 0, I, diag(…) or its entries."""

    matrix: sp.Matrix
    factor: bool = False
    """a factor of a product: −I is bracketed, so I·(−I) does not read as a subtraction"""


@dataclass(frozen=True)
class Adjoint:
    """The adjoint ū = df/du of a node or variable (reverse mode)."""

    name: str


@dataclass(frozen=True)
class Op:
    """An operator between parts: '=', '+', '·', '×', '≈', '←' (an update), '−', or a sum over
    the index i or the consumers c: 'Σi', 'Σc'."""

    symbol: str


@dataclass(frozen=True)
class Words:
    """Prose inside a formula row."""

    text: str


@dataclass(frozen=True)
class Value:
    """An exact value at a point with its decimal reading."""

    value: PointValue


Piece = Ex | Name | Total | Partial | Second | Mat | Adjoint | Op | Words | Value
Formula = tuple[Piece, ...]


@dataclass(frozen=True)
class Row:
    """One aligned line: left = right, with an optional note in words."""

    left: Formula
    right: Formula
    note: str = ""


@dataclass(frozen=True)
class Section:
    """A titled block: a sentence of explanation, then rows of formulas."""

    key: str
    """a stable identifier: function, decomposition, forward-x, backward, result, point, verification"""
    title: str
    intro: str
    rows: tuple[Row, ...] = ()
    lines: tuple[str, ...] = ()
    law: Formula = ()
    """the rule the rows apply, as a formula (the total-derivative rule, backpropagation's sum)"""
    table: Derivation | None = None
    """for a decomposition: the derivation whose graph the section lists (a table in HTML and Markdown)"""
    """plain sentences after the rows (notes, verdicts)"""


def outline(d: Derivation) -> tuple[Section, ...]:
    """Every section of the derivation, in reading order."""
    sections = [Section("function", "Function", "", (Row((Name(d.output_name),), (Op("="), Ex(d.expr))),)),
                _decomposition(d)]
    sections += [forward_section(fp, d) for fp in d.forward]
    if d.reverse is not None:
        sections.append(_backward(d.reverse, d))
    results: list[Row] = []
    for i, r in enumerate(d.results):
        shown = final(d, i)
        results.append(Row(_result_name(d, i), (Op("="), Ex(r))) if shown is None else
                       Row(_result_name(d, i), (Op("="), Ex(shown)), program_note(d)))
    if d.program is not None:
        results += [Row((Name(name.name),), (Op("="), Ex(value))) for name, value in d.program.definitions]
    sections.append(Section("result", "Result", "", tuple(results), (d.agreement,) if d.agreement else ()))
    if d.point is not None:
        sections.append(_point(d.point, d))
    sections.append(Section("verification", "Verification", "", (), verdicts(d)))
    return tuple(sections)


def _result_name(d: Derivation, i: int) -> Formula:
    x = d.wrt[i].name
    return (Partial(d.output_name, x),) if result_name(d, i).startswith("∂") else (Total(d.output_name, x),)


def _decomposition(d: Derivation) -> Section:
    g = d.graph
    if not g.nodes:
        what = "a variable" if g.output in g.variables else "a constant"
        return Section("decomposition", "Decomposition", f"none: {d.output_name} is {what}")
    if g.nodes[-1].body is not None:
        rows = tuple(Row((Name(n.name),), (Op("="), Ex(n.local)), "depends on " + ", ".join(a.name for a in n.args))
                     for n in reversed(g.nodes))
        return Section("decomposition", "Dependency tree", "each name as its definition gives it", rows, table=d)
    rows = tuple(Row((Name(n.name),), (Op("="), Ex(n.local, written=True)),
                     f"= {d.output_name}" if n.symbol == g.output else "")
                 for n in g.nodes)
    return Section("decomposition", "Decomposition",
                   "one primitive operation per intermediate; a shared subexpression is computed once", rows,
                   table=d)


def forward_section(fp: ForwardPass, d: Derivation) -> Section:
    x = fp.wrt.name
    rows = []
    for step in fp.steps:
        u = step.node.name
        names: list[Piece] = []
        values: list[Piece] = []
        for term in step.terms:
            a = term.partial.arg.name
            if names:
                names.append(Op("+"))
                values.append(Op("+"))
            names += [Partial(u, a)] if a == x else [Partial(u, a), Op("·"), Total(a, x)]
            derivative: Piece = Total(a, x) if by_name(step.total) else Ex(term.derivative, factor=True)
            values += [Ex(term.partial.local)] if a == x else [Ex(term.partial.local, factor=True), Op("·"),
                                                               derivative]
        right: list[Piece] = [Op("="), *names, Op("="), *values]
        if not by_name(step.total) and products(step, x) != show(step.total):
            right += [Op("="), Ex(step.total)]
        rows.append(Row((Total(u, x),), tuple(right)))
    lines: tuple[str, ...] = ()
    if fp.independent:
        names_ = ", ".join(s.name for s in fp.independent)
        verb = "does" if len(fp.independent) == 1 else "do"
        lines = (f"{names_} {verb} not depend on {x}: the total derivative is 0",)
    if not rows:
        lines = (f"no intermediate depends on {x}",) + lines
    u = generic(d)
    law = (Total(u, x), Op("="), Partial(u, x), Op("+"), Op("Σi"), Partial(u, f"{u}_i"), Op("·"), Total(f"{u}_i", x))
    return Section(f"forward-{x}", f"Total derivatives with respect to {x}",
                   f"∂ is the local partial (the node's other arguments held fixed), d the total through every "
                   f"path from {x}", tuple(rows), lines, law)


def _backward(rp: ReversePass, d: Derivation) -> Section:
    f = d.output_name
    rows = []
    for step in rp.steps:
        if step.target in d.data:
            continue  # data are not trained: their adjoints are no part of the gradient asked for
        target = step.target.name
        if not step.contributions:
            note = "seed" if step.target == d.graph.output else f"no path to {f}"
            rows.append(Row((Adjoint(target),), (Op("="), Ex(step.total)), note))
            continue
        formula: list[Piece] = [Op("=")]
        values: list[Piece] = [Op("=")]
        for c in step.contributions:
            if len(formula) > 1:
                formula.append(Op("+"))
                values.append(Op("+"))
            formula += [Adjoint(c.consumer.name), Op("·"), Partial(c.consumer.name, target)]
            upstream: Piece = Adjoint(c.consumer.name) if by_name(step.total) else Ex(c.upstream, factor=True)
            values += [upstream, Op("×"), Ex(c.partial.local, factor=True)]
        note = "summed over its consumers " + ", ".join(c.consumer.name for c in step.contributions) \
            if len(step.contributions) > 1 else ""
        total: tuple[Piece, ...] = () if by_name(step.total) else (Op("="), Ex(step.total))
        rows.append(Row((Adjoint(target),), (*formula, *values, *total), note))
    u, k = generic(d), consumer(d)
    law = (Adjoint(u), Op("="), Op(f"Σ{k}"), Adjoint(k), Op("·"), Partial(k, u))
    return Section("backward", "Backpropagation",
                   f"the adjoint of {u} is d{f}/d{u}, the total through every path from {u} to {f}: the sum over "
                   f"the consumers {k} of {u} of upstream d{f}/d{k} × local ∂{k}/∂{u}; one sweep gives every ∂{f}/∂v",
                   tuple(rows), (), law)


def _point(p: Point, d: Derivation) -> Section:
    f = d.output_name
    nodes = d.graph.index
    rows: list[Row] = [Row((Name(v.name),), (Op("="), Ex(x)), "input") for v, x in p.inputs]
    rows += [Row((Name(s.name),), (Op("="), Ex(nodes[s].local, written=nodes[s].body is None), Op("="), Value(v)),
                 "forward") for s, v in p.values]
    terms: dict[tuple[sp.Symbol, sp.Symbol], list[str]] = {}
    for x, user, arg, local, incoming, term in p.tangent_edges:
        terms.setdefault((x, user), []).append(f"from {arg.name}: {brief(local)} × {brief(incoming)} = {brief(term)}")
    rows += [Row((Total(u.name, x.name),), (Op("="), Value(v)), "; ".join(terms.get((x, u), [])))
             for x, u, v in p.tangents]
    edges: dict[sp.Symbol, list[str]] = {}
    for user, arg, up, local, down in p.edges:
        edges.setdefault(arg, []).append(f"via {user.name}: {brief(up)} × {brief(local)} = {brief(down)}")
    rows += [Row((Adjoint(s.name),), (Op("="), Value(v)),
                 "seed" if s == d.graph.output else "; ".join(edges.get(s, ["no path"])))
             for s, v in p.adjoints if s not in d.data]
    rows += [Row((Partial(f, v.name),), (Op("="), Value(g)), "gradient") for v, g in p.gradient]
    if p.learning_rate is not None:
        start = dict(p.inputs)
        rows += [Row((Name(v.name),), (Op("←"), Ex(start.get(v, sp.Integer(0))), Op("−"), Ex(p.learning_rate), Op("·"),
                                        Partial(f, v.name), Op("="), Value(u)), "gradient-descent step")
                 for v, u in p.updates]
    where = ", ".join(f"{v} = {show(x)}" for v, x in p.inputs)
    return Section("point", f"At {where}", "the forward pass (values"
                   + (" and the tangents du/dx of forward mode" if p.tangents else "")
                   + ") and the backward pass (adjoints), exactly",
                   tuple(rows), tuple(f"note: {n}" for n in p.notes))

