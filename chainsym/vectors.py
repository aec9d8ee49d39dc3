"""The chain rule beyond scalars, front end: declared vectors and matrices (s:3, W:2x3), an
expression or program over them split into vector-level nodes, each with its shape, its
components and its local Jacobian block per argument (from the rule table: diag(t) for s⊙t, I for
a sum, the kron patterns of a matrix product). The Jacobians themselves come from the one sweep
(jacobians.py).

Operations: elementwise ones (s*t of two vectors is the Hadamard product s⊙t; scalars broadcast),
matrix products (W*x, W2*W1*x, X*W), transposes (transpose(W), W^T), sum, mean, dot. Matrices
enter Jacobians flattened row by row; numerator layout (∂y/∂x is m×n for y ∈ Rᵐ, x ∈ Rⁿ).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from .errors import ParseError, UsageError
from .limits import Limits
from .naming import Namer, output_name
from .rules import elementwise_block, matmul_block, reduction_block, transpose_block
from .syntax import FUNCTIONS, FunctionTable, Statement, parse, parse_name, parse_program, split_top_level
from .vector_results import Input, VNode
from .walk import postorder


class _Vector(sp.Function):
    """A vector-level function, kept unevaluated until shapes are known; printed as written."""

    written = ""

    def _sympystr(self, printer: object) -> str:
        return f"{self.written}({', '.join(printer._print(a) for a in self.args)})"  # type: ignore[attr-defined]


class vsum(_Vector):  # noqa: N801
    written = "sum"


class vmean(_Vector):  # noqa: N801
    written = "mean"


class vdot(_Vector):  # noqa: N801
    written = "dot"


class vtranspose(_Vector):  # noqa: N801
    written = "transpose"


VECTOR_FUNCTIONS: FunctionTable = {**FUNCTIONS, "sum": (vsum, (1,)), "mean": (vmean, (1,)), "dot": (vdot, (2,)),
                                   "transpose": (vtranspose, (1,))}
"""the parser's function table with the vector functions (the scalar commands do not know them)"""
REDUCTIONS = {vsum: "sum", vmean: "mean", vdot: "dot"}
MAX_SIZE = 64
"""largest declared dimension (Jacobian blocks are dense SymPy matrices)"""
Shape = tuple[int, ...]


@dataclass(frozen=True)
class VectorGraph:
    """Inputs, vector-level nodes in topological order, the output's name, and each node's local
    blocks per argument."""

    inputs: tuple[Input, ...]
    nodes: tuple[VNode, ...]
    output: str
    blocks: dict[tuple[str, str], sp.Matrix]


# --- declarations -------------------------------------------------------------------------------

_DECLARATION = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(\d+)\s*(?:[x×]\s*(\d+))?\s*$", re.ASCII)


def declare(text: str, matrix: bool = False) -> Input:
    """'s:3' → the vector (s1, s2, s3); 'W:2x3' → the matrix W11 … W23 (W_1_1 when a size passes 9)."""
    param = "matrices" if matrix else "vectors"
    m = _DECLARATION.match(text)
    if not m or bool(m.group(3)) != matrix:
        example = "W:2x3" if matrix else "s:3"
        raise UsageError(f"«{param}=»{text[:40]!r}: expected NAME:{'ROWSxCOLS' if matrix else 'SIZE'}, e.g. {example}",
                         param=param)
    try:
        name = parse_name(m.group(1)).name
    except ParseError as exc:
        raise UsageError(f"«{param}=»{text[:40]!r}: {exc.reason}", param=param) from None
    dims = tuple(int(g) for g in m.groups()[1:] if g)
    if any(d < 1 or d > MAX_SIZE for d in dims):
        raise UsageError(f"«{param}=»{text[:40]!r}: sizes must be between 1 and {MAX_SIZE}", param=param)
    if matrix:
        sep = "_" if max(dims) > 9 else ""
        names = [f"{name}{sep}{i}{sep}{j}" for i in range(1, dims[0] + 1) for j in range(1, dims[1] + 1)]
    else:
        names = [f"{name}{i}" for i in range(1, dims[0] + 1)]
    return Input(name, dims, tuple(sp.Symbol(n, real=True) for n in names))


# --- shapes and blocks --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Arg:
    """An argument of a node as the rules see it: its name (None for a constant), shape, components
    over the arguments' own component symbols (local) and over the inputs (value)."""

    name: str | None
    shape: Shape
    local: list[sp.Expr]
    value: list[sp.Expr]


def _numel(shape: Shape) -> int:
    return shape[0] * (shape[1] if len(shape) == 2 else 1) if shape else 1


def show_shape(shape: Shape) -> str:
    return "(" + ",".join(str(d) for d in shape) + ")" if shape else "scalar"


def _as_2d(shape: Shape) -> tuple[int, int]:
    return (shape[0], shape[1]) if len(shape) == 2 else (shape[0], 1) if shape else (1, 1)


def _apply(op: type, args: list[_Arg], where: str) -> tuple[Shape, list[sp.Expr], list[sp.Expr], str,
                                                                dict[int, sp.Matrix]]:
    """op on shaped arguments: shape, local and value components, kind, and the block per argument slot."""
    shapes = [a.shape for a in args]
    if op in REDUCTIONS:
        kind = REDUCTIONS[op]
        if kind == "dot":
            if len(shapes[0]) != 1 or shapes[0] != shapes[1]:
                raise UsageError(f"{where}: dot needs two vectors of one size, not shapes {show_shape(shapes[0])} "
                                 f"and {show_shape(shapes[1])}")
            local = [sp.Add(*(x * y for x, y in zip(args[0].local, args[1].local, strict=False)))]
            value = [sp.Add(*(x * y for x, y in zip(args[0].value, args[1].value, strict=False)))]
            return (), local, value, "reduction (dot product)", {j: reduction_block(kind, [a.local for a in args], j)
                                                                 for j in range(2)}
        if not shapes[0]:
            raise UsageError(f"{where}: {kind} takes a vector or a matrix, not shape scalar")
        scale = sp.Rational(1, len(args[0].local)) if kind == "mean" else sp.Integer(1)
        return ((), [scale * sp.Add(*args[0].local)], [scale * sp.Add(*args[0].value)], "reduction",
                {0: reduction_block(kind, [args[0].local], 0)})
    if op is vtranspose:
        if not shapes[0]:
            raise UsageError(f"{where}: transpose takes a vector or a matrix, not a scalar")
        m, n = _as_2d(shapes[0])
        order = [(r % m) * n + r // m for r in range(m * n)]
        return ((n, m), [args[0].local[i] for i in order], [args[0].value[i] for i in order], "transpose",
                {0: transpose_block((m, n))})
    if op is sp.Mul and len(args) == 2 and shapes[0] and shapes[1] and (len(shapes[0]) == 2 or len(shapes[1]) == 2):
        return _matmul(args, where)
    sized = {s for s in shapes if s}
    if len(sized) > 1:
        raise UsageError(f"{where}: shapes {' and '.join(show_shape(s) for s in sorted(sized))} do not match")
    shape = next(iter(sized), ())
    n = _numel(shape)
    local = [op(*(a.local[i] if a.shape else a.local[0] for a in args)) for i in range(n)]
    value = [op(*(a.value[i] if a.shape else a.value[0] for a in args)) for i in range(n)]
    kind = "scalar" if not shape else ("Hadamard product (elementwise)" if op is sp.Mul and
                                       sum(1 for s in shapes if s) > 1 else "elementwise")
    blocks = {j: elementwise_block(op, [a.local for a in args], n, j) for j, a in enumerate(args) if a.name}
    return shape, local, value, kind, blocks


def _matmul(args: list[_Arg], where: str) -> tuple[Shape, list[sp.Expr], list[sp.Expr], str, dict[int, sp.Matrix]]:
    a, b = args
    (m, k), (k2, n) = _as_2d(a.shape), _as_2d(b.shape)
    if len(a.shape) == 1:
        raise UsageError(f"{where}: a vector times a matrix: write transpose(v)*W for a row vector")
    if k != k2:
        raise UsageError(f"{where}: a {m}x{k} matrix times shape {show_shape(b.shape)}: the inner sizes {k} and "
                         f"{k2} differ")
    shape: Shape = (m,) if len(b.shape) == 1 else (m, n)
    local = list(sp.Matrix(m, k, a.local) * sp.Matrix(k, n, b.local))
    value = list(sp.Matrix(m, k, a.value) * sp.Matrix(k, n, b.value))
    blocks = {j: matmul_block(a.local, (m, k), b.local, (k, n), j) for j, arg in enumerate(args) if arg.name}
    return shape, local, value, "matrix product", blocks


# --- building the vector graph ------------------------------------------------------------------

def build(text: str, vectors: Sequence[str] = (), matrices: Sequence[str] = (), limits: Limits | None = None
          ) -> VectorGraph:
    """Inputs, vector-level nodes and the output's name, for an expression, a list "[a, b]" of
    scalar expressions, or a program of definitions."""
    limits = limits or Limits()
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
        if declared:
            raise UsageError("a list [a, b, …] takes scalar expressions; with declared vectors, write vector "
                             "operations instead")
        return _list(stripped[1:-1], limits)
    statements = parse_program(text, limits, VECTOR_FUNCTIONS)
    names = [*declared, *(c.name for i in declared.values() for c in i.components),
             *(s.name.name for s in statements if s.name is not None),
             *(v.name for s in statements for v in s.expr.free_symbols)]
    namer = Namer(names)
    if len(statements) > 1:
        return _program(statements, declared, namer)
    first = statements[0]
    out = first.name.name if first.name is not None else output_name(names)
    return _expression(first.expr, declared, out, namer)


def _list(body: str, limits: Limits) -> VectorGraph:
    exprs = [parse(p, limits) for _, p in split_top_level(body) if p.strip()]
    if not exprs:
        raise UsageError("the list is empty")
    symbols = sorted({s for e in exprs for s in e.free_symbols}, key=lambda s: s.name)
    inputs = tuple(Input(s.name, (), (s,)) for s in symbols)
    column = sp.Matrix(len(exprs), 1, exprs)
    node = VNode("f", "[" + ", ".join(sp.sstr(e, order="none") for e in exprs) + "]", "components",
                 (len(exprs),), tuple(s.name for s in symbols), column, column)
    return VectorGraph(inputs, (node,), "f", {})


def _expression(expr: sp.Expr, declared: dict[str, Input], out: str, namer: Namer,
                family: str = "") -> VectorGraph:
    """Vector-level nodes for one expression; the last is named out, the others by the naming
    authority (u1, u2, … or, inside a program's definition of z, z_1, z_2, …)."""
    inputs: dict[str, Input] = {}
    shaped: dict[int, _Arg] = {}
    built = _Built([], {}, namer, family)
    transposes = 0
    t = sp.Symbol("T", real=True)
    for sub in postorder(expr):
        if isinstance(sub, sp.Symbol):
            item = declared.get(sub.name) or Input(sub.name, (), (sub,))
            inputs[item.name] = item
            shaped[id(sub)] = _Arg(item.name, item.shape, list(item.components), list(item.components))
            continue
        if not sub.args or not sub.free_symbols:
            shaped[id(sub)] = _Arg(None, (), [sub], [sub])
            continue
        where = sp.sstr(sub, order="none")[:40]
        if isinstance(sub, sp.Pow) and sub.exp == sp.Symbol("T", real=True) and shaped[id(sub.base)].shape \
                and "T" not in declared:
            op: type = vtranspose
            parts = [shaped[id(sub.base)]]
            transposes += 1
        else:
            op, parts = sub.func, [shaped[id(a)] for a in sub.args]
        while op is sp.Mul and len(parts) > 2 and any(len(p.shape) == 2 for p in parts):
            parts = [built.add(sp.Mul, parts[:2], None, where), *parts[2:]]  # matrix products, left to right
        shaped[id(sub)] = built.add(op, parts, out if sub is expr else None, where)
    if not built.nodes:
        raise UsageError("the expression has no operation to differentiate")
    if transposes and transposes == sum(1 for sub in postorder(expr) for a in sub.args if a == t):
        inputs.pop("T", None)  # W^T: T is the transpose, not a variable
    unused = sorted(n for n, i in declared.items() if n not in inputs and not isinstance(i, _Defined))
    if unused:
        raise UsageError(f"declared but not used: {', '.join(unused)}")
    real_inputs = tuple(i for i in inputs.values() if not isinstance(i, _Defined))
    return VectorGraph(real_inputs, tuple(built.nodes), built.nodes[-1].name, built.blocks)


@dataclass
class _Built:
    """The nodes made so far, their blocks, and how new ones are named."""

    nodes: list[VNode]
    blocks: dict[tuple[str, str], sp.Matrix]
    namer: Namer
    family: str

    def add(self, op: type, args: list[_Arg], name: str | None, where: str) -> _Arg:
        shape, local, value, kind, slot_blocks = _apply(op, args, where)
        if name is None:
            name = self._fresh(shape)
        for j, block in slot_blocks.items():
            key = (name, str(args[j].name))
            self.blocks[key] = self.blocks[key] + block if key in self.blocks else block
        names = tuple(dict.fromkeys(a.name for a in args if a.name))
        self.nodes.append(VNode(name, _reads(op, args, kind), kind, shape, names, sp.Matrix(len(local), 1, local),
                                sp.Matrix(len(value), 1, value)))
        self.namer.reserve(c.name for c in components(name, shape))
        return _Arg(name, shape, components(name, shape), value)

    def _fresh(self, shape: Shape) -> str:
        """A node name none of whose component names is taken."""
        while True:
            k = len(self.nodes) + 1
            base = f"{self.family}_{k}" if self.family else f"{self.namer.prefix('intermediate')}{k}"
            name = self.namer.fresh(base)
            if not any(c.name in self.namer.taken for c in components(name, shape)
                       if c.name != name):
                return name


def components(name: str, shape: Shape) -> list[sp.Expr]:
    """The component symbols of an intermediate: u1 (scalar), u1_1 … u1_n (vector, matrix row by row)."""
    if not shape:
        return [sp.Symbol(name, real=True)]
    return [sp.Symbol(f"{name}_{i}", real=True) for i in range(1, _numel(shape) + 1)]


def _program(statements: Sequence[Statement], declared: dict[str, Input], namer: Namer) -> VectorGraph:
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
        for used in sorted(s.name for s in defined[name].free_symbols):
            visit(used, path + (name,))
        order.append(name)

    visit(statements[0].name.name, ())
    unused = sorted(set(defined) - set(order))
    if unused:
        raise UsageError(f"defined but not used: {', '.join(unused)}")
    known: dict[str, Input] = dict(declared)
    inputs: dict[str, Input] = {}
    nodes: list[VNode] = []
    blocks: dict[tuple[str, str], sp.Matrix] = {}
    values: dict[sp.Basic, sp.Expr] = {}
    for name in order:
        body = defined[name]
        used = {s.name for s in body.free_symbols}
        part = _expression(body, {k: v for k, v in known.items() if k in used}, name, namer, family=name)
        inputs.update((i.name, i) for i in part.inputs if i.name not in defined)
        for n in part.nodes:
            node = VNode(n.name, n.text, n.kind, n.shape, n.args, n.local, n.value.xreplace(values))
            nodes.append(node)
            values.update(zip(components(node.name, node.shape), node.value, strict=False))
        blocks.update(part.blocks)
        known[name] = _Defined(name, nodes[-1].shape, tuple(components(name, nodes[-1].shape)))
    unknown = sorted(set(declared) - set(inputs))
    if unknown:
        raise UsageError(f"declared but not used: {', '.join(unknown)}")
    return VectorGraph(tuple(inputs.values()), tuple(nodes), order[-1], blocks)


@dataclass(frozen=True)
class _Defined(Input):
    """A name a program defines, standing as an input of its shape inside later definitions."""

    defined: bool = True


def _reads(op: type, args: list[_Arg], kind: str) -> str:
    names = [a.name if a.name else sp.sstr(a.value[0]) for a in args]
    if kind == "matrix product":
        return " ".join(names)
    if kind.startswith("Hadamard"):
        return " ⊙ ".join(names)
    if kind == "transpose":
        return f"{names[0]}ᵀ"
    if kind.startswith("reduction"):
        return f"{getattr(op, 'written', op.__name__)}({', '.join(names)})"
    if op is sp.Add:
        return " + ".join(names)
    if op is sp.Mul:
        if len(names) == 2 and names[0] == "-1":
            return "−" + names[1]
        return "*".join(names)
    if op is sp.Pow:
        return f"{names[0]}**{names[1]}"
    return f"{getattr(op, 'written', '') or op.__name__}({', '.join(names)})"
