"""Derivations made of several parts — the orders of an nth derivative, a Hessian, a Jacobian — as
outline sections, so that LaTeX, Markdown and HTML print them as they print one derivation."""

from __future__ import annotations

from dataclasses import replace

from ..higher import Hessian, Orders
from ..vectors import JacobianDerivation, layers
from . import html, latex, markdown
from .common import show, verdict
from .outline import (Ex, Formula, Mat, Name, Op, Partial, Row, Second, Section, Total, Words, forward_section,
                      outline)
from .vectors import block


def orders(o: Orders) -> tuple[Formula, tuple[Section, ...], str]:
    """Each order's sections, titled by its order, then the nth derivative and its verdict."""
    first = o.orders[0]
    f, x, n = first.output_name, first.wrt[0].name, len(o.orders)
    sections: list[Section] = []
    for k, d in enumerate(o.orders, start=1):
        for s in outline(d):
            sections.append(replace(s, key=f"order{k}-{s.key}", title=f"Order {k}: {s.title}"))
    rows = [Row((Total(f, x, n),), (Op("="), Ex(o.orders[-1].results[0])))]
    if o.value is not None:
        where = ", ".join(f"{v.name} = {show(c)}" for v, c in o.at)
        rows.append(Row((Total(f, x, n),), (Op("="), Ex(o.value)), f"at {where}"))
    lines = (verdict(o.verification, x, f),) if o.verification is not None else ()
    sections.append(Section("nth", f"The derivative of order {n}", "", tuple(rows), lines))
    return (Total(f, x, n),), tuple(sections), "Derivative of order " + str(n) + ":"


def hessian(h: Hessian) -> tuple[Formula, tuple[Section, ...], str]:
    """The gradient's derivation, its graph, one forward pass per variable, the matrix."""
    d = h.derivation
    f = d.output_name
    names = [v.name for v in d.wrt]
    sections = [s for s in outline(d) if s.key != "verification"]
    graph_rows = tuple(Row((Name(n.name),), (Op("="), Ex(n.local, written=True)),
                           f"= ∂{f}/∂{names[h.outputs.index(n.symbol)]}" if n.symbol in h.outputs else "")
                       for n in h.gradient_graph.nodes)
    sections.append(Section("gradient-graph", "Gradient graph",
                            f"the {len(names)} gradient components share one graph of {len(h.gradient_graph.nodes)} "
                            "nodes; one forward pass over it per variable gives a column of the Hessian", graph_rows))
    sections += [replace(forward_section(fp, d), key=f"hessian-{fp.wrt.name}",
                         title=f"Forward pass over the gradient graph, with respect to {fp.wrt.name}")
                 for fp in h.passes]
    rows = tuple(Row((Second(f, a, b),), (Op("="), Ex(h.matrix[i, j])))
                 for i, a in enumerate(names) for j, b in enumerate(names) if j >= i)
    lines = ["mixed partials agree: each ∂²f/∂xi∂xj equals ∂²f/∂xj∂xi" if h.symmetric else
             "MIXED PARTIALS DIFFER: the Hessian is not symmetric"] if len(names) > 1 else []
    if h.verification is not None:
        lines.append(verdict(h.verification, ",".join(names), f))
    sections.append(Section("hessian", "Hessian", "", rows, tuple(lines)))
    return (Name(f), Op("="), Ex(d.expr)), tuple(sections), "Hessian of"


def jacobian(j: JacobianDerivation) -> tuple[Formula, tuple[Section, ...], str]:
    """The inputs, the vector-level nodes, each Jacobian step with its shapes, results, layers, verdicts."""
    inputs = tuple(f"{i.name}: " + ("scalar" if not i.shape else f"vector of size {i.shape[0]}" if len(i.shape) == 1
                                     else f"matrix {i.shape[0]}x{i.shape[1]}, flattened row by row")
                   for i in j.inputs)
    layout = ("numerator layout: ∂y/∂x has a row per component of y and a column per component of x"
              if j.layout == "numerator" else "denominator layout: the results are transposed")
    sections = [Section("inputs", "Inputs", layout, (), inputs)]
    nodes = tuple(Row((Name(n.name),), (Op("="), Words(n.text)),
                      f"{n.kind}, " + ("scalar" if not n.shape else f"shape ({n.shape[0]})")) for n in j.nodes)
    sections.append(Section("nodes", "Vector-level nodes", "⊙ is the Hadamard product (elementwise)", nodes))
    for w, steps, result in zip(j.wrt, j.steps, j.jacobians):
        rows = []
        for step in steps:
            live = [b for b in step.blocks if any(e != 0 for e in b.total)]
            if not live:
                continue
            right: list = [Op("=")]  # type: ignore[type-arg]
            for b in live:
                if len(right) > 1:
                    right.append(Op("+"))
                right += [Mat(b.local)] if b.arg == w else [Mat(b.local), Op("·"), Mat(b.total)]
            shapes = ", ".join(f"({b.local.shape[0]},{b.local.shape[1]})·({b.total.shape[0]},{b.total.shape[1]})"
                               for b in live if b.arg != w)
            if block(step.total) != " + ".join(block(b.local) for b in live):
                right += [Op("="), Mat(step.total)]
            rows.append(Row((Total(step.node, w),), tuple(right), shapes))
        rows.append(Row((Partial(j.output, w),), (Op("="), Mat(result)), f"shape ({result.shape[0]},{result.shape[1]})"))
        sections.append(Section(f"jacobian-{w}", f"Jacobians with respect to {w}",
                                f"d node/d{w} = Σ ∂node/∂arg · d arg/d{w}; (m,n)·(n,p) → (m,p)", tuple(rows)))
    for layer in layers(j):
        sections.append(Section(f"layer-{layer.z}", f"Matrix form of the layer {layer.z}", "",
                                (Row((Partial("L", layer.z),), (Op("="), Mat(layer.upstream)), "as a column"),),
                                tuple(f"{t}: {'checked entry by entry' if ok else 'DOES NOT MATCH'}"
                                      for t, ok in layer.statements)))
    lines = tuple(verdict(v, w, j.output) for w, v in zip(j.wrt, j.verifications))
    sections.append(Section("verification", "Verification", "", (), lines))
    return (Name(j.output),), tuple(sections), "Jacobians of"


def as_latex(parts: tuple[Formula, tuple[Section, ...], str]) -> str:
    return latex.document(parts[1])


def as_markdown(parts: tuple[Formula, tuple[Section, ...], str]) -> str:
    return markdown.page(parts[0], parts[1], parts[2])


def as_html(parts: tuple[Formula, tuple[Section, ...], str]) -> str:
    heading, sections, title = parts
    return html.page(f"chainsym: {title}", html.sections_fragment(heading, sections, title=title))
