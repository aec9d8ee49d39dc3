"""The derivation's graph as Graphviz DOT text (the picture itself is drawn in picture.py)."""

from __future__ import annotations

from ..results import Derivation
from .picture import dot


def render(d: Derivation) -> str:
    return dot(d)
