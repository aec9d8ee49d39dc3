"""The results of vector functions: declared inputs, vector-level nodes, Jacobian blocks and steps,
layer checks, and the Jacobian result itself (one of the result family in results.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import sympy as sp

from .model import Verification
from .results import Result
from .verdict import combine

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


