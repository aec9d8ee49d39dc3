"""The one table of local partials ∂node/∂argument, read by both forward and reverse mode.

Add, Mul and Pow (any number of arguments) are written here; every SymPy Function supplies
its own `fdiff`. An operation with neither raises UnsupportedOpError: never a wrong answer.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import sympy as sp
from sympy.core.function import ArgumentIndexError

from .errors import UnsupportedOpError
from .model import Node, Partial
from .walk import build

Rule = Callable[[tuple[sp.Expr, ...], int], sp.Expr]
"""(arguments, position) → ∂op(arguments)/∂arguments[position]"""


def _add(args: tuple[sp.Expr, ...], i: int) -> sp.Expr:
    """∂(a₁ + … + aₙ)/∂aᵢ = 1"""
    return sp.Integer(1)


def _mul(args: tuple[sp.Expr, ...], i: int) -> sp.Expr:
    """∂(a₁ ⋯ aₙ)/∂aᵢ = the product of the other factors"""
    return sp.Mul(*(a for j, a in enumerate(args) if j != i))


def _pow(args: tuple[sp.Expr, ...], i: int) -> sp.Expr:
    """∂(bᵉ)/∂b = e·bᵉ⁻¹;  ∂(bᵉ)/∂e = bᵉ·log b"""
    base, exponent = args
    if i == 0:
        return exponent * base ** (exponent - 1)
    return base**exponent * sp.log(base)


def _sign(args: tuple[sp.Expr, ...], i: int) -> sp.Expr:
    """∂sign(a)/∂a = 2δ(a): 0 wherever a ≠ 0 (SymPy's sign has no fdiff)"""
    return 2 * sp.DiracDelta(args[0])


def _max(args: tuple[sp.Expr, ...], i: int) -> sp.Expr:
    """∂max(a₁, …)/∂aᵢ = H(aᵢ − max of the others): 1 where aᵢ is the largest"""
    return sp.Heaviside(args[i] - build(sp.Max, tuple(a for j, a in enumerate(args) if j != i)))


def _min(args: tuple[sp.Expr, ...], i: int) -> sp.Expr:
    """∂min(a₁, …)/∂aᵢ = H(min of the others − aᵢ): 1 where aᵢ is the smallest"""
    return sp.Heaviside(build(sp.Min, tuple(a for j, a in enumerate(args) if j != i)) - args[i])


RULES: dict[type, Rule] = {
    sp.Add: _add, sp.Mul: _mul, sp.Pow: _pow, sp.sign: _sign, sp.Max: _max, sp.Min: _min,
}


def _function(op: type, args: tuple[sp.Expr, ...], i: int) -> sp.Expr:
    """A SymPy Function's own derivative in its i-th argument (fdiff counts from 1)."""
    applied = op(*args, evaluate=False)
    if applied.args != args:
        raise UnsupportedOpError(op.__name__)
    try:
        result = applied.fdiff(i + 1)
    except (ArgumentIndexError, NotImplementedError, TypeError):
        raise UnsupportedOpError(op.__name__) from None
    if result.has(sp.Derivative, sp.Subs):
        raise UnsupportedOpError(op.__name__)
    return result


def _has_fdiff(op: type) -> bool:
    """A defined SymPy function (sin, Max, sigmoid...), not an undefined f(x)."""
    return (isinstance(op, type) and issubclass(op, sp.core.function.Application)
            and not isinstance(op, sp.core.function.UndefinedFunction) and hasattr(op, "fdiff"))


def local_partial(op: type, args: tuple[sp.Expr, ...], i: int) -> sp.Expr:
    """∂op(args)/∂args[i], from the table or the Function's fdiff."""
    rule = RULES.get(op)
    if rule is not None:
        return rule(args, i)
    if _has_fdiff(op):
        return _function(op, args, i)
    raise UnsupportedOpError(getattr(op, "__name__", str(op)))


def partials(node: Node) -> tuple[Partial, ...]:
    """The node's partials, one per distinct non-constant argument, summed over its slots."""
    return _partials(node.symbol, node.op, node.args)


WIDE = 8
"""A product of more than WIDE factors gets its partials from shared prefix and suffix products
(linear work, not quadratic); each partial is then an unevaluated product of two shared parts."""


def _wide_mul(args: tuple[sp.Expr, ...]) -> list[sp.Expr]:
    """∂(a₁⋯aₙ)/∂aᵢ = (a₁⋯aᵢ₋₁)·(aᵢ₊₁⋯aₙ) for every i, from running products shared between them."""
    n = len(args)
    prefix: list[sp.Expr] = [sp.Integer(1)]
    for a in args[:-1]:
        prefix.append(a if prefix[-1] == 1 else sp.Mul(prefix[-1], a, evaluate=False))
    suffix: list[sp.Expr] = [sp.Integer(1)]
    for a in reversed(args[1:]):
        suffix.append(a if suffix[-1] == 1 else sp.Mul(a, suffix[-1], evaluate=False))
    suffix.reverse()
    return [prefix[i] if suffix[i] == 1 else suffix[i] if prefix[i] == 1 else
            sp.Mul(prefix[i], suffix[i], evaluate=False) for i in range(n)]


@lru_cache(maxsize=1 << 16)
def _partials(symbol: sp.Symbol, op: type, args: tuple[sp.Expr, ...]) -> tuple[Partial, ...]:
    slots: dict[sp.Symbol, list[int]] = {}
    for i, arg in enumerate(args):
        if isinstance(arg, sp.Symbol):
            slots.setdefault(arg, []).append(i)
    if op is sp.Mul and len(args) > WIDE:
        wide = _wide_mul(args)
        one = lambda i: wide[i]  # noqa: E731
    else:
        one = lambda i: local_partial(op, args, i)  # noqa: E731
    return tuple(
        Partial(node=symbol, arg=arg, positions=tuple(pos),
                local=one(pos[0]) if len(pos) == 1 else sp.Add(*(one(i) for i in pos)))
        for arg, pos in slots.items()
    )
