"""The derivation as aligned plain text: decomposition, total-derivative steps, result, verdict."""

from __future__ import annotations

from ..model import Derivation, ForwardPass
from ..naming import total
from .common import products, rule, show, show_local, verdict, verification_for


def render(d: Derivation) -> str:
    """The whole derivation, one section per variable."""
    lines = [f"f = {show(d.expr)}", *_decomposition(d)]
    for i, fp in enumerate(d.forward):
        lines += _forward(fp)
        lines.append(f"{_result_name(d, i)} = {show(d.results[i])}")
        lines.append(verdict(verification_for(d, i), fp.wrt.name))
    return "\n".join(lines) + "\n"


def render_result(d: Derivation) -> str:
    """Only the result(s): one line, or one `name = value` line per variable."""
    if len(d.wrt) == 1:
        return show(d.results[0]) + "\n"
    return "".join(f"{_result_name(d, i)} = {show(r)}\n" for i, r in enumerate(d.results))


def _result_name(d: Derivation, i: int) -> str:
    wrt = d.wrt[i].name
    return f"df/d{wrt}" if len(d.graph.variables) <= 1 else f"∂f/∂{wrt}"


def _decomposition(d: Derivation) -> list[str]:
    g = d.graph
    if not g.nodes:
        return [f"decomposition: none (f is {'a variable' if g.output in g.variables else 'a constant'})"]
    rows = [(f"{n.name} = {show_local(n.local)}", "= f" if n.symbol == g.output else "") for n in g.nodes]
    return ["decomposition", *_columns(rows)]


def _forward(fp: ForwardPass) -> list[str]:
    x = fp.wrt.name
    lines = [f"total derivatives   du/d{x} = ∂u/∂{x} + Σ ∂u/∂ui · dui/d{x}",
             f"  (∂: partial, the node's other arguments held fixed; d: total, through every path from {x})"]
    rows = []
    for step in fp.steps:
        left = f"{total(step.node.name, x)} = {rule(step, x)}"
        shown = products(step, x)
        result = show(step.total)
        right = f"= {shown}" if shown == result else f"= {shown} = {result}"
        rows.append((left, right))
    lines += _columns(rows) if rows else [f"  (no intermediate depends on {x})"]
    if fp.independent:
        names = ", ".join(s.name for s in fp.independent)
        lines.append(f"  ({names} do{'es' if len(fp.independent) == 1 else ''} not depend on {x}: d/d{x} = 0)")
    return lines


def _columns(rows: list[tuple[str, str]]) -> list[str]:
    width = min(max(len(left) for left, _ in rows), 60)
    return [f"  {left.ljust(width)}   {right}".rstrip() for left, right in rows]
