"""Jacobians of vector functions by the one sweep: d node/dx = Σ ∂node/∂arg · d arg/dx, a block
product per edge, (m,n)·(n,p) → (m,p). The blocks come from the rule table (vectors.py builds
them); each Jacobian is verified entry by entry, and for a scalar loss through a layer z = W x + b
the matrix forms ∂L/∂x = Wᵀ ∂L/∂z and ∂L/∂W = ∂L/∂z xᵀ are checked against it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy as sp

from .canon import canonical_all
from .errors import UsageError
from .forward import forward
from .functions import rewrite_all
from .graph import decompose
from .limits import DEFAULT_LIMITS, Limits
from .model import Graph, Node, Partial, Verification
from .oracle import directional
from .sampling import seed_of
from .sweep import Carried, Edge, sweep
from .vector_results import Block, Input, Jacobian, LayerCheck, VNode, VStep
from .vectors import VectorGraph, build, components
from .verdict import combine, compare
from .walk import tree_size
from .work import Budget

LAYOUTS = ("numerator", "denominator")


class Blocks:
    """The vector forward flow: Jacobian blocks carried along edges and multiplied."""

    def __init__(self, values: dict[sp.Symbol, sp.Expr]) -> None:
        self.values = values
        self.substituted: dict[tuple[str, str], sp.Matrix] = {}

    def local(self, edge: Edge) -> sp.Matrix:
        key = (edge.consumer.name, edge.arg.name)
        if key not in self.substituted:
            self.substituted[key] = edge.partial.local.xreplace(self.values)
        return self.substituted[key]

    def term(self, edge: Edge, source: sp.Matrix) -> sp.Matrix:
        return self.local(edge) * source

    def combine(self, target: sp.Symbol, node: Node | None, carried: Sequence[Carried[sp.Matrix]]) -> sp.Matrix:
        total = carried[0].term
        for c in carried[1:]:
            total = total + c.term
        return total

    def live(self, total: sp.Matrix) -> bool:
        return any(e != 0 for e in total)


def _graph(vg: VectorGraph) -> tuple[Graph, dict[str, Sequence[Edge]]]:
    """The vector nodes as a graph for the sweep, and each node's edges (its blocks)."""
    nodes = []
    edges: dict[str, Sequence[Edge]] = {}
    for n in vg.nodes:
        node = Node(sp.Symbol(n.name), sp.Function, tuple(sp.Symbol(a) for a in n.args), sp.Integer(0))
        nodes.append(node)
        edges[n.name] = tuple(Edge(node, Partial(node.symbol, sp.Symbol(a), (), vg.blocks[(n.name, a)]))
                              for a in n.args if (n.name, a) in vg.blocks)
    variables = tuple(sp.Symbol(i.name) for i in vg.inputs)
    return Graph(sp.Integer(0), variables, tuple(nodes), sp.Symbol(vg.output)), edges


def _list_blocks(vg: VectorGraph, limits: Limits, budget: Budget) -> VectorGraph:
    """A list [e1, e2, …] of scalar expressions: its block in each input is the column of dei/dx,
    each found by the scalar chain rule over ei's own graph."""
    (node,) = vg.nodes
    graphs = [decompose(e, limits) for e in node.local]
    blocks = {}
    for i in vg.inputs:
        x = i.components[0]
        blocks[(node.name, i.name)] = sp.Matrix(len(graphs), 1, list(canonical_all(
            [forward(g, x, budget).result for g in graphs], limits, budget)))
    return VectorGraph(vg.inputs, vg.nodes, vg.output, blocks)


def jacobian(text: str, wrt: Sequence[str] | None = None, *, vectors: Sequence[str] = (),
             matrices: Sequence[str] = (), layout: str = "numerator", verify: bool = True,
             at: Mapping[sp.Symbol, sp.Expr] | None = None, data: Sequence[str] = (),
             limits: Limits = DEFAULT_LIMITS, budget: Budget | None = None) -> Jacobian:
    """The Jacobian of a vector function with respect to each input in wrt (default: every input
    that is not data), by the total-derivative rule over vector-level nodes."""
    if layout not in LAYOUTS:
        raise UsageError(f"«layout» must be numerator or denominator, not {layout!r}", param="layout")
    budget = budget or Budget.of(limits)
    vg = build(text, vectors, matrices, limits)
    if vg.nodes[0].kind == "components":
        vg = _list_blocks(vg, limits, budget)
    by_input = {i.name: i for i in vg.inputs}
    for d in data:
        if d not in by_input:
            raise UsageError(f"«data=»{d}: not an input (inputs: {', '.join(by_input)})", param="data")
    names = list(wrt) if wrt else [n for n in by_input if n not in data]
    for w in names:
        if w not in by_input:
            raise UsageError(f"«wrt=»{w}: not an input (inputs: {', '.join(by_input)})", param="wrt")
    graph, edges = _graph(vg)
    values = {c: v for n in vg.nodes for c, v in zip(components(n.name, n.shape), n.value, strict=False)}
    output = next(n for n in vg.nodes if n.name == vg.output)
    all_steps, results, shaped = [], [], []
    for w in names:
        steps, total = _forward(vg, graph, edges, values, w, len(by_input[w].components), budget)
        total = sp.Matrix(total.shape[0], total.shape[1], list(canonical_all(list(total), limits, budget)))
        results.append(total if layout == "numerator" else total.T)
        all_steps.append(steps)
        if not output.shape:
            shaped.append(_shaped(total, by_input[w]))
    seed = seed_of(text, *vectors, *matrices, *names)
    checks = tuple(_verify(output, by_input[w], r if layout == "numerator" else r.T, vg.inputs, limits, seed, budget)
                   for w, r in zip(names, results, strict=False)) if verify else ()
    point: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()
    at_values: tuple[sp.Matrix, ...] = ()
    if at is not None:
        point, at_values = _at(vg.inputs, results, at, limits)
    result = Jacobian(text, vg.inputs, vg.nodes, vg.output, tuple(names), layout, tuple(all_steps), tuple(results),
                      checks, (), tuple(shaped), point, at_values)
    return Jacobian(text, vg.inputs, vg.nodes, vg.output, tuple(names), layout, tuple(all_steps), tuple(results),
                    checks, layers(result, graph, edges, values, budget), tuple(shaped), point, at_values)


def _forward(vg: VectorGraph, graph: Graph, edges: dict[str, Sequence[Edge]], values: dict[sp.Symbol, sp.Expr],
             seed: str, size: int, budget: Budget) -> tuple[tuple[VStep, ...], sp.Matrix]:
    """The vector total-derivative rule from a seed: an input (its Jacobians) or an intermediate
    (backpropagation through a layer)."""
    flow = Blocks(values)
    visits = sweep(graph, flow, {sp.Symbol(seed): sp.eye(size)}, edges=lambda n: edges[n.name], budget=budget)
    steps = tuple(VStep(v.target.name, tuple(Block(c.edge.arg.name, c.edge.partial.local, c.source) for c in v.carried),
                        v.total) for v in visits if v.total is not None and not v.seeded)
    reached = {v.target.name: v.total for v in visits if v.total is not None}
    output = next(n for n in vg.nodes if n.name == vg.output)
    total = reached.get(vg.output, sp.zeros(len(output.local), size))
    return steps, total


def _shaped(row: sp.Matrix, item: Input) -> sp.Matrix:
    """A scalar's gradient shaped like the input: W's shape for a matrix, a column for a vector."""
    if len(item.shape) == 2:
        return sp.Matrix(item.shape[0], item.shape[1], list(row))
    return sp.Matrix(len(row), 1, list(row))


def _at(inputs: Sequence[Input], results: Sequence[sp.Matrix], at: Mapping[sp.Symbol, sp.Expr],
        limits: Limits) -> tuple[tuple[tuple[sp.Symbol, sp.Expr], ...], tuple[sp.Matrix, ...]]:
    """Every Jacobian at a point given per component (W11=…) or per declared name (x=[1, 2, 3])."""
    from .exact import finite_value

    needed = [c for i in inputs for c in i.components]
    missing = [c.name for c in needed if c not in at]
    if missing:
        raise UsageError(f"«at» gives no value for {', '.join(missing[:8])}{' …' if len(missing) > 8 else ''}",
                         param="at")
    values = {c: at[c] for c in needed}
    return (tuple(values.items()),
            tuple(r.xreplace(values).applyfunc(lambda e: finite_value(e, "a Jacobian entry", limits)) for r in results))


def _verify(output: VNode, x: Input, ours: sp.Matrix, inputs: Sequence[Input], limits: Limits, seed: int,
            budget: Budget) -> Verification:
    """Entry by entry against sympy's Jacobian of the output's components when they are small; else
    each row along random directions."""
    variables = [c for i in inputs for c in i.components]
    components_ = rewrite_all(list(output.value))
    size = sum(tree_size(v, limits.oracle_tree) for v in components_) * len(x.components)
    if size <= limits.oracle_tree:
        expected = sp.Matrix(components_).jacobian(list(x.components))
        verdicts = [compare(a, b, variables, seed=seed, oracle="sympy.jacobian", budget=budget)
                    for a, b in zip(ours, expected, strict=False)]
        return combine(verdicts, "entries")
    rows = [directional(v, list(x.components), list(ours.row(i)), variables, seed, budget)
            for i, v in enumerate(output.value)]
    return combine(rows, "rows")


def layers(d: Jacobian, graph: Graph, edges: dict[str, Sequence[Edge]], values: dict[sp.Symbol, sp.Expr],
           budget: Budget) -> tuple[LayerCheck, ...]:
    """Every matrix product W x whose W and x are inputs, when the output is a scalar."""
    output = next(n for n in d.nodes if n.name == d.output)
    if output.shape != ():
        return ()
    by_input = {i.name: i for i in d.inputs}
    vg = VectorGraph(d.inputs, d.nodes, d.output, {})
    found = []
    for node in d.nodes:
        if node.kind != "matrix product" or len(node.args) != 2 or len(node.shape) != 1:
            continue
        w, x = node.args
        if w not in by_input or len(by_input[w].shape) != 2:
            continue
        z = node.name
        consumers = [n for n in d.nodes if z in n.args]
        if len(consumers) == 1 and consumers[0].kind == "elementwise" and consumers[0].text.count("+") >= 1 \
                and all(a == z or a in by_input for a in consumers[0].args):
            z = consumers[0].name  # z = W x + b: the bias's Jacobian is I
        size = len(next(n for n in d.nodes if n.name == z).local)
        _, total = _forward(vg, graph, edges, values, z, size, budget)
        upstream = total.T  # ∂L/∂z as a column
        numerator = {w_: (j if d.layout == "numerator" else j.T) for w_, j in zip(d.wrt, d.jacobians, strict=False)}
        statements = []
        weights = sp.Matrix(by_input[w].shape[0], by_input[w].shape[1], list(by_input[w].components))
        if x in numerator:
            statements.append((f"∂L/∂{x} = {w}ᵀ ∂L/∂{z}", _same((weights.T * upstream).T, numerator[x])))
        if x in by_input and w in numerator:
            column = sp.Matrix(len(by_input[x].components), 1, list(by_input[x].components))
            claim = (upstream * column.T).reshape(1, len(by_input[w].components))
            statements.append((f"∂L/∂{w} = ∂L/∂{z} {x}ᵀ", _same(claim, numerator[w])))
        if statements:
            found.append(LayerCheck(z, w, x, upstream, tuple(statements)))
    return tuple(found)


def _same(a: sp.Matrix, b: sp.Matrix) -> bool:
    """Entry by entry equal, by the one verdict module."""
    if a.shape != b.shape:
        return False
    variables = sorted({s for e in [*a, *b] for s in e.free_symbols}, key=lambda s: s.name)
    return all(compare(p, q, variables, seed=seed_of(str(p), str(q)), oracle="the chain rule").status != "mismatch"
               for p, q in zip(a, b, strict=False))
