"""Iterative walks over a SymPy expression's DAG: each distinct object visited once.

SymPy's own walks (free_symbols, preorder_traversal, count_ops, subs) visit the *tree* and
recurse; on shared or deep expressions they are exponential or hit the recursion limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import sympy as sp


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
    """Nodes of the expression *tree* (what printing visits), computed on the DAG; capped at limit+1."""
    size: dict[int, int] = {}
    for node in postorder(expr):
        size[id(node)] = min(1 + sum(size[id(a)] for a in node.args), limit + 1)
    return size[id(expr)]


def contains(expr: sp.Basic, types: tuple[type, ...]) -> bool:
    """Whether any subexpression is an instance of types (SymPy's `has` walks the tree)."""
    return any(isinstance(node, types) for node in postorder(expr))


def rebuild(expr: sp.Basic, change: "Callable[[sp.Basic, tuple[sp.Basic, ...]], sp.Basic]") -> sp.Basic:
    """expr rebuilt bottom-up, each distinct subexpression once: change(node, new_args) gives
    its replacement; nodes whose arguments did not change and that change() keeps are reused."""
    new: dict[int, sp.Basic] = {}
    for node in postorder(expr):
        args = tuple(new[id(a)] for a in node.args)
        new[id(node)] = change(node, args)
    return new[id(expr)]
