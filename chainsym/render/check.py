"""A claim's verdict as text or JSON (schema "chainsym.check", version 1)."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from ..model import CheckResult
from . import html as html_render
from . import json as json_render
from . import latex as latex_render
from . import markdown as markdown_render
from . import text as text_render
from .common import result_name, show


def text(r: CheckResult) -> str:
    """Verdict, counterexample and diagnosis first; then the correct derivation."""
    return "\n".join(summary(r)) + "\n\n" + text_render.render(r.derivation)


def markdown(r: CheckResult) -> str:
    lines = [f"- {markdown_render.prose(line.strip())}" for line in summary(r)]
    return "## Check\n\n" + "\n".join(lines) + "\n\n" + markdown_render.render(r.derivation)


def html(r: CheckResult) -> str:
    lines = "".join(f"<li>{escape(line.strip())}</li>" for line in summary(r))
    page = html_render.render(r.derivation)
    return page.replace('<div class="chainsym">', f'<section id="check"><h2>Check</h2><ul>{lines}</ul></section>\n'
                        '<div class="chainsym">', 1)


def latex(r: CheckResult) -> str:
    lines = "".join(r"\noindent " + latex_render.text(line.strip()) + "\\par\n" for line in summary(r))
    return latex_render.PREAMBLE + r"\section*{Check}" + "\n" + lines + latex_render.body(r.derivation) \
        + "\\end{document}\n"


def summary(r: CheckResult) -> list[str]:
    """The claim, the verdict, where it fails and why, and the correct derivative: one line each."""
    d = r.derivation
    lines = [f"claim: {result_name(d, 0)} = {r.claim_text.strip()}"]
    if r.correct:
        how = ("identical" if r.comparison.method == "identical" else
               "symbolic: simplify(claim − derivative) = 0" if r.comparison.method == "simplify" else
               f"numerically: {r.comparison.detail}")
        lines.append(f"verdict: CORRECT ({how})")
    elif r.comparison.status == "skipped":
        lines.append(f"verdict: UNDECIDED ({r.comparison.detail})")
    else:
        where = ", ".join(f"{name} = {value}" for name, value in r.counterexample)
        lines.append("verdict: INCORRECT")
        lines.append(f"  at {where}: the claim gives {r.claimed_value}, the derivative is {r.correct_value}")
        if r.diagnosis is not None:
            lines.append(f"  why: {r.diagnosis.message}")
        else:
            lines.append("  why: no single standard mistake (a dropped inner derivative, a sign, a dropped path, "
                         "the product rule) reproduces the claim; compare it with the steps below")
    lines.append(f"correct: {result_name(d, 0)} = {show(d.results[0])}")
    return lines


def data(r: CheckResult) -> dict[str, Any]:
    d = r.derivation
    verdict = "correct" if r.correct else "undecided" if r.comparison.status == "skipped" else "incorrect"
    return {
        "schema": "chainsym.check",
        "version": 1,
        "expression": show(d.expr),
        "wrt": d.wrt[0].name,
        "claim": r.claim_text,
        "verdict": verdict,
        "correct": r.correct,
        "method": r.comparison.method,
        "detail": (r.comparison.detail if r.correct or not r.counterexample else
                   "at " + ", ".join(f"{n} = {v}" for n, v in r.counterexample)
                   + f": the claim gives {r.claimed_value}, the derivative is {r.correct_value}"),
        "derivative": show(d.results[0]),
        "counterexample": None if r.correct or not r.counterexample else {
            "point": dict(r.counterexample), "claim": r.claimed_value, "derivative": r.correct_value},
        "diagnosis": None if r.diagnosis is None else {
            "kind": r.diagnosis.kind, "node": r.diagnosis.node, "message": r.diagnosis.message},
        "derivation": json_render.data(d),
    }


def json_text(r: CheckResult) -> str:
    return json.dumps(data(r), ensure_ascii=False, indent=2) + "\n"
