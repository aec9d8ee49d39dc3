"""What a grader wants from a batch's results, gathered in one pass over the results file: counts
by status and by diagnosis, and per problem (the same question asked of many students) its counts,
its correct derivative and its most common wrong answers with why they are wrong. Holds counts
and distinct answers, never the rows themselves."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXAMPLES = 3
"""ids listed per common wrong answer"""
NO_MISTAKE = "no single standard mistake reproduces it"


def rows(path: Path) -> Iterator[dict[str, Any]]:
    """The result rows of a results file, one at a time (a line that is not a row is skipped)."""
    with path.open("r", encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and row.get("schema") == "chainsym.batch":
                yield row


def why(row: dict[str, Any]) -> str:
    """One line on why a wrong answer is wrong: its diagnosis, the ambiguous ones, or none found."""
    found = row.get("diagnoses") or []
    if not found:
        wrong = row.get("wrong") or []
        return (f"wrong entries {', '.join(wrong)}: " if wrong else "") + NO_MISTAKE
    shown = [(f"{d['entry']}: " if d.get("entry") else "") + d["message"] for d in found]
    if row.get("ambiguous"):
        return f"ambiguous ({len(found)} standard mistakes each reproduce it): " + " | ".join(shown)
    return " | ".join(shown)


def diagnosis_kinds(row: dict[str, Any]) -> list[str]:
    """The kinds of mistake a wrong row is counted under (each once)."""
    if row.get("status") != "incorrect":
        return []
    found = row.get("diagnoses") or []
    if not found:
        return [NO_MISTAKE]
    if row.get("ambiguous"):
        return ["ambiguous: " + " or ".join(sorted({d["kind"] for d in found}))]
    return sorted({d["kind"] for d in found})


@dataclass
class Problem:
    """One question across the students who answered it."""

    key: str
    expr: str
    where: str | None
    at: str | None
    kind: str
    order: int
    wrt: list[str]
    statuses: Counter[str] = field(default_factory=Counter)
    derivative: Any = None
    wrong: Counter[str] = field(default_factory=Counter)
    reasons: dict[str, str] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def items(self) -> int:
        return sum(self.statuses.values())

    def add(self, row: dict[str, Any]) -> None:
        self.statuses[row["status"]] += 1
        if self.derivative is None and row.get("derivative") is not None:
            self.derivative = row["derivative"]
            self.kind, self.order, self.wrt = row.get("kind") or self.kind, row.get("order") or 1, row.get("wrt") or []
        if row["status"] == "incorrect" and row.get("claim") is not None:
            answer = " ".join(str(row["claim"]).split())
            self.wrong[answer] += 1
            self.reasons.setdefault(answer, why(row))
            ids = self.examples.setdefault(answer, [])
            if len(ids) < EXAMPLES:
                ids.append(str(row["id"]))

    def common(self, n: int = 5) -> list[tuple[str, int]]:
        return sorted(self.wrong.items(), key=lambda a: (-a[1], a[0]))[:n]


@dataclass
class Summary:
    total: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    diagnoses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    problems: dict[str, Problem] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, row: dict[str, Any]) -> None:
        self.total += 1
        self.seconds += float(row.get("seconds") or 0)
        self.statuses[row["status"]] += 1
        for kind in diagnosis_kinds(row):
            self.diagnoses[kind] += 1
        if row.get("error"):
            e = row["error"]
            self.errors[f"{e['type']}" + (f" ({e['limit']})" if e.get("limit") else "")] += 1
        key = row.get("problem") or ""
        if key not in self.problems:
            self.problems[key] = Problem(key, row.get("expr") or "(no expression)", row.get("where"), row.get("at"),
                                         row.get("kind") or "diff", row.get("order") or 1, row.get("wrt") or [])
        self.problems[key].add(row)

    @classmethod
    def of(cls, path: Path) -> Summary:
        summary = cls()
        for row in rows(path):
            summary.add(row)
        return summary


def anchor(kind: str, ident: object) -> str:
    """An HTML id for an item or a problem: letters, digits, '-' and '_' kept, anything else as .hex.
    (one-to-one, so two ids never share an anchor)."""
    return kind + "-" + "".join(c if c.isascii() and (c.isalnum() or c in "-_") else f".{ord(c):x}."
                                for c in str(ident))
