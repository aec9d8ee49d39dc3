"""The output formats, per kind of result: the one registry the CLI builds its --format choices
from and the render package dispatches through. Importing it costs nothing (no SymPy).

A new format is one module under chainsym/render/ with `render(result) -> str`, plus one line here.
"""

from __future__ import annotations

KINDS = ("derivation", "check", "jacobian", "hessian", "orders", "work")
ALL = frozenset(KINDS)

FORMATS: dict[str, tuple[str, frozenset[str]]] = {
    "text": ("chainsym.render.text", ALL),
    "json": ("chainsym.render.json", ALL),
    "latex": ("chainsym.render.latex", ALL),
    "markdown": ("chainsym.render.markdown", ALL),
    "html": ("chainsym.render.html", ALL),
    "dot": ("chainsym.render.dot", frozenset({"derivation"})),
}
"""format → (the module that renders it, the kinds of result it renders)"""


def formats(kind: str) -> tuple[str, ...]:
    """The formats a kind of result can be printed in, sorted."""
    return tuple(sorted(name for name, (_, kinds) in FORMATS.items() if kind in kinds))
