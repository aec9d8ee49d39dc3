"""Large results as programs: the shared subexpressions of a result, named t1..tk and defined once
(like `sympy.cse`, but found by one walk over the DAG, so a result whose tree has 10^14 nodes is
still a few hundred short lines).

A subexpression is named when it is used more than once, or when its own tree (its named parts
counted as one) grows past LINE_NODES, so every definition prints in a line or two.
"""

from __future__ import annotations

import sympy as sp

from .model import ResultProgram
from .walk import postorder, tree_size

LINE_NODES = 60
"""largest tree a definition may hold before a part of it is named too"""


def program_form(expr: sp.Expr, threshold: int, prefix: str = "t") -> ResultProgram | None:
    """expr as named definitions and a final expression, or None when its tree has at most
    `threshold` nodes (then it is shown whole)."""
    if expr.is_Atom or tree_size(expr, threshold) <= threshold:
        return None
    order = list(postorder(expr))
    uses: dict[int, int] = {}
    for sub in order:
        for a in sub.args:
            uses[id(a)] = uses.get(id(a), 0) + 1
    size: dict[int, int] = {}
    named: dict[int, sp.Symbol] = {}
    written: dict[int, sp.Basic] = {}
    definitions: list[tuple[sp.Symbol, sp.Expr]] = []
    for sub in order:
        if sub.is_Atom or not sub.args:
            size[id(sub)], written[id(sub)] = 1, sub
            continue
        args = tuple(written[id(a)] for a in sub.args)
        if isinstance(sub, (sp.Add, sp.Mul)):  # (a·b)·c as built unevaluated reads a·b·c
            args = tuple(b for a in args for b in (a.args if type(a) is type(sub) else (a,)))
        here = sub if args == sub.args else sub.func(*args, evaluate=False)
        size[id(sub)] = 1 + sum(size[id(a)] for a in sub.args)
        if sub is not expr and (uses.get(id(sub), 0) > 1 or size[id(sub)] > LINE_NODES):
            symbol = sp.Symbol(f"{prefix}{len(definitions) + 1}", real=True)
            definitions.append((symbol, here))
            named[id(sub)] = symbol
            written[id(sub)], size[id(sub)] = symbol, 1
        else:
            written[id(sub)] = here
    return ResultProgram(tuple(definitions), written[id(expr)])  # type: ignore[arg-type]


def free_prefix(taken: set[str]) -> str:
    """A prefix for the definitions that no variable or intermediate uses as prefix + digits."""
    for prefix in ("t", "s", "r", "tmp"):
        if not any(n.startswith(prefix) and n[len(prefix):].isdigit() for n in taken):
            return prefix
    return "cse_"
