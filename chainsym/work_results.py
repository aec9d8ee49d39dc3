"""The result of checking a worked derivation step by step (one of the result family in results.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import sympy as sp

from .model import Diagnosis, Verification
from .results import Derivation, Result
from .verdict import combine


@dataclass(frozen=True)
class Slip:
    """A derivative a step wrote unevaluated, which the next step replaced by something else."""

    written: sp.Expr
    replaced_by: sp.Expr
    derivative: sp.Expr
    explanations: tuple[Diagnosis, ...] = ()


@dataclass(frozen=True)
class WorkStep:
    """One step of a worked derivation (number 0: a start given apart), compared with the step before it."""

    number: int
    line: int
    column: int
    text: str
    expr: sp.Expr
    value: sp.Expr
    """expr (as read: chainsym.syntax.Differentiate markers) with its derivatives taken, defined names replaced"""
    comparison: Verification | None = None
    """with the step before (None for the first)"""
    holds: bool | None = None
    counterexample: tuple[tuple[str, str], ...] = ()
    values: tuple[str, str] = ("", "")
    """this step's and the step before's values at the counterexample"""
    slips: tuple[Slip, ...] = ()
    diagnoses: tuple[Diagnosis, ...] = ()
    """standard mistakes that turn the whole derivative into this step (holds: it equals the first step)"""

    @property
    def status(self) -> str:  # 'start', 'right', 'wrong' or 'undecided' (compared with the step before)
        if self.comparison is None:
            return "start"
        return {"mismatch": "wrong", "skipped": "undecided"}.get(self.comparison.status, "right")


@dataclass(frozen=True, repr=False)
class WorkResult(Result):
    """A worked derivation checked step by step: the first wrong step, where it fails and why, and
    the correct continuation from the last right step."""

    kind: ClassVar[str] = "work"
    lines: tuple[WorkStep, ...]
    wrt: sp.Symbol | None
    continuation: sp.Expr
    """the last right step with its derivatives taken, in canonical form"""
    derivatives: tuple[tuple[sp.Expr, sp.Expr], ...] = ()  # written in the last right step, and their values
    derivation: Derivation | None = None
    """chainsym's derivation of the function the first step differentiates"""

    @property
    def first_wrong(self) -> WorkStep | None:
        return next((s for s in self.lines if s.status == "wrong"), None)

    @property
    def correct(self) -> bool:
        return all(s.status in ("start", "right") for s in self.lines)

    @property
    def result(self) -> sp.Expr:
        return self.continuation

    @property
    def verification(self) -> Verification:
        wrong = self.first_wrong
        return wrong.comparison if wrong and wrong.comparison else combine([s.comparison for s in self.lines
                                                                            if s.comparison is not None], "steps")

    @property
    def steps(self) -> tuple[WorkStep, ...]:
        return self.lines

    def __repr__(self) -> str:
        return f"<WorkResult: {'right' if self.first_wrong is None else f'line {self.first_wrong.line} is wrong'}>"
