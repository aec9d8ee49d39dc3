"""Exact numbers at a point: a node's value from its arguments' values, checked before and after.

Before: an exact result that would be too long (a power, a product of long numbers, a factorial
of a large number) is refused by its estimated size, before SymPy computes it. After: a value that
is not a finite real number is an error naming the node. Each value gets a decimal reading that
never overflows (exp(exp(exp(exp(10)))) is read as a power of ten).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .errors import LimitError, UsageError
from .limits import Limits
from .model import Node
from .sizes import approximate, digits, power_digits

UNDEFINED = (sp.zoo, sp.nan, sp.oo, -sp.oo)
_BOUNDED_ARGUMENT = {sp.factorial: 1_000, sp.gamma: 1_000}


def _estimate(node: Node, args: tuple[sp.Expr, ...]) -> float:
    """An upper estimate of the digits of node.op(*args), from the arguments' sizes."""
    if node.op is sp.Pow:
        return power_digits(*args) + digits(args[0])
    if node.op is sp.Mul:
        return sum(digits(a) for a in args)
    return max((digits(a) for a in args), default=0.0) + 1


def exact_value(node: Node, args: tuple[sp.Expr, ...], limits: Limits) -> sp.Expr:
    """node's operation on exact argument values, refused when too long, an error when undefined."""
    bound = _BOUNDED_ARGUMENT.get(node.op)
    if bound is not None and isinstance(args[0], sp.Rational) and abs(args[0]) > bound:
        raise LimitError("max_constant_digits", f"at this point {node.name} = {_written(node)} is "
                         f"{node.op.__name__} of a number above {bound}: a huge exact value")
    size = _estimate(node, args)
    if size > limits.max_constant_digits:
        raise LimitError("max_constant_digits", f"at this point {node.name} = {_written(node)} would be an exact "
                         f"number of about {_approximate(size)} digits, more than {limits.max_constant_digits}")
    try:
        result = node.op(*args)
    except (TypeError, ValueError, ZeroDivisionError) as exc:
        raise UsageError(f"the function is not defined at this point: {node.name} = {_written(node)} "
                         f"({str(exc)[:60]})") from None
    if result in UNDEFINED or result.has(*UNDEFINED) or result.is_extended_real is False:
        here = sp.sstr(node.op(*args, evaluate=False), order="none")
        shown = "" if here == str(result) else f" = {result}"
        raise UsageError(f"the function is not defined at this point: {node.name} = {_written(node)} is "
                         f"{here}{shown}, not a finite real number")
    if digits(result) > limits.max_constant_digits:
        raise LimitError("max_constant_digits", f"at this point {node.name} = {_written(node)} is an exact number "
                         f"of more than {limits.max_constant_digits} digits")
    return result


def finite_value(value: sp.Expr, what: str, limits: Limits) -> sp.Expr:
    """value itself when it is a finite real number; else an error saying what is undefined."""
    if value in UNDEFINED or value.has(*UNDEFINED):
        raise UsageError(f"{what} is not defined at this point ({sp.sstr(value)[:60]}): the derivative does not "
                         "exist there")
    if digits(value) > limits.max_constant_digits:
        raise LimitError("max_constant_digits", f"{what} is an exact number of more than "
                         f"{limits.max_constant_digits} digits at this point")
    return value


def reading(exact: sp.Expr) -> str:
    """A decimal reading with 12 significant digits; never overflows or raises."""
    if isinstance(exact, sp.Integer):
        return str(exact) if digits(exact) <= 40 else _scientific(exact)
    quick = _quick(exact)
    if quick is not None:
        return quick
    try:
        approx = sp.N(exact, 15)
    except (TypeError, ValueError, OverflowError, RecursionError):
        return "(no decimal reading)"
    if isinstance(approx, sp.Float) and approx.is_finite:
        if abs(approx) < 1e300 and (approx == 0 or abs(approx) > 1e-300):
            return f"{float(approx):.12g}"
        return _far(approx)
    return "(no decimal reading)"


def _quick(exact: sp.Expr) -> str | None:
    """The reading from chainsym's own evaluation, each shared subexpression once (a value at a
    point of a deep network repeats its earlier values; SymPy's evalf walks every copy), when two
    precisions agree well beyond the digits printed; None leaves the case to SymPy's evalf."""
    from .numeric import NotANumber, evaluate, finite, is_complex

    try:
        low, high = evaluate(exact, {}, 30, real=True), evaluate(exact, {}, 50, real=True)
    except NotANumber:
        return None
    if is_complex(high) or not finite(high) or not 1e-300 < abs(high) < 1e300 or abs(low - high) > abs(high) * 1e-20:
        return None
    return f"{float(high):.12g}"


def _far(approx: sp.Float) -> str:
    """A number far beyond a double's range, as mantissa and decimal exponent (printing its digits
    the usual way would convert an exponent of billions of bits); a tower when even the exponent is."""
    from .numeric import context

    ctx = context(20)
    return _tower(ctx, ctx.mpf(approx._mpf_))


def _tower(ctx: Any, value: Any) -> str:
    c = ctx
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    log = c.log10(abs(value))
    if abs(log) < 1e15:
        exponent = int(c.floor(log))
        return f"{sign}{float(c.power(10, log - exponent)):.12g}e{exponent:+d}"
    return f"{sign}10^({_tower(ctx, log)})"


def _scientific(n: sp.Integer) -> str:
    text = str(abs(int(n))) if digits(n) < 4000 else None
    if text is None:
        return f"{'-' if n < 0 else ''}(an integer of about {int(digits(n))} digits)"
    return f"{'-' if n < 0 else ''}{text[0]}.{text[1:12]}e+{len(text) - 1}"


def _written(node: Node) -> str:
    return str(sp.sstr(node.local, order="none"))


def _approximate(size: float) -> str:
    return approximate(size)
