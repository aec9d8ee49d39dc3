"""The one table of local partials ∂node/∂argument, read by both forward and reverse mode.

Add, Mul and Pow (any number of arguments) are written here; every SymPy Function supplies
its own `fdiff`. An operation with neither raises UnsupportedOpError: never a wrong answer.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import sympy as sp
from sympy.core.function import ArgumentIndexError

from .errors import UnsupportedOpError, UsageError
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


UNDEFINED = (sp.zoo, sp.nan, sp.oo, -sp.oo)


@lru_cache(maxsize=1 << 16)
def _partials(symbol: sp.Symbol, op: type, args: tuple[sp.Expr, ...]) -> tuple[Partial, ...]:
    found = _slots_partials(symbol, op, args)
    for p in found:
        if p.local in UNDEFINED or (p.local.is_Mul and any(f in UNDEFINED for f in p.local.args)):
            written = sp.sstr(op(*args, evaluate=False), order="none")
            raise UsageError(f"the derivative of {symbol} = {written} with respect to {p.arg} is undefined "
                             f"({sp.sstr(p.local)}): {written} has no derivative there")
    return found


def _slots_partials(symbol: sp.Symbol, op: type, args: tuple[sp.Expr, ...]) -> tuple[Partial, ...]:
    slots: dict[sp.Symbol, list[int]] = {}
    for i, arg in enumerate(args):
        if isinstance(arg, sp.Symbol):
            slots.setdefault(arg, []).append(i)
    def one(i: int) -> sp.Expr:
        return wide[i] if wide is not None else local_partial(op, args, i)

    wide = _wide_mul(args) if op is sp.Mul and len(args) > WIDE else None
    return tuple(
        Partial(node=symbol, arg=arg, positions=tuple(pos),
                local=one(pos[0]) if len(pos) == 1 else sp.Add(*(one(i) for i in pos)))
        for arg, pos in slots.items()
    )


def local_at(partial: Partial, op: type, args: tuple[sp.Expr, ...], values: dict[sp.Symbol, sp.Expr]
             ) -> tuple[sp.Expr, str]:
    """∂op/∂arg at exact argument values, and a note when a convention decides it: where the formula
    has no value but the derivative has a limit (∂(bᵉ)/∂e = bᵉ·log b at b = 0, e > 0 is 0), and at a
    step's jump (δ(0), the derivative of sign or Heaviside there, taken as 0 as autodiff does)."""
    here = partial.local.xreplace(values)
    note = ""
    if here.has(sp.DiracDelta):
        jumps = {d for d in here.atoms(sp.DiracDelta) if d.args[0] == 0}
        if jumps:
            here = here.xreplace({d: sp.Integer(0) for d in jumps})
            note = "a step's derivative at its jump (δ(0)) is taken as 0"
    if op is sp.Pow and here.has(*UNDEFINED) and partial.positions == (1,):
        base, exponent = (a.xreplace(values) for a in args)
        if base == 0 and exponent.is_extended_positive:
            return sp.Integer(0), "∂(b^e)/∂e = b^e·log(b) at b = 0 is taken as its limit 0 (e > 0)"
    return here, note


# --- vector-level nodes: a node's local Jacobian block in one argument ----------------------------
# Values are flat lists of components (a matrix row by row); a block ∂node/∂arg has a row per
# component of the node and a column per component of the argument (numerator layout). Every
# block is built from the scalar rules above, or is a fixed pattern (I, a row of ones, W).

Components = list[sp.Expr]


def elementwise_block(op: type, args: list[Components], n: int, j: int) -> sp.Matrix:
    """∂op(a₁ᵢ, …)/∂aⱼ for i = 1..n, broadcasting scalar arguments: diag(…) for a vector aⱼ,
    a column for a scalar aⱼ."""
    rows = [local_partial(op, tuple(a[i] if len(a) > 1 else a[0] for a in args), j) for i in range(n)]
    if len(args[j]) == 1:
        return sp.Matrix(n, 1, rows)
    return sp.diag(*rows) if n > 1 else sp.Matrix([[rows[0]]])


def matmul_block(a: Components, a_shape: tuple[int, int], b: Components, b_shape: tuple[int, int],
                 j: int) -> sp.Matrix:
    """∂(A B)/∂A or ∂(A B)/∂B, for A m×k and B k×n flattened row by row:
    ∂(AB)ᵢⱼ/∂Aᵢₗ = Bₗⱼ and ∂(AB)ᵢⱼ/∂Bₗⱼ = Aᵢₗ."""
    (m, k), (_, n) = a_shape, b_shape
    if j == 0:
        return sp.Matrix(m * n, m * k, lambda r, c: b[(c % k) * n + r % n] if c // k == r // n else 0)
    return sp.Matrix(m * n, k * n, lambda r, c: a[(r // n) * k + c // n] if c % n == r % n else 0)


def transpose_block(shape: tuple[int, int]) -> sp.Matrix:
    """∂Aᵀ/∂A: the permutation taking A's entries (row by row) to Aᵀ's."""
    m, n = shape
    return sp.Matrix(m * n, m * n, lambda r, c: 1 if c == (r % m) * n + r // m else 0)


def reduction_block(kind: str, args: list[Components], j: int) -> sp.Matrix:
    """sum: a row of ones; mean: a row of 1/n; dot(a, b): bᵀ for a, aᵀ for b."""
    if kind == "sum":
        return sp.ones(1, len(args[0]))
    if kind == "mean":
        return sp.Matrix(1, len(args[0]), [sp.Rational(1, len(args[0]))] * len(args[0]))
    other = args[1 - j]
    return sp.Matrix(1, len(other), other)
