"""A worked derivation's check, printed: the steps with their verdicts, the first wrong step (where
it fails and why), the correct continuation, then chainsym's own derivation. Text here; JSON as
schema chainsym.work version 1; LaTeX, Markdown and HTML through the outline sections of `parts`."""

from __future__ import annotations

from typing import Any

from ..model import Diagnosis
from ..syntax import step_label
from ..verdict import HOW
from ..work_results import WorkResult, WorkStep
from . import text as text_render
from .common import result_name, show
from .outline import Ex, Formula, Op, Row, Section, Total, Words, outline

VERSION = 1


def label(r: WorkResult, step: WorkStep) -> str:
    return step_label(step.line, step.column, [s.line for s in r.lines])


def written(r: WorkResult, step: WorkStep) -> str:
    """The step as written; a start given apart as the derivative it asks for."""
    if step.number > 0 or r.derivation is None:
        return step.text if step is r.lines[0] else "= " + step.text
    d = r.derivation
    return f"{result_name(d, 0)}, {step.text}" if "=" in step.text else f"d/d{d.wrt[0].name}({step.text})"


def status(r: WorkResult, step: WorkStep) -> str:
    """right (how), WRONG or undecided; after the first wrong step, whether it is the derivative."""
    c = step.comparison
    if c is None:
        return ""
    shown = {"right": f"right ({HOW[c.method]})", "wrong": "WRONG", "undecided": f"undecided ({c.detail})"}
    note = shown[step.status]
    wrong = r.first_wrong
    if wrong is not None and step.number > wrong.number and step.holds is not None:
        first = "the derivative" if r.derivation is not None else "the first step"
        note += f", and equal to {first} again" if step.holds else f", and not {first}"
    return note


def verdict_lines(r: WorkResult) -> list[str]:
    """The verdict, where the first wrong step fails and why, the other wrong steps, the continuation."""
    wrong = r.first_wrong
    if wrong is None:
        undecided = [s for s in r.lines if s.status == "undecided"]
        lines = ["verdict: CORRECT: every step equals the one before it" if not undecided else
                 f"verdict: UNDECIDED: {label(r, undecided[0])} could not be compared with the step before it"]
    else:
        lines = [f"verdict: INCORRECT: {label(r, wrong)} is the first wrong step", *_located(r, wrong)]
        for s in wrong.slips:
            lines.append(f"  slip: {show(s.written)} is written as {show(s.replaced_by)}, "
                         f"but it is {show(s.derivative)}")
            lines += _why(s.explanations, "    ")
        lines += _why(wrong.diagnoses, "  ")
        if not wrong.diagnoses and not any(s.explanations for s in wrong.slips):
            lines.append("  why: no standard mistake explains it; compare it with the correct continuation")
        for step in r.lines:
            if step.number > wrong.number and step.status == "wrong":
                lines += [f"also wrong: {label(r, step)}", *_located(r, step)]
    last = _last_right(r)
    where = "result" if wrong is None else f"correct continuation from {label(r, last)}"
    lines.append(f"{where}: = {show(r.continuation)}")
    lines += [f"  with {show(m)} = {show(v)}" for m, v in r.derivatives]
    return lines


def _last_right(r: WorkResult) -> WorkStep:
    wrong = r.first_wrong
    return r.lines[-1] if wrong is None else r.lines[r.lines.index(wrong) - 1]


def _located(r: WorkResult, step: WorkStep) -> list[str]:
    if not step.counterexample:
        return [f"  {step.comparison.detail}"] if step.comparison is not None else []
    where = ", ".join(f"{n} = {v}" for n, v in step.counterexample)
    before = r.lines[r.lines.index(step) - 1]
    return [f"  at {where}: {label(r, step)} gives {step.values[0]}, {label(r, before)} gives {step.values[1]}"]


def _why(diagnoses: tuple[Diagnosis, ...], indent: str) -> list[str]:
    if len(diagnoses) == 1:
        return [f"{indent}why: {diagnoses[0].message}"]
    if not diagnoses:
        return []
    return [f"{indent}why (ambiguous: {len(diagnoses)} standard mistakes each explain it):",
            *(f"{indent}  - {m.message}" for m in diagnoses)]


def summary(r: WorkResult) -> list[str]:
    rows = [(label(r, s) if s.line else "given", written(r, s), status(r, s)) for s in r.lines]
    first = min(max(len(a) for a, _, _ in rows), 30)
    second = min(max(len(b) for _, b, _ in rows), 50)
    lines = ["steps   (each compared with the step before it)"]
    lines += [f"  {a.ljust(first)}   {b.ljust(second)}   {c}".rstrip() for a, b, c in rows]
    return lines + verdict_lines(r)


def text(r: WorkResult) -> str:
    """The steps and the verdict; then chainsym's derivation of the function the steps differentiate."""
    out = "\n".join(summary(r)) + "\n"
    return out + ("\n" + text_render.derivation(r.derivation) if r.derivation is not None else "")


def data(r: WorkResult) -> dict[str, Any]:
    """As JSON data, schema chainsym.work version 1 (chainsym/schemas/work-v1.schema.json)."""
    from .json import _diagnosis, derivation, verification_data

    wrong = r.first_wrong
    verdict = "incorrect" if wrong is not None else "correct" if r.correct else "undecided"
    last = _last_right(r)
    return {
        "schema": "chainsym.work", "version": VERSION, "wrt": r.wrt.name if r.wrt is not None else None,
        "verdict": verdict, "correct": r.correct,
        "first_wrong": None if wrong is None else {"line": wrong.line, "column": wrong.column, "number": wrong.number},
        "result": show(r.continuation),
        "continuation": {"from": {"line": last.line, "column": last.column, "number": last.number},
                         "value": show(r.continuation),
                         "derivatives": [{"written": show(m), "value": show(v)} for m, v in r.derivatives]},
        "steps": [{
            "number": s.number, "line": s.line, "column": s.column, "label": label(r, s), "text": s.text,
            "expression": show(s.expr), "value": show(s.value), "status": s.status, "holds": s.holds,
            "comparison": None if s.comparison is None else verification_data(s.comparison),
            "counterexample": None if not s.counterexample else {
                "point": dict(s.counterexample), "this": s.values[0], "previous": s.values[1]},
            "slips": [{"written": show(p.written), "replaced_by": show(p.replaced_by), "derivative": show(p.derivative),
                       "explanations": [_diagnosis(m) for m in p.explanations]} for p in s.slips],
            "diagnoses": [_diagnosis(m) for m in s.diagnoses],
        } for s in r.lines],
        "verification": verification_data(r.verification),
        "derivation": None if r.derivation is None else derivation(r.derivation),
    }


def parts(r: WorkResult) -> tuple[Formula, tuple[Section, ...], str]:
    """The steps as formula rows with their verdicts, the verdict, the continuation, then the derivation."""
    rows = []
    for s in r.lines:
        d = r.derivation
        if s.number == 0 and d is not None:
            rows.append(Row((Words("given"),), (Total(d.output_name, d.wrt[0].name),), f"{d.output_name}: {s.text}"))
        else:
            right = (Ex(s.expr, written=True),) if s is r.lines[0] else (Op("="), Ex(s.expr, written=True))
            rows.append(Row((Words(label(r, s)),), right, status(r, s)))
    sections = [Section("steps", "Worked steps", "each step compared with the step before it", tuple(rows)),
                Section("work-verdict", "Verdict", "", (), tuple(line.strip() for line in verdict_lines(r)))]
    if r.derivation is not None:
        sections += outline(r.derivation)
    d = r.derivation
    heading: Formula = (Total(d.output_name, d.wrt[0].name),) if d is not None else (Words("a derivation"),)
    return heading, tuple(sections), "Worked steps for"
