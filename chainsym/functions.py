"""The neural-network primitives SymPy lacks: sigmoid, relu, softplus.

Each is a real SymPy Function with its own derivative (`fdiff`), so a derivation can show
σ' = σ(1−σ); `rewrite_primitives` turns them into SymPy's own functions for the oracle.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from .walk import contains, rebuild


class _Primitive(sp.Function):
    """A function defined by a SymPy formula (`primitive`): exact at numbers, numeric through it."""

    is_real = True
    latex_name = ""

    @staticmethod
    def primitive(z: sp.Expr) -> sp.Expr:
        raise NotImplementedError

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        return cls.primitive(z) if z.is_Number else None

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.primitive(self.args[0])._eval_evalf(prec)

    def _latex(self, printer: object, exp: object = None) -> str:  # exp: SymPy's printer asks for f(x)**exp
        shown = self.latex_name + r"\left(" + str(printer._print(self.args[0])) + r"\right)"  # type: ignore[attr-defined]
        return shown if exp is None else r"\left(" + shown + r"\right)^{" + str(exp) + "}"


class sigmoid(_Primitive):  # noqa: N801 - named as users write it
    """σ(z) = 1 / (1 + e^(−z)); its derivative is σ(z)·(1 − σ(z))."""

    latex_name = r"\sigma"

    @staticmethod
    def primitive(z: sp.Expr) -> sp.Expr:
        return 1 / (1 + sp.exp(-z))

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, z: sp.Expr, **kwargs: object) -> sp.Expr:
        return self.primitive(z)


class relu(_Primitive):  # noqa: N801
    """relu(z) = max(0, z); its derivative is taken as 0 at the kink z = 0 (as PyTorch does)."""

    latex_name = r"\operatorname{relu}"

    @staticmethod
    def primitive(z: sp.Expr) -> sp.Expr:
        return sp.Max(0, z)

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Heaviside(self.args[0], 0)

    def _eval_rewrite_as_Max(self, z: sp.Expr, **kwargs: object) -> sp.Expr:
        return self.primitive(z)


class softplus(_Primitive):  # noqa: N801
    """softplus(z) = log(1 + e^z); its derivative is σ(z)."""

    latex_name = r"\operatorname{softplus}"

    @staticmethod
    def primitive(z: sp.Expr) -> sp.Expr:
        return sp.log(1 + sp.exp(z))

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, z: sp.Expr, **kwargs: object) -> sp.Expr:
        return self.primitive(z)


CUSTOM_FUNCTIONS: tuple[type[_Primitive], ...] = (sigmoid, relu, softplus)


def rewrite_primitives(expr: sp.Expr) -> sp.Expr:
    """The same expression with sigmoid, relu and softplus written in SymPy's own functions.

    A DAG walk (each distinct subexpression once): SymPy's replace() walks the tree.
    """
    if not contains(expr, CUSTOM_FUNCTIONS):
        return expr

    def change(node: sp.Basic, args: tuple[sp.Basic, ...]) -> sp.Basic:
        if isinstance(node, _Primitive):
            return node.primitive(*args)
        return node if args == node.args else node.func(*args)

    return rebuild(expr, change)


def rewrite_all(exprs: Sequence[sp.Expr]) -> list[sp.Expr]:
    """rewrite_primitives of each, by one walk over their shared DAG: a gradient's components share
    almost everything, and one walk each would be quadratic in the graph."""
    if not exprs:
        return []
    return list(rewrite_primitives(sp.Tuple(*exprs)).args)
