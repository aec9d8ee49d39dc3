"""Rendering by format: each format is a module with `render(result) -> str`, found through the
registry in chainsym.formats; results display themselves through `display` (installed below)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from ..formats import FORMATS
from ..results import install_display


def render(result: Any, fmt: str) -> str:
    """result printed in the format fmt (a format the registry lists for its kind)."""
    module, kinds = FORMATS[fmt]
    if result.kind not in kinds:
        raise ValueError(f"a {result.kind} cannot be printed as {fmt}")
    return import_module(module).render(result)  # type: ignore[no-any-return]


NOTEBOOK = {"notebook-html": ("chainsym.render.html", "fragment"),
            "notebook-latex": ("chainsym.render.latex", "notebook")}
"""what a notebook shows: an HTML fragment (no page), a LaTeX block MathJax understands"""


def display(result: Any, purpose: str) -> str:
    """How results print themselves: str() → text, to_json(), and the notebook displays."""
    if purpose in NOTEBOOK:
        module, function = NOTEBOOK[purpose]
        return getattr(import_module(module), function)(result)  # type: ignore[no-any-return]
    return render(result, purpose)


install_display(display)
