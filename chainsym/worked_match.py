"""Where a worked step goes wrong locally: which written derivative of the step before each part
of the step stands in place of (`match`), and the elementary rules' standard slips that would give
what it wrote (`rule_slips`: the power rule's). The chain rule's own slips are `claims.diagnose`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import sympy as sp

from .model import Diagnosis
from .syntax import Differentiate
from .walk import contains
from .work import Budget

Pairs = list[tuple[Differentiate, sp.Expr]]
Equal = Callable[[sp.Expr, sp.Expr], bool]


def match(before: sp.Expr, after: sp.Expr, equal: Equal, budget: Budget) -> Pairs | None:
    """The written derivatives of `before`, each with the part of `after` that takes its place, found
    by walking both trees together: parts without a written derivative must be equal; sums and
    products match term by term in any order (a numeric coefficient may change: it is divided out).
    None when the steps differ somewhere else."""
    pairs: Pairs = []
    stack: list[tuple[sp.Expr, sp.Expr]] = [(before, after)]
    while stack:
        budget.tick()
        a, b = stack.pop()
        if isinstance(a, Differentiate):
            pairs.append((a, b))
        elif not contains(a, (Differentiate,)):
            if not equal(a, b):
                return None
        elif isinstance(a, (sp.Add, sp.Mul)):
            items = _terms(a, b, equal)
            if items is None:
                return None
            stack.extend(items)
        elif a.func == b.func and len(a.args) == len(b.args):
            stack.extend(zip(a.args, b.args, strict=True))
        else:
            return None
    return pairs


def _terms(a: sp.Expr, b: sp.Expr, equal: Equal) -> list[tuple[sp.Expr, sp.Expr]] | None:
    """A sum's (or product's) terms paired with b's: equal terms cancel; what is left of b stands for
    the one term with written derivatives (several such terms: paired in order, when as many are left)."""
    right = list(b.args) if b.func == a.func else [b]
    written, numbers = [], []
    for arg in a.args:
        if contains(arg, (Differentiate,)):
            written.append(arg)
            continue
        j = next((j for j, r in enumerate(right) if equal(arg, r)), None)
        if j is not None:
            del right[j]
        elif arg.is_Number:
            numbers.append(arg)
        else:
            return None
    if len(written) == 1:
        rest = _join(a.func, right)
        if numbers:
            rest = rest - sp.Add(*numbers) if a.func is sp.Add else rest / sp.Mul(*numbers)
        return [(written[0], rest)]
    if len(written) == len(right) and not numbers:
        return list(zip(written, right, strict=True))
    return None


def _join(func: type, items: list[sp.Expr]) -> sp.Expr:
    if not items:
        return sp.Integer(0 if func is sp.Add else 1)
    return items[0] if len(items) == 1 else func(*items, evaluate=False)


Derivative = Callable[[sp.Expr, sp.Symbol], sp.Expr]


def rule_slips(arg: sp.Expr, x: sp.Symbol, written: sp.Expr, derivative: Derivative, same: Equal
               ) -> tuple[Diagnosis, ...]:
    """The elementary slips at the top of arg that give exactly what was written for d/dx(arg)."""
    return tuple(Diagnosis(kind, "", message) for kind, message, candidate in _candidates(arg, x, derivative)
                 if same(written, candidate))


def _candidates(arg: sp.Expr, x: sp.Symbol, derivative: Derivative) -> Iterator[tuple[str, str, sp.Expr]]:
    """(kind, message, what the slip gives) for the power rule d/dx u^n = n·u^(n−1)·du/dx, and for
    the power rule taken for an exponential a^u (whose derivative is a^u·ln(a)·du/dx)."""
    if isinstance(arg, sp.exp):
        u, n = sp.E, arg.args[0]
    elif isinstance(arg, sp.Pow):
        u, n = arg.base, arg.exp
    else:
        return
    shown = f"d/d{x}({sp.sstr(arg)})"
    if n.is_Number and not u.is_Number:
        du = derivative(u, x)
        lowered = sp.sstr(sp.Pow(u, n - 1))
        yield ("power rule dropped", f"the power rule is dropped: {shown} = n·u^(n−1)·du/d{x} with u = {sp.sstr(u)}, "
               f"n = {n}; the factor u^(n−1) = {lowered} is left out", n * du)
        yield ("power not lowered", f"the power is not lowered: {shown} = n·u^(n−1)·du/d{x} with u = {sp.sstr(u)}, "
               f"n = {n}, not n·u^n", n * arg * du)
        yield ("power rule factor dropped", f"the factor n = {n} of the power rule is left out: {shown} = "
               f"n·u^(n−1)·du/d{x}, not u^(n−1)·du/d{x}", sp.Pow(u, n - 1) * du)
    elif (u.is_Number or u == sp.E) and not n.is_Number:
        base, power = sp.sstr(u), sp.sstr(n)
        yield ("power rule for an exponential", f"the power rule is applied to an exponential: {shown} = "
               f"{sp.sstr(arg)}·ln({base})·d({power})/d{x}, not {power}·{base}^({power}−1)·d({power})/d{x}",
               n * sp.Pow(u, n - 1) * derivative(n, x))
