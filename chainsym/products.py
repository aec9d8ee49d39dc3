"""The product of two evaluated SymPy expressions, as SymPy builds it, without SymPy's full re-sort.

`sp.Mul(a, b)` flattens both sides and sorts every factor again. A sweep multiplies a growing
product by one new factor per node, so a chain of n nodes pays n sorts of up to n factors, and each
comparison of nested factors (cos(sin(sin(x))) against cos(sin(x))) walks down their trees: cubic
work on the nested family. Where no factor of one side can combine with a factor of the other (no
base in common, no number raised to a power, only rational coefficients), SymPy's product is the
two sorted factor lists merged under `Basic.compare`, behind the product of the coefficients;
`times` merges them with a binary search per factor. Anything else goes to `sp.Mul`.
tests/test_products.py checks `times` against `sp.Mul` on products of every shape the rule excludes.
"""

from __future__ import annotations

from bisect import bisect_left
from functools import cmp_to_key

import sympy as sp
from sympy.calculus.accumulationbounds import AccumBounds
from sympy.series.order import Order

MERGE_FROM = 8
"""factors in all below which sp.Mul is used as it is (its sort of a few factors costs little)"""

_ORDER = cmp_to_key(sp.Basic.compare)
"""the order SymPy sorts a product's factors in (sympy.core.mul._mulsort)"""

Factors = tuple[sp.Expr, list[sp.Expr]]


def times(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """sp.Mul(a, b), evaluated; merged without a re-sort where that is provably the same product."""
    left, right = _factors(a), _factors(b)
    if left is None or right is None or len(left[1]) + len(right[1]) < MERGE_FROM:
        return sp.Mul(a, b)
    (small_coefficient, small), (large_coefficient, large) = sorted((left, right), key=lambda s: len(s[1]))
    if not (_fresh(small) and _fresh(large)) or _bases(small) & _bases(large):
        return sp.Mul(a, b)
    merged = list(large)
    keys = [_ORDER(f) for f in merged]
    for factor in small:  # no two factors are equal: equal factors have the same base
        key = _ORDER(factor)
        at = bisect_left(keys, key)
        keys.insert(at, key)
        merged.insert(at, factor)
    coefficient = small_coefficient * large_coefficient
    args = merged if coefficient == 1 else [coefficient, *merged]
    return sp.Mul._from_args(args, True)


def _factors(expr: sp.Expr) -> Factors | None:
    """(rational coefficient, the other factors) of an evaluated commutative product or single
    factor; None where SymPy's Mul could do more with it than keep it as a factor."""
    if expr.is_Mul:
        if not expr.is_commutative:
            return None
        head, *rest = expr.args
        coefficient, factors = (head, rest) if head.is_Number else (sp.Integer(1), list(expr.args))
        if not coefficient.is_Rational or coefficient == 0:
            return None
    else:
        coefficient, factors = sp.Integer(1), [expr]
    return (coefficient, factors) if all(_plain(f) for f in factors) else None


def _plain(factor: sp.Expr) -> bool:
    """A factor SymPy's Mul keeps as it is unless another factor has its base: not a number, I, a
    number raised to a power (those combine: 2**x·3**x = 6**x), zoo, an order term or an interval."""
    if factor.is_Number or factor in (sp.I, sp.zoo) or factor.is_commutative is not True:
        return False
    if isinstance(factor, (Order, AccumBounds)):
        return False
    return not factor.as_base_exp()[0].is_Number


def _fresh(factors: list[sp.Expr]) -> bool:
    """Each power among the merged factors is what SymPy's Mul rebuilds it as (it rebuilds b**e
    from b and e; a power left unevaluated would change)."""
    return all(not f.is_Pow or sp.Pow(*f.args) == f for f in factors)


def _bases(factors: list[sp.Expr]) -> set[sp.Expr]:
    return {f.as_base_exp()[0] for f in factors}
