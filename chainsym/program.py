"""Declared dependencies: a program `z = x^2 - y^2; x = s - sin(t); y = e^s + cos(t)` → a Graph
whose nodes are the names the user defined, in dependency order.

Each defined name becomes a node whose operation is its definition; its local partials
∂z/∂x come from chainsym's own forward mode over the definition, so forward and reverse mode
run over this graph unchanged and print the chain rule in Leibniz form.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from . import forward as forward_mode
from .canon import canonical
from .errors import UsageError
from .graph import decompose
from .limits import DEFAULT_LIMITS, Limits
from .model import Graph, Node
from .naming import output_name
from .syntax import Statement
from .walk import Substituter, evaluated, free_symbols


def build(statements: Sequence[Statement], limits: Limits = DEFAULT_LIMITS) -> tuple[Graph, str]:
    """The graph of a program and the name of its output (the first statement's name, or f)."""
    first = statements[0]
    if any(s.name is None for s in statements[1:]):
        bad = next(s for s in statements[1:] if s.name is None)
        raise UsageError(f"statement at column {bad.column} is not a definition: write name = expression",
                         param="expr")
    bodies: dict[sp.Symbol, sp.Expr] = {}
    for s in statements:
        name = s.name if s.name is not None else _output_symbol(statements)
        if name in bodies:
            raise UsageError(f"{name} is defined twice (again at column {s.column})")
        bodies[name] = s.expr
    deps = {name: sorted(free_symbols(body), key=lambda v: v.name) for name, body in bodies.items()}
    output = _output(bodies, deps, first.name is None)
    order = _dependency_order(output, deps, bodies)
    unused = [n.name for n in bodies if n not in order]
    if unused:
        raise UsageError(f"{', '.join(unused)} {'is' if len(unused) == 1 else 'are'} defined but "
                         f"{output} does not depend on {'it' if len(unused) == 1 else 'them'}")
    inputs = sorted({v for n in order for v in deps[n] if v not in bodies}, key=lambda v: v.name)
    values: dict[sp.Symbol, sp.Expr] = {}
    depth: dict[sp.Symbol, int] = {}
    nodes = []
    for name in order:
        args = tuple(deps[name])
        op = _definition_op(name.name, args, bodies[name], limits)
        values[name] = Substituter(values)(evaluated(bodies[name]))  # guarded: no huge exact powers
        depth[name] = 1 + max((depth[a] for a in args if a in depth), default=0)
        nodes.append(Node(symbol=name, op=op, args=args, expr=values[name], depth=depth[name], body=bodies[name]))
    graph = Graph(source=values[output], variables=tuple(inputs), nodes=tuple(nodes), output=output)
    return graph, output.name


def _output(bodies: dict[sp.Symbol, sp.Expr], deps: dict[sp.Symbol, list[sp.Symbol]],
            bare_first: bool) -> sp.Symbol:
    """The first statement when it is a bare expression; else the one name no other definition uses
    (z1 = ...; h1 = relu(z1); L = ... has output L), else the first statement."""
    names = list(bodies)
    if bare_first:
        return names[0]
    used = {d for ds in deps.values() for d in ds}
    sinks = [n for n in names if n not in used]
    if len(sinks) == 1:
        return sinks[0]
    return names[0]  # several outputs, or none (a cycle, reported with its path below)


def _output_symbol(statements: Sequence[Statement]) -> sp.Symbol:
    """f for a bare first expression, unless the program uses f; then f_ (then f__...)."""
    taken = {s.name.name for s in statements if s.name is not None}
    for s in statements:
        taken |= {v.name for v in free_symbols(s.expr)}
    return sp.Symbol(output_name(taken), real=True)


def _dependency_order(output: sp.Symbol, deps: dict[sp.Symbol, list[sp.Symbol]],
                      bodies: dict[sp.Symbol, sp.Expr]) -> list[sp.Symbol]:
    """Defined names reachable from output, dependencies first; a cycle is an error naming it."""
    order: list[sp.Symbol] = []
    state: dict[sp.Symbol, str] = {}
    stack: list[tuple[sp.Symbol, int]] = [(output, 0)]
    path: list[sp.Symbol] = []
    while stack:
        name, i = stack.pop()
        if i == 0:
            if state.get(name) == "done":
                continue
            state[name] = "active"
            path.append(name)
        children = [d for d in deps[name] if d in bodies]
        if i < len(children):
            stack.append((name, i + 1))
            child = children[i]
            if state.get(child) == "active":
                cycle = path[path.index(child):] + [child]
                raise UsageError("circular definitions: " + " → ".join(c.name for c in cycle))
            if state.get(child) != "done":
                stack.append((child, 0))
            continue
        state[name] = "done"
        path.pop()
        order.append(name)
    return order


def _definition_op(name: str, params: tuple[sp.Symbol, ...], body: sp.Expr, limits: Limits) -> type:
    """A SymPy function class standing for one definition: its fdiff is the local partial."""
    cache: dict[int, sp.Expr] = {}

    def local_partial(i: int) -> sp.Expr:
        if i not in cache:
            graph = decompose(body, limits)
            cache[i] = canonical(forward_mode.forward(graph, params[i]).result, limits)
        return cache[i]

    def fdiff(self: sp.Function, argindex: int = 1) -> sp.Expr:
        return local_partial(argindex - 1).xreplace(dict(zip(params, self.args, strict=False)))

    def eval_(cls: type, *args: sp.Expr) -> sp.Expr:
        return body.xreplace(dict(zip(params, args, strict=False)))

    return type(name, (sp.Function,), {
        "nargs": len(params), "fdiff": fdiff, "eval": classmethod(eval_), "is_real": True,
        "__doc__": f"{name} = {body}",
    })
