"""The computational graph as a picture: DOT text for Graphviz, and an SVG drawn with chainsym's own
layered layout (so HTML pages and `chainsym graph -o g.svg` need no Graphviz).

One box per node (name and operation; at a point, its value and gradient df/du), one ellipse per
variable, edges from argument to consumer labelled with the local partial ∂c/∂a.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..results import Derivation
from ..rules import partials
from .common import brief, show, show_local

DRAW_LIMIT = 300
"""graphs with more nodes are not drawn: the picture would be unreadable and slow to lay out"""

LABEL_WIDTH = 48
"""labels longer than this many characters are cut with …"""


@dataclass(frozen=True)
class Box:
    """A vertex of the picture: an intermediate (box) or a variable (ellipse)."""

    key: str
    lines: tuple[str, ...]
    variable: bool
    output: bool
    layer: int


@dataclass(frozen=True)
class Edge:
    """From argument to consumer, labelled with the local partial."""

    source: str
    target: str
    label: str


def too_large(d: Derivation) -> bool:
    return len(d.graph.nodes) > DRAW_LIMIT


def scene(d: Derivation) -> tuple[tuple[Box, ...], tuple[Edge, ...]]:
    """The boxes and edges of the graph, with values and gradients when the derivation has a point."""
    g = d.graph
    values = {s: v for s, v in d.point.values} if d.point else {}
    grads = {s: v for s, v in d.point.adjoints} if d.point else {}
    inputs = dict(d.point.inputs) if d.point else {}
    locals_at = {(c, a): lo for c, a, _, lo, _ in d.point.edges} if d.point else {}
    f = d.output_name
    boxes = []
    for v in g.variables:
        lines = [v.name]
        if v in inputs:
            lines.append(f"value {_cut(show(inputs[v]))}")
        if v in grads:
            lines.append(f"grad d{f}/d{v.name} = {_cut(brief(grads[v]))}")
        boxes.append(Box(v.name, tuple(lines), True, v == g.output, 0))
    for n in g.nodes:
        local = show(n.local) if n.body is not None else show_local(n.local)
        lines = [_cut(f"{n.name} = {local}"), f"{n.op_name}" + (f"   (= {f})" if n.symbol == g.output else "")]
        if n.symbol in values:
            lines.append(f"value {_cut(brief(values[n.symbol]))}")
        if n.symbol in grads:
            lines.append(f"grad d{f}/d{n.name} = {_cut(brief(grads[n.symbol]))}")
        boxes.append(Box(n.name, tuple(lines), False, n.symbol == g.output, n.depth))
    edges = []
    for n in g.nodes:
        for p in partials(n):
            at = locals_at.get((n.symbol, p.arg))
            shown = f"{show(p.local)} = {brief(at)}" if at is not None and show(p.local) != brief(at) else show(p.local)
            edges.append(Edge(p.arg.name, n.name, _cut(f"∂{n.name}/∂{p.arg.name} = {shown}")))
    return tuple(boxes), tuple(edges)


def _cut(text: str) -> str:
    return text if len(text) <= LABEL_WIDTH else text[:LABEL_WIDTH - 1] + "…"


def dot(d: Derivation) -> str:
    """Graphviz DOT text, left to right."""
    boxes, edges = scene(d)
    out = ["digraph chainsym {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=11];',
           '  edge [fontname="Helvetica", fontsize=9];']
    for b in boxes:
        shape = "ellipse" if b.variable else "box"
        extra = ", peripheries=2" if b.output else ""
        style = ', style=filled, fillcolor="#eef3fb"' if b.variable else ', style="rounded"'
        out.append(f'  "{_q(b.key)}" [shape={shape}{style}{extra}, label="{_q(chr(10).join(b.lines))}"];')
    for e in edges:
        out.append(f'  "{_q(e.source)}" -> "{_q(e.target)}" [label="{_q(e.label)}"];')
    out.append("}")
    return "\n".join(out) + "\n"


def _q(text: str) -> str:
    """A DOT string's contents: backslash and quote escaped, newlines as \\n."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


CHAR = 7.2
"""width of one character of the 12px monospace font, in pixels (an estimate for the layout)"""
LINE = 16
PAD = 8
GAP_X = 150
GAP_Y = 28
TOP = 40
"""room above the first row for edges that bow over a layer"""


def svg(d: Derivation) -> str:
    """An SVG picture of the graph: layers by depth, left to right; edges as arrows with labels."""
    if too_large(d):
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="520" height="40"><text x="8" y="24" '
                f'font-family="sans-serif" font-size="13">The graph has {len(d.graph.nodes)} nodes: too many to '
                f'draw (limit {DRAW_LIMIT}).</text></svg>')
    boxes, edges = scene(d)
    layers: dict[int, list[Box]] = {}
    for b in boxes:
        layers.setdefault(b.layer, []).append(b)
    order = sorted(layers)
    size = {b.key: (max(len(s) for s in b.lines) * CHAR + 2 * PAD, len(b.lines) * LINE + PAD) for b in boxes}
    place: dict[str, tuple[float, float]] = {}
    x = 10.0
    height = 0.0
    for layer in order:
        column = layers[layer]
        y = TOP
        for b in column:
            place[b.key] = (x, y)
            y += size[b.key][1] + GAP_Y
        height = max(height, y)
        x += max(size[b.key][0] for b in column) + GAP_X
    width = x - GAP_X + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
             f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="monospace" font-size="12" role="img">',
             "<title>computational graph</title>",
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>']
    layer_of = {b.key: b.layer for b in boxes}
    for e in edges:
        (x1, y1), (w1, h1) = place[e.source], size[e.source]
        (x2, y2), (_, h2) = place[e.target], size[e.target]
        ax, ay, bx, by = x1 + w1, y1 + h1 / 2, x2, y2 + h2 / 2
        c1y, c2y = ay, by
        if order.index(layer_of[e.target]) - order.index(layer_of[e.source]) > 1:
            # an edge past a layer bows above the boxes between: its midpoint at TOP - 12
            peak = min(y1, y2) - 12
            c1y = c2y = (peak - 0.125 * (ay + by)) / 0.75
        dx = (bx - ax) / 3
        curve = f"M {ax:.1f} {ay:.1f} C {ax + dx:.1f} {c1y:.1f}, {bx - dx:.1f} {c2y:.1f}, {bx:.1f} {by:.1f}"
        parts.append(f'<path d="{curve}" '
                     f'fill="none" stroke="#555" marker-end="url(#arrow)"/>')
        mx = (ax + bx) / 2
        my = 0.125 * ay + 0.375 * c1y + 0.375 * c2y + 0.125 * by
        parts.append(f'<text x="{mx:.1f}" y="{my - 4:.1f}" text-anchor="middle" '
                     f'font-size="10" fill="#333">{escape(e.label)}</text>')
    for b in boxes:
        (bx, by), (w, h) = place[b.key], size[b.key]
        if b.variable:
            parts.append(f'<ellipse cx="{bx + w / 2:.1f}" cy="{by + h / 2:.1f}" rx="{w / 2:.1f}" ry="{h / 2:.1f}" '
                         f'fill="#eef3fb" stroke="#345"/>')
        else:
            stroke = ' stroke-width="2.5"' if b.output else ""
            parts.append(f'<rect x="{bx:.1f}" y="{by:.1f}" width="{w:.1f}" height="{h:.1f}" rx="5" fill="#fff" '
                         f'stroke="#345"{stroke}/>')
        for i, line in enumerate(b.lines):
            weight = ' font-weight="bold"' if i == 0 else ""
            parts.append(f'<text x="{bx + w / 2:.1f}" y="{by + PAD / 2 + (i + 0.8) * LINE:.1f}" '
                         f'text-anchor="middle"{weight}>{escape(line)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
