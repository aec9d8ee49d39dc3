"""`sympy.Expr` → `Graph`: one primitive operation per node, equal subexpressions merged.

An iterative post-order walk over the expression's DAG; a node is keyed by its operation and
its operands' names, so equal subexpressions become one node however SymPy stored them.
Work is linear in the number of distinct subexpressions; depth costs no recursion.
"""

from __future__ import annotations

import sympy as sp

from .errors import LimitError, UnsupportedOpError, UsageError
from .limits import DEFAULT_LIMITS, Limits
from .model import EVALUATE_DEPTH, Graph, Node, Operand
from .naming import Namer
from .walk import build, free_symbols, postorder

CONSTANT_ATOMS = (sp.Number, sp.NumberSymbol, type(sp.I))
UNDEFINED = (sp.zoo, sp.nan, sp.oo, -sp.oo)


def decompose(expr: sp.Expr, limits: Limits = DEFAULT_LIMITS, taken: tuple[str, ...] = ()) -> Graph:
    """Split expr into intermediates u1..un in topological order (a DAG, not a tree).
    taken: names besides the variables that the intermediates must not use."""
    if not isinstance(expr, sp.Expr):
        raise UnsupportedOpError(type(expr).__name__)
    graph, _ = _decompose(expr, (expr,), limits, taken)
    return graph


def decompose_all(exprs: tuple[sp.Expr, ...], limits: Limits = DEFAULT_LIMITS,
                  taken: tuple[str, ...] = ()) -> tuple[Graph, tuple[Operand, ...]]:
    """One graph for several expressions (the components of a gradient share most of their
    structure), and the operand standing for each; the graph's output is the first."""
    return _decompose(sp.Tuple(*exprs), exprs, limits, taken)


def _decompose(root: sp.Basic, outputs: tuple[sp.Expr, ...], limits: Limits,
               taken: tuple[str, ...]) -> tuple[Graph, tuple[Operand, ...]]:
    expr = root
    variables = tuple(sorted(free_symbols(expr), key=lambda s: s.name))
    namer = Namer([*(v.name for v in variables), *taken])
    prefix = namer.prefix("intermediate")
    operand: dict[int, Operand] = {}
    depth: dict[int, int] = {}
    by_key: dict[tuple[object, ...], sp.Symbol] = {}
    nodes: list[Node] = []
    value: dict[sp.Basic, sp.Expr] = {}
    products: list[tuple[sp.Symbol, tuple[Operand, ...]]] = []
    for sub in postorder(expr):
        depth[id(sub)] = 1 + max((depth[id(a)] for a in sub.args), default=0)
        if isinstance(sub, sp.Tuple) and sub is root:
            continue
        operand[id(sub)] = _operand(sub, operand, by_key, nodes, value, prefix, limits, depth[id(sub)], products)
    ops = tuple(operand[id(e)] for e in outputs)
    source = outputs[0] if len(outputs) == 1 else root
    return Graph(source=source, variables=variables, nodes=tuple(nodes), output=ops[0], generic=prefix), ops


def _operand(sub: sp.Basic, operand: dict[int, Operand], by_key: dict[tuple[object, ...], sp.Symbol],
             nodes: list[Node], value: dict[sp.Basic, sp.Expr], prefix: str, limits: Limits,
             depth: int, products: list[tuple[sp.Symbol, tuple[Operand, ...]]]) -> Operand:
    """The operand standing for sub: itself for a leaf or constant, else a (new or shared) node symbol."""
    if isinstance(sub, sp.Symbol):
        return sub
    if isinstance(sub, CONSTANT_ATOMS):
        return sub
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
    symbol = sp.Symbol(f"{prefix}{len(nodes) + 1}", real=True)
    evaluated = build(sub.func, tuple(value.get(a, a) for a in args), depth <= EVALUATE_DEPTH)
    # SymPy asks any argument of a new product whether it commutes, recursively and caching the
    # answer: asked here, bottom-up, it is one step per node; asked first at the top of a 10,000-deep
    # chain (as the backward sweep would), it is a 10,000-deep recursion
    _ = evaluated.is_commutative
    if evaluated in UNDEFINED:
        raise UsageError(f"{sp.sstr(sub, order='none')[:60]} is undefined for every value of its variables "
                         f"(it is {evaluated})")
    written = args
    if sub.func is sp.Mul and len(args) > 2:
        written = _reuse_product(args, products)
        # exact by construction (the earlier node is its coefficient times its factors); where SymPy
        # evaluates, it confirms: only ever a rewriting SymPy agrees is the same product
        if written != args and depth <= EVALUATE_DEPTH and \
                build(sp.Mul, tuple(value.get(a, a) for a in written), True) != evaluated:
            written = args
        products.append((symbol, args))
    nodes.append(Node(symbol=symbol, op=sub.func, args=written, expr=evaluated, depth=depth))
    by_key[key] = symbol
    value[symbol] = evaluated
    return symbol


RECENT_PRODUCTS = 4
"""how many of the latest product nodes a new product is compared with (bounded work per node)"""


def _reuse_product(args: tuple[Operand, ...],
                   products: list[tuple[sp.Symbol, tuple[Operand, ...]]]) -> tuple[Operand, ...]:
    """SymPy flattens products: u·sin(u) iterated is one Mul of k+1 factors at every step, so a
    graph of its nodes has k² edges. A product whose factors include all the factors of a recent
    product node (up to a numeric coefficient) is written as that node times the rest: linear again.
    """
    coefficient, factors = _split_coefficient(args)
    for earlier, their_args in sorted(products[-RECENT_PRODUCTS:], key=lambda p: -len(p[1])):
        their_coefficient, theirs = _split_coefficient(their_args)
        if len(theirs) < 2 or len(theirs) > len(factors):
            continue
        rest = list(factors)
        try:
            for f in theirs:
                rest.remove(f)
        except ValueError:
            continue
        ratio = coefficient / their_coefficient
        return ((ratio,) if ratio != 1 else ()) + (earlier,) + tuple(rest)
    return args


def _split_coefficient(args: tuple[Operand, ...]) -> tuple[sp.Expr, list[Operand]]:
    """A product's numeric coefficient and its other factors."""
    coefficient: sp.Expr = sp.Integer(1)
    factors = []
    for a in args:
        if a.is_Number:
            coefficient *= a
        else:
            factors.append(a)
    return coefficient, factors
