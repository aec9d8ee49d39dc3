"""Large results as programs: the shared subexpressions of a result, named t1..tk and defined once
(like `sympy.cse`, but found by one walk over the DAG, so a result whose tree has 10^14 nodes is
still a few hundred short lines).

A subexpression is named when it is used more than once, or when its own tree (its named parts
counted as one) grows past LINE_NODES, so every definition prints in a line or two.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from .model import ResultProgram
from .walk import postorder, tree_sizes

LINE_NODES = 60
"""largest tree a definition may hold before a part of it is named too"""


def program_form(exprs: Sequence[sp.Expr], threshold: int, prefix: str = "t") -> ResultProgram | None:
    """The expressions whose trees have more than `threshold` nodes as named shared definitions
    (one walk over all of them) and final expressions; None when every one is small enough to show whole."""
    sizes = tree_sizes(list(exprs), threshold)
    large = [i for i, e in enumerate(exprs) if not e.is_Atom and sizes[i] > threshold]
    if not large:
        return None
    roots = sp.Tuple(*(exprs[i] for i in large))
    order = list(postorder(roots))
    canon = _canonical_ids(order)  # equal subexpressions are one, however SymPy's cache built them
    uses: dict[int, int] = {}
    seen: set[int] = set()
    for sub in order:
        if canon[id(sub)] in seen:
            continue
        seen.add(canon[id(sub)])
        for a in sub.args:
            uses[canon[id(a)]] = uses.get(canon[id(a)], 0) + 1
    tops = {canon[id(e)] for e in roots.args}
    size: dict[int, int] = {}
    written: dict[int, sp.Basic] = {}
    definitions: list[tuple[sp.Symbol, sp.Expr]] = []
    for sub in order:
        c = canon[id(sub)]
        if c in written or sub is roots:
            continue
        if sub.is_Atom or not sub.args:
            size[c], written[c] = 1, sub
            continue
        args = tuple(written[canon[id(a)]] for a in sub.args)
        if isinstance(sub, (sp.Add, sp.Mul)):  # (a·b)·c as built unevaluated reads a·b·c
            args = tuple(b for a in args for b in (a.args if type(a) is type(sub) else (a,)))
        here = sub if args == sub.args else sub.func(*args, evaluate=False)
        size[c] = 1 + sum(size[canon[id(a)]] for a in sub.args)
        if c not in tops and (uses.get(c, 0) > 1 or size[c] > LINE_NODES):
            symbol = sp.Symbol(f"{prefix}{len(definitions) + 1}", real=True)
            definitions.append((symbol, here))
            written[c], size[c] = symbol, 1
        else:
            written[c] = here
    finals = {i: written[canon[id(exprs[i])]] for i in large}
    return ResultProgram(tuple(definitions), tuple(finals.get(i) for i in range(len(exprs))))


def _canonical_ids(order: list[sp.Basic]) -> dict[int, int]:
    """Each object's structural identity (children before parents): objects of equal structure get one
    number, found bottom-up in one pass, without comparing trees."""
    interned: dict[object, int] = {}
    canon: dict[int, int] = {}
    for sub in order:
        key: object = sub if not sub.args else (sub.func, tuple(canon[id(a)] for a in sub.args))
        canon[id(sub)] = interned.setdefault(key, len(interned))
    return canon


def free_prefix(taken: set[str]) -> str:
    """A prefix for the definitions that no variable or intermediate uses as prefix + digits."""
    for prefix in ("t", "s", "r", "tmp"):
        if not any(n.startswith(prefix) and n[len(prefix):].isdigit() for n in taken):
            return prefix
    return "cse_"
