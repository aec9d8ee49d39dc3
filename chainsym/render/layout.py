"""A layered drawing of a directed acyclic graph (Sugiyama's method), as pure geometry: no text, no SVG.

`draw(items, links, limit)` promises, for the boxes and labelled links it is given:
- every link runs from an earlier layer to a later one; a source item (a variable) sits in the layer
  just before its first consumer;
- no two boxes overlap; a link that skips layers passes each one through a gap between its boxes (a
  dummy point per skipped layer) and curves only in the box-free strips between layers, so no route
  passes under a box other than its two ends;
- labels overlap neither each other nor a box; a label that finds no free place on its link is left
  to a numbered legend, with its number on the link where that fits;
- left to right when that fits within `limit` without a legend, else top to bottom, an over-wide
  layer wrapped into several rows so the drawing stays within `limit`;
- the same input gives the same drawing (every tie is broken by name or position), in time close to
  linear in the number of boxes, links and dummy points.

The work is done in abstract coordinates, `o` along a layer (the order axis) and `r` across the
layers (the rank axis), and turned into x and y at the end: (o, r) is (x, y) top to bottom, (y, x)
left to right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from math import floor, sqrt

from .geometry import Item, Link, Point, Rect, Route, Segment
from .layering import _Net, _order, _ports, _positions, _ranks, _wrap

__all__ = ["Drawing", "Item", "Link", "Point", "Rect", "Route", "Segment", "draw", "sample"]

MARGIN = 10.0
STRIP = 40.0
"""the least space between two layers"""
GROWTH = 120.0
"""how much a strip may grow to make room for labels"""
PAD = 10.0
"""space between a label and the layers around its strip (an arrowhead is 7)"""
SLACK = 16.0
"""more room in a strip than its widest label needs, so labels can move apart along their links"""
STEP = 6.0
"""distance between the places tried for a label along its link"""
TRIED = 3
"""how many strips, counted from its target, are tried for a label"""
MARK = 16.0
"""size of a legend number drawn on a link"""
GROW_ROUNDS = 4


@dataclass(frozen=True)
class Drawing:
    """The placed picture: one rectangle per item, one route and label place per link, in input order.

    A round item is the ellipse inscribed in its rectangle. A link whose label is None is listed in
    the legend (`legend` holds link indices in legend order, numbered from 1) and `markers` says where
    its number is drawn on the link (None when even that found no room).
    """

    width: float
    height: float
    vertical: bool
    boxes: tuple[Rect, ...]
    routes: tuple[Route, ...]
    labels: tuple[Rect | None, ...]
    markers: tuple[Rect | None, ...]
    legend: tuple[int, ...]


def draw(items: Sequence[Item], links: Sequence[Link], limit: float) -> Drawing:
    """Left to right when that fits within limit and every label finds a place on its link; else top
    to bottom if that does better (narrower than limit, fewer legend entries)."""
    across = _draw(items, links, False, limit)
    if across.width <= limit and not across.legend:
        return across
    down = _draw(items, links, True, limit)
    return min((across, down), key=lambda d: (max(0.0, d.width - limit), len(d.legend), d.vertical))


def sample(route: Route, steps: int = 16) -> tuple[Point, ...]:
    """The route as a polyline: straight pieces as they are, each curve at steps + 1 points."""
    points: list[Point] = [route[0][0]] if route else []
    for seg in route:
        if len(seg) == 2:
            points.append(seg[1])
            continue
        (ax, ay), (bx, by), (cx, cy), (dx, dy) = seg
        for k in range(1, steps + 1):
            t = k / steps
            u = 1 - t
            points.append((u ** 3 * ax + 3 * u * u * t * bx + 3 * u * t * t * cx + t ** 3 * dx,
                           u ** 3 * ay + 3 * u * u * t * by + 3 * u * t * t * cy + t ** 3 * dy))
    return tuple(points)


# --- across the layers: strips, routes, labels ---------------------------------------------------

class _Grid:
    """Rectangles, and the links' lines as short segments, bucketed by cell: what is near a place is
    found in time proportional to what is near it."""

    CELL = 64.0

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[Rect]] = {}
        self.lines: dict[tuple[int, int], list[tuple[Point, Point, int]]] = {}

    def _keys(self, r: Rect) -> list[tuple[int, int]]:
        xs = range(floor(r.x / self.CELL), floor(r.right / self.CELL) + 1)
        return [(i, j) for i in xs for j in range(floor(r.y / self.CELL), floor(r.bottom / self.CELL) + 1)]

    def add(self, r: Rect) -> None:
        for key in self._keys(r):
            self.cells.setdefault(key, []).append(r)

    def add_line(self, p: Point, q: Point, owner: int) -> None:
        around = Rect(min(p[0], q[0]), min(p[1], q[1]), abs(p[0] - q[0]), abs(p[1] - q[1]))
        for key in self._keys(around):
            self.lines.setdefault(key, []).append((p, q, owner))

    def free(self, r: Rect, owner: int | None = None) -> bool:
        """Nothing placed overlaps r; with an owner, no line of another link crosses it either."""
        keys = self._keys(r)
        if any(r.overlaps(q, 1.0) for key in keys for q in self.cells.get(key, ())):
            return False
        return owner is None or not any(o != owner and _crosses(p, q, r) for key in keys
                                        for p, q, o in self.lines.get(key, ()))


def _crosses(p: Point, q: Point, r: Rect) -> bool:
    """Whether segment pq meets rectangle r (Liang and Barsky's clipping)."""
    low, high = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for step, room in ((-dx, p[0] - r.x), (dx, r.right - p[0]), (-dy, p[1] - r.y), (dy, r.bottom - p[1])):
        if step == 0:
            if room < 0:
                return False
        elif step < 0:
            low = max(low, room / step)
        else:
            high = min(high, room / step)
    return low <= high


@dataclass(frozen=True)
class _Piece:
    """A link's curve across the strip after layer `strip`, from (o1, r1) to (o2, r2)."""

    strip: int
    o1: float
    r1: float
    o2: float
    r2: float

    def at(self, r: float) -> float:
        """The curve's o where it crosses r (the cubic with controls at mid-strip, solved by bisection)."""
        s = (r - self.r1) / (self.r2 - self.r1) if self.r2 > self.r1 else 0.5
        lo, hi = 0.0, 1.0
        for _ in range(30):
            t = (lo + hi) / 2
            if 1.5 * t - 1.5 * t * t + t ** 3 < s:
                lo = t
            else:
                hi = t
        t = (lo + hi) / 2
        return self.o1 + (self.o2 - self.o1) * (3 * t * t - 2 * t ** 3)


def _draw(items: Sequence[Item], links: Sequence[Link], vertical: bool, limit: float) -> Drawing:
    """One direction: layers, order, (rows,) places along the layers; then the strips between layers
    grown where labels found no room, a few times, and the routes and labels placed again."""
    if not items:
        return Drawing(2 * MARGIN, 2 * MARGIN, vertical, (), (), (), (), ())
    keys = {it.key: i for i, it in enumerate(items)}
    ends = [(keys[link.source], keys[link.target]) for link in links]
    net = _Net(items, ends, _ranks(items, ends), vertical)
    layers = _order(net, float)
    inner = limit - 2 * MARGIN
    if vertical:
        rows = _wrap(net, layers, inner)
        if rows is not None:
            before = {v: float(i) for layer in layers for i, v in enumerate(layer)}
            wrapped = _Net(items, ends, rows, vertical)
            layers = _order(wrapped, lambda v: before[v if v < wrapped.real else ends[wrapped.link_of[v]][0]])
            net = wrapped
    bound = max([inner] + [net.packed(layer) for layer in layers]) if vertical else None
    o = _positions(net, layers, bound)
    leave, enter = _ports(net, o)
    lsize = [(lk.w, lk.h) if vertical else (lk.h, lk.w) for lk in links]  # (along o, along r)
    strips = [STRIP] * max(0, net.depth - 1)
    for i, chain in enumerate(net.chains):  # room for the label in the strip before the link's target
        last = net.layer[chain[-1]] - 1
        strips[last] = max(strips[last], lsize[i][1] + 2 * PAD + SLACK)
    first = list(strips)
    bands = [max(net.rsize[v] for v in layer) for layer in layers]
    for attempt in range(GROW_ROUNDS + 1):
        starts = [0.0]
        for band, strip in zip(bands, strips, strict=False):
            starts.append(starts[-1] + band + strip)
        centre = [starts[net.layer[v]] + bands[net.layer[v]] / 2 for v in range(len(net.name))]
        boxes = [Rect(o[v] - net.osize[v] / 2, centre[v] - net.rsize[v] / 2, net.osize[v], net.rsize[v])
                 for v in range(net.real)]
        routes = [_route(net, chain, o, centre, starts, bands, leave[i], enter[i])
                  for i, chain in enumerate(net.chains)]
        labels, markers, legend = _labels(boxes, routes, lsize, bound)
        short: dict[int, float] = {}
        for i in legend:
            strip = routes[i][1][-1].strip if routes[i][1] else -1
            if strip >= 0:
                short[strip] = short.get(strip, 0.0) + lsize[i][1] + 2
        grown = False
        for strip, need in sorted(short.items()):
            wider = min(strips[strip] + need, first[strip] + GROWTH)
            grown = grown or wider > strips[strip]
            strips[strip] = wider
        if not grown or attempt == GROW_ROUNDS:
            break
    return _finish(vertical, boxes, [r for r, _ in routes], labels, markers, legend)


def _route(net: _Net, chain: Sequence[int], o: Sequence[float], centre: Sequence[float], starts: Sequence[float],
           bands: Sequence[float], leave: float, enter: float) -> tuple[list[Segment], list[_Piece]]:
    """Straight along the rank axis inside a layer's band, a curve across each strip."""
    def side(v: int, offset: float, sign: int) -> float:
        half = net.rsize[v] / 2
        if net.round[v] and net.osize[v] > 0:
            half *= sqrt(max(0.0, 1 - (2 * offset / net.osize[v]) ** 2))
        return centre[v] + sign * half

    s, t = chain[0], chain[-1]
    stops: list[Point] = [(o[s] + leave, side(s, leave, 1)), (o[s] + leave, starts[net.layer[s]] + bands[net.layer[s]])]
    for d in chain[1:-1]:
        stops += [(o[d], starts[net.layer[d]]), (o[d], starts[net.layer[d]] + bands[net.layer[d]])]
    stops += [(o[t] + enter, starts[net.layer[t]]), (o[t] + enter, side(t, enter, -1))]
    segments: list[Segment] = []
    pieces: list[_Piece] = []
    for j, (a, b) in enumerate(pairwise(stops)):
        if j % 2:
            pieces.append(_Piece(net.layer[s] + j // 2, a[0], a[1], b[0], b[1]))
        if abs(a[0] - b[0]) > 0.05:  # a curve across the strip
            mid = (a[1] + b[1]) / 2
            segments.append((a, (a[0], mid), (b[0], mid), b))
        elif segments and len(segments[-1]) == 2:  # straight on from a straight piece
            segments[-1] = (segments[-1][0], b)
        elif b[1] - a[1] > 1e-9:
            segments.append((a, b))
    return segments, pieces


def _labels(boxes: Sequence[Rect], routes: Sequence[tuple[list[Segment], list[_Piece]]],
            lsize: Sequence[tuple[float, float]], bound: float | None
            ) -> tuple[list[Rect | None], list[Rect | None], list[int]]:
    """Each label at the first free place on its link (the strip before its target first, the middle
    of a strip first, on the link before beside it), where no other link's line runs under it if
    there is such a place; the labels that find none go to the legend, with a number on the link."""
    grid = _Grid()
    for box in boxes:
        grid.add(box)
    for i, (segments, _) in enumerate(routes):
        line = sample(tuple(segments), 8)
        for p, q in pairwise(line):
            grid.add_line(p, q, i)
    labels: list[Rect | None] = []
    legend: list[int] = []
    for i, (_, pieces) in enumerate(routes):
        spot = _spot(pieces, *lsize[i], grid, bound, i) or _spot(pieces, *lsize[i], grid, bound)
        labels.append(spot)
        if spot is None:
            legend.append(i)
        else:
            grid.add(spot)
    markers: list[Rect | None] = [None] * len(routes)
    for i in legend:
        spot = _spot(routes[i][1], MARK, MARK, grid, bound, i) or _spot(routes[i][1], MARK, MARK, grid, bound)
        markers[i] = spot
        if spot is not None:
            grid.add(spot)
    return labels, markers, legend


def _spot(pieces: Sequence[_Piece], lo: float, lr: float, grid: _Grid, bound: float | None,
          owner: int | None = None) -> Rect | None:
    """A free place for an lo × lr label on a link: in the strips nearest its target, then nearest its
    source (a few strips at most: a long link's label has to stay near one of its ends to be read)."""
    tried = list(reversed(pieces[-TRIED:])) + ([pieces[0]] if len(pieces) > TRIED else [])
    for piece in tried:
        room = piece.r2 - piece.r1 - 2 * PAD - lr
        if room < 0:
            continue
        middle = (piece.r1 + piece.r2) / 2
        lowest = piece.r1 + PAD + lr / 2
        places = [middle] + sorted((lowest + k * STEP for k in range(int(room // STEP) + 1)),
                                   key=lambda c: (abs(c - middle), c))
        across = [(r, piece.at(r)) for r in places]
        for shift in (0.0, lo / 2 + 3, -lo / 2 - 3):
            for r, at in across:
                left = at + shift - lo / 2
                if bound is not None:
                    if shift == 0.0:  # slid sideways into the page, still across its link
                        left = max(min(left, bound - lo), 0.0)
                    if left < 0 or left + lo > bound:
                        continue
                spot = Rect(left, r - lr / 2, lo, lr)
                if grid.free(spot, owner):
                    return spot
    return None


def _finish(vertical: bool, boxes: Sequence[Rect], routes: Sequence[Sequence[Segment]],
            labels: Sequence[Rect | None], markers: Sequence[Rect | None], legend: Sequence[int]) -> Drawing:
    """From (o, r) to (x, y), moved so that everything starts at the margin."""
    def point(p: Point) -> Point:
        return p if vertical else (p[1], p[0])

    def rect(r: Rect) -> Rect:
        return r if vertical else Rect(r.y, r.x, r.h, r.w)

    flat = [rect(b) for b in boxes] + [rect(r) for r in [*labels, *markers] if r is not None]
    points = [point(p) for route in routes for seg in route for p in seg]
    left = min([r.x for r in flat] + [p[0] for p in points])
    top = min([r.y for r in flat] + [p[1] for p in points])
    dx, dy = MARGIN - left, MARGIN - top

    def moved(r: Rect) -> Rect:
        r = rect(r)
        return Rect(r.x + dx, r.y + dy, r.w, r.h)

    out_boxes = tuple(moved(b) for b in boxes)
    out_routes = tuple(tuple(tuple((x + dx, y + dy) for x, y in map(point, seg)) for seg in route) for route in routes)
    out_labels = tuple(None if r is None else moved(r) for r in labels)
    out_markers = tuple(None if r is None else moved(r) for r in markers)
    right = max([r.right for r in flat] + [p[0] for p in points]) + dx
    bottom = max([r.bottom for r in flat] + [p[1] for p in points]) + dy
    return Drawing(right + MARGIN, bottom + MARGIN, vertical, out_boxes, out_routes, out_labels, out_markers,
                   tuple(legend))
