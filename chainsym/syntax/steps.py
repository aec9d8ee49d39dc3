r"""Worked steps: the unevaluated derivative a step may contain, and the split of a derivation's
text into its steps.

Inside a step (read by `chainsym.syntax.parse_step`), `d/dx(...)`, `d/dx[...]`, `(...)'`,
`\frac{d}{dx}(...)` and `\frac{d}{dx}\left(...\right)` stand for "the derivative of this", kept as a
`Differentiate` marker for the checker to evaluate; a derivative operator in front of a whole line
(`d/dx sin(x^2)`) takes one term, as `parse_with_operator` reads it.

A derivation is one step per line; a line may start with `=` (or LaTeX's `&=`), end with `\\`, and
hold several steps joined by `=`: `d/dx sin(x^2) = cos(x^2) * d/dx(x^2)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sympy as sp


class Differentiate(sp.Function):
    """The derivative of args[0] as written in a step, not yet taken: by args[1] (d/dx(...)), or,
    with one argument, by the derivation's own variable ((...)')."""

    nargs = (1, 2)

    @classmethod
    def eval(cls, *args: sp.Basic) -> None:
        return None  # never evaluates itself: the checker takes the derivative by the chain rule

    @property
    def variable(self) -> sp.Symbol | None:
        return self.args[1] if len(self.args) == 2 else None

    @property
    def argument(self) -> sp.Expr:
        return self.args[0]

    def _sympystr(self, printer: Any) -> str:
        inner = str(printer._print(self.argument))
        if self.variable is None:
            return f"({inner})'"
        return f"d/d{printer._print(self.variable)}({inner})"

    def _latex(self, printer: Any, exp: Any = None) -> str:
        inner = str(printer._print(self.argument))
        shown = (r"\left(" + inner + r"\right)'" if self.variable is None else
                 r"\frac{d}{d " + printer._print(self.variable) + r"}\left(" + inner + r"\right)")
        return shown if exp is None else r"\left(" + shown + r"\right)^{" + str(exp) + "}"


    def _mathml_presentation(self, printer: Any) -> Any:
        dom = printer.dom
        row = dom.createElement("mrow")
        if self.variable is not None:
            top, bottom, frac = dom.createElement("mi"), dom.createElement("mrow"), dom.createElement("mfrac")
            top.appendChild(dom.createTextNode("d"))
            d = dom.createElement("mi")
            d.appendChild(dom.createTextNode("d"))
            bottom.appendChild(d)
            bottom.appendChild(printer._print(self.variable))
            frac.appendChild(top)
            frac.appendChild(bottom)
            row.appendChild(frac)
        for part in ("(", self.argument, ")") + (("\u2032",) if self.variable is None else ()):
            if isinstance(part, str):
                mo = dom.createElement("mo")
                mo.appendChild(dom.createTextNode(part))
                row.appendChild(mo)
            else:
                row.appendChild(printer._print(part))
        return row


def differentiate(expr: sp.Expr, variable: sp.Symbol | None) -> sp.Expr:
    """The marker for the derivative of expr by variable (None: the derivation's variable)."""
    if variable is None:
        return Differentiate(expr, evaluate=False)
    return Differentiate(expr, variable, evaluate=False)


_ALIGNMENT = re.compile(r"&(?=\s*=)")


@dataclass(frozen=True)
class Piece:
    """One step's text and where it starts in the whole text: line and column, both 1-based; and
    the whole line as written (for an error's excerpt)."""

    text: str
    line: int
    column: int
    source: str = ""


def step_label(line: int, column: int, lines: list[int]) -> str:
    """How a step is named in messages: "line 3", or "line 3, column 15" when the line holds several
    steps (lines: the line of every step); line 0 is a start given apart from the text."""
    if line == 0:
        return "the given derivative"
    return f"line {line}" if lines.count(line) == 1 else f"line {line}, column {column}"


def split_steps(text: str) -> list[Piece]:
    r"""The steps of a derivation, in order. Each line (LF or CRLF) is split at its `=` signs; a
    leading `=`, LaTeX's `&` and a trailing `\\` are dropped; blank lines and empty leading parts
    are skipped. An empty part between two `=` or after the last is kept (the parser refuses it)."""
    pieces: list[Piece] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = _blank_markup(raw.rstrip("\r"))
        start = 0
        parts = line.split("=")
        for k, part in enumerate(parts):
            if part.strip() or (0 < k < len(parts) - 1) or (k == len(parts) - 1 and k > 0):
                offset = len(part) - len(part.lstrip())
                pieces.append(Piece(part.strip(), number, start + offset + 1, raw.rstrip("\r")))
            start += len(part) + 1
    return pieces


def _blank_markup(line: str) -> str:
    r"""The line with LaTeX's alignment marks (an `&` before an `=` or at the start) and a trailing
    `\\` blanked out, so that columns still count in the text as written."""
    stripped = line.rstrip()
    if stripped.endswith("\\\\"):
        line = stripped[:-2] + "  "
    line = _ALIGNMENT.sub(" ", line)
    at = len(line) - len(line.lstrip())
    return line[:at] + " " + line[at + 1:] if line[at:at + 1] == "&" else line
