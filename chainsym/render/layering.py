"""Layers, order and positions of a layered drawing (Sugiyama's method): each item's rank, a
dummy point per layer a link skips, barycentre sweeps that reduce crossings, and least-squares
placement along each layer. Abstract coordinates: `o` along a layer, `r` across the layers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

from .geometry import Item

BOX_GAP = 24.0
"""space between two boxes of a layer"""
LINE_GAP = 14.0
"""space between a link passing through a layer and its neighbours"""
PORT_SPACING = 14.0
SWEEPS = 4
ROUNDS = 4
SOURCE_WEIGHT, LINE_WEIGHT, SPINE_WEIGHT = 1.0, 4.0, 20.0
"""how much a source, a dummy point and any other item pull their neighbours and insist on their own
places: the chain of computations stays straight, long links nearly so, the variables move beside them"""


# --- the graph with dummy points -----------------------------------------------------------------

class _Net:
    """Items and dummy points, each in a layer; each link as the chain of points it passes."""

    def __init__(self, items: Sequence[Item], ends: Sequence[tuple[int, int]], layer_of: Sequence[int],
                 vertical: bool) -> None:
        self.real = len(items)
        self.name = [it.key for it in items]
        self.osize = [it.w if vertical else it.h for it in items]
        self.rsize = [it.h if vertical else it.w for it in items]
        self.round = [it.round for it in items]
        self.layer = list(layer_of)
        self.link_of = [-1] * len(items)
        self.chains: list[list[int]] = []
        for i, (s, t) in enumerate(ends):
            chain = [s]
            for k, layer in enumerate(range(self.layer[s] + 1, self.layer[t])):
                self.name.append(f"{items[s].key}\x00{items[t].key}\x00{i}\x00{k}")
                self.osize.append(0.0)
                self.rsize.append(0.0)
                self.round.append(False)
                self.layer.append(layer)
                self.link_of.append(i)
                chain.append(len(self.name) - 1)
            chain.append(t)
            self.chains.append(chain)
        self.up: list[list[int]] = [[] for _ in self.name]
        self.down: list[list[int]] = [[] for _ in self.name]
        for chain in self.chains:
            for a, b in pairwise(chain):
                self.down[a].append(b)
                self.up[b].append(a)
        self.depth = max(self.layer) + 1 if self.layer else 0
        self.weight = [LINE_WEIGHT if v >= self.real else SPINE_WEIGHT if self.up[v] else SOURCE_WEIGHT
                       for v in range(len(self.name))]

    def sep(self, a: int, b: int) -> float:
        """The least distance between the centres of neighbours a and b of one layer."""
        gap = BOX_GAP if a < self.real and b < self.real else LINE_GAP
        return (self.osize[a] + self.osize[b]) / 2 + gap

    def packed(self, layer: Sequence[int]) -> float:
        return sum(self.osize[v] for v in layer) + sum(self.sep(a, b) - (self.osize[a] + self.osize[b]) / 2
                                                       for a, b in pairwise(layer))


def _ranks(items: Sequence[Item], ends: Sequence[tuple[int, int]]) -> list[int]:
    """Longest-path layers; a source item in the layer just before its first consumer."""
    n = len(items)
    ins: list[list[int]] = [[] for _ in range(n)]
    outs: list[list[int]] = [[] for _ in range(n)]
    for s, t in ends:
        outs[s].append(t)
        ins[t].append(s)
    free = [v for v in range(n) if items[v].source and not ins[v]]
    is_free = set(free)
    rank = [0] * n
    waiting = [sum(1 for s in ins[v] if s not in is_free) for v in range(n)]
    ready = [v for v in range(n) if v not in is_free and waiting[v] == 0]
    seen = 0
    while seen < len(ready):  # Kahn's order over the items that are not free sources
        v = ready[seen]
        seen += 1
        rank[v] = max([rank[s] + 1 for s in ins[v] if s not in is_free] + [1 if ins[v] else 0])
        for t in outs[v]:
            waiting[t] -= 1
            if waiting[t] == 0:
                ready.append(t)
    for v in free:
        rank[v] = min((rank[t] for t in outs[v]), default=1) - 1
    distinct = sorted(set(rank))
    return [distinct.index(r) for r in rank] if distinct != list(range(len(distinct))) else rank


# --- order within layers ---------------------------------------------------------------------------

def _order(net: _Net, start: Callable[[int], float]) -> list[list[int]]:
    """Barycentre sweeps down and up, keeping the order with the fewest crossings."""
    layers: list[list[int]] = [[] for _ in range(net.depth)]
    for v in sorted(range(len(net.name)), key=lambda v: (start(v), net.name[v])):
        layers[net.layer[v]].append(v)
    best, fewest = [list(layer) for layer in layers], _crossings(net, layers)
    for _ in range(SWEEPS):
        for r in range(1, len(layers)):
            _by_barycentre(net, layers[r], net.up, layers[r - 1])
        for r in range(len(layers) - 2, -1, -1):
            _by_barycentre(net, layers[r], net.down, layers[r + 1])
        count = _crossings(net, layers)
        if count < fewest:
            best, fewest = [list(layer) for layer in layers], count
    return best


def _by_barycentre(net: _Net, layer: list[int], neighbours: list[list[int]], other: list[int]) -> None:
    where = {v: i for i, v in enumerate(other)}
    here = {v: i for i, v in enumerate(layer)}

    def key(v: int) -> tuple[float, str]:
        around = neighbours[v]
        return (sum(where[u] for u in around) / len(around) if around else float(here[v]), net.name[v])

    layer.sort(key=key)


def _crossings(net: _Net, layers: Sequence[Sequence[int]]) -> int:
    """Pairs of crossing segments between neighbouring layers (inversions counted with a Fenwick tree)."""
    total = 0
    for upper, lower in pairwise(layers):
        where = {v: i for i, v in enumerate(lower)}
        ends = sorted((i, where[w]) for i, v in enumerate(upper) for w in net.down[v])
        tree = [0] * (len(lower) + 1)
        for seen, (_, j) in enumerate(ends):
            k, not_after = j + 1, 0
            while k > 0:
                not_after += tree[k]
                k -= k & -k
            total += seen - not_after
            k = j + 1
            while k <= len(lower):
                tree[k] += 1
                k += k & -k
    return total


def _wrap(net: _Net, layers: Sequence[Sequence[int]], width: float) -> list[int] | None:
    """Rows for the items when some layer is wider than width: the layer's sources, then (from a new
    row) its other items, broken into as few rows as fit, like words into lines, so the items that
    have inputs sit in the rows nearest their consumers. A row's width counts the links that pass
    through it (up to half the width: every new row has them too). None when every layer fits."""
    ins, outs = [len(u) for u in net.up], [len(d) for d in net.down]
    rows, row, wrapped = [0] * net.real, 0, False
    for layer in layers:
        members = [v for v in layer if v < net.real]
        queue = [v for v in members if not ins[v]] + [v for v in members if ins[v]]
        above = len(layer) - len(members)  # links passing the whole layer, then those from rows above
        waiting = sum(ins[v] for v in queue)  # links into items not yet in a row pass the rows above them
        fits = net.packed(layer) <= width
        used, here = 0.0, list[int]()
        for v in queue:
            lines = above + waiting - ins[v]
            wider = used + (BOX_GAP if here else 0.0) + net.osize[v]
            first_node = not fits and ins[v] and not ins[here[-1]] if here else False
            passing = min(LINE_GAP * (lines + (1 if lines else 0)), width / 2)  # more rows cannot help more
            if here and (first_node or wider + passing > width):
                row, wrapped = row + 1, True
                above += sum(outs[m] for m in here)
                used, here, wider = 0.0, [], net.osize[v]
            used = wider
            here.append(v)
            waiting -= ins[v]
            rows[v] = row
        row += 1
    return rows if wrapped else None


# --- positions along the layers --------------------------------------------------------------------

def _positions(net: _Net, layers: Sequence[Sequence[int]], bound: float | None) -> list[float]:
    """Centres along the order axis: each layer packed, then moved towards the (weighted) barycentres
    of its neighbours, alternately from above and below, as close as the spacing (and bound) allow."""
    o = [0.0] * len(net.name)
    for layer in layers:
        at = net.osize[layer[0]] / 2 if layer else 0.0
        for i, v in enumerate(layer):
            at += net.sep(layer[i - 1], v) if i else 0.0
            o[v] = at
    for _ in range(ROUNDS):
        for r in range(1, len(layers)):
            _settle(net, layers[r], net.up, o, bound)
        _recentre(net, o, bound)
        for r in range(len(layers) - 2, -1, -1):
            _settle(net, layers[r], net.down, o, bound)
        _recentre(net, o, bound)
    return o


def _recentre(net: _Net, o: list[float], bound: float | None) -> None:
    """Move everything so the drawing starts at 0 (in the middle of the bound when there is one), so
    the sweeps do not drift against the bound and get squeezed on one side."""
    left = min((o[v] - net.osize[v] / 2 for v in range(len(o))), default=0.0)
    right = max((o[v] + net.osize[v] / 2 for v in range(len(o))), default=0.0)
    shift = -left + (max(0.0, bound - (right - left)) / 2 if bound is not None else 0.0)
    for v in range(len(o)):
        o[v] += shift


def _settle(net: _Net, layer: Sequence[int], neighbours: list[list[int]], o: list[float],
            bound: float | None) -> None:
    """Least-squares placement in order with the spacing kept (pool-adjacent-violators), then bounded."""
    if not layer:
        return
    offsets = [0.0]
    for a, b in pairwise(layer):
        offsets.append(offsets[-1] + net.sep(a, b))
    blocks: list[tuple[float, float, int]] = []  # (value, weight, count)
    for i, v in enumerate(layer):
        around = neighbours[v]
        pulls = [net.weight[u] for u in around]
        wanted = sum(o[u] * p for u, p in zip(around, pulls, strict=True)) / sum(pulls) if around else o[v]
        blocks.append((wanted - offsets[i], net.weight[v], 1))
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            (v2, w2, c2), (v1, w1, c1) = blocks.pop(), blocks.pop()
            blocks.append(((v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, c1 + c2))
    i = 0
    for value, _, count in blocks:
        for _ in range(count):
            o[layer[i]] = value + offsets[i]
            i += 1
    if bound is None:
        return
    for i, v in enumerate(layer):
        low = net.osize[v] / 2 if i == 0 else o[layer[i - 1]] + net.sep(layer[i - 1], v)
        o[v] = max(o[v], low, net.osize[v] / 2)
    for i in range(len(layer) - 1, -1, -1):
        v = layer[i]
        high = bound - net.osize[v] / 2 if i == len(layer) - 1 else o[layer[i + 1]] - net.sep(v, layer[i + 1])
        o[v] = min(o[v], high, bound - net.osize[v] / 2)


def _ports(net: _Net, o: Sequence[float]) -> tuple[list[float], list[float]]:
    """Offsets from the box centre where each link leaves its source and enters its target, spread
    along the side in the order of the other ends (so arrows into one box do not meet in a point)."""
    leave, enter = [0.0] * len(net.chains), [0.0] * len(net.chains)
    going: dict[int, list[int]] = {}
    coming: dict[int, list[int]] = {}
    for i, chain in enumerate(net.chains):
        going.setdefault(chain[0], []).append(i)
        coming.setdefault(chain[-1], []).append(i)
    for side, table, other in ((leave, going, 1), (enter, coming, -2)):
        for v, found in table.items():
            found.sort(key=lambda i: (o[net.chains[i][other]], i))
            k = len(found)
            spacing = min(PORT_SPACING, 0.6 * net.osize[v] / (k - 1)) if k > 1 else 0.0
            for j, i in enumerate(found):
                side[i] = (j - (k - 1) / 2) * spacing
    return leave, enter
