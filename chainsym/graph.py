"""`sympy.Expr` → `Graph`: one primitive operation per node, equal subexpressions merged.

An iterative post-order walk over the expression's DAG; a node is keyed by its operation and
its operands' names, so equal subexpressions become one node however SymPy stored them.
Work is linear in the number of distinct subexpressions; depth costs no recursion.
"""

from __future__ import annotations

import sympy as sp

from .errors import LimitError, UnsupportedOpError
from .limits import DEFAULT_LIMITS, Limits
from .model import EVALUATE_DEPTH, Graph, Node, Operand
from .naming import intermediate, intermediate_prefix
from .walk import build, free_symbols, postorder

CONSTANT_ATOMS = (sp.Number, sp.NumberSymbol, type(sp.I))


def decompose(expr: sp.Expr, limits: Limits = DEFAULT_LIMITS) -> Graph:
    """Split expr into intermediates u1..un in topological order (a DAG, not a tree)."""
    if not isinstance(expr, sp.Expr):
        raise UnsupportedOpError(type(expr).__name__)
    variables = tuple(sorted(free_symbols(expr), key=lambda s: s.name))
    prefix = intermediate_prefix(v.name for v in variables)
    operand: dict[int, Operand] = {}
    depth: dict[int, int] = {}
    by_key: dict[tuple[object, ...], sp.Symbol] = {}
    nodes: list[Node] = []
    value: dict[sp.Basic, sp.Expr] = {}
    for sub in postorder(expr):
        depth[id(sub)] = 1 + max((depth[id(a)] for a in sub.args), default=0)
        operand[id(sub)] = _operand(sub, operand, by_key, nodes, value, prefix, limits, depth[id(sub)])
    return Graph(source=expr, variables=variables, nodes=tuple(nodes), output=operand[id(expr)])


def _operand(sub: sp.Basic, operand: dict[int, Operand], by_key: dict[tuple[object, ...], sp.Symbol],
             nodes: list[Node], value: dict[sp.Basic, sp.Expr], prefix: str, limits: Limits,
             depth: int) -> Operand:
    """The operand standing for sub: itself for a leaf or constant, else a (new or shared) node symbol."""
    if isinstance(sub, sp.Symbol):
        return sub
    if isinstance(sub, CONSTANT_ATOMS):
        return sub  # type: ignore[return-value]
    if not isinstance(sub, sp.Expr) or not sub.args:
        raise UnsupportedOpError(type(sub).__name__)
    args = tuple(operand[id(a)] for a in sub.args)
    if not any(isinstance(a, sp.Symbol) for a in args):
        return sub  # every argument is constant: the whole subexpression is a constant leaf
    key = (sub.func, args)
    symbol = by_key.get(key)
    if symbol is not None:
        return symbol
    if len(nodes) >= limits.max_nodes:
        raise LimitError("max_nodes", f"the expression has more than {limits.max_nodes} distinct operations")
    symbol = sp.Symbol(intermediate(prefix, len(nodes) + 1), real=True)
    evaluated = build(sub.func, tuple(value.get(a, a) for a in args), depth <= EVALUATE_DEPTH)
    nodes.append(Node(symbol=symbol, op=sub.func, args=args, expr=evaluated, depth=depth))
    by_key[key] = symbol
    value[symbol] = evaluated
    return symbol
