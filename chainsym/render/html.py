"""The derivation as one self-contained HTML page: MathML (browsers render it natively, no script
and no CDN), the decomposition table, the steps, the verification and the graph as inline SVG."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import sympy as sp
from sympy.printing.mathml import MathMLPresentationPrinter

from ..results import Derivation
from ..walk import tree_size
from .common import PRINT_LIMIT, block_kind, by_name, needs_brackets, operation, show, split_index
from .compound import parts
from .outline import Adjoint, Ex, Formula, Mat, Name, Op, Partial, Piece, Second, Section, Total, Value, Words
from .picture import svg

OPS = {"=": "=", "+": "+", "·": "&#xB7;", "×": "&#xD7;", "≈": "&#x2248;", "←": "&#x2190;", "−": "&#x2212;"}

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #1d232b; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; border-bottom: 1px solid #ccd; }
p.intro { color: #445; margin: .3rem 0 .6rem; }
table { border-collapse: collapse; }
table.rows td { padding: .25rem .5rem; vertical-align: middle; }
table.rows td.left { text-align: right; }
table.grid th, table.grid td { border: 1px solid #ccd; padding: .3rem .6rem; text-align: left; }
td.note { color: #556; font-size: .9rem; }
math { font-size: 1.1rem; }
.ok { color: #11692f; font-weight: 600; } .bad { color: #a3141c; font-weight: 600; }
figure { overflow-x: auto; margin: 0; }
"""


class _Printer(MathMLPresentationPrinter):
    """SymPy's presentation MathML; Euler's number as e, as chainsym reads it."""

    def _print_Exp1(self, e: sp.Basic):  # type: ignore[no-untyped-def]
        x = self.dom.createElement("mi")
        x.appendChild(self.dom.createTextNode("e"))
        return x


def render(result: Any) -> str:
    """A whole page."""
    heading, _, title = parts(result)
    shown = show(result.expr) if result.kind == "derivation" else title
    return page(f"chainsym: {shown}", fragment(result))


def page(title: str, body: str) -> str:
    """A self-contained page around a fragment."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(_cut(title, 120))}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            + body + "</body>\n</html>\n")


def fragment(result: Any) -> str:
    """Any result as a <div>: what a notebook shows (no page, no style sheet)."""
    heading, sections, title = parts(result)
    figure = svg(result) if result.kind == "derivation" else svg(result.derivation) if result.kind == "check" else ""
    return sections_fragment(heading, sections, figure, title)


def sections_fragment(heading: Formula, sections: Sequence[Section], figure: str = "",
                      title: str = "Derivation of") -> str:
    """Sections under a heading, and the graph's picture when there is one."""
    parts = ['<div class="chainsym">', f"<h1>{escape(title)} {_math(heading)}</h1>"]
    for section in sections:
        if section.key == "function":
            continue
        parts.append(f'<section id="{section.key}">')
        parts.append(f"<h2>{escape(section.title)}</h2>")
        if section.intro or section.law:
            law = f" {_math(section.law)}" if section.law else ""
            parts.append(f'<p class="intro">{escape(section.intro)}{":" if section.intro and law else ""}{law}</p>')
        if section.table is not None and section.table.graph.nodes:
            parts.append(_decomposition(section.table))
        elif section.rows:
            parts.append(_rows(section))
        for line in section.lines:
            css = "ok" if line.startswith("verified") or line.startswith("forward and reverse mode agree") else \
                "bad" if line.startswith(("MISMATCH", "DISAGREE")) else ""
            parts.append(f'<p class="{css}">{escape(line)}</p>' if css else f"<p>{escape(line)}</p>")
        parts.append("</section>")
    if figure:
        parts += ['<section id="graph">', "<h2>Computational graph</h2>", f"<figure>{figure}</figure>", "</section>"]
    parts.append("</div>")
    return "\n".join(parts) + "\n"


def _decomposition(d: Derivation) -> str:
    rows = ["<table class=\"grid\">",
            "<tr><th>node</th><th>operation</th><th>definition</th><th>in the inputs</th></tr>"]
    for n in d.graph.nodes:
        written = n.body is None
        mark = f" (= {escape(d.output_name)})" if n.symbol == d.graph.output and n.name != d.output_name else ""
        inputs = "" if n.expr == n.local or by_name(n.expr) else _math((Ex(n.expr),))
        rows.append(f"<tr><td>{_math((Name(n.name),))}{mark}</td><td>{escape(operation(n))}</td>"
                    f"<td>{_math((Ex(n.local, written=written),))}</td><td>{inputs}</td></tr>")
    rows.append("</table>")
    return "\n".join(rows)


def _rows(section: Section) -> str:
    out = ['<table class="rows">']
    for row in section.rows:
        note = f'<td class="note">{escape(row.note)}</td>' if row.note else "<td></td>"
        out.append(f'<tr><td class="left">{_math(row.left)}</td><td>{_math(row.right)}</td>{note}</tr>')
    out.append("</table>")
    return "\n".join(out)


def _math(parts: Formula) -> str:
    return '<math display="inline"><mrow>' + "".join(piece(p) for p in parts) + "</mrow></math>"


def piece(p: Piece) -> str:
    """One part of a formula as presentation MathML."""
    if isinstance(p, Ex):
        shown = expression(p.expr, written=p.written)
        return f"<mrow><mo>(</mo>{shown}<mo>)</mo></mrow>" if p.factor and needs_brackets(p.expr) else shown
    if isinstance(p, Name):
        return name(p.name)
    if isinstance(p, Total):
        if p.order > 1:
            return (f"<mfrac><mrow><msup><mi>d</mi><mn>{p.order}</mn></msup>{name(p.of)}</mrow>"
                    f"<mrow><mi>d</mi><msup>{name(p.wrt)}<mn>{p.order}</mn></msup></mrow></mfrac>")
        return f"<mfrac><mrow><mi>d</mi>{name(p.of)}</mrow><mrow><mi>d</mi>{name(p.wrt)}</mrow></mfrac>"
    if isinstance(p, Second):
        below = (f"<mo>&#x2202;</mo><msup>{name(p.a)}<mn>2</mn></msup>" if p.a == p.b else
                 f"<mo>&#x2202;</mo>{name(p.a)}<mo>&#x2202;</mo>{name(p.b)}")
        return f"<mfrac><mrow><msup><mo>&#x2202;</mo><mn>2</mn></msup>{name(p.of)}</mrow><mrow>{below}</mrow></mfrac>"
    if isinstance(p, Mat):
        shown = matrix(p.matrix)
        return f"<mrow><mo>(</mo>{shown}<mo>)</mo></mrow>" if p.factor and shown.startswith("<mo>&#x2212;") else shown
    if isinstance(p, Partial):
        return f"<mfrac><mrow><mo>&#x2202;</mo>{name(p.of)}</mrow><mrow><mo>&#x2202;</mo>{name(p.wrt)}</mrow></mfrac>"
    if isinstance(p, Adjoint):
        return adjoint(p.name)
    if isinstance(p, Op):
        if p.symbol.startswith("Σ"):
            return f"<munder><mo>&#x2211;</mo><mi>{escape(p.symbol[1:])}</mi></munder>"
        return f"<mo>{OPS[p.symbol]}</mo>"
    if isinstance(p, Words):
        return f"<mtext>{escape(p.text)}</mtext>"
    if isinstance(p, Value):
        exact = show(p.value.exact)
        if len(exact) > 40:
            return f"<mo>&#x2248;</mo><mn>{escape(p.value.approx)}</mn>"
        shown = expression(p.value.exact)
        return shown if exact == p.value.approx else f"{shown}<mo>&#x2248;</mo><mn>{escape(p.value.approx)}</mn>"
    raise TypeError(f"not a formula part: {p!r}")


def matrix(m: sp.Matrix) -> str:
    """A Jacobian block: 0, I, −I, diag(…), or its entries as a table."""
    kind, entries = block_kind(m)
    if kind == "zero":
        return "<mn>0</mn>"
    if kind in ("identity", "negative identity"):
        sign = "<mo>&#x2212;</mo>" if kind.startswith("negative") else ""
        return f"{sign}<msub><mi>I</mi><mn>{m.shape[0]}</mn></msub>"
    if kind == "diagonal":
        inner = "<mo>,</mo>".join(expression(e) for e in entries)
        return f"<mi>diag</mi><mrow><mo>(</mo>{inner}<mo>)</mo></mrow>"
    return expression(sp.ImmutableMatrix(m))


def expression(expr: sp.Basic, written: bool = False) -> str:
    """SymPy's presentation MathML of expr; a tree too large to print is named by its size."""
    if tree_size(expr, PRINT_LIMIT) > PRINT_LIMIT:
        return "<mtext>(expression too large to print)</mtext>"
    settings = {"order": "none"} if written else {}
    try:
        return str(_Printer(settings).doprint(expr))
    except (RecursionError, ValueError):
        return "<mtext>(expression too deep to print)</mtext>"


def name(text: str) -> str:
    """u12 → u with subscript 12, as SymPy's MathML writes symbols."""
    return str(_Printer().doprint(sp.Symbol(text)))


def adjoint(text: str) -> str:
    """ū₁₂: a bar over the letter, the index below."""
    base, index = split_index(text)
    barred = f"<mover accent=\"true\"><mi>{escape(base)}</mi><mo>&#xAF;</mo></mover>"
    return f"<msub>{barred}<mn>{escape(index)}</mn></msub>" if index else barred


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"
