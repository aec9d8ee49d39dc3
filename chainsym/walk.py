"""Iterative walks over a SymPy expression's DAG: each distinct object visited once.

SymPy's own walks (free_symbols, preorder_traversal, count_ops, subs) visit the *tree* and
recurse; on shared or deep expressions they are exponential or hit the recursion limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext

import sympy as sp
from sympy.core.parameters import evaluate, global_parameters

from .errors import UsageError
from .sizes import approximate, power_digits

MAX_EXACT_DIGITS = 100_000
"""no evaluation builds an exact power longer than this (a program's definitions can combine small
constants into 10^10^10, which no parser check sees)"""


def build(func: Callable[..., sp.Basic], args: tuple[sp.Basic, ...], evaluate: bool = True) -> sp.Basic:
    """func(*args), evaluated when asked; if SymPy's evaluation itself fails (Min of a constant it
    cannot compare raises ValueError), the same node unevaluated."""
    if evaluate:
        if func is sp.Pow and power_digits(*args) > MAX_EXACT_DIGITS:
            raise UsageError(f"{sp.sstr(func(*args, evaluate=False))[:60]} would be an exact number of about "
                             f"{approximate(power_digits(*args))} digits: too long to compute")
        try:
            return func(*args)
        except (ValueError, TypeError):
            pass
    return func(*args, evaluate=False)


def postorder(expr: sp.Basic) -> Iterator[sp.Basic]:
    """Every distinct subexpression (by identity), children before parents, without recursion."""
    seen: set[int] = set()
    stack: list[tuple[sp.Basic, bool]] = [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in seen:
            continue
        if expanded or not node.args:
            seen.add(id(node))
            yield node
            continue
        stack.append((node, True))
        stack.extend((a, False) for a in reversed(node.args) if id(a) not in seen)


def dag_size(expr: sp.Basic, limit: int) -> int:
    """Operations in expr counted once per distinct object; stops counting past limit."""
    count = 0
    for node in postorder(expr):
        if node.args:
            count += 1
            if count > limit:
                return count
    return count


def free_symbols(expr: sp.Basic) -> set[sp.Symbol]:
    """The free symbols, found by a DAG walk (SymPy's free_symbols walks the tree)."""
    return {n for n in postorder(expr) if isinstance(n, sp.Symbol)}


def tree_size(expr: sp.Basic, limit: int) -> int:
    """Nodes of the expression *tree* (what printing and SymPy's walks visit), capped at limit+1.

    A preorder count that stops after limit+1 nodes: O(limit) however deep or shared expr is.
    """
    count = 0
    stack = [expr]
    while stack:
        node = stack.pop()
        count += 1
        if count > limit:
            return limit + 1
        stack.extend(node.args)
    return count


def tree_sizes(exprs: list[sp.Basic] | tuple[sp.Basic, ...], limit: int) -> list[int]:
    """tree_size of each expression, capped at limit+1, by one walk over their shared DAG
    (a node's tree size is 1 + its children's): linear in the distinct subexpressions of all."""
    roots = sp.Tuple(*exprs)
    size: dict[int, int] = {}
    for node in postorder(roots):
        size[id(node)] = min(limit + 1, 1 + sum(size[id(a)] for a in node.args))
    return [size[id(e)] for e in roots.args]


def tree_depth(expr: sp.Basic) -> int:
    """The depth of the expression tree (a leaf is 1), by one walk over its DAG: what a recursive
    walk such as SymPy's printer would descend."""
    depth: dict[int, int] = {}
    for node in postorder(expr):
        depth[id(node)] = 1 + max((depth[id(a)] for a in node.args), default=0)
    return depth[id(expr)]


def contains(expr: sp.Basic, types: tuple[type, ...]) -> bool:
    """Whether any subexpression is an instance of types (SymPy's `has` walks the tree)."""
    return any(isinstance(node, types) for node in postorder(expr))


def rebuild(expr: sp.Basic, change: Callable[[sp.Basic, tuple[sp.Basic, ...]], sp.Basic]) -> sp.Basic:
    """expr rebuilt bottom-up, each distinct subexpression once: change(node, new_args) gives
    its replacement; nodes whose arguments did not change and that change() keeps are reused."""
    new: dict[int, sp.Basic] = {}
    for node in postorder(expr):
        args = tuple(new[id(a)] for a in node.args)
        new[id(node)] = change(node, args)
    return new[id(expr)]


class Substituter:
    """xreplace with a memo shared across calls: substituting values into many expressions that
    share subexpressions (the partials of one sweep) rebuilds each distinct one once."""

    def __init__(self, values: dict[sp.Basic, sp.Basic]) -> None:
        self.memo: dict[int, sp.Basic] = {}
        self.keep: list[sp.Basic] = []  # keeps ids valid while the memo lives
        self.values = values

    def __call__(self, expr: sp.Basic, evaluate: bool = True) -> sp.Basic:
        memo, values = self.memo, self.values
        stack: list[tuple[sp.Basic, bool]] = [(expr, False)]
        while stack:
            node, expanded = stack.pop()
            key = id(node)
            if key in memo:
                continue
            if node in values:
                memo[key] = values[node]
            elif not node.args:
                memo[key] = node
            elif not expanded:
                stack.append((node, True))
                stack.extend((a, False) for a in node.args if id(a) not in memo)
                continue
            else:
                args = tuple(memo[id(a)] for a in node.args)
                same = all(a is b for a, b in zip(args, node.args, strict=True))
                memo[key] = node if same else build(node.func, args, evaluate)
            self.keep.append(node)
        return memo[id(expr)]


def evaluating() -> AbstractContextManager[None]:
    """SymPy's evaluation switched on where a caller had it off; otherwise nothing. Each switch of
    SymPy's global flag clears its whole cache, so a sweep must not switch it once per edge."""
    return nullcontext() if global_parameters.evaluate else evaluate(True)


def evaluated(expr: sp.Basic) -> sp.Basic:
    """expr with every unevaluated sum, product and power (as the parser keeps what a user wrote)
    rebuilt the way SymPy evaluates it: the canonical form two equal expressions share."""
    def change(node: sp.Basic, args: tuple[sp.Basic, ...]) -> sp.Basic:
        if args == node.args and (not isinstance(node, (sp.Add, sp.Mul, sp.Pow)) or node.func(*node.args) == node):
            return node
        return build(node.func, args)

    return rebuild(expr, change)
