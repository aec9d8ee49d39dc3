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


# --- vectors and matrices ----------------------------------------------------------------------

@dataclass(frozen=True)
class Input:
    """A declared (or scalar) input: its name, shape and component symbols (row by row)."""

    name: str
    shape: tuple[int, ...]
    """() scalar, (n,) vector, (m, n) matrix"""
    components: tuple[sp.Symbol, ...]


@dataclass(frozen=True)
class VNode:
    """One vector-level operation: its name, how it reads, its kind, its shape, its arguments, and
    its components over the arguments' component symbols (local) and over the inputs (value)."""

    name: str
    text: str
    kind: str
    shape: tuple[int, ...]
    args: tuple[str, ...]
    local: sp.Matrix
    value: sp.Matrix


@dataclass(frozen=True)
class Block:
    """One term ∂node/∂arg · d arg/dx of the vector total-derivative rule, with its shapes."""

    arg: str
    local: sp.Matrix
    """∂node/∂arg, over the arguments' components"""
    total: sp.Matrix
    """d arg/dx"""


@dataclass(frozen=True)
class VStep:
    node: str
    blocks: tuple[Block, ...]
    total: sp.Matrix
    """d node/dx over the inputs' components"""


@dataclass(frozen=True)
class LayerCheck:
    """For z = W x (+ b) inside a scalar loss L: the matrix forms of backpropagation through the
    layer, each checked entry by entry against the Jacobians found by the chain rule."""

    z: str
    matrix: str
    vector: str
    upstream: sp.Matrix
    """∂L/∂z as a column"""
    statements: tuple[tuple[str, bool], ...]


@dataclass(frozen=True, repr=False)
class Jacobian(Result):
    """A vector function's Jacobians with respect to each chosen input, by the chain rule over
    vector-level nodes, verified entry by entry."""

    kind: ClassVar[str] = "jacobian"
    source: str
    inputs: tuple[Input, ...]
    nodes: tuple[VNode, ...]
    output: str
    wrt: tuple[str, ...]
    layout: str
    vsteps: tuple[tuple[VStep, ...], ...]
    """per wrt input: the forward steps"""
    jacobians: tuple[sp.Matrix, ...]
    """per wrt input, in the chosen layout (rows follow the output's components)"""
    verifications: tuple[Verification, ...]
    layers: tuple[LayerCheck, ...] = ()
    shaped: tuple[sp.Matrix, ...] = ()
    """per wrt input, for a scalar output: the gradient shaped like the input (∂L/∂W like W)"""
    point: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()
    values: tuple[sp.Matrix, ...] = ()
    """per wrt input, the Jacobian at `point`, exactly"""

    @property
    def result(self) -> sp.Matrix | dict[str, sp.Matrix]:
        """The m×n Jacobian (all chosen inputs' columns side by side); for a scalar output and a
        matrix input, the gradient shaped like that input (a mapping name → matrix for several)."""
        if self.shaped and any(len(i.shape) == 2 for i in self.inputs if i.name in self.wrt):
            if len(self.shaped) == 1:
                return self.shaped[0]
            return dict(zip(self.wrt, self.shaped, strict=False))
        if self.layout == "denominator":
            return sp.Matrix.vstack(*self.jacobians)
        return sp.Matrix.hstack(*self.jacobians)

    @property
    def verification(self) -> Verification:
        return combine(self.verifications, "Jacobian blocks")

    @property
    def steps(self) -> tuple[VStep, ...]:
        return tuple(s for steps in self.vsteps for s in steps)

    def __repr__(self) -> str:
        return f"<Jacobian of {self.output} by {', '.join(self.wrt)}: {self.result}>"


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
