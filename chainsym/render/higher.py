"""Higher-order derivations as text: each order's derivation in turn, and the Hessian by
forward-over-reverse (the gradient's graph, one forward pass per variable, the matrix)."""

from __future__ import annotations

from ..results import Hessian, Orders
from . import text as text_render
from .common import show, verdict


def _order_name(n: int, f: str, x: str) -> str:
    return f"d{f}/d{x}" if n == 1 else f"d^{n}{f}/d{x}^{n}"


def orders_text(o: Orders) -> str:
    first = o.orders[0]
    f, x, n = first.output_name, first.wrt[0].name, len(o.orders)
    parts = []
    for k, d in enumerate(o.orders, start=1):
        what = f if k == 1 else f"{_order_name(k - 1, f, x)} = {d.output_name}"
        parts.append(f"=== order {k}: differentiate {what} ===\n" + text_render.derivation(d))
    tail = [f"{_order_name(n, f, x)} = {show(o.orders[-1].results[0])}"]
    if o.value is not None:
        where = ", ".join(f"{v.name} = {show(c)}" for v, c in o.at)
        tail.append(f"at {where}: {_order_name(n, f, x)} = {show(o.value)}")
    if o.check is not None:
        tail.append(verdict(o.check, x, f))
    return "\n".join(parts) + "\n".join(tail) + "\n"


def hessian_text(h: Hessian) -> str:
    d = h.derivation
    f = d.output_name
    names = [v.name for v in d.wrt]
    lines = [text_render.derivation(d).rstrip("\n"),
             f"Hessian by forward-over-reverse: the {len(names)} gradient components share one graph of "
             f"{len(h.gradient_graph.nodes)} nodes; one forward pass over it per variable gives a column"]
    rows = [(f"{n.name} = {show(n.local)}", "= ∂" + f + "/∂" + names[h.outputs.index(n.symbol)]
             if n.symbol in h.outputs else "") for n in h.gradient_graph.nodes]
    lines += ["gradient graph", *text_render.columns(rows)] if rows else []
    for fp in h.passes:
        lines += text_render.forward_rows(fp, d)
    lines.append("Hessian (row i, column j: ∂²" + f + "/∂xi∂xj)")
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if j < i:
                continue
            mixed = f"∂²{f}/∂{a}²" if i == j else f"∂²{f}/∂{a}∂{b}"
            lines.append(f"  {mixed} = {show(h.matrix[i, j])}")
    if len(names) > 1:
        lines.append("mixed partials agree: ∂²f/∂xi∂xj = ∂²f/∂xj∂xi for every pair" if h.symmetric else
                     "MIXED PARTIALS DIFFER: the Hessian is not symmetric")
    if h.values is not None:
        where = ", ".join(f"{v.name} = {show(c)}" for v, c in h.point)
        lines.append(f"at {where}:")
        lines += [f"  {row}" for row in _rows(h.values, names, f)]
    if h.check is not None:
        lines.append(verdict(h.check, ",".join(names), f).replace(
            "sympy.hessian", f"sympy.hessian({f}, [{', '.join(names)}])", 1))
    return "\n".join(lines) + "\n"


def _rows(m: object, names: list[str], f: str) -> list[str]:
    return [(f"∂²{f}/∂{a}² = " if i == j else f"∂²{f}/∂{a}∂{b} = ") + show(m[i, j])  # type: ignore[index]
            for i, a in enumerate(names) for j, b in enumerate(names) if j >= i]
