"""Straight-line code for f and its whole gradient, from the graph: the forward sweep (one statement per
node) then the adjoint sweep (reverse mode), printed as Python, NumPy or C.

The program's operation count stays within a small multiple of f's own (the cheap-gradient bound):
a node's value is reused wherever its local partial contains it (∂exp(a)/∂a is the node itself,
∂tanh(a)/∂a is 1 − u²), and a product of n factors is computed as a chain of running products whose
partials come from prefix and suffix products (about 3n operations, not n²).
"""

from __future__ import annotations

import keyword
from dataclasses import replace
from collections.abc import Callable

import sympy as sp
from sympy.printing.c import C99CodePrinter
from sympy.printing.codeprinter import PrintMethodNotImplementedError
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.pycode import PythonCodePrinter

from .errors import UsageError
from .functions import relu, sigmoid, softplus
from .model import Assignment, Graph, StraightLine
from .rules import partials
from .walk import rebuild

TARGETS = ("python", "numpy", "c")
LIBRARIES = {"python": "Python's math module", "numpy": "NumPy", "c": "C's math.h"}

C_RESERVED = frozenset(
    "auto break case char const continue default do double else enum extern float for goto if inline int "
    "long register restrict return short signed sizeof static struct switch typedef union unsigned void "
    "volatile while in grad".split())
"""C keywords, and the two parameter names of the emitted C function"""


def gradient_program(graph: Graph) -> StraightLine:
    """f and ∂f/∂v for every variable v (sorted by name) as one straight-line program."""
    inputs = tuple(sorted(graph.variables, key=lambda v: v.name))
    taken = {v.name for v in graph.variables} | {n.name for n in graph.nodes}
    safe = {s: sp.Symbol(_identifier(s.name, taken), real=True) for s in [*graph.variables, *graph.index]}
    adjoint_prefix = next(p for p in ("g_", "grad_", "adj_", "bar_") if not any(n.startswith(p) for n in taken))

    def bar(s: sp.Symbol) -> sp.Symbol:
        return sp.Symbol(adjoint_prefix + safe[s].name, real=True)

    forward: list[Assignment] = []
    prefixes: dict[sp.Symbol, list[sp.Expr]] = {}
    for node in graph.nodes:
        args = tuple(a.xreplace(safe) for a in node.args)
        target = safe[node.symbol]
        if node.body is None and node.op is sp.Mul and len(args) > 2:
            chain: list[sp.Expr] = [args[0]]
            for k, a in enumerate(args[1:-1], start=1):
                running = sp.Symbol(f"{target.name}_p{k}", real=True)
                forward.append(Assignment(running, sp.Mul(chain[-1], a, evaluate=False)))
                chain.append(running)
            forward.append(Assignment(target, sp.Mul(chain[-1], args[-1], evaluate=False)))
            prefixes[node.symbol] = chain
        elif node.body is not None:  # a program's definition: its right-hand side over its arguments
            forward.append(Assignment(target, node.body.xreplace(safe)))
        else:
            forward.append(Assignment(target, node.op(*args, evaluate=False)))

    backward: list[Assignment] = []
    seen: set[sp.Symbol] = set()

    def add(arg: sp.Symbol, contribution: sp.Expr) -> None:
        g = bar(arg)
        backward.append(Assignment(g, contribution if arg not in seen else sp.Add(g, contribution, evaluate=False)))
        seen.add(arg)

    output = graph.output
    if isinstance(output, sp.Symbol) and output in graph.index:
        backward.append(Assignment(bar(output), sp.Integer(1)))
        seen.add(output)
    for node in reversed(graph.nodes):
        if node.symbol not in seen:
            continue
        upstream = bar(node.symbol)
        if node.symbol in prefixes:
            _product_adjoints(node.args, prefixes[node.symbol], upstream, safe, add, backward, node.symbol)
            continue
        own = _own_value(node)
        for p in partials(node):
            local = p.local.xreplace({own: node.symbol} if own is not None else {}).xreplace(safe)
            if local == 0:
                continue
            add(p.arg, upstream if local == 1 else -upstream if local == -1 else sp.Mul(upstream, local, evaluate=False))
    gradient = tuple(bar(v) if v in seen else sp.Integer(0) if v != output else sp.Integer(1) for v in inputs)
    value = output.xreplace(safe) if isinstance(output, sp.Symbol) else output
    return StraightLine(tuple(safe[v] for v in inputs), tuple(forward), tuple(backward), value, gradient)


def _own_value(node: object) -> sp.Expr | None:
    """The node's operation as SymPy evaluates it, to find inside its own partials (exp, tanh, σ)."""
    if node.body is not None:  # type: ignore[attr-defined]
        return None
    try:
        return node.op(*node.args)  # type: ignore[attr-defined,no-any-return]
    except (TypeError, ValueError):
        return None


def _product_adjoints(args: tuple[sp.Expr, ...], chain: list[sp.Expr], upstream: sp.Symbol,
                      safe: dict[sp.Symbol, sp.Symbol], add: Callable[[sp.Symbol, sp.Expr], None],
                      backward: list[Assignment], node: sp.Symbol) -> None:
    """∂(a₁⋯aₙ)/∂aᵢ · ū = (a₁⋯aᵢ₋₁) · (ū · aᵢ₊₁⋯aₙ): the suffix runs from the right with ū folded in."""
    suffix: sp.Expr = upstream
    for i in range(len(args) - 1, -1, -1):
        a = args[i]
        if isinstance(a, sp.Symbol):
            add(a, suffix if i == 0 else sp.Mul(chain[i - 1], suffix, evaluate=False))
        if i > 0 and any(isinstance(b, sp.Symbol) for b in args[:i]):
            running = sp.Symbol(f"{safe[node].name}_s{i}", real=True)
            backward.append(Assignment(running, sp.Mul(suffix, a.xreplace(safe), evaluate=False)))
            suffix = running


def _identifier(name: str, taken: set[str]) -> str:
    """A name valid in Python and C: keywords get a trailing underscore."""
    out = name if name.isidentifier() else "v_" + "".join(c if c.isalnum() else "_" for c in name)
    while keyword.iskeyword(out) or out in C_RESERVED or (out != name and out in taken):
        out += "_"
    return out


# --- operation counts ---------------------------------------------------------------------------

def operations(statements: tuple[Assignment, ...]) -> int:
    """Arithmetic operations and function calls on the right-hand sides (SymPy's count_ops)."""
    return sum(int(sp.count_ops(s.expr)) for s in statements)


# --- printing -----------------------------------------------------------------------------------

class _Helpers:
    """Prints chainsym's functions and steps as calls to the helpers the emitted code defines
    (the names differ by target: a C helper cannot start with an underscore by convention)."""

    names: dict[str, str] = {}

    def _call(self, helper: str, args: tuple[sp.Basic, ...]) -> str:
        return f"{self.names[helper]}({', '.join(self._print(a) for a in args)})"  # type: ignore[attr-defined]

    def _print_sigmoid(self, e: sp.Basic) -> str:
        return self._call("sigmoid", e.args)

    def _print_relu(self, e: sp.Basic) -> str:
        return self._call("relu", e.args)

    def _print_softplus(self, e: sp.Basic) -> str:
        return self._call("softplus", e.args)

    def _print_Heaviside(self, e: sp.Basic) -> str:
        return self._call("step", (e.args[0], e.args[1] if len(e.args) > 1 else sp.S.Half))

    def _print_DiracDelta(self, e: sp.Basic) -> str:
        return "0.0"  # zero wherever it is defined (the derivative of a step off its kink)


PYTHON_NAMES = {"sigmoid": "_sigmoid", "relu": "_relu", "softplus": "_softplus", "step": "_step"}


class _Python(_Helpers, PythonCodePrinter):
    names = PYTHON_NAMES

    def _print_Pow(self, expr: sp.Basic, rational: bool = False) -> str:
        """A non-integer power as math.pow: Python's ** turns (-0.5)**0.5 into a complex number,
        which the real-valued code must refuse (ValueError), as C's pow does (NaN)."""
        base, exponent = expr.args
        if exponent.is_Integer or exponent in (sp.S.Half, -sp.S.Half):
            return super()._print_Pow(expr, rational)  # type: ignore[no-any-return]
        return f"math.pow({self._print(base)}, {self._print(exponent)})"


class _NumPy(_Helpers, NumPyPrinter):
    names = PYTHON_NAMES


class _C(_Helpers, C99CodePrinter):
    names = {"sigmoid": "sigmoid_", "relu": "relu_", "softplus": "softplus_", "step": "step_"}


PY_HELPERS = {
    sigmoid: "def _sigmoid(z):\n    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))\n",
    relu: "def _relu(z):\n    return z if z > 0 else 0.0\n",
    softplus: "def _softplus(z):\n    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))\n",
    sp.Heaviside: "def _step(z, at_zero):\n    return 1.0 if z > 0 else 0.0 if z < 0 else at_zero\n",
}
NP_HELPERS = {
    sigmoid: "def _sigmoid(z):\n    return 0.5 * (1.0 + numpy.tanh(0.5 * z))\n",
    relu: "def _relu(z):\n    return numpy.maximum(z, 0.0)\n",
    softplus: "def _softplus(z):\n    return numpy.logaddexp(0.0, z)\n",
    sp.Heaviside: "def _step(z, at_zero):\n    return numpy.where(z > 0, 1.0, numpy.where(z < 0, 0.0, at_zero))\n",
}
C_HELPERS = {
    sigmoid: "static double sigmoid_(double z) { return 1.0 / (1.0 + exp(-z)); }\n",
    relu: "static double relu_(double z) { return z > 0 ? z : 0.0; }\n",
    softplus: "static double softplus_(double z) { return fmax(z, 0.0) + log1p(exp(-fabs(z))); }\n",
    sp.Heaviside: "static double step_(double z, double at_zero) { return z > 0 ? 1.0 : z < 0 ? 0.0 : at_zero; }\n",
}


def emit(program: StraightLine, target: str, source: str = "") -> str:
    """The program as code: `value_and_grad(*args) -> (f, [∂f/∂v ...])` (Python, NumPy), or
    `double value_and_grad(const double *in, double *grad)` (C); inputs in sorted name order."""
    if target not in TARGETS:
        raise UsageError(f"--emit must be one of {', '.join(TARGETS)}, not {target!r}")
    try:
        return _emit(program, target, source)
    except PrintMethodNotImplementedError as exc:
        function = str(exc).split(": ", 1)[-1].split("\n")[0]
        raise UsageError(f"--emit {target}: {LIBRARIES[target]} has no function for {function}, "
                         "which the gradient needs") from None


def _constants_as_floats(program: StraightLine) -> StraightLine:
    """Constant subexpressions (coth(sin(2)), pi/3) as double-precision numbers: the code computes
    in floating point anyway, and SymPy's exact forms of some constants pass through complex numbers."""
    def floats(expr: sp.Expr) -> sp.Expr:
        def change(node: sp.Basic, args: tuple[sp.Basic, ...]) -> sp.Basic:
            if not node.free_symbols and not node.is_Number and not isinstance(node, sp.Rational):
                value = sp.N(node, 17)
                if not value.is_finite or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
                    raise UsageError(f"the gradient needs the constant {sp.sstr(node)[:40]}, which is not finite")
                if value.is_real is False and abs(sp.im(value)) > 1e-15 * max(1, abs(sp.re(value))):
                    raise UsageError(f"the gradient needs the constant {sp.sstr(node)[:40]}, which is not real")
                return sp.Float(sp.re(value), 17)
            return node if args == node.args else node.func(*args, evaluate=False)
        return rebuild(expr, change)  # type: ignore[return-value]

    return replace(program,
                   forward=tuple(Assignment(a.target, floats(a.expr)) for a in program.forward),
                   backward=tuple(Assignment(a.target, floats(a.expr)) for a in program.backward),
                   value=floats(program.value), gradient=tuple(floats(g) for g in program.gradient))


def _emit(program: StraightLine, target: str, source: str) -> str:
    program = _constants_as_floats(program)
    statements = program.forward + program.backward
    printed = [*(s.expr for s in statements), program.value, *program.gradient]
    used = {type(f) for e in printed for f in e.atoms(sp.Function)}
    names = ", ".join(v.name for v in program.inputs)
    f_ops, all_ops = operations(program.forward), operations(statements)
    ratio = f"{all_ops / f_ops:.2f}x" if f_ops else "n/a"
    header = (f"value and gradient of f = {source}" if source else "value and gradient of f",
              f"inputs, in sorted name order: {names or '(none)'}",
              f"operations: f {f_ops}, f and its gradient {all_ops} ({ratio}); generated by chainsym (reverse mode)")
    if target == "c":
        return _emit_c(program, used, header)
    printer = _NumPy({"strict": True}) if target == "numpy" else _Python({"strict": True})
    helpers = NP_HELPERS if target == "numpy" else PY_HELPERS
    module = "numpy" if target == "numpy" else "math"
    lines = [*(f"# {h}" for h in header), f"import {module}", ""]
    lines += [helpers[k] for k in (sigmoid, relu, softplus, sp.Heaviside) if k in used]
    gradient = ", ".join(printer.doprint(g) for g in program.gradient)
    lines.append(f"def value_and_grad({names}):")
    lines += [f"    {s.target.name} = {printer.doprint(s.expr)}" for s in statements]
    lines.append(f"    return {printer.doprint(program.value)}, [{gradient}]")
    return "\n".join(lines) + "\n"


def _emit_c(program: StraightLine, used: set[type], header: tuple[str, ...]) -> str:
    printer = _C({"strict": True})
    lines = [*(f"/* {h} */" for h in header), "#include <math.h>", ""]
    lines += [C_HELPERS[k] for k in (sigmoid, relu, softplus, sp.Heaviside) if k in used]
    lines.append("double value_and_grad(const double *in, double *grad)\n{")
    lines += [f"    const double {v.name} = in[{i}];" for i, v in enumerate(program.inputs)]
    lines += [f"    double {s.target.name};" for s in _first_assignments(program.forward + program.backward)]
    lines += [f"    {s.target.name} = {printer.doprint(s.expr)};" for s in program.forward + program.backward]
    lines += [f"    grad[{i}] = {printer.doprint(g)};" for i, g in enumerate(program.gradient)]
    lines.append(f"    return {printer.doprint(program.value)};\n}}")
    return "\n".join(lines) + "\n"


def _first_assignments(statements: tuple[Assignment, ...]) -> list[Assignment]:
    seen: set[sp.Symbol] = set()
    out = []
    for s in statements:
        if s.target not in seen:
            seen.add(s.target)
            out.append(s)
    return out
