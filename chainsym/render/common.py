"""Spelling shared by the renderers: expressions in SymPy string syntax, factors, verdicts."""

from __future__ import annotations

import sympy as sp

from ..model import Derivation, ForwardStep, Verification
from ..naming import partial, total
from ..walk import dag_size, tree_size

PRINT_LIMIT = 20_000
"""largest expression tree printed whole; SymPy's printer walks the tree, exponential on sharing"""


def show(expr: sp.Basic) -> str:
    """SymPy string syntax; integers too long to print whole and huge trees are shown by size."""
    if isinstance(expr, sp.Integer) and abs(int(expr.p)).bit_length() > 200:
        return _long_integer(int(expr.p))
    size = tree_size(expr, PRINT_LIMIT)
    if size > PRINT_LIMIT:
        return f"<expression of more than {PRINT_LIMIT} tree nodes ({dag_size(expr, 10**9)} distinct operations): too large to print>"
    return sp.sstr(expr)


def show_local(expr: sp.Basic) -> str:
    """A node's operation with its arguments in the order written (x + u1, not u1 + x)."""
    return sp.sstr(expr, order="none")


def factor(expr: sp.Basic) -> str:
    """expr as a factor of a product: bracketed unless it is a symbol or a plain number."""
    text = show(expr)
    if isinstance(expr, sp.Symbol) or (expr.is_Number and not text.startswith("-") and "/" not in text):
        return text
    if isinstance(expr, sp.Function) and not text.startswith("-"):
        return text
    return f"({text})"


def _long_integer(value: int) -> str:
    digits = int(value.bit_length() * 0.30103) + 1
    sign = "-" if value < 0 else ""
    return f"{sign}<integer of about {digits} digits>"


def rule(step: ForwardStep, wrt: str) -> str:
    """The total-derivative rule for one node in names: ∂u2/∂x + ∂u2/∂u1 · du1/dx."""
    parts = []
    for term in step.terms:
        p = partial(step.node.name, term.partial.arg.name)
        parts.append(p if term.partial.arg.name == wrt else f"{p} · {total(term.partial.arg.name, wrt)}")
    return " + ".join(parts)


def products(step: ForwardStep, wrt: str) -> str:
    """The same with values: each local partial times the argument's derivative."""
    parts = []
    for term in step.terms:
        if term.partial.arg.name == wrt:
            parts.append(show(term.partial.local))
        else:
            parts.append(f"{factor(term.partial.local)}·{factor(term.derivative)}")
    return " + ".join(parts)


def verdict(v: Verification | None, wrt: str) -> str:
    """One line: what was checked, how, and the outcome."""
    if v is None:
        return "not verified (verification was turned off)"
    against = f"{v.oracle}(f, {wrt})"
    if v.status == "proved":
        how = "identical" if v.method == "identical" else "simplify(difference) = 0"
        return f"verified: equal to {against} (symbolic: {how})"
    if v.status == "numeric":
        return f"verified: equal to {against} numerically: {v.detail} ({v.tolerance})"
    if v.status == "mismatch":
        return f"MISMATCH with {against}: {v.detail}"
    return f"not verified: {v.detail}"


def verification_for(d: Derivation, index: int) -> Verification | None:
    return d.verifications[index] if d.verifications else None
