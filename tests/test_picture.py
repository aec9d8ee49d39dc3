"""The graph picture's geometry, checked on the scene the layout returns: no two boxes overlap, no
label overlaps a label or a box, no edge passes through a box other than its two ends, every edge
is drawn, and the seed networks fit the HTML page's column (PAGE_WIDTH) without shrinking the text.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from itertools import combinations, pairwise
from pathlib import Path

import pytest
from test_formats import derivation

from chainsym.render import picture
from chainsym.render.layout import Drawing, Item, Link, Point, Rect, draw, sample

CASES = ("seed001_relu", "seed002_sigmoid", "seed004_sin", "seed000_program", "seed001_square")


def crosses(p: Point, q: Point, r: Rect, inset: float = 0.5) -> bool:
    """Whether segment pq passes through the inside of r (shrunk by inset: touching is not crossing)."""
    low, high = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for step, room in ((-dx, p[0] - r.x - inset), (dx, r.right - inset - p[0]),
                       (-dy, p[1] - r.y - inset), (dy, r.bottom - inset - p[1])):
        if step == 0:
            if room < 0:
                return False
        elif step < 0:
            low = max(low, room / step)
        else:
            high = min(high, room / step)
    return low <= high


def near(p: Point, r: Rect, slack: float = 1.0) -> bool:
    return r.x - slack <= p[0] <= r.right + slack and r.y - slack <= p[1] <= r.bottom + slack


def check(pic: Drawing, ends: list[tuple[int, int]]) -> None:
    """Every promise of the layout, on one drawing (ends: source and target box of each route)."""
    assert len(pic.routes) == len(pic.labels) == len(pic.markers) == len(ends)
    for a, b in combinations(pic.boxes, 2):
        assert not a.overlaps(b), (a, b)
    placed = [r for r in [*pic.labels, *pic.markers] if r is not None]
    for i, a in enumerate(placed):
        assert not any(a.overlaps(box) for box in pic.boxes), a
        assert not any(a.overlaps(b) for b in placed[i + 1:]), a
    for (s, t), route in zip(ends, pic.routes, strict=True):
        line = sample(route)
        assert near(line[0], pic.boxes[s]) and near(line[-1], pic.boxes[t]), "the edge joins its two boxes"
        for k, box in enumerate(pic.boxes):
            if k not in (s, t):
                assert not any(crosses(p, q, box) for p, q in pairwise(line)), (s, t, k)
    assert sorted(pic.legend) == [i for i, label in enumerate(pic.labels) if label is None]
    everything = [*pic.boxes, *placed]
    assert all(0 <= r.x and r.right <= pic.width and 0 <= r.y and r.bottom <= pic.height for r in everything)


def ends_of(boxes: tuple[picture.Box, ...], edges: tuple[picture.Edge, ...]) -> list[tuple[int, int]]:
    index = {b.key: i for i, b in enumerate(boxes)}
    return [(index[e.source], index[e.target]) for e in edges]


@pytest.mark.parametrize("case", CASES)
def test_seed_pictures_keep_every_promise(case: str) -> None:
    d = derivation(case)
    boxes, edges = picture.scene(d)
    pic = picture.drawing(d)
    check(pic, ends_of(boxes, edges))
    assert len(pic.boxes) == len(boxes) and len(pic.routes) == len(edges) > 0


@pytest.mark.parametrize("case", ["seed001_relu", "seed002_sigmoid"])
def test_networks_fit_the_page(case: str) -> None:
    d = derivation(case)
    pic = picture.drawing(d)
    assert pic.width <= picture.PAGE_WIDTH
    assert pic.vertical and not pic.legend  # top to bottom, every label on its edge
    svg = picture.svg(d)
    width = float(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))  # type: ignore[union-attr]
    assert width <= picture.PAGE_WIDTH
    assert 'width="100%"' in svg and f"max-width:{width:.0f}px" in svg
    assert min(int(size) for size in re.findall(r'font-size="(\d+)"', svg)) >= 9


def test_variables_sit_just_before_their_first_consumer() -> None:
    d = derivation("seed001_relu")
    boxes, _ = picture.scene(d)
    at = {b.key: r for b, r in zip(boxes, picture.drawing(d).boxes, strict=True)}
    row = {key: r.y + r.h / 2 for key, r in at.items()}
    assert row["W1"] == row["b1"] == row["x"] < row["z1"] < row["h1"] == row["W2"] == row["b2"]
    assert row["b2"] < row["z2"] == row["y"] < row["L"]


@pytest.mark.parametrize("case", ["seed001_relu", "seed004_sin", "seed001_square"])
def test_labels_sit_on_their_own_edge_only(case: str) -> None:
    """Where there is room, no other edge runs under a label, so a label cannot be read as another's."""
    pic = picture.drawing(derivation(case))
    lines = [sample(route) for route in pic.routes]
    for i, label in enumerate(pic.labels):
        assert label is not None
        near_by = Rect(label.x - 4, label.y - 4, label.w + 8, label.h + 8)
        assert any(crosses(p, q, near_by, 0) for p, q in pairwise(lines[i])), "a label is on or beside its edge"
        for j, line in enumerate(lines):
            assert j == i or not any(crosses(p, q, label, 0) for p, q in pairwise(line)), (i, j)


def test_small_graphs_read_left_to_right() -> None:
    d = derivation("seed004_sin")
    pic = picture.drawing(d)
    assert not pic.vertical and pic.width <= picture.PAGE_WIDTH
    x = [r.x for r in pic.boxes]
    assert x[0] < x[1] < x[2] < x[3]  # x, u1, u2, u3


def test_every_edge_is_drawn_with_its_label() -> None:
    d = derivation("seed002_sigmoid")
    _, edges = picture.scene(d)
    svg = picture.svg(d)
    assert svg.count("marker-end=") == len(edges) == 28
    for e in edges:
        assert f">{e.label.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}<" in svg
    # a cut label keeps its whole text as a tooltip
    cut = next(e for e in edges if e.label.endswith("…"))
    assert f"<title>{cut.title}</title>" in svg


def test_the_svg_is_byte_identical_across_processes(tmp_path: Path) -> None:
    script = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
              "from test_formats import derivation; from chainsym.render import picture; "
              "sys.stdout.write(picture.svg(derivation('seed002_sigmoid')))")
    outputs = set()
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
                              env={**os.environ, "PYTHONHASHSEED": seed}, timeout=300, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.add(done.stdout)
    assert outputs == {picture.svg(derivation("seed002_sigmoid"))}


# --- the layout alone, on made-up graphs ---------------------------------------------------------

def random_graph(seed: int) -> tuple[list[Item], list[Link]]:
    """A random DAG: sources, then nodes each fed by one to four earlier items, labels of any length."""
    rng = random.Random(seed)
    items = [Item(f"v{i}", rng.uniform(30, 300), rng.choice((30, 46, 62)), source=True, round=True)
             for i in range(rng.randint(1, 12))]
    links = []
    for i in range(rng.randint(1, 25)):
        args = rng.sample(range(len(items)), rng.randint(1, min(4, len(items))))
        items.append(Item(f"n{i}", rng.uniform(40, 340), rng.choice((30, 46, 62))))
        links += [Link(items[a].key, items[-1].key, rng.uniform(20, 290), 13) for a in args]
    return items, links


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_keep_every_promise(seed: int) -> None:
    items, links = random_graph(seed)
    index = {it.key: i for i, it in enumerate(items)}
    pic = draw(items, links, 1120)
    check(pic, [(index[lk.source], index[lk.target]) for lk in links])
    assert pic == draw(items, links, 1120)


def test_a_wide_layer_wraps_into_rows_within_the_limit() -> None:
    # 24 inputs of a sum, then a chain of wide boxes: too wide left to right
    items = [Item(f"x{i:02}", 200, 46, source=True, round=True) for i in range(24)] + [Item("sum", 120, 46)]
    items += [Item(f"c{i}", 300, 46) for i in range(4)]
    links = [Link(f"x{i:02}", "sum", 60, 13) for i in range(24)]
    links += [Link(a.key, b.key, 60, 13) for a, b in pairwise(items[24:])]
    pic = draw(items, links, 1120)
    assert pic.vertical and pic.width <= 1120
    assert len({r.y for r in pic.boxes[:24]}) >= 5  # 24 boxes of 200 px need five rows of at most four
    check(pic, [(i, 24) for i in range(24)] + [(i, i + 1) for i in range(24, 28)])


def test_labels_that_find_no_room_go_to_a_numbered_legend() -> None:
    # labels wider than the page: no place on the edge fits, in either direction
    items = [Item(f"x{i}", 40, 30, source=True, round=True) for i in range(3)] + [Item("f", 60, 30)]
    links = [Link(f"x{i}", "f", 500, 13) for i in range(3)] + [Link("x0", "f", 100, 13)]
    pic = draw(items, links, 400)
    check(pic, [(0, 3), (1, 3), (2, 3), (0, 3)])
    assert pic.width <= 400 and pic.legend == (0, 1, 2) and pic.labels[3] is not None
    assert all(pic.markers[i] is not None for i in pic.legend)


def test_a_long_edge_passes_between_the_boxes_it_skips() -> None:
    # a → b → c → d and a → d: the long edge needs a way past b and c
    items = [Item("a", 80, 30), Item("b", 300, 30), Item("c", 300, 30), Item("d", 80, 30)]
    links = [Link("a", "b", 50, 13), Link("b", "c", 50, 13), Link("c", "d", 50, 13), Link("a", "d", 50, 13)]
    for limit in (1120, 300):
        pic = draw(items, links, limit)
        check(pic, [(0, 1), (1, 2), (2, 3), (0, 3)])


def test_the_empty_graph() -> None:
    pic = draw([], [], 1120)
    assert pic.boxes == () and pic.width > 0
