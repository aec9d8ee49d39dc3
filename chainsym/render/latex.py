"""The derivation as LaTeX: one align* environment, Leibniz notation, ∂ for local partials, d for
totals, adjoints written \\bar{u}_k. `render` gives a document that pdflatex compiles; `body` the
environment alone; `notebook` an aligned block for MathJax (Jupyter), which has no \\intertext."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ..results import Derivation
from ..walk import tree_size
from .breaking import LINE, bracketed, fragments, layout, pack, width
from .common import PRINT_LIMIT, block_kind, needs_brackets, show, split_index
from .compound import parts
from .outline import (
    Adjoint,
    Ex,
    Formula,
    Mat,
    Name,
    Op,
    Partial,
    Piece,
    Row,
    Second,
    Section,
    Total,
    Value,
    Words,
    outline,
)

OPS = {"=": "=", "+": "+", "·": r"\cdot", "×": r"\times", "≈": r"\approx", "←": r"\leftarrow", "−": "-",
       "Σi": r"\sum_{i}", "Σc": r"\sum_{c}"}

TEXT_SYMBOLS = {"∂": r"$\partial$", "×": r"$\times$", "·": r"$\cdot$", "≈": r"$\approx$", "Σ": r"$\Sigma$",
                "−": "-", "→": r"$\to$", "←": r"$\leftarrow$", "π": r"$\pi$", "≤": r"$\leq$", "≥": r"$\geq$",
                "…": r"\dots{}", "—": "---", "–": "--", "′": "'", "²": r"$^2$", "⊙": r"$\odot$",
                "ᵀ": r"$^T$", "₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4", "₅": "5", "₆": "6", "₇": "7",
                "₈": "8", "₉": "9", "ū": r"$\bar{u}$", "Δ": r"$\Delta$", "δ": r"$\delta$", "∇": r"$\nabla$",
                "√": r"$\surd$", "ε": r"$\varepsilon$", "σ": r"$\sigma$", "∞": r"$\infty$", "³": r"$^3$",
                "¹": r"$^1$", "⁻": r"$^-$"}
"""Unicode in sentences, spelled so that pdflatex needs no extra packages"""

ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
           "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}

PREAMBLE = r"""\documentclass{article}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath}
\allowdisplaybreaks
\begin{document}
"""


_Printer = LatexPrinter
"""SymPy's LaTeX printer; chainsym's own functions (sigmoid as σ, relu) bring their _latex."""


def render(result: Any) -> str:
    """A complete document of any result: compiles with pdflatex and amsmath."""
    return document(parts(result)[1])


def document(sections: Sequence[Section]) -> str:
    """Sections (of a derivation, or of several) as a document that pdflatex compiles."""
    return PREAMBLE + body_of(sections) + "\\end{document}\n"


def body(d: Derivation) -> str:
    """The whole derivation as one align* environment, section titles as \\intertext."""
    return body_of(outline(d))


def body_of(sections: Sequence[Section]) -> str:
    lines = [r"\begin{align*}"]
    widest = left_width([r for section in sections for r in section.rows])
    for section in sections:
        lines.append(r"\intertext{\textbf{" + text(section.title) + "}"
                     + (" (" + text(section.intro) + ")" if section.intro else "")
                     + (r": $" + formula(section.law) + "$" if section.law else "") + "}")
        lines += [row(r, widest) for r in section.rows]
        lines += [r"\intertext{" + text(line) + "}" for line in section.lines]
    lines.append(r"\end{align*}")
    return "\n".join(_terminate(lines)) + "\n"


def notebook(result: Any) -> str:
    """For Jupyter (MathJax): an aligned block with the section titles as text rows."""
    lines = [r"\begin{aligned}"]
    for section in parts(result)[1]:
        lines.append(r"&\textbf{" + text(section.title) + "}"
                     + (r"\quad " + formula(section.law) if section.law else ""))
        lines += [row(r) for r in section.rows]
        lines += [r"&\text{" + text(line) + "}" for line in section.lines]
    lines.append(r"\end{aligned}")
    return "$$" + "\n".join(_terminate(lines)) + "$$"


def _terminate(lines: list[str]) -> list[str]:
    """Line breaks after every row but the last one inside the environment."""
    out = []
    for i, line in enumerate(lines):
        needs = 0 < i < len(lines) - 2 and not line.startswith(r"\intertext")
        out.append(line + r" \\" if needs else line)
    return out


def row(r: Row, left_width: float | None = None) -> str:
    """One aligned row: left &= right, and its note; broken over lines (` \\` between them) where it
    would not fit the page, left_width being the widest left side of the environment."""
    left = formula(r.left)
    room = LINE - (width(left) if left_width is None else left_width)
    segments: list[list[str]] = []
    for chunk in _at_equals(r.right):
        head = OPS[chunk[0].symbol] + " " if chunk and isinstance(chunk[0], Op) and chunk[0].symbol in "=≈" else ""
        parts = chunk[1:] if head else chunk
        whole = (head + formula(tuple(parts))).strip()
        if width(whole) <= room:
            segments.append([whole])
            continue
        packed = pack([("", _lines(p, room - 4)) for p in parts], room - width(head))
        segments.append([head + packed[0], *packed[1:]])
    return " \\\\\n".join(layout(left, segments, text(r.note) if r.note else "", room))


def left_width(rows: Sequence[Row]) -> float:
    """The widest left side: align* sets every row's right side after it."""
    return max((width(formula(r.left)) for r in rows), default=0.0)


def _at_equals(parts: Formula) -> list[list[Piece]]:
    """A row's right side cut before each top-level = and ≈: the places a long row breaks."""
    chunks: list[list[Piece]] = [[]]
    for p in parts:
        if isinstance(p, Op) and p.symbol in ("=", "≈") and chunks[-1]:
            chunks.append([])
        chunks[-1].append(p)
    return [c for c in chunks if c]


def _lines(p: Piece, budget: float) -> list[str]:
    """A part of a formula over lines: an expression or a matrix taken apart where it is too wide."""
    if isinstance(p, Ex):
        lines = fragments(p.expr, budget, lambda e: expression(e, written=p.written and e is p.expr))
        return bracketed("", lines) if p.factor and needs_brackets(p.expr) else lines
    if isinstance(p, Mat) and block_kind(p.matrix)[0] == "dense":
        return fragments(sp.ImmutableMatrix(p.matrix), budget, expression)
    return [piece(p)]


def formula(parts: Formula) -> str:
    return " ".join(piece(p) for p in parts)


def piece(p: Piece) -> str:
    """One part of a formula in LaTeX."""
    if isinstance(p, Ex):
        shown = expression(p.expr, written=p.written)
        return r"\left(" + shown + r"\right)" if p.factor and needs_brackets(p.expr) else shown
    if isinstance(p, Name):
        return name(p.name)
    if isinstance(p, Total):
        if p.order > 1:
            return rf"\frac{{d^{{{p.order}}} {name(p.of)}}}{{d {name(p.wrt)}^{{{p.order}}}}}"
        return r"\frac{d " + name(p.of) + "}{d " + name(p.wrt) + "}"
    if isinstance(p, Second):
        below = rf"\partial {name(p.a)}^{{2}}" if p.a == p.b else rf"\partial {name(p.a)} \partial {name(p.b)}"
        return rf"\frac{{\partial^{{2}} {name(p.of)}}}{{{below}}}"
    if isinstance(p, Mat):
        shown = matrix(p.matrix)
        return r"\left(" + shown + r"\right)" if p.factor and shown.startswith("-") else shown
    if isinstance(p, Partial):
        return r"\frac{\partial " + name(p.of) + r"}{\partial " + name(p.wrt) + "}"
    if isinstance(p, Adjoint):
        return adjoint(p.name)
    if isinstance(p, Op):
        return OPS.get(p.symbol) or rf"\sum_{{{p.symbol[1:]}}}"
    if isinstance(p, Words):
        return r"\text{" + text(p.text) + "}"
    if isinstance(p, Value):
        exact = expression(p.value.exact)
        if len(exact) > 80:
            return r"\approx " + p.value.approx
        return exact if show(p.value.exact) == p.value.approx else exact + r" \approx " + p.value.approx
    raise TypeError(f"not a formula part: {p!r}")


def matrix(m: sp.Matrix) -> str:
    """A Jacobian block: 0, I_n, -I_n, diag(...), or its entries."""
    kind, entries = block_kind(m)
    if kind == "zero":
        return "0"
    if kind in ("identity", "negative identity"):
        return ("-" if kind.startswith("negative") else "") + rf"I_{{{m.shape[0]}}}"
    if kind == "diagonal":
        return r"\operatorname{diag}\left(" + ", ".join(expression(e) for e in entries) + r"\right)"
    return expression(sp.ImmutableMatrix(m))


def expression(expr: sp.Basic, written: bool = False) -> str:
    """SymPy's LaTeX of expr; a tree too large to print is named by its size instead."""
    if tree_size(expr, PRINT_LIMIT) > PRINT_LIMIT:
        return r"\text{(expression too large to print)}"
    settings = {"order": "none"} if written else {}
    try:
        return str(_Printer(settings).doprint(expr))
    except (RecursionError, ValueError):
        return r"\text{(expression too deep to print)}"


def name(text_: str) -> str:
    """x → x, u12 → u_{12}, alpha → \\alpha, like SymPy's symbol names."""
    return str(_Printer().doprint(sp.Symbol(text_)))


def adjoint(text_: str) -> str:
    """The adjoint of u12 is \\bar{u}_{12}: the bar on the letter, the index below."""
    base, index = split_index(text_)
    return r"\bar{" + name(base) + "}" + ("_{" + index + "}" if index else "")


def text(s: str) -> str:
    """A sentence for \\text{}: LaTeX's special characters escaped, Unicode math spelled out."""
    out = []
    for ch in s:
        if ch in ESCAPES:
            out.append(ESCAPES[ch])
        elif ch in TEXT_SYMBOLS:
            out.append(TEXT_SYMBOLS[ch])
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append("?")
    return "".join(out)
