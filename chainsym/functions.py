"""The neural-network primitives SymPy lacks: sigmoid, relu, softplus.

Each is a real SymPy Function with its own derivative (`fdiff`), so a derivation can show
σ' = σ(1−σ); `rewrite_primitives` turns them into SymPy's own functions for the oracle.
"""

from __future__ import annotations

import sympy as sp

from .walk import contains, rebuild


class sigmoid(sp.Function):  # noqa: N801 - named as users write it
    """σ(z) = 1 / (1 + e^(−z)); its derivative is σ(z)·(1 − σ(z))."""

    is_real = True

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        if z.is_Number:
            return 1 / (1 + sp.exp(-z))
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, z: sp.Expr, **kwargs: object) -> sp.Expr:
        return 1 / (1 + sp.exp(-z))

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.rewrite(sp.exp)._eval_evalf(prec)

    def _latex(self, printer: object) -> str:
        return r"\sigma\left(" + printer._print(self.args[0]) + r"\right)"  # type: ignore[attr-defined]


class relu(sp.Function):  # noqa: N801
    """relu(z) = max(0, z); its derivative is taken as 0 at the kink z = 0 (as PyTorch does)."""

    is_real = True

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        if z.is_Number:
            return sp.Max(0, z)
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Heaviside(self.args[0], 0)

    def _eval_rewrite_as_Max(self, z: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.Max(0, z)

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return sp.Max(0, self.args[0])._eval_evalf(prec)

    def _latex(self, printer: object) -> str:
        return r"\operatorname{relu}\left(" + printer._print(self.args[0]) + r"\right)"  # type: ignore[attr-defined]


class softplus(sp.Function):  # noqa: N801
    """softplus(z) = log(1 + e^z); its derivative is σ(z)."""

    is_real = True

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        if z.is_Number:
            return sp.log(1 + sp.exp(z))
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, z: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.log(1 + sp.exp(z))

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return sp.log(1 + sp.exp(self.args[0]))._eval_evalf(prec)

    def _latex(self, printer: object) -> str:
        return r"\operatorname{softplus}\left(" + printer._print(self.args[0]) + r"\right)"  # type: ignore[attr-defined]


CUSTOM_FUNCTIONS: tuple[type[sp.Function], ...] = (sigmoid, relu, softplus)


def rewrite_primitives(expr: sp.Expr) -> sp.Expr:
    """The same expression with sigmoid, relu and softplus written in SymPy's own functions.

    A DAG walk (each distinct subexpression once): SymPy's replace() walks the tree.
    """
    if not contains(expr, CUSTOM_FUNCTIONS):
        return expr

    def change(node: sp.Basic, args: tuple[sp.Basic, ...]) -> sp.Basic:
        if type(node) in _PRIMITIVE:
            return _PRIMITIVE[type(node)](*args)
        return node if args == node.args else node.func(*args)

    return rebuild(expr, change)  # type: ignore[return-value]


_PRIMITIVE = {
    sigmoid: lambda z: 1 / (1 + sp.exp(-z)),
    relu: lambda z: sp.Max(0, z),
    softplus: lambda z: sp.log(1 + sp.exp(z)),
}
