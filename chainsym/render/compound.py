"""Every kind of result as outline sections under a heading — one derivation, a check, the orders
of an nth derivative, a Hessian, a Jacobian — so that LaTeX, Markdown and HTML print them alike."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..results import CheckResult, Derivation, Hessian, Orders
from ..vector_results import Jacobian
from .check import summary
from .common import show, verdict
from .outline import Ex, Formula, Mat, Name, Op, Partial, Row, Second, Section, Total, Words, forward_section, outline
from .vectors import block
from .work import parts as work


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
    lines = (verdict(o.check, x, f),) if o.check is not None else ()
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
    if h.check is not None:
        lines.append(verdict(h.check, ",".join(names), f))
    sections.append(Section("hessian", "Hessian", "", rows, tuple(lines)))
    return (Name(f), Op("="), Ex(d.expr)), tuple(sections), "Hessian of"


def jacobian(j: Jacobian) -> tuple[Formula, tuple[Section, ...], str]:
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
    for w, steps, result in zip(j.wrt, j.vsteps, j.jacobians, strict=False):
        rows = []
        for step in steps:
            live = [b for b in step.blocks if any(e != 0 for e in b.total)]
            if not live:
                continue
            right: list = [Op("=")]  # type: ignore[type-arg]
            for b in live:
                if len(right) > 1:
                    right.append(Op("+"))
                product = [Mat(b.local, factor=True), Op("·"), Mat(b.total, factor=True)]
                right += [Mat(b.local)] if b.arg == w else product
            shapes = ", ".join(f"({b.local.shape[0]},{b.local.shape[1]})·({b.total.shape[0]},{b.total.shape[1]})"
                               for b in live if b.arg != w)
            if block(step.total) != " + ".join(block(b.local) for b in live):
                right += [Op("="), Mat(step.total)]
            rows.append(Row((Total(step.node, w),), tuple(right), shapes))
        shape = f"shape ({result.shape[0]},{result.shape[1]})"
        rows.append(Row((Partial(j.output, w),), (Op("="), Mat(result)), shape))
        sections.append(Section(f"jacobian-{w}", f"Jacobians with respect to {w}",
                                f"d node/d{w} = Σ ∂node/∂arg · d arg/d{w}; (m,n)·(n,p) → (m,p)", tuple(rows)))
    for layer in j.layers:
        sections.append(Section(f"layer-{layer.z}", f"Matrix form of the layer {layer.z}", "",
                                (Row((Partial("L", layer.z),), (Op("="), Mat(layer.upstream)), "as a column"),),
                                tuple(f"{t}: {'checked entry by entry' if ok else 'DOES NOT MATCH'}"
                                      for t, ok in layer.statements)))
    lines = tuple(verdict(v, w, j.output) for w, v in zip(j.wrt, j.verifications, strict=False))
    sections.append(Section("verification", "Verification", "", (), lines))
    return (Name(j.output),), tuple(sections), "Jacobians of"


Parts = tuple[Formula, tuple[Section, ...], str]


def derivation(d: Derivation) -> Parts:
    return (Name(d.output_name), Op("="), Ex(d.expr)), outline(d), "Derivation of"


def check(r: CheckResult) -> Parts:
    """The verdict first (the claim, where it fails and why), then the correct derivation."""
    d = r.derivation
    verdict_section = Section("check", "Check", "", (), tuple(line.strip() for line in summary(r)))
    return (Name(d.output_name), Op("="), Ex(d.expr)), (verdict_section, *outline(d)), "Check of"


PARTS: dict[str, Any] = {"derivation": derivation, "check": check, "orders": orders, "hessian": hessian,
                         "jacobian": jacobian, "work": work}


def parts(result: Any) -> Parts:
    """The heading, the sections and the title of any result."""
    return PARTS[result.kind](result)  # type: ignore[no-any-return]
