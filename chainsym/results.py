"""What the public functions return: one family of frozen results sharing one protocol.

Every result has `.result` (a SymPy expression, a mapping, or a `sympy.Matrix` shaped as asked),
`.verification` (one verdict), `.steps`, `to_json()`, `str()` (the text form) and the notebook
displays `_repr_html_`, `_repr_latex_`, `_repr_markdown_`. Results hold data only: printing is
looked up in the render package, which installs itself here (`install_display`), so this module
imports no renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import sympy as sp

from .model import Diagnosis, ForwardPass, ForwardStep, Graph, Point, ResultProgram, ReversePass, Verification
from .verdict import combine

Display = Callable[[Any, str], str]
_DISPLAY: list[Display] = []


def install_display(display: Display) -> None:
    """Called by the render package: how results print themselves (str, to_json, notebooks)."""
    _DISPLAY[:] = [display]


class Result:
    """The protocol shared by every result kind."""

    kind: ClassVar[str] = ""

    def _display(self, purpose: str) -> str:
        if not _DISPLAY:  # results made without the api (which loads the renderers): load them now
            from importlib import import_module

            import_module("chainsym.render")
        return _DISPLAY[0](self, purpose)

    def to_json(self) -> str:
        """The result as JSON text, in its versioned schema (chainsym/schemas/)."""
        return self._display("json")

    def __str__(self) -> str:
        return self._display("text")

    def _repr_html_(self) -> str:
        return self._display("notebook-html")

    def _repr_latex_(self) -> str:
        return self._display("notebook-latex")

    def _repr_markdown_(self) -> str:
        return self._display("markdown")


@dataclass(frozen=True, repr=False)
class Derivation(Result):
    """Everything chainsym found: the graph, the steps, the results and their verification.

    One entry of `forward`, `results` and `verifications` per variable in `wrt`.
    """

    kind: ClassVar[str] = "derivation"
    source: str
    expr: sp.Expr
    graph: Graph
    wrt: tuple[sp.Symbol, ...]
    mode: str
    forward: tuple[ForwardPass, ...]
    results: tuple[sp.Expr, ...]
    verifications: tuple[Verification, ...] = field(default=())
    reverse: ReversePass | None = None
    agreement: str = ""
    """with mode 'both': how forward and reverse were found to agree"""
    output_name: str = "f"
    """the name of the function: f, or the name a program gives its output"""
    point: Point | None = None
    program: ResultProgram | None = None
    """how the results too large to show whole are shown (None: every result is shown whole)"""
    data: tuple[sp.Symbol, ...] = ()
    """inputs that are data, not parameters: never updated by a gradient step"""
    expanded: bool = False
    """--expand: every result is printed whole in the inputs"""

    @property
    def result(self) -> sp.Expr | dict[sp.Symbol, sp.Expr]:
        """df/dx for one variable; a dict variable → ∂f/∂v for several."""
        if len(self.wrt) == 1:
            return self.results[0]
        return dict(zip(self.wrt, self.results, strict=False))

    @property
    def steps(self) -> tuple[ForwardStep, ...]:
        """The forward steps (of the first variable when there are several)."""
        return self.forward[0].steps if self.forward else ()

    @property
    def verification(self) -> Verification | None:
        """The verdict; for several variables all of them combined."""
        if not self.verifications:
            return None
        return combine(self.verifications, "components")

    def __repr__(self) -> str:
        return f"<Derivation of {self.output_name} by {', '.join(v.name for v in self.wrt)}: {self.result}>"


@dataclass(frozen=True, repr=False)
class CheckResult(Result):
    """The verdict on a claimed derivative, with the correct derivation it was compared to."""

    kind: ClassVar[str] = "check"
    claim_text: str
    claim: sp.Expr
    correct: bool
    comparison: Verification
    """how the claim was compared with chainsym's (verified) derivative"""
    derivation: Derivation
    counterexample: tuple[tuple[str, str], ...] = ()
    """a point where they differ (variable, value)"""
    claimed_value: str = ""
    correct_value: str = ""
    diagnoses: tuple[Diagnosis, ...] = ()
    """every standard mistake that reproduces the claim (more than one: the diagnosis is ambiguous)"""
    label: str = ""
    """what is claimed when it is not the derivation's own result (d²f/dx², ∂²f/∂x∂y, ∇f)"""
    entries: tuple[Entry, ...] = ()
    """for a claim of several entries (a gradient, a Jacobian, a Hessian): each entry's own verdict;
    then `claim` is the matrix of claimed entries and `derivation` the first row's derivation"""
    claim_kind: str = "diff"
    """'diff', 'grad', 'jacobian' or 'hessian'"""

    @property
    def diagnosis(self) -> Diagnosis | None:
        return self.diagnoses[0] if len(self.diagnoses) == 1 else None

    @property
    def wrong(self) -> tuple[Entry, ...]:
        """The entries found wrong (undecided ones are not listed)."""
        return tuple(e for e in self.entries if e.check.verdict == "incorrect")

    @property
    def verdict(self) -> str:
        """'correct', 'incorrect' or 'undecided'."""
        if self.correct:
            return "correct"
        return "undecided" if self.comparison.status == "skipped" else "incorrect"

    @property
    def result(self) -> sp.Expr | sp.Matrix | dict[sp.Symbol, sp.Expr]:
        """The derivative the claim was compared with; for a gradient claim the mapping variable →
        derivative, for a matrix claim the matrix."""
        if not self.entries:
            return self.derivation.results[0]
        if self.claim_kind == "grad":
            return {e.check.derivation.wrt[0]: e.check.result for e in self.entries}
        return sp.Matrix(self.claim.shape[0], self.claim.shape[1], [e.check.result for e in self.entries])

    @property
    def verification(self) -> Verification:
        return self.comparison

    @property
    def steps(self) -> tuple[ForwardStep, ...]:
        return self.derivation.steps

    def __repr__(self) -> str:
        return f"<CheckResult {self.verdict}: {self.claim_text!r}>"


@dataclass(frozen=True)
class Entry:
    """One entry of a claim of several: what it is, where it sits, and its verdict."""

    label: str
    """∂f/∂y, ∂²f/∂x∂y, ∂f_2/∂x"""
    index: tuple[str | int, ...]
    """(variable,) in a gradient; (row, column), from 1, in a matrix"""
    check: CheckResult


@dataclass(frozen=True, repr=False)
class Orders(Result):
    """The nth derivative as n derivations, each differentiating the previous result, and the
    verdict on the last against sympy.diff(f, x, n)."""

    kind: ClassVar[str] = "orders"
    orders: tuple[Derivation, ...]
    check: Verification | None
    at: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()
    value: sp.Expr | None = None
    """the nth derivative at the point `at`, exactly"""

    @property
    def result(self) -> sp.Expr:
        return self.orders[-1].results[0]

    @property
    def verification(self) -> Verification | None:
        return self.check

    @property
    def steps(self) -> tuple[ForwardStep, ...]:
        return tuple(s for d in self.orders for s in d.steps)

    def __repr__(self) -> str:
        return f"<Orders: derivative of order {len(self.orders)} = {self.result}>"


@dataclass(frozen=True, repr=False)
class Hessian(Result):
    """∂²f/∂xᵢ∂xⱼ by forward mode over the gradient's graph, with the passes that found it."""

    kind: ClassVar[str] = "hessian"
    derivation: Derivation
    """f's gradient by backpropagation"""
    gradient_graph: Graph
    outputs: tuple[sp.Basic, ...]
    """the operand of each gradient component in gradient_graph"""
    passes: tuple[ForwardPass, ...]
    """one forward pass over gradient_graph per variable"""
    matrix: sp.Matrix
    symmetric: bool
    """whether every mixed partial equals its mirror as computed (two different forward passes)"""
    check: Verification | None
    point: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()
    values: sp.Matrix | None = None
    """the Hessian at `point`, exactly"""

    @property
    def result(self) -> sp.Matrix:
        return self.matrix

    @property
    def verification(self) -> Verification | None:
        return self.check

    @property
    def steps(self) -> tuple[ForwardStep, ...]:
        return tuple(s for p in self.passes for s in p.steps)

    def __repr__(self) -> str:
        return f"<Hessian: {self.matrix}>"
