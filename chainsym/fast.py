"""The optional SymEngine back end (`pip install "chainsym[fast]"`): SymEngine's C++ `diff` as the
second opinion on a large derivative that numbers could not decide or found different.

Expressions cross between the two libraries by one walk over the DAG in each direction (each
distinct subexpression converted once; SymEngine's own converters walk the tree). An operation
either side lacks raises Unconvertible, and the caller keeps to sympy.diff. Without SymEngine
installed, `available()` is False and nothing here is used.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import sympy as sp

from .walk import postorder
from .work import Budget

_RATIONAL = re.compile(r"-?\d+(/\d+)?")


class Unconvertible(Exception):
    """An operation SymEngine (or SymPy, on the way back) does not have under the same name."""


def _symengine() -> Any:
    try:
        import symengine
    except ImportError:
        return None
    return symengine


def available() -> bool:
    return _symengine() is not None


def to_symengine(expr: sp.Basic) -> Any:
    """A SymPy expression as SymEngine's, each distinct subexpression converted once."""
    se = _symengine()
    done: dict[int, Any] = {}
    for sub in postorder(expr):
        if isinstance(sub, sp.Symbol):
            done[id(sub)] = se.Symbol(sub.name)
        elif isinstance(sub, sp.Integer):
            done[id(sub)] = se.Integer(int(sub))
        elif isinstance(sub, sp.Rational):
            done[id(sub)] = se.Rational(int(sub.p), int(sub.q))
        elif sub is sp.E:
            done[id(sub)] = se.E
        elif sub is sp.pi:
            done[id(sub)] = se.pi
        else:
            function = getattr(se, type(sub).__name__, None)
            if function is None or not sub.args or isinstance(sub, sp.Float):
                raise Unconvertible(type(sub).__name__)
            done[id(sub)] = function(*(done[id(a)] for a in sub.args))
    return done[id(expr)]


def to_sympy(expr: Any, symbols: dict[str, sp.Symbol], budget: Budget | None = None) -> sp.Expr:
    """A SymEngine expression back in SymPy, each distinct subexpression once, without recursion."""
    se = _symengine()
    done: dict[Any, sp.Expr] = {}
    stack = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if node in done:
            continue
        args = node.args
        if not ready and args:
            stack.append((node, True))
            stack.extend((a, False) for a in args if a not in done)
            continue
        kind = type(node).__name__
        if isinstance(node, se.Symbol):
            done[node] = symbols.get(str(node)) or sp.Symbol(str(node), real=True)
        elif not args and _RATIONAL.fullmatch(str(node)):  # Integer, Rational, Half, One...
            done[node] = sp.Rational(str(node))  # "p/q": read as a number, nothing evaluated
        elif kind == "Exp1":
            done[node] = sp.E
        elif kind == "Pi":
            done[node] = sp.pi
        else:
            function = getattr(sp, kind, None)
            if function is None or not args:
                raise Unconvertible(kind)
            # built as SymEngine wrote it, never evaluated again: SymPy's evaluation compares and
            # searches its arguments as trees (sin's eval looks for a factor I), exponential in
            # the depth of a shared expression; a deep node's would also recurse past the limit
            built = function(*(done[a] for a in args), evaluate=False)
            _ = built.is_commutative  # cached bottom-up (see graph.py)
            done[node] = built
        if budget is not None:
            budget.tick()
    return done[expr]


def diff(expr: sp.Expr, wrt: sp.Symbol, budget: Budget | None = None) -> sp.Expr:
    """SymEngine's derivative of expr, in SymPy. Raises Unconvertible where it cannot say."""
    se = _symengine()
    if se is None:
        raise Unconvertible("symengine is not installed")
    symbols: dict[str, sp.Symbol] = {}
    for sub in postorder(expr):
        if isinstance(sub, sp.Symbol):
            symbols[sub.name] = sub
    derivative = se.diff(to_symengine(expr), se.Symbol(wrt.name))
    return to_sympy(derivative, symbols, budget)


def gradient_function(expr: sp.Expr, wrt: list[sp.Symbol] | tuple[sp.Symbol, ...],
                      variables: list[sp.Symbol] | tuple[sp.Symbol, ...]) -> Callable[[list[float]], list[float]]:
    """SymEngine's ∂f/∂w for each w, compiled together (common subexpressions once) into one
    function of the variables' values, in double precision."""
    se = _symengine()
    if se is None:
        raise Unconvertible("symengine is not installed")
    f = to_symengine(expr)
    derivatives = [se.diff(f, se.Symbol(w.name)) for w in wrt]
    compiled = se.Lambdify([se.Symbol(v.name) for v in variables], derivatives, real=True, cse=True)
    return lambda values: [float(v) for v in compiled(values)]
