"""The chain rule beyond scalars: vector-valued functions of declared vectors and matrices, and
their Jacobians as products of local Jacobian blocks, each with its shape.

An expression over declared names (s:3, W:2x3) is split into vector-level nodes, one operation
each: elementwise operations (a Hadamard product s⊙t among them), reductions (sum, mean, dot) and
matrix–vector products W x. Each node's local Jacobian with respect to each argument is a block
(diag(t) for s⊙t, I for a sum, W for W x); the total-derivative rule then multiplies and adds
blocks, (m,n)·(n,p) → (m,p). Matrices enter Jacobians flattened row by row.
Numerator layout by default (∂y/∂x is m×n for y ∈ Rᵐ, x ∈ Rⁿ); denominator layout transposes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import sympy as sp

from . import bounded
from .errors import ParseError, UsageError
from .functions import rewrite_primitives
from .limits import DEFAULT_LIMITS, Limits
from .model import Verification
from .parse import FUNCTIONS, parse, parse_name, parse_program, split_top_level
from .tidy import tidy_all
from .verify import compare
from .walk import postorder


class _Reduction(sp.Function):
    """A vector reduction, kept unevaluated until shapes are known; printed as the user wrote it."""

    written = ""

    def _sympystr(self, printer: object) -> str:
        return f"{self.written}({', '.join(printer._print(a) for a in self.args)})"  # type: ignore[attr-defined]


class vsum(_Reduction):  # noqa: N801
    """sum(v): the sum of a vector's components."""

    written = "sum"


class vmean(_Reduction):  # noqa: N801
    """mean(v): the mean of a vector's components."""

    written = "mean"


class vdot(_Reduction):  # noqa: N801
    """dot(a, b): Σ aᵢ bᵢ."""

    written = "dot"


VECTOR_FUNCTIONS = {**FUNCTIONS, "sum": (vsum, (1,)), "mean": (vmean, (1,)), "dot": (vdot, (2,))}
"""the parser's function table with the reductions (the scalar commands do not know them)"""
LAYOUTS = ("numerator", "denominator")
MAX_SIZE = 64
"""largest declared dimension (Jacobian blocks are dense SymPy matrices)"""


@dataclass(frozen=True)
class Input:
    """A declared (or scalar) input: its name, shape and component symbols (row by row)."""

    name: str
    shape: tuple[int, ...]
    """() scalar, (n,) vector, (m, n) matrix"""
    components: tuple[sp.Symbol, ...]


@dataclass(frozen=True)
class VNode:
    """One vector-level operation: its name, how it reads, its kind, its shape, its arguments, and
    its components over the arguments' component symbols (local) and over the inputs (value)."""

    name: str
    text: str
    kind: str
    shape: tuple[int, ...]
    args: tuple[str, ...]
    local: sp.Matrix
    value: sp.Matrix


@dataclass(frozen=True)
class Block:
    """One term ∂node/∂arg · d arg/dx of the vector total-derivative rule, with its shapes."""

    arg: str
    local: sp.Matrix
    """∂node/∂arg, over the arguments' components"""
    total: sp.Matrix
    """d arg/dx"""


@dataclass(frozen=True)
class VStep:
    node: str
    blocks: tuple[Block, ...]
    total: sp.Matrix
    """d node/dx over the inputs' components"""


@dataclass(frozen=True)
class JacobianDerivation:
    """A vector function's Jacobians with respect to each chosen input, by the chain rule over
    vector-level nodes, verified entry by entry against sympy.jacobian."""

    source: str
    inputs: tuple[Input, ...]
    nodes: tuple[VNode, ...]
    output: str
    wrt: tuple[str, ...]
    layout: str
    steps: tuple[tuple[VStep, ...], ...]
    """per wrt input: the forward steps"""
    jacobians: tuple[sp.Matrix, ...]
    """per wrt input, in the chosen layout"""
    verifications: tuple[Verification, ...]


# --- declarations -------------------------------------------------------------------------------

_DECLARATION = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(\d+)\s*(?:[x×]\s*(\d+))?\s*$")


def declare(text: str, matrix: bool = False) -> Input:
    """'s:3' → the vector (s1, s2, s3); 'W:2x3' → the matrix W11 … W23 (W_1_1 when a size passes 9)."""
    option = "--matrix" if matrix else "--vector"
    m = _DECLARATION.match(text)
    if not m or bool(m.group(3)) != matrix:
        example = "W:2x3" if matrix else "s:3"
        raise UsageError(f"{option} {text[:40]!r}: expected NAME:{'ROWSxCOLS' if matrix else 'SIZE'}, e.g. {example}")
    name = parse_name(m.group(1)).name
    dims = tuple(int(g) for g in m.groups()[1:] if g)
    if any(d < 1 or d > MAX_SIZE for d in dims):
        raise UsageError(f"{option} {text[:40]!r}: sizes must be between 1 and {MAX_SIZE}")
    if matrix:
        sep = "_" if max(dims) > 9 else ""
        names = [f"{name}{sep}{i}{sep}{j}" if sep else f"{name}{i}{j}" for i in range(1, dims[0] + 1)
                 for j in range(1, dims[1] + 1)]
    else:
        names = [f"{name}{i}" for i in range(1, dims[0] + 1)]
    return Input(name, dims, tuple(sp.Symbol(n, real=True) for n in names))


# --- values with shapes -------------------------------------------------------------------------

def _column(entries: Sequence[sp.Expr]) -> sp.Matrix:
    return sp.Matrix(len(entries), 1, list(entries))


def _as_matrix(shape: tuple[int, ...], components: Sequence[sp.Expr]) -> sp.Matrix:
    if len(shape) == 2:
        return sp.Matrix(shape[0], shape[1], list(components))
    return _column(components)


def _apply(op: type, args: list[tuple[tuple[int, ...], sp.Matrix]], where: str) -> tuple[tuple[int, ...], sp.Matrix, str]:
    """op on shaped arguments: the result's shape, components and kind (elementwise, Hadamard, ...)."""
    shapes = [s for s, _ in args]
    if op in (vsum, vmean):
        shape, value = args[0]
        if len(shape) != 1:
            raise UsageError(f"{where}: {_fname(op)} takes a vector, not shape {_shape(shape)}")
        total = sp.Add(*value)
        return (), sp.Matrix([[total / len(value) if op is vmean else total]]), "reduction"
    if op is vdot:
        (sa, a), (sb, b) = args
        if len(sa) != 1 or sa != sb:
            raise UsageError(f"{where}: dot needs two vectors of one size, not shapes {_shape(sa)} and {_shape(sb)}")
        return (), sp.Matrix([[sp.Add(*(x * y for x, y in zip(a, b)))]]), "reduction (dot product)"
    if op is sp.Mul:
        matrices = [i for i, s in enumerate(shapes) if len(s) == 2]
        if matrices:
            return _matvec(args, matrices, where)
    vectors = {s for s in shapes if s}
    if len(vectors) > 1:
        raise UsageError(f"{where}: shapes {' and '.join(_shape(s) for s in sorted(vectors))} do not match")
    if any(len(s) == 2 for s in vectors):
        raise UsageError(f"{where}: matrices enter only matrix–vector products W*x")
    if not vectors:
        return (), sp.Matrix([[op(*(v[0] for _, v in args))]]), "scalar"
    (shape,) = vectors
    n = shape[0]
    entries = [op(*(v[i] if s else v[0] for s, v in args)) for i in range(n)]
    both = sum(1 for s in shapes if s) > 1
    kind = "Hadamard product (elementwise)" if op is sp.Mul and both else "elementwise"
    return shape, _column(entries), kind


def _matvec(args: list[tuple[tuple[int, ...], sp.Matrix]], matrices: list[int], where: str
            ) -> tuple[tuple[int, ...], sp.Matrix, str]:
    if len(matrices) > 1:
        raise UsageError(f"{where}: a product of two matrices is not supported; write W*x with one matrix")
    (ms, m) = args[matrices[0]]
    others = [a for i, a in enumerate(args) if i != matrices[0]]
    vectors = [a for a in others if a[0]]
    scalars = sp.Mul(*(v[0] for s, v in others if not s))
    if len(vectors) != 1 or vectors[0][0] != (ms[1],):
        got = " and ".join(_shape(s) for s, _ in vectors) or "no vector"
        raise UsageError(f"{where}: W*x needs a vector of size {ms[1]} for a {ms[0]}x{ms[1]} matrix, got {got}")
    return (ms[0],), scalars * (m * vectors[0][1]), "matrix product"


def _fname(op: type) -> str:
    return getattr(op, "written", "") or getattr(op, "__name__", str(op))


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ",".join(str(d) for d in shape) + ")" if shape else "scalar"


# --- building the vector graph ------------------------------------------------------------------

Built = tuple[tuple[Input, ...], tuple[VNode, ...], str]
"""the inputs, the vector-level nodes in topological order, and the output node's name"""

def build(text: str, vectors: Sequence[str] = (), matrices: Sequence[str] = (),
          limits: Limits = DEFAULT_LIMITS) -> Built:
    """Inputs, vector-level nodes and the output's name, for an expression, a list "[a, b]" of
    scalar expressions, or a program of definitions."""
    declared: dict[str, Input] = {}
    for item in [*(declare(v) for v in vectors), *(declare(m, True) for m in matrices)]:
        if item.name in declared:
            raise UsageError(f"{item.name} is declared twice")
        declared[item.name] = item
    stripped = text.strip()
    if stripped.startswith("["):
        if not stripped.endswith("]"):
            raise ParseError("a list [a, b, …] must end with ']'", column=len(text) + 1, token="end of input",
                             text=text)
        return _list(stripped[1:-1], declared, limits)
    statements = parse_program(text, limits, VECTOR_FUNCTIONS) if ";" in text or "\n" in stripped else ()
    if len(statements) > 1:
        return _program(statements, declared)
    expr = parse(text, limits, VECTOR_FUNCTIONS)
    return _expression(expr, declared, "f")


def _list(body: str, declared: dict[str, Input], limits: Limits) -> Built:
    parts = [p for _, p in split_top_level(body) if p.strip()]
    if declared:
        raise UsageError("a list [a, b, …] takes scalar expressions; with --vector, write vector operations instead")
    exprs = [parse(p, limits) for p in parts]
    if not exprs:
        raise UsageError("the list is empty")
    symbols = sorted({s for e in exprs for s in e.free_symbols}, key=lambda s: s.name)  # type: ignore[attr-defined]
    inputs = tuple(Input(s.name, (), (s,)) for s in symbols)
    local = _column(exprs)
    node = VNode("f", "[" + ", ".join(sp.sstr(e) for e in exprs) + "]", "components", (len(exprs),),
                 tuple(s.name for s in symbols), local, local)
    return inputs, (node,), "f"


def _expression(expr: sp.Expr, declared: dict[str, Input], out: str,
                prefix: str = "u") -> Built:
    inputs: dict[str, Input] = {}
    shaped: dict[int, tuple[tuple[int, ...], sp.Matrix, sp.Matrix, str | None]] = {}
    nodes: list[VNode] = []
    for sub in postorder(expr):
        if isinstance(sub, sp.Symbol):
            item = declared.get(sub.name) or Input(sub.name, (), (sub,))
            inputs[item.name] = item
            m = _as_matrix(item.shape, item.components)
            shaped[id(sub)] = (item.shape, m, m, item.name)
            continue
        if not sub.args or not sub.free_symbols:
            shaped[id(sub)] = ((), sp.Matrix([[sub]]), sp.Matrix([[sub]]), None)
            continue
        args = [shaped[id(a)] for a in sub.args]
        name = out if sub is expr else f"{prefix}{len(nodes) + 1}"
        local_args = [(s, _symbols_of(n, s) if n and n not in inputs else local_m) for s, local_m, _, n in args]
        shape, local, kind = _apply(sub.func, local_args, sp.sstr(sub)[:40])
        _, value, _ = _apply(sub.func, [(s, v) for s, _, v, _ in args], sp.sstr(sub)[:40])
        names = tuple(dict.fromkeys(n for _, _, _, n in args if n))
        text = _reads(sub, args, kind)
        nodes.append(VNode(name, text, kind, shape, names, local, value))
        shaped[id(sub)] = (shape, _symbols_of(name, shape), value, name)
    if not nodes:
        raise UsageError("the expression has no operation to differentiate")
    unknown = sorted(set(declared) - set(inputs))
    if unknown:
        raise UsageError(f"declared but not used: {', '.join(unknown)}")
    return tuple(inputs.values()), tuple(nodes), nodes[-1].name


def _program(statements: Sequence, declared: dict[str, Input]  # type: ignore[type-arg]
             ) -> Built:
    """Definitions name vector-level nodes: z = mean(x + y); x = s*t; y = s - t. Each definition's
    body is split like an expression, the names it uses standing as inputs of their shapes."""
    if statements[0].name is None:
        raise UsageError("in a program each line is a definition: name = expression")
    defined = {s.name.name: s.expr for s in statements if s.name is not None}
    order: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            raise UsageError(f"the definitions are circular: {' -> '.join(path + (name,))}")
        if name in order or name not in defined:
            return
        for used in _args_of(defined[name]):
            visit(used, path + (name,))
        order.append(name)

    visit(statements[0].name.name, ())
    unused = sorted(set(defined) - set(order))
    if unused:
        raise UsageError(f"defined but not used: {', '.join(unused)}")
    known: dict[str, Input] = dict(declared)
    inputs: dict[str, Input] = {}
    nodes: list[VNode] = []
    values: dict[sp.Basic, sp.Expr] = {}
    for name in order:
        body = defined[name]
        used = {k: v for k, v in known.items() if k in _args_of(body)}
        sub_inputs, sub_nodes, _ = _expression(body, used, name, prefix=f"{name}_")
        inputs.update((i.name, i) for i in sub_inputs if i.name not in defined)
        nodes += [replace(n, value=n.value.xreplace(values)) for n in sub_nodes]
        last = nodes[-1]
        known[name] = Input(name, last.shape, tuple(_symbols_of(name, last.shape)))
        values.update(zip(_symbols_of(name, last.shape), last.value))
    unknown = sorted(set(declared) - set(inputs))
    if unknown:
        raise UsageError(f"declared but not used: {', '.join(unknown)}")
    return tuple(inputs.values()), tuple(nodes), order[-1]


def _args_of(body: sp.Expr) -> list[str]:
    return sorted({s.name for s in body.free_symbols})  # type: ignore[attr-defined]


def _symbols_of(name: str, shape: tuple[int, ...]) -> sp.Matrix:
    """The component symbols of an intermediate: u1 (scalar), u1_1 … u1_n (vector)."""
    if not shape:
        return sp.Matrix([[sp.Symbol(name, real=True)]])
    count = shape[0] * (shape[1] if len(shape) == 2 else 1)
    return _as_matrix(shape, [sp.Symbol(f"{name}_{i}", real=True) for i in range(1, count + 1)])


def _reads(sub: sp.Basic, args: list, kind: str) -> str:  # type: ignore[type-arg]
    names = [n if n else sp.sstr(v[0]) for _, _, v, n in args]
    if kind == "matrix product":
        matrix = next(n for (s, _, _, n) in args if len(s) == 2)
        return " ".join([matrix] + [n for n in names if n != matrix])
    if kind.startswith("Hadamard"):
        return " ⊙ ".join(names)
    if kind.startswith("reduction"):
        return f"{_fname(sub.func)}({', '.join(names)})"
    if isinstance(sub, sp.Add):
        return " + ".join(names)
    if isinstance(sub, sp.Mul):
        if len(names) == 2 and names[0] == "-1":
            return "−" + names[1]
        return "*".join(names)
    if isinstance(sub, sp.Pow):
        return f"{names[0]}**{names[1]}"
    return f"{_fname(sub.func)}({', '.join(names)})"


# --- the Jacobian by the chain rule -------------------------------------------------------------

def jacobian(text: str, wrt: str | Sequence[str] | None = None, *, vectors: Sequence[str] = (),
             matrices: Sequence[str] = (), layout: str = "numerator", verify: bool = True,
             limits: Limits = DEFAULT_LIMITS) -> JacobianDerivation:
    """The Jacobian of a vector function with respect to each input in wrt, by the total-derivative
    rule over vector-level nodes: d node/dx = Σ ∂node/∂arg · d arg/dx, one block product per edge."""
    if layout not in LAYOUTS:
        raise UsageError(f"layout must be numerator or denominator, not {layout!r}")
    inputs, nodes, output = build(text, vectors, matrices, limits)
    by_input = {i.name: i for i in inputs}
    names = [w.strip() for w in (wrt.split(",") if isinstance(wrt, str) else wrt or by_input)]
    for w in names:
        if w not in by_input:
            raise UsageError(f"--wrt {w}: not an input (inputs: {', '.join(by_input)})")
    all_steps, results, checks = [], [], []
    by_node = {n.name: n for n in nodes}
    for w in names:
        steps = _forward(nodes, inputs, w, len(by_input[w].components))
        total = steps[-1].total
        total = sp.Matrix(total.shape[0], total.shape[1], list(tidy_all(list(total), limits)))
        results.append(total if layout == "numerator" else total.T)
        all_steps.append(steps)
        if verify:
            checks.append(_verify(by_node[output].value, by_input[w], total, inputs, limits))
    return JacobianDerivation(text, inputs, nodes, output, tuple(names), layout, tuple(all_steps),
                              tuple(results), tuple(checks))


def _forward(nodes: Sequence[VNode], inputs: Sequence[Input], seed: str, size: int) -> tuple[VStep, ...]:
    """The vector total-derivative rule, d node/d seed = Σ ∂node/∂arg · d arg/d seed, node by node;
    the seed is an input (its Jacobians) or an intermediate (backpropagation through a layer)."""
    totals: dict[str, sp.Matrix] = {i.name: (sp.eye(size) if i.name == seed else sp.zeros(len(i.components), size))
                                    for i in inputs}
    values: dict[sp.Symbol, sp.Expr] = {}
    steps = []
    for node in nodes:
        blocks = []
        total = sp.eye(size) if node.name == seed else sp.zeros(len(node.local), size)
        for arg in node.args if node.name != seed else ():
            given = next((i for i in inputs if i.name == arg), None)
            arg_symbols = list(given.components) if given else list(_symbols_of(arg, _shape_of(arg, nodes, inputs)))
            local = sp.Matrix(list(node.local)).jacobian(arg_symbols)
            blocks.append(Block(arg, local, totals[arg]))
            total += local.xreplace(values) * totals[arg]
        totals[node.name] = total
        values.update(zip(_symbols_of(node.name, node.shape), node.value))
        steps.append(VStep(node.name, tuple(blocks), total))
    return tuple(steps)


def _shape_of(name: str, nodes: Sequence[VNode], inputs: Sequence[Input]) -> tuple[int, ...]:
    for n in nodes:
        if n.name == name:
            return n.shape
    return next(i.shape for i in inputs if i.name == name)


def _verify(value: sp.Matrix, x: Input, ours: sp.Matrix, inputs: Sequence[Input], limits: Limits) -> Verification:
    """Entry by entry against sympy's Jacobian of the output's components."""
    variables = [c for i in inputs for c in i.components]
    try:
        expected = bounded.run(lambda: sp.Matrix([rewrite_primitives(v) for v in value]).jacobian(list(x.components)),
                               limits.verify_seconds)
    except bounded.Unavailable as exc:
        return Verification("skipped", "none", f"sympy.jacobian did not finish ({str(exc)[:40]})", "sympy.jacobian")
    verdicts = [compare(a, b, variables, limits) for a, b in zip(ours, expected)]
    bad = [v for v in verdicts if v.status == "mismatch"]
    if bad:
        return Verification("mismatch", bad[0].method, bad[0].detail, "sympy.jacobian")
    if any(v.status == "numeric" for v in verdicts):
        return Verification("numeric", "numeric", f"all {len(verdicts)} entries equal (some numerically)",
                            "sympy.jacobian", tolerance=next(v.tolerance for v in verdicts if v.tolerance))
    if any(v.status == "skipped" for v in verdicts):
        return Verification("skipped", "none", "some entries could not be compared", "sympy.jacobian")
    return Verification("proved", "simplify", f"all {len(verdicts)} entries equal symbolically", "sympy.jacobian")


# --- matrix form of a layer ---------------------------------------------------------------------

@dataclass(frozen=True)
class LayerCheck:
    """For z = W x (+ b) inside a scalar loss L: the matrix forms of backpropagation through the
    layer, each checked entry by entry against the Jacobians found by the chain rule."""

    z: str
    matrix: str
    vector: str
    upstream: sp.Matrix
    """∂L/∂z as a column"""
    statements: tuple[tuple[str, bool], ...]


def layers(d: JacobianDerivation) -> tuple[LayerCheck, ...]:
    """Every matrix product W x whose W and x are inputs, when the output is a scalar."""
    output = next(n for n in d.nodes if n.name == d.output)
    if output.shape != ():
        return ()
    by_input = {i.name: i for i in d.inputs}
    found = []
    for node in d.nodes:
        if node.kind != "matrix product" or len(node.args) != 2:
            continue
        w, x = node.args if len(_shape_of(node.args[0], d.nodes, d.inputs)) == 2 else node.args[::-1]
        z = node.name
        consumers = [n for n in d.nodes if z in n.args]
        if len(consumers) == 1 and consumers[0].kind == "elementwise" and isinstance(consumers[0].local[0], sp.Add) \
                and all(a == z or a in by_input for a in consumers[0].args):
            z = consumers[0].name  # z = W x + b: the bias's Jacobian is I
        size = len(next(n for n in d.nodes if n.name == z).local)
        upstream = _forward(d.nodes, d.inputs, z, size)[-1].total.T  # ∂L/∂z as a column
        statements = []
        numerator = {w_: (j if d.layout == "numerator" else j.T) for w_, j in zip(d.wrt, d.jacobians)}
        W = _as_matrix(by_input[w].shape, by_input[w].components) if w in by_input else None
        if W is not None and x in numerator:
            claim = (W.T * upstream).T
            statements.append((f"∂L/∂{x} = {w}ᵀ ∂L/∂{z}", _same(claim, numerator[x])))
        if x in by_input and w in numerator:
            X = _column(list(by_input[x].components))
            claim = (upstream * X.T).reshape(1, len(by_input[w].components))
            statements.append((f"∂L/∂{w} = ∂L/∂{z} {x}ᵀ", _same(claim, numerator[w])))
        if statements:
            found.append(LayerCheck(z, w, x, upstream, tuple(statements)))
    return tuple(found)


def _same(a: sp.Matrix, b: sp.Matrix) -> bool:
    return a.shape == b.shape and all(sp.simplify(rewrite_primitives(x - y)) == 0 for x, y in zip(a, b))
