"""Spelling shared by the renderers: expressions in SymPy string syntax, factors, verdicts."""

from __future__ import annotations

import re

import sympy as sp
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

from ..model import ForwardStep, Node, PointValue, Verification
from ..naming import partial, total
from ..oracle import DIRECTIONS
from ..results import Derivation
from ..walk import dag_size, tree_size

PRINT_LIMIT = 20_000
"""largest expression tree printed whole; SymPy's printer walks the tree, exponential on sharing"""


class _Printer(StrPrinter):
    """SymPy's string syntax, but Euler's number is e, as chainsym reads it (SymPy prints E)."""

    def _print_Exp1(self, expr: sp.Basic) -> str:
        return "e"

    def _print_Integer(self, expr: sp.Integer) -> str:
        """Written whole unless Python would refuse (4,300 digits and more): then by its size."""
        return str(expr.p) if abs(int(expr.p)).bit_length() < TOO_LONG_BITS else _long_integer(int(expr.p))

    def _print_Rational(self, expr: sp.Rational) -> str:
        if max(abs(int(expr.p)).bit_length(), int(expr.q).bit_length()) < TOO_LONG_BITS:
            return str(super()._print_Rational(expr))
        return f"{self._print(sp.Integer(expr.p))}/{self._print(sp.Integer(expr.q))}"


TOO_LONG_BITS = 14_000
"""about 4,200 digits: Python refuses to write an int of more than 4,300"""


def sstr(expr: sp.Basic, **settings: object) -> str:
    return str(_Printer(settings).doprint(expr))


def show(expr: sp.Basic) -> str:
    """SymPy string syntax; integers too long to print whole and huge trees are shown by size."""
    if isinstance(expr, sp.Integer) and abs(int(expr.p)).bit_length() > 200:
        return _long_integer(int(expr.p))
    size = tree_size(expr, PRINT_LIMIT)
    if size > PRINT_LIMIT:
        return (f"<expression of more than {PRINT_LIMIT} tree nodes ({dag_size(expr, 10**9)} distinct operations): "
                "too large to print>")
    try:
        return sstr(expr)
    except ValueError:  # an integer past Python's digit limit for str()
        return "<expression with an integer too long to print>"
    except RecursionError:  # SymPy's printer recurses: a chain nested hundreds deep
        return f"<expression nested too deeply to print whole ({dag_size(expr, 10**9)} distinct operations)>"


def show_local(expr: sp.Basic) -> str:
    """A node's operation with its arguments in the order written (x + u1, not u1 + x)."""
    return sstr(expr, order="none")


OPERATIONS: dict[type, str] = {
    sp.Add: "sum", sp.Mul: "product", sp.Pow: "power", sp.Abs: "absolute value", sp.Max: "max", sp.Min: "min",
    sp.Heaviside: "unit step", sp.DiracDelta: "Dirac delta", sp.factorial: "factorial", sp.exp: "exp",
    sp.log: "log",
}
"""an operation's mathematical name; a function not listed is called by its own name (sin, sigmoid)"""

_SPECIAL_POWERS: dict[sp.Expr, str] = {
    sp.Integer(-1): "reciprocal", sp.Integer(2): "square", sp.Rational(1, 2): "square root",
    sp.Rational(-1, 2): "reciprocal square root", sp.Rational(1, 3): "cube root",
}
"""powers people name: x⁻¹ is a reciprocal, x² a square"""


def operation(node: Node) -> str:
    """A node's operation as mathematics names it: negation, product, square, sin (not Mul, Pow)."""
    if node.body is not None:
        return "definition"
    args = node.args
    if node.op is sp.Mul and len(args) == 2 and sp.Integer(-1) in args:
        return "negation"
    if node.op is sp.Pow and args[1].is_Number:
        return _SPECIAL_POWERS.get(args[1], "power")
    if node.op is sp.Pow and args[0].is_Number:
        return "exponential"
    return OPERATIONS.get(node.op, node.op.__name__)


def factor(expr: sp.Basic) -> str:
    """expr as a factor of a product: bracketed unless it is a symbol or a plain number."""
    text = show(expr)
    if isinstance(expr, sp.Symbol) or (expr.is_Number and not text.startswith("-") and "/" not in text):
        return text
    if isinstance(expr, sp.Function) and not text.startswith("-"):
        return text
    return f"({text})"


def _long_integer(value: int) -> str:
    digits = int(value.bit_length() * 0.30103) + 1
    sign = "-" if value < 0 else ""
    return f"{sign}<integer of about {digits} digits>"


def rule(step: ForwardStep, wrt: str) -> str:
    """The total-derivative rule for one node in names: ∂u2/∂x + ∂u2/∂u1 · du1/dx."""
    parts = []
    for term in step.terms:
        p = partial(step.node.name, term.partial.arg.name)
        parts.append(p if term.partial.arg.name == wrt else f"{p} · {total(term.partial.arg.name, wrt)}")
    return " + ".join(parts)


def products(step: ForwardStep, wrt: str) -> str:
    """The same with values: each local partial times the argument's derivative."""
    parts = []
    for term in step.terms:
        if term.partial.arg.name == wrt:
            parts.append(show(term.partial.local))
        else:
            parts.append(f"{factor(term.partial.local)}·{factor(term.derivative)}")
    return " + ".join(parts)


def verdict(v: Verification | None, wrt: str, f: str = "f") -> str:
    """One line: what was checked, against which oracle, how, and the outcome."""
    if v is None:
        return "not verified (verification was turned off)"
    against = f"sympy.diff({f}, {wrt})" if v.oracle == "sympy.diff" else v.oracle
    if v.status == "mismatch":
        return f"MISMATCH with {against}: {v.detail}"
    if v.status == "skipped":
        return f"not verified: {v.detail}"
    if v.method in ("identical", "expand"):
        return f"verified: equal to {against} ({v.detail})"
    notes = "; ".join(n for n in (v.tolerance, f"seed {v.seed}" if v.seed is not None else "") if n)
    return f"verified: equal to {against} {v.detail}" + (f" ({notes})" if notes else "")


def verification_for(d: Derivation, index: int) -> Verification | None:
    return d.verifications[index] if d.verifications else None


def verdicts(d: Derivation) -> tuple[str, ...]:
    """A verdict line per result, or one line when a single check covered every component (slopes
    along random directions test the whole gradient at once: 21 equal lines said nothing more)."""
    checks = [verification_for(d, i) for i in range(len(d.wrt))]
    first = checks[0] if checks else None
    if len(checks) > 1 and first is not None and first.oracle == DIRECTIONS and all(c == first for c in checks):
        return (verdict(first, "", d.output_name),)
    return tuple(verdict(c, x.name, d.output_name) for c, x in zip(checks, d.wrt, strict=True))


def result_name(d: Derivation, i: int) -> str:
    """df/dx for a function of one variable, ∂f/∂x for several."""
    f, x = d.output_name, d.wrt[i].name
    return f"d{f}/d{x}" if len(d.graph.variables) <= 1 else f"∂{f}/∂{x}"


def generic(d: Derivation) -> str:
    """The letter for any node in a printed rule: the intermediates' prefix, never a user's name."""
    return d.graph.generic


def consumer(d: Derivation) -> str:
    """The letter for a consumer in backpropagation's rule: c, unless the user has a c."""
    taken = {v.name for v in d.graph.variables} | {generic(d), d.output_name}
    return next(letter for letter in ("c", "k", "q", "p", "consumer") if letter not in taken)


def adjoint_name(d: Derivation, target: str) -> str:
    """The adjoint of a node or variable: df/du, the total derivative of f through every path
    from u (written d, not ∂, so it never reads like the local partial ∂c/∂u)."""
    return total(d.output_name, target)


LONG_EXACT = 40
"""exact values longer than this are shown by their decimal reading alone (JSON keeps both)"""


def _exact(v: PointValue) -> str | None:
    """The exact value as printed, or None when it is too long to show: a tree of more than
    LONG_EXACT nodes prints longer, so it is not printed at all (SymPy's printer orders the terms
    of a constant sum by evaluating them, which costs seconds on a deep network's values)."""
    if tree_size(v.exact, LONG_EXACT) > LONG_EXACT:
        return None
    exact = show(v.exact)
    return exact if len(exact) <= LONG_EXACT else None


def number(v: PointValue) -> str:
    """An exact value, with its decimal reading when that differs; a long exact value only as ≈."""
    exact = _exact(v)
    if exact == v.approx:
        return exact
    return f"≈ {v.approx}" if exact is None else f"{exact} ≈ {v.approx}"


def brief(v: PointValue) -> str:
    """A value inside a sentence: exact when short, else its decimal reading."""
    return _exact(v) or v.approx


def needs_brackets(expr: sp.Basic) -> bool:
    """A factor of a product needs brackets when it is a sum or starts with a minus sign."""
    return bool(precedence(expr) < PRECEDENCE["Mul"] or expr.could_extract_minus_sign())


_INDEXED = re.compile(r"([A-Za-z]+)_?(\d+|[a-z])$")


def split_index(name: str) -> tuple[str, str]:
    """u12 → ("u", "12"), u_i → ("u", "i"), x → ("x", ""): where an adjoint's bar goes."""
    m = _INDEXED.match(name)
    return (m.group(1), m.group(2)) if m and len(m.group(1)) < len(name) else (name, "")


STEP_NODES = 40
"""a step whose derivative has a larger expression tree is shown by name (cos(u2)·du2/dx), not
expanded: in a deep graph the expansions grow with every step"""


def by_name(total: sp.Expr) -> bool:
    """Whether a step (whose result is total) is shown with its arguments' derivatives by name."""
    return tree_size(total, STEP_NODES) > STEP_NODES


def named_products(step: ForwardStep, wrt: str) -> str:
    """A forward step with the arguments' derivatives by name: cos(u2)·du2/dx."""
    return " + ".join(show(t.partial.local) if t.partial.arg.name == wrt else
                      f"{factor(t.partial.local)}·{total(t.partial.arg.name, wrt)}" for t in step.terms)


def final(d: Derivation, i: int) -> sp.Expr | None:
    """Result i written over the shared parts t1..tk, or None when it is shown whole."""
    return d.program.results[i] if d.program is not None else None


def program_note(d: Derivation) -> str:
    """Why a result is shown over shared parts."""
    count = len(d.program.definitions) if d.program is not None else 0
    return f"(too large to show whole: written over {count} shared parts, defined below; --expand prints it whole)"


def block_kind(m: sp.Matrix) -> tuple[str, list[sp.Expr]]:
    """How a Jacobian block reads: zero, identity, negative identity, diagonal (with its diagonal),
    or dense (with its entries)."""
    rows, cols = m.shape
    if all(e == 0 for e in m):
        return "zero", []
    if rows == cols and rows > 1 and all(m[i, j] == 0 for i in range(rows) for j in range(cols) if i != j):
        diagonal = [m[i, i] for i in range(rows)]
        if all(e == 1 for e in diagonal):
            return "identity", diagonal
        if all(e == -1 for e in diagonal):
            return "negative identity", diagonal
        return "diagonal", diagonal
    return "dense", list(m)
