"""A claim's verdict as text: the claim, the verdict, where it fails and why, then the correct
derivation (the other formats print the same lines as a section: see compound.check)."""

from __future__ import annotations

from ..results import CheckResult
from . import text as text_render
from .common import result_name, show


def text(r: CheckResult) -> str:
    """Verdict, counterexample and diagnosis first; then the correct derivation."""
    return "\n".join(summary(r)) + "\n\n" + text_render.derivation(r.derivation)


def summary(r: CheckResult) -> list[str]:
    """The claim, the verdict, where it fails and why, and the correct derivative: one line each."""
    d = r.derivation
    lines = [f"claim: {result_name(d, 0)} = {r.claim_text.strip()}"]
    c = r.comparison
    if r.correct:
        how = "identical" if c.method == "identical" else c.detail
        lines.append(f"verdict: CORRECT ({how}; seed {c.seed})" if c.seed is not None and c.method != "identical"
                     else f"verdict: CORRECT ({how})")
    elif c.status == "skipped":
        lines.append(f"verdict: UNDECIDED ({c.detail})")
    else:
        where = ", ".join(f"{name} = {value}" for name, value in r.counterexample)
        lines.append("verdict: INCORRECT")
        lines.append(f"  at {where}: the claim gives {r.claimed_value or '?'}, the derivative is "
                     f"{r.correct_value or '?'}")
        if len(r.diagnoses) == 1:
            lines.append(f"  why: {r.diagnoses[0].message}")
        elif r.diagnoses:
            lines.append(f"  why (ambiguous: {len(r.diagnoses)} standard mistakes each reproduce the claim):")
            lines += [f"    - {m.message}" for m in r.diagnoses]
        else:
            lines.append("  why: no single standard mistake (a dropped inner derivative, a sign, a dropped path, "
                         "the product rule, an outer derivative at the wrong inner value) reproduces the claim; "
                         "compare it with the steps below")
    lines.append(f"correct: {result_name(d, 0)} = {show(d.results[0])}")
    return lines
