"""Straight-line code for f and its whole gradient, from the graph: the forward sweep (one statement per
node) then the adjoint sweep (reverse mode) — both the one sweep, with flows that write statements.

The program's operation count stays within a small multiple of f's own (the cheap-gradient bound):
a node's value is reused wherever its local partial contains it (∂exp(a)/∂a is the node itself,
∂tanh(a)/∂a is 1 − u²), and a product of n factors becomes a chain of binary products first (about
3n operations in all, not n²). Every name in the code comes from the naming authority, which knows
the user's names and every name the target languages reserve, so no input is ever overwritten.
"""

from __future__ import annotations

import keyword
from collections.abc import Sequence

import sympy as sp
from sympy.printing.c import C99CodePrinter
from sympy.printing.pycode import PythonCodePrinter

from .errors import UsageError
from .model import Assignment, Graph, Node, StraightLine
from .naming import Namer
from .sweep import Carried, Edge, sweep

TARGETS = ("python", "numpy", "c")

_MATH_CONSTANTS = (  # <math.h> in GNU C, with their float and long double twins
    "M_E M_LOG2E M_LOG10E M_LN2 M_LN10 M_PI M_PI_2 M_PI_4 M_1_PI M_2_PI M_2_SQRTPI M_SQRT2 M_SQRT1_2").split()

RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(
    # the emitted code's own names, modules and helpers
    "math numpy value_and_grad in grad _sigmoid _relu _softplus _step _erf _gamma _lgamma "
    "sigmoid_ relu_ softplus_ step_ "
    # C keywords (C99, C23 and GNU C: gcc's default dialect) and what <math.h> and the C library declare
    # (a variable must not shadow them, nor be replaced by a macro)
    "auto break case char const continue default do double else enum extern float for goto if inline int long "
    "register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while "
    "_Bool _Complex _Imaginary bool true false NULL NAN INFINITY HUGE_VAL M_PI M_E errno "
    "alignas alignof constexpr nullptr static_assert thread_local typeof typeof_unqual asm "
    "linux unix i386 "  # GNU C's predefined macros: `const double linux` is `const double 1`
    "HUGE_VALF HUGE_VALL MAXFLOAT FP_NAN FP_INFINITE FP_ZERO FP_SUBNORMAL FP_NORMAL FP_ILOGB0 FP_ILOGBNAN "
    "FP_LLOGB0 FP_LLOGBNAN FP_INT_UPWARD FP_INT_DOWNWARD FP_INT_TOWARDZERO FP_INT_TONEARESTFROMZERO "
    "FP_INT_TONEAREST MATH_ERRNO MATH_ERREXCEPT math_errhandling float_t double_t fpclassify isfinite isnormal "
    "isgreater isgreaterequal isless islessequal islessgreater isunordered iszero issignaling issubnormal "
    "iscanonical iseqsig "
    "pow fabs fmax fmin sqrt cbrt exp exp2 expm1 log log1p log2 log10 sin cos tan asin acos atan atan2 sinh cosh "
    "tanh asinh acosh atanh erf erfc tgamma lgamma floor ceil round trunc fmod fma hypot copysign signbit isnan "
    "isinf abs labs exit main printf "
    # Python builtins the printed code calls
    "abs max min float int pow print".split()) | frozenset(m + s for m in _MATH_CONSTANTS for s in ("", "f", "l")) \
    | frozenset(C99CodePrinter.reserved_words) | frozenset(PythonCodePrinter.reserved_words)  # see below
"""names the emitted code cannot give a variable: a user's variable called so is renamed. The code
printers' own reserved words are among them: a printer renames those as it prints (C's `entry` became
`entry_` in every use but not in its declaration), so here they never reach it."""


def reserved(name: str) -> bool:
    """A name the emitted code cannot give a variable: one of RESERVED, or one of C's names for the
    implementation, an underscore and a capital (_Bool, _Generic, _Float64, _LP64: keywords and
    macros). A variable so called gets a trailing underscore, which no implementation's name has."""
    return name in RESERVED or (name[:1] == "_" and (name[1:2].isupper() or name[1:2] == "_"))


class _Values:
    """Forward: one statement per node, its operation on its arguments' names."""

    def __init__(self, names: dict[sp.Symbol, sp.Symbol], out: list[Assignment]) -> None:
        self.names, self.out = names, out

    def term(self, edge: Edge, source: sp.Expr) -> sp.Expr:
        return source

    def combine(self, target: sp.Symbol, node: Node | None, carried: Sequence[Carried[sp.Expr]]) -> sp.Expr:
        assert node is not None
        name = self.names[target]
        if node.body is not None:  # a program's definition: its right-hand side over its arguments
            self.out.append(Assignment(name, node.body.xreplace(self.names)))
        else:
            args = tuple(a.xreplace(self.names) for a in node.args)
            self.out.append(Assignment(name, node.op(*args, evaluate=False)))
        return name

    def live(self, total: sp.Expr) -> bool:
        return True


class _Adjoints:
    """Backward: each target's adjoint as one statement, the sum over its consumers of upstream × local."""

    def __init__(self, names: dict[sp.Symbol, sp.Symbol], adjoint: dict[sp.Symbol, sp.Symbol],
                 out: list[Assignment]) -> None:
        self.names, self.adjoint, self.out = names, adjoint, out

    def term(self, edge: Edge, source: sp.Expr) -> sp.Expr:
        node = edge.consumer
        own = _own_value(node)
        local = edge.partial.local
        if own is not None:
            local = local.xreplace({own: node.symbol})
        local = local.xreplace(self.names)
        if local == 1:
            return source
        if local == -1:
            return -source
        return sp.Mul(source, local, evaluate=False)

    def combine(self, target: sp.Symbol, node: Node | None, carried: Sequence[Carried[sp.Expr]]) -> sp.Expr:
        terms = [c.term for c in carried if c.term != 0]
        if not terms:
            return sp.Integer(0)
        name = self.adjoint[target]
        self.out.append(Assignment(name, terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False)))
        return name

    def live(self, total: sp.Expr) -> bool:
        return bool(total != 0)


def gradient_program(graph: Graph) -> StraightLine:
    """f and ∂f/∂v for every variable v (sorted by name) as one straight-line program."""
    namer = Namer([v.name for v in graph.variables])
    namer.reserve(RESERVED)
    names: dict[sp.Symbol, sp.Symbol] = {}
    for v in sorted(graph.variables, key=lambda s: s.name):
        names[v] = v if not reserved(v.name) else sp.Symbol(namer.fresh(v.name + "_"), real=True)
    binary = _binary_products(graph, namer)
    for n in binary.nodes:
        names[n.symbol] = sp.Symbol(namer.fresh(n.name), real=True)
    adjoint = {s: sp.Symbol(namer.fresh("g_" + names[s].name), real=True) for s in [*binary.index, *binary.variables]}
    forward: list[Assignment] = []
    sweep(binary, _Values(names, forward), {v: names[v] for v in binary.variables})
    backward: list[Assignment] = []
    output = binary.output
    seeds: dict[sp.Symbol, sp.Expr] = {}
    if isinstance(output, sp.Symbol) and output in binary.index:
        backward.append(Assignment(adjoint[output], sp.Integer(1)))
        seeds[output] = adjoint[output]
    visits = sweep(binary, _Adjoints(names, adjoint, backward), seeds, backward=True)
    reached = {v.target: v.total for v in visits if v.total is not None and v.total != 0}
    inputs = tuple(sorted(graph.variables, key=lambda s: s.name))
    gradient = tuple(reached.get(v, sp.Integer(1) if v == output else sp.Integer(0)) for v in inputs)
    value = names.get(output, output) if isinstance(output, sp.Symbol) else output
    return StraightLine(tuple(names[v] for v in inputs), tuple(v.name for v in inputs), tuple(forward),
                        tuple(backward), value, gradient)


def _binary_products(graph: Graph, namer: Namer) -> Graph:
    """The same graph with every product of n > 2 factors written as a chain of n − 1 binary
    products (running products named by the naming authority), so that the backward sweep costs two
    multiplications per factor instead of n."""
    nodes: list[Node] = []
    for node in graph.nodes:
        if node.body is not None or node.op is not sp.Mul or len(node.args) <= 2:
            nodes.append(node)
            continue
        constant = sp.Mul(*(a for a in node.args if not isinstance(a, sp.Symbol)))
        factors = [a for a in node.args if isinstance(a, sp.Symbol)]
        factors = ([constant] if constant != 1 else []) + factors  # every running product holds a variable
        if len(factors) <= 2:
            nodes.append(Node(node.symbol, sp.Mul, tuple(factors), node.expr, node.depth))
            continue
        running: sp.Expr = factors[0]
        for k, a in enumerate(factors[1:-1], start=1):
            part = sp.Symbol(namer.fresh(f"{node.name}_p{k}"), real=True)
            nodes.append(Node(part, sp.Mul, (running, a), sp.Mul(running, a, evaluate=False), node.depth))
            running = part
        nodes.append(Node(node.symbol, sp.Mul, (running, factors[-1]), node.expr, node.depth))
    return Graph(graph.source, graph.variables, tuple(nodes), graph.output, graph.generic)


def _own_value(node: Node) -> sp.Expr | None:
    """The node's operation as SymPy evaluates it, to find inside its own partials (exp, tanh, σ)."""
    if node.body is not None:
        return None
    try:
        return node.op(*node.args)
    except (TypeError, ValueError):
        return None


def operations(statements: Sequence[Assignment]) -> int:
    """Arithmetic operations and function calls on the right-hand sides (SymPy's count_ops)."""
    return sum(int(sp.count_ops(s.expr)) for s in statements)


def emit(program: StraightLine, target: str, source: str = "") -> str:
    """The program as code: `value_and_grad(*args) -> (f, [∂f/∂v ...])` (Python, NumPy), or
    `double value_and_grad(const double *in, double *grad)` (C); inputs in sorted name order."""
    from .codegen import write

    if target not in TARGETS:
        raise UsageError(f"«target» must be one of {', '.join(TARGETS)}, not {target!r}", param="target")
    return write(program, target, source)
