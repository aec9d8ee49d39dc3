"""The derivation as Markdown with LaTeX math ($…$ and $$…$$, as GitHub, GitLab and Jupyter
render it): a heading per section, the decomposition as a table, the steps as aligned blocks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..results import Derivation
from .common import operation
from .compound import parts
from .latex import formula, piece, row
from .outline import Ex, Formula, Name, Section


def render(result: Any) -> str:
    return page(*parts(result))


def page(heading: Formula, sections: Sequence[Section], title: str = "Derivation of") -> str:
    """Sections under a heading; a section that lists a graph becomes a table."""
    out = [f"## {title} ${formula(heading)}$", ""]
    for section in sections:
        if section.key == "function":
            continue
        out.append(f"### {section.title}")
        out.append("")
        if section.intro or section.law:
            law = f"${formula(section.law)}$" if section.law else ""
            out += [prose(section.intro) + (": " if section.intro and law else "") + law, ""]
        if section.table is not None and section.table.graph.nodes:
            out += _decomposition(section.table)
        elif section.rows:
            out += _aligned(section)
        for line in section.lines:
            out += [prose(line), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _decomposition(d: Derivation) -> list[str]:
    rows = ["| node | operation | definition |", "|---|---|---|"]
    for n in d.graph.nodes:
        mark = f" (= {d.output_name})" if n.symbol == d.graph.output and n.name != d.output_name else ""
        definition = piece(Ex(n.local, written=n.body is None))
        rows.append(f"| ${piece(Name(n.name))}${mark} | {operation(n)} | ${definition}$ |")
    return rows + [""]


def _aligned(section: Section) -> list[str]:
    body = [row(r) for r in section.rows]
    return ["$$", r"\begin{aligned}", *(line + r" \\" for line in body[:-1]), body[-1], r"\end{aligned}", "$$", ""]


def prose(line: str) -> str:
    """A sentence: Markdown's own special characters escaped (the expression text keeps * and _)."""
    return "".join("\\" + ch if ch in "*_`[]<>|#" else ch for ch in line)
