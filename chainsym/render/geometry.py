"""The shapes a layered drawing is made of: points, straight and curved segments, rectangles,
the items (boxes, or round variables) and the links between them. Pure data, shared by layering.py
(which places items) and layout.py (which routes links and places labels)."""

from __future__ import annotations

from dataclasses import dataclass

Point = tuple[float, float]
Segment = tuple[Point, ...]
"""two points for a straight piece, four (start, two controls, end) for a cubic Bézier piece"""
Route = tuple[Segment, ...]


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: Rect, clearance: float = 0.0) -> bool:
        """Whether the two rectangles share more than a border (or come closer than clearance)."""
        return (self.x < other.right + clearance and other.x < self.right + clearance
                and self.y < other.bottom + clearance and other.y < self.bottom + clearance)


@dataclass(frozen=True)
class Item:
    """A box to place: its size, whether it is a source (a variable) and whether it is drawn round."""

    key: str
    w: float
    h: float
    source: bool = False
    round: bool = False


@dataclass(frozen=True)
class Link:
    """An arrow from one item to another (by key), with the size of its label."""

    source: str
    target: str
    w: float
    h: float
