"""The public functions: each chains the stages parse → graph → forward → verify."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Union

import sympy as sp

from . import forward as forward_mode
from . import graph as graph_stage
from . import parse as parse_stage
from .errors import ParseError, UsageError
from .limits import DEFAULT_LIMITS, Limits
from .model import Derivation, Graph, Verification
from .tidy import tidy
from .verify import verify as verify_one

ExprLike = Union[str, sp.Expr]
WrtLike = Union[None, str, sp.Symbol, Iterable[Union[str, sp.Symbol]]]


def parse(text: str, limits: Limits = DEFAULT_LIMITS) -> sp.Expr:
    """Text → SymPy expression, never evaluating the text. Raises ParseError or LimitError."""
    return parse_stage.parse(text, limits)


def decompose(expr: ExprLike, limits: Limits = DEFAULT_LIMITS) -> Graph:
    """An expression (or text) → its computational graph u1..un."""
    return graph_stage.decompose(_as_expr(expr, limits), limits)


def diff(expr: ExprLike, wrt: WrtLike = None, *, verify: bool = True,
         limits: Limits = DEFAULT_LIMITS) -> Derivation:
    """Differentiate expr by the total-derivative rule over its graph, and verify the result.

    wrt: a variable, a name, several of them (a list or "x,y"), "all", or None for the only one.
    Returns a Derivation: .result, .graph, .steps, .verification; str() is the derivation.
    """
    source = expr if isinstance(expr, str) else ""
    parsed = _as_expr(expr, limits)
    graph = graph_stage.decompose(parsed, limits)
    variables = resolve_wrt(wrt, graph.variables)
    passes = tuple(forward_mode.forward(graph, v) for v in variables)
    results = tuple(tidy(p.result, limits) for p in passes)
    checks: tuple[Verification, ...] = ()
    if verify:
        checks = tuple(verify_one(graph.value, v, r, graph.variables, limits)
                       for v, r in zip(variables, results))
    return Derivation(source=source, expr=parsed, graph=graph, wrt=variables, mode="forward",
                      forward=passes, results=results, verifications=checks)


def resolve_wrt(wrt: WrtLike, variables: tuple[sp.Symbol, ...]) -> tuple[sp.Symbol, ...]:
    """The variables to differentiate by; a name that is not in f still counts (∂f/∂v = 0)."""
    if wrt is None:
        if len(variables) == 1:
            return variables
        if not variables:
            raise UsageError("the expression has no variables: say which one with --wrt")
        names = ", ".join(v.name for v in variables)
        raise UsageError(f"the expression has several variables ({names}): choose with --wrt, e.g. --wrt {variables[0].name}")
    if isinstance(wrt, str):
        if wrt.strip() == "all":
            return variables
        items: list[Union[str, sp.Symbol]] = [w.strip() for w in wrt.split(",")]
    elif isinstance(wrt, sp.Symbol):
        items = [wrt]
    else:
        items = list(wrt)
    by_name = {v.name: v for v in variables}
    chosen: list[sp.Symbol] = []
    for item in items:
        name = item.name if isinstance(item, sp.Symbol) else str(item)
        symbol = by_name.get(name) or _variable(name)
        if symbol not in chosen:
            chosen.append(symbol)
    if not chosen:
        raise UsageError("--wrt names no variable")
    return tuple(chosen)


def _variable(name: str) -> sp.Symbol:
    try:
        return parse_stage.parse_name(name)
    except ParseError as exc:
        raise UsageError(f"--wrt {name[:40]!r}: {exc.reason}") from None


def _as_expr(expr: ExprLike, limits: Limits) -> sp.Expr:
    if isinstance(expr, str):
        return parse_stage.parse(expr, limits)
    if isinstance(expr, sp.Basic):
        return expr  # type: ignore[return-value]  # the graph refuses what is not an Expr
    raise UsageError(f"expected a string or a sympy expression, got {type(expr).__name__}")
