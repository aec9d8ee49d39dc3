"""A straight-line program printed as Python, NumPy or C, with SymPy's code printers and the small
helpers the code needs (sigmoid, relu, softplus, steps).

The code computes what the exact semantics give wherever they are defined: constants become
doubles (SymPy's exact forms of some pass through complex numbers), a non-integer power of a
negative base is a domain error (not Python's complex result), and atan2 never sees a negative
zero (−0.0 would flip its branch cut: exact −0 is 0). User text reaches the code only as a
comment, with every character that could end the comment or start a line made harmless.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp
from sympy.printing.c import C99CodePrinter
from sympy.printing.codeprinter import PrintMethodNotImplementedError
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.pycode import PythonCodePrinter

from .emit import operations
from .errors import UsageError
from .functions import relu, sigmoid, softplus
from .model import Assignment, StraightLine
from .walk import postorder, rebuild

LIBRARIES = {"python": "Python's math module", "numpy": "NumPy", "c": "C's math.h"}


class _Helpers:
    """chainsym's functions and steps printed as calls to helpers the emitted code defines."""

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
        return "0.0"  # zero wherever it is defined (the derivative of a step off its jump)

    def _print_atan2(self, e: sp.Basic) -> str:
        """atan2(y + 0.0, x): a negative zero y (from −0.0 = −1·0.0) turned positive, as exact −0 = 0."""
        y, x = e.args
        return f"{self._atan2_name}({self._print(y)} + 0.0, {self._print(x)})"  # type: ignore[attr-defined]

    _atan2_name = "math.atan2"


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
    _atan2_name = "numpy.arctan2"

    def _print_Max(self, e: sp.Basic) -> str:
        return self._fold("numpy.maximum", e.args)

    def _print_Min(self, e: sp.Basic) -> str:
        return self._fold("numpy.minimum", e.args)

    def _fold(self, fn: str, args: tuple[sp.Basic, ...]) -> str:
        text = str(self._print(args[0]))
        for a in args[1:]:
            text = f"{fn}({text}, {self._print(a)})"
        return text

    def _print_erf(self, e: sp.Basic) -> str:
        return f"_erf({self._print(e.args[0])})"

    def _print_gamma(self, e: sp.Basic) -> str:
        return f"_gamma({self._print(e.args[0])})"

    def _print_loggamma(self, e: sp.Basic) -> str:
        return f"_lgamma({self._print(e.args[0])})"


class _C(_Helpers, C99CodePrinter):
    names = {"sigmoid": "sigmoid_", "relu": "relu_", "softplus": "softplus_", "step": "step_"}
    _atan2_name = "atan2"


PY_HELPERS = {
    sigmoid: "def _sigmoid(z):\n"
             "    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))\n",
    relu: "def _relu(z):\n    return z if z > 0 else 0.0\n",
    softplus: "def _softplus(z):\n    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))\n",
    sp.Heaviside: "def _step(z, at_zero):\n    return 1.0 if z > 0 else 0.0 if z < 0 else at_zero\n",
}
NP_HELPERS = {
    sigmoid: "def _sigmoid(z):\n    return 0.5 * (1.0 + numpy.tanh(0.5 * z))\n",
    relu: "def _relu(z):\n    return numpy.maximum(z, 0.0)\n",
    softplus: "def _softplus(z):\n    return numpy.logaddexp(0.0, z)\n",
    sp.Heaviside: "def _step(z, at_zero):\n    return numpy.where(z > 0, 1.0, numpy.where(z < 0, 0.0, at_zero))\n",
    sp.erf: "_erf = numpy.vectorize(math.erf, otypes=[float])\n",
    sp.gamma: "_gamma = numpy.vectorize(math.gamma, otypes=[float])\n",
    sp.loggamma: "_lgamma = numpy.vectorize(math.lgamma, otypes=[float])\n",
}
C_HELPERS = {
    sigmoid: "static double sigmoid_(double z) { return 1.0 / (1.0 + exp(-z)); }\n",
    relu: "static double relu_(double z) { return z > 0 ? z : 0.0; }\n",
    softplus: "static double softplus_(double z) { return fmax(z, 0.0) + log1p(exp(-fabs(z))); }\n",
    sp.Heaviside: "static double step_(double z, double at_zero) { return z > 0 ? 1.0 : z < 0 ? 0.0 : at_zero; }\n",
}
NUMPY_NEEDS_MATH = (sp.erf, sp.gamma, sp.loggamma)


def comment_text(text: str, limit: int = 200) -> str:
    """User text made safe inside a one-line comment of any target: control characters (newline,
    carriage return, form feed, the Unicode line separators) become spaces, and C's comment end
    cannot appear."""
    safe = "".join(c if c.isprintable() else " " for c in text).replace("*/", "* /").replace("/*", "/ *")
    return safe if len(safe) <= limit else safe[:limit - 1] + "…"


def write(program: StraightLine, target: str, source: str) -> str:
    try:
        return _write(_constants_as_floats(program), target, source)
    except PrintMethodNotImplementedError as exc:
        function = str(exc).split(": ", 1)[-1].split("\n")[0]
        raise UsageError(f"«target=»{target}: {LIBRARIES[target]} has no function for {function}, "
                         "which the gradient needs", param="target") from None


def _constants_as_floats(program: StraightLine) -> StraightLine:
    """Constant subexpressions (coth(sin(2)), pi/3) as double-precision numbers."""
    def floats(expr: sp.Expr) -> sp.Expr:
        def change(node: sp.Basic, args: tuple[sp.Basic, ...]) -> sp.Basic:
            if not node.free_symbols and not node.is_Number:
                value = sp.N(node, 17)
                if not value.is_finite or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
                    raise UsageError(f"the gradient needs the constant {sp.sstr(node)[:40]}, which is not finite")
                if value.is_real is False and abs(sp.im(value)) > 1e-15 * max(1, abs(sp.re(value))):
                    raise UsageError(f"the gradient needs the constant {sp.sstr(node)[:40]}, which is not real")
                return sp.Float(sp.re(value), 17)
            return node if args == node.args else node.func(*args, evaluate=False)
        return rebuild(expr, change)

    return replace(program,
                   forward=tuple(Assignment(a.target, floats(a.expr)) for a in program.forward),
                   backward=tuple(Assignment(a.target, floats(a.expr)) for a in program.backward),
                   value=floats(program.value), gradient=tuple(floats(g) for g in program.gradient))


def _header(program: StraightLine, source: str) -> tuple[str, ...]:
    shown = [n if s.name == n else f"{n} (as {s.name})" for s, n in zip(program.inputs, program.names, strict=False)]
    statements = program.forward + program.backward
    f_ops, all_ops = operations(program.forward), operations(statements)
    ratio = f"{all_ops / f_ops:.2f}x" if f_ops else "n/a"
    return (f"value and gradient of f = {comment_text(source)}" if source else "value and gradient of f",
            f"inputs, in sorted name order: {', '.join(shown) or '(none)'}",
            f"operations: f {f_ops}, f and its gradient {all_ops} ({ratio}); generated by chainsym (reverse mode)")


def _write(program: StraightLine, target: str, source: str) -> str:
    statements = program.forward + program.backward
    printed = [*(s.expr for s in statements), program.value, *program.gradient]
    used = {type(f) for e in printed for f in postorder(e) if isinstance(f, sp.Function)}
    header = _header(program, source)
    names = ", ".join(v.name for v in program.inputs)
    if target == "c":
        return _write_c(program, used, header)
    printer = _NumPy({"strict": True}) if target == "numpy" else _Python({"strict": True})
    helpers = NP_HELPERS if target == "numpy" else PY_HELPERS
    modules = ["numpy"] if target == "numpy" else ["math"]
    if target == "numpy" and any(k in used for k in NUMPY_NEEDS_MATH):
        modules.insert(0, "math")
    body = [f"    {s.target.name} = {printer.doprint(s.expr)}" for s in statements]
    gradient = ", ".join(printer.doprint(g) for g in program.gradient)
    lines = [*(f"# {h}" for h in header), *(f"import {m}" for m in modules), ""]
    lines += [helpers[k] for k in helpers if k in used]
    lines.append(f"def value_and_grad({names}):")
    lines += body
    lines.append(f"    return {printer.doprint(program.value)}, [{gradient}]")
    return "\n".join(lines) + "\n"


def _write_c(program: StraightLine, used: set[type], header: tuple[str, ...]) -> str:
    printer = _C({"strict": True})
    statements = program.forward + program.backward
    lines = [*(f"/* {h} */" for h in header), "#include <math.h>", ""]
    lines += [C_HELPERS[k] for k in C_HELPERS if k in used]
    lines.append("double value_and_grad(const double *in, double *grad)\n{")
    lines += [f"    const double {v.name} = in[{i}];" for i, v in enumerate(program.inputs)]
    declared = list(dict.fromkeys(s.target.name for s in statements))
    lines += [f"    double {name};" for name in declared]
    lines += [f"    {s.target.name} = {printer.doprint(s.expr)};" for s in statements]
    lines += [f"    grad[{i}] = {printer.doprint(g)};" for i, g in enumerate(program.gradient)]
    lines.append(f"    return {printer.doprint(program.value)};\n}}")
    return "\n".join(lines) + "\n"
