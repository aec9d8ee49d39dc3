"""LaTeX rows that fit the page: a long row breaks at its = signs, a long sum between its terms, a
long product between its factors, a long argument inside \\bigl( \\bigr) (which, unlike \\left(,
may span lines), a wide matrix into its entries, and a long note goes on a line of its own.

Widths are estimated from the LaTeX text (a symbol or command is one unit, scripts 0.6, operators
two); LINE units fill a line of the page at 10 pt between 2 cm margins. pdflatex's log is the test.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sympy as sp
from sympy.printing.latex import LatexPrinter

LINE = 72.0
"""estimated units one line of an article page holds (10 pt type, 2 cm margins)"""
INDENT = 6.0
"""what a continuation line's indent (&\\quad after the alignment column) costs"""
DEPTH = 12
"""how deep a too-wide expression is taken apart before it is printed as it is"""

_COMMAND = re.compile(r"\\[A-Za-z]+")
_SCRIPT = re.compile(r"[_^]\{([^{}]*)\}")
_SIZERS = re.compile(r"\\(left|right|bigl|bigr|quad|qquad|begin\{[a-z*]*\}|end\{[a-z*]*\})")
_WIDE = re.compile(r"[-+=<>]|\\(cdot|times|approx|leftarrow)\b")

Printer = Callable[[sp.Basic], str]


def width(latex: str) -> float:
    """Estimated printed width of a LaTeX math string, in units of about one letter."""
    s = _SIZERS.sub("", latex)
    s = re.sub(r"\\(operatorname|text|mathrm)\{([^{}]*)\}", r"\2", s)
    scripts = 0.0
    while True:
        found = _SCRIPT.findall(s)
        if not found:
            break
        scripts += sum(len(_COMMAND.sub("x", f)) for f in found)
        s = _SCRIPT.sub("", s)
    s = s.replace(r"\frac", "")  # numerator and denominator both count: an over-estimate, which is safe
    wide = len(_WIDE.findall(s))
    s = _COMMAND.sub("x", s)
    s = re.sub(r"[{}\s&]|\\[,;!]", "", s)
    return len(s) + wide + 0.6 * scripts


def fragments(expr: sp.Basic, budget: float, show: Printer, depth: int = DEPTH) -> list[str]:
    """expr as LaTeX in lines of at most `budget` units where it can be broken: the first line,
    then continuation lines (a sum breaks before a sign, a product before a factor)."""
    whole = show(expr)
    if width(whole) <= budget or depth == 0:
        return [whole]
    if isinstance(expr, sp.MatrixBase):
        return _entries(expr, budget, show, depth)
    if isinstance(expr, sp.Add):
        items = []
        for term in LatexPrinter()._as_ordered_terms(expr):
            negative = term.could_extract_minus_sign()
            lines = fragments(-term if negative else term, budget - 2, show, depth - 1)
            items.append(("-" if negative else "+", lines))
        if items[0][0] == "+":
            items[0] = ("", items[0][1])
        return pack(items, budget)
    if isinstance(expr, sp.Mul):
        coefficient, factors = expr.as_coeff_mul()
        items = [("", [show(coefficient)])] if coefficient != 1 else []
        if coefficient == -1:
            items = [("", ["-"])]
        for f in factors:
            sep = r"\cdot" if items and items != [("", ["-"])] else ""
            items.append((sep, _factor(f, budget - 2, show, depth - 1)))
        return pack(items, budget)
    if isinstance(expr, sp.exp):  # e^{…} cannot break inside its exponent: written exp( … ) instead
        return bracketed(r"\exp", fragments(expr.args[0], budget - 6, show, depth - 1))
    if isinstance(expr, sp.Pow) and expr.exp == sp.Rational(1, 2):  # likewise √{…}, as ( … )^{1/2}
        inner = bracketed("", fragments(expr.base, budget - 6, show, depth - 1))
        return [*inner[:-1], inner[-1] + "^{1/2}"]
    if isinstance(expr, sp.Pow) and expr.exp.is_Number:
        inner = bracketed("", fragments(expr.base, budget - 4, show, depth - 1))
        inner[-1] += "^{" + show(expr.exp) + "}"
        return inner
    if isinstance(expr, sp.Function) and len(expr.args) == 1:
        head = _head(whole, show(expr.args[0]))
        if head:
            return bracketed(head, fragments(expr.args[0], budget - 4, show, depth - 1))
    return [whole]


def _head(whole: str, argument: str) -> str:
    r"""The function's name when whole is name\left(argument\right) (SymPy may brace it:
    \sin{\left(x \right)}); "" for any other form (e^{…}, \sqrt{…}, |…|), which is not broken."""
    start = whole.find("\\left(" + argument)
    if start <= 0:
        return ""
    head, tail = whole[:start], whole[start + len("\\left(") + len(argument):].strip()
    if head.endswith("{") and tail == "\\right)}":
        head = head[:-1]
    elif tail != "\\right)":
        return ""
    return head if head.count("{") == head.count("}") else ""


def _factor(f: sp.Basic, budget: float, show: Printer, depth: int) -> list[str]:
    parts = fragments(f, budget, show, depth)
    if isinstance(f, sp.Add):
        if len(parts) == 1:
            return [r"\left(" + parts[0] + r"\right)"]
        return bracketed("", parts)
    return parts


def bracketed(head: str, parts: list[str]) -> list[str]:
    """head( parts ) with sizes that may span lines."""
    if len(parts) == 1:
        return [head + r"\left(" + parts[0] + r"\right)"]
    return [head + r"\bigl(" + parts[0], *parts[1:-1], parts[-1] + r"\bigr)"]


def _entries(m: sp.MatrixBase, budget: float, show: Printer, depth: int) -> list[str]:
    """A matrix too wide for a line, entry by entry: [i, j] = entry."""
    lines = [r"\text{(entries by row)}"]
    for i in range(m.rows):
        for j in range(m.cols):
            head = rf"[{i + 1},{j + 1}]\colon\ "
            lines += _prefixed(head, fragments(m[i, j], budget - width(head), show, depth - 1))
    return lines


def _prefixed(head: str, parts: list[str]) -> list[str]:
    return [head + parts[0], *parts[1:]]


def pack(items: list[tuple[str, list[str]]], budget: float) -> list[str]:
    """Items (a separator and the item's lines) joined on as few lines as fit the budget."""
    lines: list[str] = []
    current = ""
    for sep, parts in items:
        first = f"{sep} {parts[0]}".strip()
        if current and width(current) + width(first) > budget:
            lines.append(current)
            current = first
        else:
            current = f"{current} {first}".strip()
        for part in parts[1:]:
            lines.append(current)
            current = part
    lines.append(current)
    return lines


def layout(left: str, segments: list[list[str]], note: str, room: float) -> list[str]:
    """An aligned row `left &= …` over as many lines as it needs, `room` units right of the alignment
    column: each segment (an = or ≈ and what follows it, already in lines) continues the line while
    it fits, else starts `&…` on a new line. A note follows the row, or takes lines of its own: in
    a column of its own, one long row would push every note of the environment off the page."""
    lines: list[str] = []
    current, used = left + " &", 0.0
    for segment in segments:
        first = segment[0]
        if used and used + width(first) > room:
            lines.append(current.rstrip())
            current, used = "&", 0.0
        current += ("" if current.endswith("&") else " ") + first
        used += width(first)
        for part in segment[1:]:
            lines.append(current.rstrip())
            current, used = r"&\quad " + part, INDENT + width(part)
    if note:
        chunks = _words(note, room - INDENT)
        if used + 4 + width(chunks[0]) <= room and len(chunks) == 1:
            current += r" \qquad\text{" + chunks[0] + "}"
        else:
            lines.append(current.rstrip())
            lines += [r"&\qquad\text{" + c + "}" for c in chunks[:-1]]
            current = r"&\qquad\text{" + chunks[-1] + "}"
    lines.append(current.rstrip())
    return lines


def _words(text: str, budget: float) -> list[str]:
    """A note (LaTeX text) cut between words into pieces that fit the budget."""
    chunks, current = [], ""
    for word in text.split(" "):
        if current and width(current + " " + word) > budget:
            chunks.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return [*chunks, current]
