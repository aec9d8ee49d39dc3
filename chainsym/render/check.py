"""A claim's verdict as text: the claim, the verdict, where it fails and why, then the correct
derivation (the other formats print the same lines as a section: see compound.check)."""

from __future__ import annotations

from ..results import CheckResult
from . import text as text_render
from .common import result_name, show


def text(r: CheckResult) -> str:
    """Verdict, counterexample and diagnosis first; then the correct derivation (and for a claim of
    several entries, the derivation of each wrong entry that the first does not show)."""
    shown = [r.derivation] + [e.check.derivation for e in r.wrong if e.check.derivation.expr != r.derivation.expr]
    unique = [d for i, d in enumerate(shown) if all(d.expr != e.expr for e in shown[:i])]
    return "\n".join(summary(r)) + "\n\n" + "\n".join(text_render.derivation(d) for d in unique)


def summary(r: CheckResult) -> list[str]:
    """The claim, the verdict, where it fails and why, and the correct derivative: one line each
    (for a claim of several entries, each entry's verdict in turn)."""
    if r.entries:
        return _entries(r)
    d = r.derivation
    name = r.label or result_name(d, 0)
    lines = [f"claim: {name} = {r.claim_text.strip()}"]
    lines += _verdict(r)
    lines.append(f"correct: {name} = {show(d.results[0])}")
    return lines


def _entries(r: CheckResult) -> list[str]:
    lines = [f"claim: {r.label} = {r.claim_text.strip()}"]
    wrong = r.wrong
    if r.correct:
        lines.append(f"verdict: CORRECT (all {len(r.entries)} entries)")
    elif wrong:
        lines.append(f"verdict: INCORRECT ({len(wrong)} of {len(r.entries)} entries wrong: "
                     f"{', '.join(e.label for e in wrong)})")
    else:
        lines.append(f"verdict: UNDECIDED ({r.comparison.detail})")
    for e in r.entries:
        verdict = _verdict(e.check)
        lines.append(f"  {e.label} = {e.check.claim_text.strip()}: {verdict[0].removeprefix('verdict: ')}")
        lines += ["  " + line for line in verdict[1:]]
    lines.append("correct: " + "; ".join(f"{e.label} = {show(e.check.result)}" for e in r.entries))
    return lines


def _verdict(r: CheckResult) -> list[str]:
    """The verdict line, and for a wrong claim where it fails and why."""
    lines = []
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
    return lines
