"""The computational graph as a picture: DOT text for Graphviz, and an SVG drawn with chainsym's own
layered layout (so HTML pages and `chainsym graph -o g.svg` need no Graphviz).

One box per node (name and operation; at a point, its value and gradient df/du), one ellipse per
variable, edges from argument to consumer labelled with the local partial ∂c/∂a. The SVG's geometry
comes from `layout` (no overlaps, no edge under a box, within PAGE_WIDTH); this module measures the
text and writes the elements.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from math import ceil, sqrt

from ..results import Derivation
from ..rules import partials
from .common import brief, operation, show, show_local
from .layout import Drawing, Item, Link, Rect, draw

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
    title: str
    """the lines uncut (a tooltip in the SVG)"""


@dataclass(frozen=True)
class Edge:
    """From argument to consumer, labelled with the local partial."""

    source: str
    target: str
    label: str
    title: str
    """the label uncut"""


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
        lines = [(v.name, v.name)]
        if v in inputs:
            lines.append(_cut_part("value ", show(inputs[v])))
        if v in grads:
            lines.append(_cut_part(f"grad d{f}/d{v.name} = ", brief(grads[v])))
        boxes.append(_box(v.name, lines, True, v == g.output))
    for n in g.nodes:
        local = show(n.local) if n.body is not None else show_local(n.local)
        head = f"{n.name} = {local}"
        op = f"{operation(n)}" + (f"   (= {f})" if n.symbol == g.output else "")
        lines = [(_cut(head), head), (op, op)]
        if n.symbol in values:
            lines.append(_cut_part("value ", brief(values[n.symbol])))
        if n.symbol in grads:
            lines.append(_cut_part(f"grad d{f}/d{n.name} = ", brief(grads[n.symbol])))
        boxes.append(_box(n.name, lines, False, n.symbol == g.output))
    edges = []
    for n in g.nodes:
        for p in partials(n):
            at = locals_at.get((n.symbol, p.arg))
            shown = f"{show(p.local)} = {brief(at)}" if at is not None and show(p.local) != brief(at) else show(p.local)
            label = f"∂{n.name}/∂{p.arg.name} = {shown}"
            edges.append(Edge(p.arg.name, n.name, _cut(label), label))
    return tuple(boxes), tuple(edges)


def _box(key: str, lines: list[tuple[str, str]], variable: bool, output: bool) -> Box:
    return Box(key, tuple(shown for shown, _ in lines), variable, output, "\n".join(full for _, full in lines))


def _cut_part(prefix: str, text: str) -> tuple[str, str]:
    """(the line with text cut, the line whole)."""
    return prefix + _cut(text), prefix + text


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


PAGE_WIDTH = 1120.0
"""the widest picture drawn at full size: the HTML page's column (max-width 70rem)"""
CHAR = 7.2
"""width of one character of the 12px monospace font, in pixels (an estimate for the layout)"""
LINE = 16.0
PAD = 8.0
LABEL_SIZE = 10
LABEL_CHAR = 6.0
"""width of one character of the labels' 10px monospace font"""
LABEL_LINE = 13.0
LEGEND_LINE = 14.0


def items(boxes: tuple[Box, ...], edges: tuple[Edge, ...]) -> tuple[tuple[Item, ...], tuple[Link, ...]]:
    """What the layout places: each box at the size its text needs, each edge with its label's size."""
    placed = tuple(Item(b.key, *_size(b), source=b.variable, round=b.variable) for b in boxes)
    links = tuple(Link(e.source, e.target, len(e.label) * LABEL_CHAR + 4, LABEL_LINE) for e in edges)
    return placed, links


def _size(b: Box) -> tuple[float, float]:
    """A box's width and height; an ellipse just wide enough to hold each line of text inside it."""
    if not b.variable:
        return max(len(s) for s in b.lines) * CHAR + 2 * PAD, len(b.lines) * LINE + PAD
    block = len(b.lines) * LINE
    ry = block / 2 * 1.6 + 2
    rx = ry * 1.2
    for i, line in enumerate(b.lines):
        far = max(abs(i * LINE - block / 2), abs((i + 1) * LINE - block / 2))
        rx = max(rx, (len(line) * CHAR / 2 + 4) / sqrt(1 - (far / ry) ** 2))
    return 2 * rx, 2 * ry


def drawing(d: Derivation) -> Drawing:
    """The laid-out picture: a rectangle per box (in scene order), a route and label place per edge."""
    return draw(*items(*scene(d)), PAGE_WIDTH)


def svg(d: Derivation) -> str:
    """An SVG picture of the graph, as wide as the page at most (it shrinks with a narrower column)."""
    if too_large(d):
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="520" height="40"><text x="8" y="24" '
                f'font-family="sans-serif" font-size="13">The graph has {len(d.graph.nodes)} nodes: too many to '
                f'draw (limit {DRAW_LIMIT}).</text></svg>')
    boxes, edges = scene(d)
    pic = draw(*items(boxes, edges), PAGE_WIDTH)
    width = ceil(pic.width)
    height = ceil(pic.height + (len(pic.legend) * LEGEND_LINE + 6 if pic.legend else 0))
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
              f'height="{height}" style="max-width:{width}px;height:auto" font-family="monospace" '
              'font-size="12" role="img" aria-label="computational graph">'),
             "<title>computational graph</title>",
             ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
              'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>')]
    parts += [f'<path d="{_path(route)}" fill="none" stroke="#555" marker-end="url(#arrow)"/>' for route in pic.routes]
    number = {link: k + 1 for k, link in enumerate(pic.legend)}
    for i, (e, label, marker) in enumerate(zip(edges, pic.labels, pic.markers, strict=True)):
        if label is not None:
            parts.append(_label(label, e))
        if marker is not None:
            parts.append(_marker(marker, number[i]))
    parts += [_node(b, box) for b, box in zip(boxes, pic.boxes, strict=True)]
    room = int((width - 20) / LABEL_CHAR)
    for k, link in enumerate(pic.legend):
        line = f"{k + 1}: {edges[link].title}"
        shown = line if len(line) <= room else line[:room - 1] + "…"
        parts.append(f'<text x="10" y="{pic.height + (k + 0.8) * LEGEND_LINE:.1f}" font-size="{LABEL_SIZE}" '
                     f'fill="#333">{escape(shown)}{_title(line) if shown != line else ""}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _label(r: Rect, e: Edge) -> str:
    """An edge's label on a white ground (a path, not a rect: rects and ellipses are the nodes), with
    its whole text as a tooltip when it is cut."""
    tip = _title(e.title) if e.title != e.label else ""
    return (f'<g class="label"><path d="M {r.x:.1f} {r.y:.1f} h {r.w:.1f} v {r.h:.1f} h {-r.w:.1f} z" fill="#fff" '
            f'fill-opacity="0.9"/><text x="{r.x + r.w / 2:.1f}" y="{r.y + r.h / 2 + 3.5:.1f}" text-anchor="middle" '
            f'font-size="{LABEL_SIZE}" fill="#333">{escape(e.label)}{tip}</text></g>')


def _marker(r: Rect, number: int) -> str:
    """The number of an edge whose label is in the legend, in a circle on the edge."""
    cx, cy = r.x + r.w / 2, r.y + r.h / 2
    return (f'<g class="marker"><circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r.w / 2 - 1:.1f}" fill="#fff" stroke="#555"/>'
            f'<text x="{cx:.1f}" y="{cy + 3.5:.1f}" text-anchor="middle" font-size="{LABEL_SIZE}" fill="#333">'
            f'{number}</text></g>')


def _path(route: tuple[tuple[tuple[float, float], ...], ...]) -> str:
    out = [f"M {route[0][0][0]:.1f} {route[0][0][1]:.1f}"]
    for seg in route:
        points = " ".join(f"{x:.1f} {y:.1f}" for x, y in seg[1:])
        out.append(("L " if len(seg) == 2 else "C ") + points)
    return " ".join(out)


def _title(text: str) -> str:
    return f"<title>{escape(text)}</title>"


def _node(b: Box, r: Rect) -> str:
    stroke = ' stroke-width="2.5"' if b.output else ""
    cx, cy = r.x + r.w / 2, r.y + r.h / 2
    if b.variable:
        shape = (f'<ellipse cx="{cx:.1f}" cy="{cy:.1f}" rx="{r.w / 2:.1f}" ry="{r.h / 2:.1f}" fill="#eef3fb" '
                 f'stroke="#345"{stroke}/>')
    else:
        shape = (f'<rect x="{r.x:.1f}" y="{r.y:.1f}" width="{r.w:.1f}" height="{r.h:.1f}" rx="5" fill="#fff" '
                 f'stroke="#345"{stroke}/>')
    top = cy - len(b.lines) * LINE / 2
    texts = [f'<text x="{cx:.1f}" y="{top + (i + 0.8) * LINE:.1f}" text-anchor="middle"'
             f'{" font-weight=" + chr(34) + "bold" + chr(34) if i == 0 else ""}>{escape(line)}</text>'
             for i, line in enumerate(b.lines)]
    tip = _title(b.title) if b.title != "\n".join(b.lines) else ""
    return "\n".join([f'<g class="node">{tip}', shape, *texts, "</g>"])
