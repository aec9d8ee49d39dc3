"""The data every stage passes on: frozen dataclasses with tuple fields, and no logic.

parse → Graph (Node) → Partial → ForwardStep / AdjointStep → Verification → results (results.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeAlias

import sympy as sp

EVALUATE_DEPTH = 100
"""Values and derivatives of nodes up to this depth are built with SymPy's evaluation (canonical
forms); deeper, SymPy's own recursion (assumptions, argument sorting) would overflow or turn
cubic, so their expressions keep the structure as built."""

Operand: TypeAlias = sp.Expr
"""An argument of a node: a variable Symbol, an intermediate's Symbol, or a constant."""


@dataclass(frozen=True)
class Node:
    """One primitive operation u = op(args), where each arg is a variable, an earlier u, or a constant."""

    symbol: sp.Symbol
    op: type
    args: tuple[Operand, ...]
    expr: sp.Expr = field(compare=False)
    """the node's value written in the variables (evaluated SymPy unless the node is deep);
    left out of equality: a node is its operation on its operands"""
    depth: int = field(default=1, compare=False)
    """the longest path from a leaf to this node"""
    body: sp.Expr | None = field(default=None, compare=False)
    """for a name a program defines: its right-hand side over the argument symbols"""

    @property
    def evaluated(self) -> bool:
        """Whether SymPy's evaluation is used for this node's values (not for very deep nodes)."""
        return self.depth <= EVALUATE_DEPTH

    @property
    def name(self) -> str:
        return str(self.symbol.name)

    @property
    def local(self) -> sp.Expr:
        """The operation over its argument symbols, as written: u2 = x + u1."""
        if self.body is not None:
            return self.body
        return self.op(*self.args, evaluate=False)

    @property
    def op_name(self) -> str:
        return "definition" if self.body is not None else str(self.op.__name__)


@dataclass(frozen=True)
class Graph:
    """A computational graph: nodes u1..un in topological order, shared subexpressions once."""

    source: sp.Expr
    variables: tuple[sp.Symbol, ...]
    nodes: tuple[Node, ...]
    output: Operand
    """the symbol of the node whose value is f, or a variable or constant when f is one"""
    generic: str = "u"
    """the letter that stands for any node in printed rules (du/dx = Σ ∂u/∂a · da/dx): the
    intermediates' prefix, which no variable of the user's is called"""

    @cached_property
    def index(self) -> dict[sp.Symbol, Node]:
        return {node.symbol: node for node in self.nodes}

    @cached_property
    def values(self) -> dict[sp.Symbol, sp.Expr]:
        """Each intermediate symbol → its value in the variables (for substituting back)."""
        return {node.symbol: node.expr for node in self.nodes}

    @property
    def value(self) -> sp.Expr:
        """f itself, evaluated, in the variables."""
        return self.values.get(self.output, self.output)


@dataclass(frozen=True)
class Partial:
    """A local partial ∂node/∂arg, in terms of the node's argument symbols.

    `positions` lists the argument slots the arg fills (x·x fills two: ∂/∂x sums both).
    """

    node: sp.Symbol
    arg: sp.Symbol
    positions: tuple[int, ...]
    local: sp.Expr


@dataclass(frozen=True)
class Term:
    """One term ∂u/∂a · da/dx of the total-derivative rule."""

    partial: Partial
    derivative: sp.Expr
    """da/dx in the variables (1 when a is x itself)"""


@dataclass(frozen=True)
class ForwardStep:
    """du/dx = Σ ∂u/∂a · da/dx over the node's arguments a that depend on x."""

    node: Node
    terms: tuple[Term, ...]
    total: sp.Expr


@dataclass(frozen=True)
class ForwardPass:
    """The total-derivative rule run over a graph for one variable."""

    wrt: sp.Symbol
    steps: tuple[ForwardStep, ...]
    independent: tuple[sp.Symbol, ...]
    """intermediates that do not depend on wrt (their total derivative is 0)"""
    result: sp.Expr
    """df/dx in the variables, before tidying"""


@dataclass(frozen=True)
class Contribution:
    """One edge of the backward pass: downstream = upstream · local.

    upstream is the consumer's adjoint df/dc, local is ∂c/∂a, downstream is what the edge
    adds to df/da.
    """

    consumer: sp.Symbol
    partial: Partial
    upstream: sp.Expr
    downstream: sp.Expr


@dataclass(frozen=True)
class AdjointStep:
    """df/da = Σ over the consumers c of a: df/dc · ∂c/∂a (the seed df/df = 1 has no contributions)."""

    target: sp.Symbol
    contributions: tuple[Contribution, ...]
    total: sp.Expr


@dataclass(frozen=True)
class ReversePass:
    """Backpropagation over a graph: one sweep, every partial of f."""

    steps: tuple[AdjointStep, ...]
    """in reverse topological order, then the variables"""
    gradient: tuple[tuple[sp.Symbol, sp.Expr], ...]
    """∂f/∂v for every variable v, in the graph's order (sorted by name)"""


@dataclass(frozen=True)
class Diagnosis:
    """A standard chain-rule mistake that reproduces a wrong claim: its kind, node and explanation."""

    kind: str
    """'chain rule dropped', 'sign error', 'sign error (minus sign)', 'path dropped' or
    'product rule misapplied'"""
    node: str
    message: str


@dataclass(frozen=True)
class Verification:
    """The verdict on one derivative (or all entries of a matrix of them), against an oracle."""

    status: str
    """'proved', 'numeric', 'mismatch' or 'skipped'"""
    method: str
    """'identical', 'expand', 'exact' (a rational function at rational points), 'independent' (one
    rational function of the expressions' parts), 'numeric' or 'none'"""
    detail: str
    oracle: str = "sympy.diff"
    points: tuple[tuple[tuple[str, str], ...], ...] = ()
    tolerance: str = ""
    seed: int | None = None
    """the random seed the points were drawn with (the same inputs give the same seed)"""

    @property
    def ok(self) -> bool:
        return self.status in ("proved", "numeric")


@dataclass(frozen=True)
class PointValue:
    """A quantity's exact value at a point, with a decimal approximation for reading."""

    exact: sp.Expr
    approx: str


@dataclass(frozen=True)
class Point:
    """The forward and backward passes evaluated at a point (exact where the inputs are)."""

    inputs: tuple[tuple[sp.Symbol, sp.Expr], ...]
    values: tuple[tuple[sp.Symbol, PointValue], ...]
    """every node's value, in graph order (the forward pass)"""
    adjoints: tuple[tuple[sp.Symbol, PointValue], ...]
    """every node's and variable's adjoint ∂f/∂u, in reverse order (the backward pass)"""
    edges: tuple[tuple[sp.Symbol, sp.Symbol, PointValue, PointValue, PointValue], ...]
    """(consumer c, argument a, upstream df/dc, local ∂c/∂a, downstream) at the point"""
    gradient: tuple[tuple[sp.Symbol, PointValue], ...]
    learning_rate: sp.Expr | None = None
    updates: tuple[tuple[sp.Symbol, PointValue], ...] = ()
    """v − lr·∂f/∂v for each differentiated parameter, when a learning rate is given"""
    notes: tuple[str, ...] = ()
    tangents: tuple[tuple[sp.Symbol, sp.Symbol, PointValue], ...] = ()
    """(variable x, node u, du/dx) for each variable differentiated in forward mode, nodes in graph order"""
    tangent_edges: tuple[tuple[sp.Symbol, sp.Symbol, sp.Symbol, PointValue, PointValue, PointValue], ...] = ()
    """(variable x, consumer c, argument a, local ∂c/∂a, incoming da/dx, term ∂c/∂a · da/dx) at the point"""


@dataclass(frozen=True)
class Assignment:
    """One statement of straight-line code: target = expr (one operation, or a few for a partial)."""

    target: sp.Symbol
    expr: sp.Expr


@dataclass(frozen=True)
class StraightLine:
    """f and its gradient as straight-line code: the forward sweep, then the adjoint sweep."""

    inputs: tuple[sp.Symbol, ...]
    """the variables, in sorted name order (the order of the emitted function's arguments)"""
    names: tuple[str, ...]
    """the user's name of each input (the code renames one that collides with the target language)"""
    forward: tuple[Assignment, ...]
    backward: tuple[Assignment, ...]
    value: sp.Expr
    """the symbol (or constant) holding f"""
    gradient: tuple[sp.Expr, ...]
    """the symbol (or constant) holding ∂f/∂v, for each input"""


@dataclass(frozen=True)
class ResultProgram:
    """Large results as named shared parts t1..tk, each defined once (shared between the results
    too), and each result's final expression over them."""

    definitions: tuple[tuple[sp.Symbol, sp.Expr], ...]
    results: tuple[sp.Expr | None, ...]
    """per result: its final expression, or None when it is small enough to show whole"""
