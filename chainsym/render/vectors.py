"""A Jacobian derivation as text: the vector-level nodes, each Jacobian factor with its
shape, (m,n)·(n,p) → (m,p), elementwise Jacobians as diag(…), the layout, the matrix forms of a
layer, and the verdict against sympy.jacobian."""

from __future__ import annotations

import sympy as sp

from ..vector_results import Jacobian, LayerCheck, VStep
from .common import block_kind, show, verdict

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def block(m: sp.Matrix) -> str:
    """A Jacobian block as it reads: 0, I₃, −I₃, diag(t1, t2, t3), or [a, b; c, d] row by row."""
    rows, cols = m.shape
    kind, diagonal = block_kind(m)
    if kind == "zero":
        return "0"
    if kind == "identity":
        return "I" + str(rows).translate(SUBSCRIPTS)
    if kind == "negative identity":
        return "−I" + str(rows).translate(SUBSCRIPTS)
    if kind == "diagonal":
        return "diag(" + ", ".join(show(e) for e in diagonal) + ")"
    if rows == cols == 1:
        return show(m[0, 0])
    return "[" + "; ".join(", ".join(show(m[i, j]) for j in range(cols)) for i in range(rows)) + "]"


def shape(m: sp.Matrix) -> str:
    return f"({m.shape[0]},{m.shape[1]})"


def _input_line(d: Jacobian) -> list[str]:
    out = []
    for i in d.inputs:
        names = ", ".join(c.name for c in i.components)
        if not i.shape:
            out.append(f"  {i.name}: scalar")
        elif len(i.shape) == 1:
            out.append(f"  {i.name}: vector of size {i.shape[0]} = ({names})")
        else:
            out.append(f"  {i.name}: matrix {i.shape[0]}x{i.shape[1]}, flattened row by row as ({names})")
    return out


def text(d: Jacobian) -> str:
    lines = [f"f = {d.source.strip()}", "inputs", *_input_line(d)]
    lines.append("layout: " + ("numerator (∂y/∂x has a row per component of y and a column per component of x, "
                               "so chaining multiplies left to right: (m,n)·(n,p) → (m,p))" if d.layout == "numerator"
                               else "denominator (each Jacobian transposed: a row per component of x; shown at "
                                    "the end, the steps keep numerator order)"))
    lines.append("vector-level nodes   (⊙: Hadamard product, elementwise; W x: matrix product)")
    width = max(len(f"{n.name} = {n.text}") for n in d.nodes)
    for n in d.nodes:
        size = "scalar" if not n.shape else "shape (" + ",".join(str(k) for k in n.shape) + ")"
        mark = "   = f" if n.name == d.output else ""
        lines.append(f"  {(n.name + ' = ' + n.text).ljust(width)}   {n.kind}, {size}{mark}")
    for w, steps, result in zip(d.wrt, d.vsteps, d.jacobians, strict=False):
        lines.append(f"Jacobians with respect to {w}   d node/d{w} = Σ ∂node/∂arg · d arg/d{w}")
        lines += _steps(steps, w)
        name = f"∂{d.output}/∂{w}"
        layout = "" if d.layout == "numerator" else "  (denominator layout: transposed)"
        lines.append(f"{name} = {block(result)}   shape {shape(result)}{layout}")
    by_input = {i.name: i for i in d.inputs}
    for w, m in zip(d.wrt, d.shaped, strict=False):
        if by_input[w].shape:
            lines.append(f"∂{d.output}/∂{w} shaped like {w}, {shape(m)}: {block(m)}")
    if d.values:
        where = ", ".join(f"{v.name} = {show(c)}" for v, c in d.point)
        lines.append(f"at {where}:")
        lines += [f"  ∂{d.output}/∂{w} = {block(m)}" for w, m in zip(d.wrt, d.values, strict=False)]
    for layer in d.layers:
        lines += _layer(layer)
    for w, v in zip(d.wrt, d.verifications, strict=False):
        text = verdict(v, w, d.output)
        lines.append(text.replace("sympy.jacobian", f"sympy.jacobian of {d.output} by {w}", 1))
    return "\n".join(lines) + "\n"


def _steps(steps: tuple[VStep, ...], w: str) -> list[str]:
    lines = []
    for step in steps:
        live = [b for b in step.blocks if any(e != 0 for e in b.total)]
        if not live:
            continue
        rule = " + ".join(f"∂{step.node}/∂{b.arg} · d{b.arg}/d{w}" if b.arg != w else f"∂{step.node}/∂{w}"
                          for b in live)
        factors = " + ".join(block(b.local) if b.arg == w else f"{_factor(b.local)}·{_factor(b.total)}" for b in live)
        shapes = ", ".join(f"{shape(b.local)}·{shape(b.total)} → ({b.local.shape[0]},{b.total.shape[1]})"
                           for b in live if b.arg != w)
        lines.append(f"  d{step.node}/d{w} = {rule}")
        lines.append(f"      = {factors}" + (f"   {shapes}" if shapes else f"   {shape(step.total)}"))
        total = block(step.total)
        if total != factors:
            lines.append(f"      = {total}")
    return lines


def _layer(layer: LayerCheck) -> list[str]:
    out = [f"matrix form of the layer {layer.z} = {layer.matrix} {layer.vector}"
           + (" + b" if layer.z != layer.matrix else "") + f"   (∂L/∂{layer.z} = {block(layer.upstream)} as a column)"]
    out += [f"  {text}   {'checked entry by entry against the chain rule' if ok else 'DOES NOT MATCH the chain rule'}"
            for text, ok in layer.statements]
    return out


def _factor(m: sp.Matrix) -> str:
    """A block as a factor of a product: −I₃ bracketed, so I₃·(−I₃) does not read as a subtraction."""
    shown = block(m)
    return f"({shown})" if shown.startswith(("−", "-")) else shown
