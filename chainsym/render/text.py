"""The derivation as aligned plain text: the graph, the forward steps and/or the backward pass,
the result, the values at a point, and the verification verdict."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import import_module
from typing import Any

from ..model import Contribution, ForwardPass, Node, Point, PointValue, ReversePass
from ..naming import partial, total
from ..results import Derivation
from .common import (
    STEP_NODES,
    adjoint_name,
    brief,
    by_name,
    consumer,
    factor,
    final,
    generic,
    named_products,
    number,
    operation,
    products,
    program_note,
    result_name,
    rule,
    show,
    show_local,
    verdicts,
)

KINDS = {"check": ("check", "text"), "orders": ("higher", "orders_text"), "hessian": ("higher", "hessian_text"),
         "jacobian": ("vectors", "text"), "work": ("work", "text")}
"""the other kinds' text renderers, imported only when one is printed (start-up of `chainsym diff`)"""


def render(result: Any) -> str:
    """Any result as text."""
    if result.kind == "derivation":
        return derivation(result)
    module, name = KINDS[result.kind]
    text: Callable[[Any], str] = getattr(import_module(f"{__package__}.{module}"), name)
    return text(result)


def derivation(d: Derivation) -> str:
    """The whole derivation."""
    lines = [f"{d.output_name} = {show(d.expr)}", *_graph(d)]
    for fp in d.forward:
        lines += forward_rows(fp, d)
    if d.reverse is not None:
        lines += _reverse(d.reverse, d)
    lines += _results(d)
    if d.agreement:
        lines.append(d.agreement)
    if d.point is not None:
        lines += _point(d.point, d)
    lines += verdicts(d)
    return "\n".join(lines) + "\n"


def render_result(d: Derivation) -> str:
    """Only the result(s): one line, or one `name = value` line per variable (a large result:
    its program's definitions follow). At a point: the numbers there (and the updated values)."""
    if d.point is not None:
        lines = [f"{result_name(d, i)} {_equals(g)}" for i, (_, g) in enumerate(d.point.gradient)]
        lines += [f"{v.name} ← {number(u)}" for v, u in d.point.updates]
        return "".join(line + "\n" for line in lines)
    if len(d.wrt) == 1 and d.program is None:
        return show(d.results[0]) + "\n"
    return "".join(line + "\n" for line in _results(d, named=False))


def _results(d: Derivation, named: bool = True) -> list[str]:
    """df/dx = result per variable; a large one over shared parts, whose definitions follow once (in a
    derivation, a program's large result over the program's own names instead)."""
    lines = []
    shared = by_names = False
    for i in range(len(d.wrt)):
        over_names = _over_names(d, i) if named else None
        shown = final(d, i)
        if over_names is not None:
            lines.append(f"{result_name(d, i)} = {over_names}")
            by_names = True
            continue
        shared = shared or shown is not None
        lines.append(f"{result_name(d, i)} = {show(d.results[i])}" if shown is None else
                     f"{result_name(d, i)} = {show(shown)}   {program_note(d)}")
    if by_names:
        lines.append(f"  (a result of more than {STEP_NODES} nodes is written over the program's names, each "
                     f"d{d.output_name}/du as found above; --expand prints it in the inputs)")
    if d.program is not None and shared:
        lines += [f"  {name} = {show(value)}" for name, value in d.program.definitions]
    return lines


def _over_names(d: Derivation, i: int) -> str | None:
    """A program's large result i written over the program's own names, as its last step is: the
    user named those parts, and the steps above give each of them (None: shown in the inputs)."""
    if d.expanded or not d.graph.nodes or d.graph.nodes[-1].body is None or not by_name(d.results[i]):
        return None
    x = d.wrt[i]
    if d.forward:
        last = [s for s in d.forward[i].steps if s.node.symbol == d.graph.output]
        return named_products(last[0], x.name) if last else None
    steps = [s for s in d.reverse.steps if s.target == x] if d.reverse is not None else []
    if not steps or not steps[0].contributions:
        return None
    return _over_adjoints(d, steps[0].contributions, ones=False)


def _over_adjoints(d: Derivation, contributions: Sequence[Contribution], ones: bool = True) -> str:
    """Σ df/dc·∂c/∂u over the consumers c, each df/dc by its name (·1 left out unless ones)."""
    return " + ".join(adjoint_name(d, c.consumer.name) + ("" if c.partial.local == 1 and not ones
                                                          else f"·{factor(c.partial.local)}") for c in contributions)


def _graph(d: Derivation) -> list[str]:
    g = d.graph
    if not g.nodes:
        return [f"decomposition: none ({d.output_name} is {'a variable' if g.output in g.variables else 'a constant'})"]
    if g.nodes[-1].body is not None:
        rows = [(f"{n.name} = {show(n.local)}", "depends on " + ", ".join(a.name for a in n.args))
                for n in reversed(g.nodes)]
        return ["dependency tree", *columns(rows)]
    names = [operation(n) for n in g.nodes]
    width = max(len(name) for name in names)
    rows = [(f"{n.name} = {show_local(n.local)}",
             name.ljust(width) + (f"   = {d.output_name}" if n.symbol == g.output else ""))
            for n, name in zip(g.nodes, names, strict=True)]
    return ["decomposition", *columns(rows)]


def forward_rows(fp: ForwardPass, d: Derivation) -> list[str]:
    x = fp.wrt.name
    u = generic(d)
    lines = [f"total derivatives   d{u}/d{x} = ∂{u}/∂{x} + Σ ∂{u}/∂{u}i · d{u}i/d{x}",
             f"  (∂: partial, the node's other arguments held fixed; d: total, through every path from {x})"]
    rows = []
    for step in fp.steps:
        left = f"{total(step.node.name, x)} = {rule(step, x)}"
        if by_name(step.total):
            rows.append((left, f"= {named_products(step, x)}"))
            continue
        shown = products(step, x)
        result = show(step.total)
        rows.append((left, f"= {shown}" if shown == result else f"= {shown} = {result}"))
    lines += columns(rows) if rows else [f"  (no intermediate depends on {x})"]
    if fp.independent:
        names = ", ".join(s.name for s in fp.independent)
        lines.append(f"  ({names} do{'es' if len(fp.independent) == 1 else ''} not depend on {x}: d/d{x} = 0)")
    return lines


def _reverse(rp: ReversePass, d: Derivation) -> list[str]:
    f = d.output_name
    u, k = generic(d), consumer(d)
    lines = [f"backpropagation   {total(f, u)} = Σ over the consumers {k} of {u}: {total(f, k)} · ∂{k}/∂{u}",
             f"  (each edge: upstream {total(f, k)} × local ∂{k}/∂{u} = downstream; d{f}/d{u} is the total through"
             f" every path from {u} to {f}; one sweep gives every ∂{f}/∂v)"]
    rows: list[tuple[str, str]] = []
    extra: dict[int, list[str]] = {}
    for step in rp.steps:
        if step.target in d.data:
            continue  # data are not trained: their adjoints are no part of the gradient asked for
        name = adjoint_name(d, step.target.name)
        if not step.contributions:
            note = "seed" if step.target == d.graph.output else "no path to " + f
            rows.append((f"{name} = {show(step.total)}", f"({note})"))
            continue
        formula = " + ".join(f"{adjoint_name(d, c.consumer.name)} · {partial(c.consumer.name, step.target.name)}"
                             for c in step.contributions)
        if by_name(step.total):
            rows.append((f"{name} = {formula}", "= " + _over_adjoints(d, step.contributions)))
            continue
        if len(step.contributions) == 1:
            c = step.contributions[0]
            rows.append((f"{name} = {formula}",
                         f"= {factor(c.upstream)} × {factor(c.partial.local)} = {show(step.total)}"))
            continue
        rows.append((f"{name} = {formula}", ""))
        extra[len(rows) - 1] = [
            *(f"path via {c.consumer.name}: {factor(c.upstream)} × {factor(c.partial.local)} = {show(c.downstream)}"
              for c in step.contributions),
            f"sum = {show(step.total)}",
        ]
    width = min(max(len(left) for left, _ in rows), 60)
    for i, (left, right) in enumerate(rows):
        lines.append(f"  {left.ljust(width)}   {right}".rstrip())
        lines += [" " * 6 + e for e in extra.get(i, [])]
    return lines + _data_note(d)


def _data_note(d: Derivation) -> list[str]:
    if not d.data:
        return []
    names = ", ".join(v.name for v in d.data)
    are, their = ("are", "their") if len(d.data) > 1 else ("is", "its")
    return [f"  ({names} {are} data, not trained: {their} adjoints are left out)"]


def _point(p: Point, d: Derivation) -> list[str]:
    f = d.output_name
    where = ", ".join(f"{v} = {show(x)}" for v, x in p.inputs)
    nodes = d.graph.index
    lines = [f"at {where}", "forward pass"]
    lines += columns([(f"{s.name} = {_definition(nodes[s])}",
                        _equals(v)) for s, v in p.values])
    lines += _tangents(p)
    lines.append("backward pass   (upstream × local = downstream)")
    edges: dict[str, list[str]] = {}
    for user, arg, up, local, down in p.edges:
        edges.setdefault(arg.name, []).append(
            f"via {user.name}: {_operand(up)} × {_operand(local)} = {brief(down)}")
    rows = [(f"{adjoint_name(d, s.name)} {_equals(v)}",
             "(seed)" if s == d.graph.output else "; ".join(edges.get(s.name, ["no path"])))
            for s, v in p.adjoints if s not in d.data]
    lines += columns(rows) + _data_note(d)
    lines.append("gradient")
    lines += columns([(f"∂{f}/∂{v.name} {_equals(g)}", "") for v, g in p.gradient])
    if p.learning_rate is not None:
        lines.append(f"gradient descent step   v ← v − lr·∂{f}/∂v   (lr = {show(p.learning_rate)})")
        start = dict(p.inputs)
        lines += columns([(f"{v.name}: {show(start.get(v, 0))} → {number(u)}", "") for v, u in p.updates])
    lines += [f"note: {n}" for n in p.notes]
    return lines


def _tangents(p: Point) -> list[str]:
    """Forward mode's numbers: each du/dx at the point with the terms local × incoming that sum to it."""
    lines = []
    for x in dict.fromkeys(x for x, _, _ in p.tangents):
        terms: dict[str, list[str]] = {}
        for wrt, user, arg, local, incoming, term in p.tangent_edges:
            if wrt == x:
                terms.setdefault(user.name, []).append(
                    f"from {arg.name}: {_operand(local)} × {_operand(incoming)} = {brief(term)}")
        lines.append(f"tangents d/d{x.name}   (local × incoming = term; the terms sum to du/d{x.name})")
        lines += columns([(f"{total(u.name, x.name)} {_equals(v)}", "; ".join(terms.get(u.name, [])))
                          for wrt, u, v in p.tangents if wrt == x])
    return lines


def _operand(v: PointValue) -> str:
    """A value as a factor of upstream × local: bracketed when negative or a sum, so it reads right."""
    shown = brief(v)
    return f"({shown})" if shown.startswith("-") or " + " in shown or " - " in shown else shown


def _definition(node: Node) -> str:
    return show(node.local) if node.body is not None else show_local(node.local)


def _equals(v: PointValue) -> str:
    """'= 7', '= 57/25 ≈ 2.28', or '≈ 0.7513…' when the exact form is too long to read."""
    shown = number(v)
    return shown if shown.startswith("≈") else f"= {shown}"


def columns(rows: list[tuple[str, str]]) -> list[str]:
    width = min(max(len(left) for left, _ in rows), 60)
    return [f"  {left.ljust(width)}   {right}".rstrip() for left, right in rows]


BOLD, RED, GREEN, YELLOW, CYAN = "\x1b[1m", "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[36m"
RESET = "\x1b[0m"


def _style(line: str, codes: str) -> str:
    return f"{codes}{line}{RESET}" if line else line


HEADINGS = ("decomposition", "dependency tree", "total derivatives", "backpropagation", "forward pass",
            "backward pass", "gradient", "at ")


def colour(rendered: str) -> str:
    """The same text with ANSI styles for a terminal: headings bold, results bold, the verdict green
    (verified) or red (a mismatch), yellow when not verified. Only the CLI calls this, on a terminal."""
    out = []
    for line in rendered.split("\n"):
        if line.startswith("verified") or line.startswith("forward and reverse mode agree"):
            line = _style(line, GREEN + BOLD)
        elif line.startswith(("MISMATCH", "DISAGREE")):
            line = _style(line, RED + BOLD)
        elif line.startswith("not verified"):
            line = _style(line, YELLOW)
        elif line.startswith(HEADINGS):
            line = _style(line, BOLD)
        elif line[:1] in ("d", "∂") and " = " in line and not line.startswith(" "):
            line = _style(line, CYAN + BOLD)
        out.append(line)
    return "\n".join(out)
