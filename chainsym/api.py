"""The public functions: each chains the stages parse → graph → forward/reverse → verify → point."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Union

import mpmath
import sympy as sp

from . import emit as emit_stage
from . import forward as forward_mode
from . import graph as graph_stage
from . import higher
from . import parse as parse_stage
from . import program as program_stage
from . import reverse as reverse_mode
from .errors import ParseError, UsageError
from .limits import DEFAULT_LIMITS, Limits
from .check import diagnose, sample_points
from .functions import rewrite_primitives
from .model import CheckResult, Derivation, Graph, Verification
from .numeric import NotANumber, evaluate
from .point import at_point
from .share import free_prefix, program_form
from .tidy import tidy_all
from .verify import compare, directional, verify_gradient
from .walk import Substituter, free_symbols, tree_size
from .verify import verify as verify_one

ExprLike = Union[str, sp.Expr]
WrtLike = Union[None, str, sp.Symbol, Iterable[Union[str, sp.Symbol]]]
WhereLike = Union[Sequence[str], Mapping[str, ExprLike]]
AtLike = Union[None, str, Mapping[Union[str, sp.Symbol], Union[ExprLike, int, float]]]
MODES = ("forward", "reverse", "both")
GRADIENT_BATCH = 8
"""more variables than this (or several, of an f too large to simplify) are verified together,
numerically (against SymEngine where it is installed, else sympy.diff)"""


def parse(text: str, limits: Limits = DEFAULT_LIMITS) -> sp.Expr:
    """Text → SymPy expression, never evaluating the text. Raises ParseError or LimitError."""
    return parse_stage.parse(text, limits)


def decompose(expr: ExprLike, limits: Limits = DEFAULT_LIMITS) -> Graph:
    """An expression (or text) → its computational graph u1..un."""
    return graph_stage.decompose(_as_expr(expr, limits), limits)


def diff(expr: ExprLike, wrt: WrtLike = None, *, mode: str | None = None, where: WhereLike = (),
         at: AtLike = None, lr: ExprLike | float | None = None, verify: bool = True, expand: bool = False,
         limits: Limits = DEFAULT_LIMITS) -> Derivation:
    """Differentiate expr over its graph, show every step, and verify the result against sympy.diff.

    expr: text, a SymPy expression, or a program "z = x^2 - y^2; x = s - sin(t)".
    wrt: a variable, a name, several ("x,y" or a list), "all", or None for the only one.
    mode: "forward" (the total-derivative rule), "reverse" (backpropagation) or "both";
      by default forward for one variable, reverse for several.
    where: definitions of intermediate names ("x = s - sin(t)"), as in a program.
    at: a point "x=2,y=5" (or a mapping): every node's value and adjoint there, exactly.
    lr: with at, a learning rate: adds the gradient-descent update v − lr·∂f/∂v.
    expand: show every result whole; by default a result whose tree passes limits.expand_nodes is
      shown over named shared parts (Derivation.program); Derivation.results always holds it whole.
    """
    if mode is not None and mode not in MODES:  # bad options fail before any work
        raise UsageError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    inputs = _point(at, limits) if at is not None else None
    rate = _learning_rate(lr, limits)
    if rate is not None and inputs is None:
        raise UsageError("--lr needs a point: give --at")
    graph, output_name, source, shown = _graph(expr, where, limits)
    variables = resolve_wrt(wrt, graph, output_name)
    mode = mode or ("forward" if len(variables) == 1 else "reverse")
    passes = tuple(forward_mode.forward(graph, v) for v in variables) if mode != "reverse" else ()
    backward = reverse_mode.reverse(graph) if mode != "forward" else None
    if passes:
        raw = [p.result for p in passes]
    else:
        gradient = dict(backward.gradient) if backward is not None else {}
        raw = [gradient.get(v, sp.Integer(0)) for v in variables]
    results = tidy_all(raw, limits)
    agreement = _agreement(passes, backward, graph, limits) if mode == "both" else ""
    checks: tuple[Verification, ...] = ()
    if verify:
        together = len(variables) > GRADIENT_BATCH or (
            len(variables) > 1 and tree_size(graph.value, limits.simplify_ops) > limits.simplify_ops)
        batch = verify_gradient(graph.value, variables, results, graph.variables, limits) if together else None
        if batch is None and together:  # no oracle for the whole gradient in time: a gradient check
            batch = directional(graph.value, variables, results, graph.variables,
                                "no oracle gave the whole gradient in time")
        checks = batch or tuple(verify_one(graph.value, v, r, graph.variables, limits) for v, r in zip(variables, results))
    point = at_point(graph, inputs, variables, rate, limits) if inputs is not None else None
    prefix = free_prefix({v.name for v in graph.variables} | {n.name for n in graph.nodes})
    program = None if expand else program_form(results, limits.expand_nodes, prefix)
    return Derivation(source=source, expr=shown, graph=graph, wrt=variables, mode=mode, forward=passes, results=results,
                      verifications=checks, reverse=backward, agreement=agreement,
                      output_name=output_name, point=point, program=program)


def grad(expr: ExprLike, wrt: WrtLike = None, *, where: WhereLike = (), verify: bool = True,
         limits: Limits = DEFAULT_LIMITS) -> dict[sp.Symbol, sp.Expr]:
    """∂f/∂v for every variable v (or those named), by one backpropagation sweep."""
    d = diff(expr, "all" if wrt is None else wrt, mode="reverse", where=where, verify=verify, expand=True,
             limits=limits)
    bad = [v for v in d.verifications if v.status == "mismatch"]
    if bad:
        raise AssertionError(f"chainsym's gradient disagrees with sympy.diff: {bad[0].detail}")
    return dict(zip(d.wrt, d.results))


def derivatives(expr: ExprLike, wrt: WrtLike = None, order: int = 2, *, where: WhereLike = (),
                at: AtLike = None, verify: bool = True, limits: Limits = DEFAULT_LIMITS) -> higher.Orders:
    """The nth derivative, order by order: each order a derivation of the previous result, and
    the last checked against sympy.diff(f, x, n); with at, its exact value there."""
    if not isinstance(order, int) or isinstance(order, bool) or not 1 <= order <= higher.MAX_ORDER:
        raise UsageError(f"--order must be between 1 and {higher.MAX_ORDER}, not {order!r}")
    inputs = _point(at, limits) if at is not None else None
    first = diff(expr, wrt, mode="forward", where=where, verify=verify, limits=limits)
    names = iter(first.output_name + "'" * k for k in range(1, order))

    def again(result: sp.Expr) -> Derivation:
        d = diff(result, first.wrt[0], mode="forward", verify=verify, limits=limits)
        return replace(d, output_name=next(names))

    orders = higher.nth(first, order, again, verify, limits)
    if inputs is None:
        return orders
    missing = [v.name for v in first.graph.variables if v not in inputs]
    if missing:
        raise UsageError(f"--at gives no value for {', '.join(missing)}")
    value = Substituter(dict(inputs))(orders.orders[-1].results[0])
    return replace(orders, at=tuple(inputs.items()), value=sp.simplify(value) if value.is_number else value)


def hessian(expr: ExprLike, wrt: WrtLike = None, *, where: WhereLike = (), verify: bool = True,
            limits: Limits = DEFAULT_LIMITS) -> higher.Hessian:
    """∂²f/∂xᵢ∂xⱼ by forward-over-reverse: the gradient by one backpropagation sweep, then the
    total-derivative rule over the gradient's graph once per variable; checked against sympy.hessian."""
    d = diff(expr, "all" if wrt is None else wrt, mode="reverse", where=where, verify=verify, expand=True,
             limits=limits)
    return higher.hessian(d, verify, limits)


def gradient_code(expr: ExprLike, target: str = "python", *, where: WhereLike = (),
                  limits: Limits = DEFAULT_LIMITS) -> str:
    """Straight-line code for f and its whole gradient (reverse mode), as Python, NumPy or C.

    Python and NumPy define value_and_grad(*args) -> (f, [∂f/∂v ...]) with the variables in sorted
    name order; C defines double value_and_grad(const double *in, double *grad).
    """
    if target not in emit_stage.TARGETS:  # a bad option fails before any work
        raise UsageError(f"--emit must be one of {', '.join(emit_stage.TARGETS)}, not {target!r}")
    graph, _, source, shown = _graph(expr, where, limits)
    program = emit_stage.gradient_program(graph)
    return emit_stage.emit(program, target, source or str(shown))


def check(expr: ExprLike, claim: ExprLike, wrt: WrtLike = None, *, where: WhereLike = (),
          limits: Limits = DEFAULT_LIMITS) -> CheckResult:
    """Is claim the derivative of expr? Correct or incorrect, with a point where it fails and,
    when a standard chain-rule mistake reproduces it, the step where it goes wrong.

    Equivalent forms (factored, expanded, trig identities) count as correct. Names a program
    defines may appear in the claim; they stand for their definitions.
    """
    try:  # a bad claim fails before any work
        claimed = parse_stage.parse(claim, limits) if isinstance(claim, str) else claim
    except ParseError as exc:
        raise UsageError(f"--claim: {exc}") from None
    d = diff(expr, wrt, mode="forward", where=where, limits=limits)
    if len(d.wrt) != 1:
        raise UsageError("check compares one derivative: choose one variable with --wrt")
    graph, x = d.graph, d.wrt[0]
    stray = sorted(v.name for v in free_symbols(claimed)
                   if v not in graph.variables and v not in graph.index and v != x)
    if stray:
        raise UsageError(f"--claim uses {', '.join(stray)}, which {d.output_name} does not depend on")
    claimed = Substituter(graph.values)(claimed)  # type: ignore[assignment]
    comparison = compare(claimed, d.results[0], graph.variables or (x,), limits, graph.value)
    text = claim if isinstance(claim, str) else str(claim)
    if comparison.status != "mismatch":
        return CheckResult(text, claimed, comparison.status != "skipped", comparison, d)
    point = {sp.Symbol(name, real=True): mpmath_value for name, mpmath_value in
             ((n, _mp(v)) for n, v in comparison.points[0])}
    points = [point] + sample_points(list(graph.variables or (x,)), [claimed, d.results[0]])
    return CheckResult(text, claimed, False, comparison, d, counterexample=comparison.points[0],
                       claimed_value=_value_text(claimed, point), correct_value=_value_text(d.results[0], point),
                       diagnosis=diagnose(graph, x, claimed, points))


def resolve_wrt(wrt: WrtLike, graph: Graph, output_name: str = "f") -> tuple[sp.Symbol, ...]:
    """The variables to differentiate by; a name that is not in f still counts (∂f/∂v = 0)."""
    variables = graph.variables
    if wrt is None:
        if len(variables) == 1:
            return variables
        if not variables:
            raise UsageError("the expression has no variables: say which one with --wrt")
        names = ", ".join(v.name for v in variables)
        raise UsageError(f"the expression has several variables ({names}): choose with --wrt, "
                         f"e.g. --wrt {variables[0].name}, or --wrt all")
    if isinstance(wrt, str):
        if wrt.strip() == "all":
            if not variables:
                raise UsageError("the expression has no variables")
            return variables
        items: list[Union[str, sp.Symbol]] = [w.strip() for w in wrt.split(",")]
    elif isinstance(wrt, sp.Symbol):
        items = [wrt]
    else:
        items = list(wrt)
    by_name = {v.name: v for v in variables}
    defined = {n.name for n in graph.nodes if n.body is not None}
    chosen: list[sp.Symbol] = []
    taken: set[sp.Symbol] = set()
    for item in items:
        name = item.name if isinstance(item, sp.Symbol) else str(item)
        if name == output_name and name not in by_name:
            raise UsageError(f"--wrt {name}: {name} is the function being differentiated")
        if name in defined:
            inputs = ", ".join(by_name) or "none"
            raise UsageError(f"--wrt {name}: {name} is defined in terms of other variables; "
                             f"differentiate by an input ({inputs})")
        symbol = by_name.get(name) or _variable(name, "--wrt")
        if symbol not in taken:
            taken.add(symbol)
            chosen.append(symbol)
    if not chosen:
        raise UsageError("--wrt names no variable")
    return tuple(chosen)


def _graph(expr: ExprLike, where: WhereLike, limits: Limits) -> tuple[Graph, str, str, sp.Expr]:
    """The graph, the output's name, the source text and f as written, for an expression or a program."""
    definitions = _where(where, limits)
    if not isinstance(expr, str):
        if definitions:
            raise UsageError("where= needs the expression as text")
        parsed = _as_expr(expr, limits)
        return graph_stage.decompose(parsed, limits), "f", "", parsed
    statements = parse_stage.parse_program(expr, limits) + definitions
    if len(statements) == 1:  # one expression, named or not: decompose it into u1..un
        name = statements[0].name.name if statements[0].name is not None else "f"
        return graph_stage.decompose(statements[0].expr, limits), name, expr, statements[0].expr
    graph, name = program_stage.build(statements, limits)
    return graph, name, expr, graph.index[graph.output].local


def _where(where: WhereLike, limits: Limits) -> tuple[parse_stage.Statement, ...]:
    if isinstance(where, str):
        where = [where]
    items = [f"{k} = {v}" if isinstance(v, str) else (k, v) for k, v in where.items()] \
        if isinstance(where, Mapping) else list(where)
    out: list[parse_stage.Statement] = []
    for item in items:
        if isinstance(item, tuple):
            out.append(parse_stage.Statement(_variable(str(item[0]), "where"), _as_expr(item[1], limits), 1))
            continue
        try:
            statements = parse_stage.parse_program(item, limits)
        except ParseError as exc:
            raise UsageError(f"--where {item[:40]!r}: {exc}") from None
        for s in statements:
            if s.name is None:
                raise UsageError(f"--where {item[:40]!r}: expected a definition, name = expression")
        out.extend(statements)
    return tuple(out)


def _point(at: AtLike, limits: Limits) -> dict[sp.Symbol, sp.Expr]:
    """--at "x=2,y=1/2" or a mapping → exact values; each value is a constant expression."""
    if isinstance(at, str):
        pairs = []
        for item in (piece for _, piece in parse_stage.split_top_level(at)):
            if not item.strip():
                continue
            name, sep, text = item.partition("=")
            if not sep:
                raise UsageError(f"--at {item.strip()[:40]!r}: expected name=value")
            pairs.append((name.strip(), text))
        if not pairs:
            raise UsageError("--at: expected name=value pairs, e.g. --at x=2,y=1/2")
    else:
        pairs = [(k.name if isinstance(k, sp.Symbol) else str(k), v) for k, v in at.items()]
    point: dict[sp.Symbol, sp.Expr] = {}
    for name, raw in pairs:
        symbol = _variable(name, "--at")
        if symbol in point:
            raise UsageError(f"--at gives {name} twice")
        point[symbol] = _constant(raw, f"--at {name}", limits)
    return point


def _learning_rate(lr: ExprLike | float | None, limits: Limits) -> sp.Expr | None:
    return None if lr is None else _constant(lr, "--lr", limits)


def _constant(raw: ExprLike | float | int, what: str, limits: Limits) -> sp.Expr:
    """A number given as text (exact: 0.01 is 1/100), an int, a float (made exact) or a constant SymPy expression."""
    if isinstance(raw, bool):
        raise UsageError(f"{what}: expected a number")
    if isinstance(raw, (int, float)):
        raw = repr(raw)
    try:
        value = parse_stage.parse(raw, limits) if isinstance(raw, str) else raw
    except ParseError as exc:
        raise UsageError(f"{what}: {exc}") from None
    if not isinstance(value, sp.Expr) or value.free_symbols:
        raise UsageError(f"{what}: expected a number, got {str(raw)[:40]!r}")
    return value if value.is_Number else value.doit()


def _agreement(passes: Sequence[forward_mode.ForwardPass], backward: reverse_mode.ReversePass | None,
               graph: Graph, limits: Limits) -> str:
    """How forward and reverse mode were found to agree, variable by variable."""
    gradient = dict(backward.gradient) if backward is not None else {}
    verdicts = [compare(fp.result, gradient.get(fp.wrt, sp.Integer(0)), graph.variables, limits)
                for fp in passes]
    bad = [(fp.wrt, v) for fp, v in zip(passes, verdicts) if v.status == "mismatch"]
    if bad:
        return f"DISAGREE on ∂/∂{bad[0][0]}: {bad[0][1].detail}"
    how = sorted({"identical" if v.method == "identical" else
                  "by simplify" if v.method == "simplify" else "numerically" for v in verdicts})
    return "forward and reverse mode agree (" + ", ".join(how) + ")"


def _mp(text: str) -> object:
    return mpmath.mpf(text) if "j" not in text else mpmath.mpc(complex(text.replace(" ", "")))


def _value_text(expr: sp.Expr, point: dict[sp.Symbol, object]) -> str:
    try:
        return mpmath.nstr(evaluate(rewrite_primitives(expr), point, 30), 12)  # type: ignore[arg-type]
    except NotANumber:
        return "undefined"


def _variable(name: str, option: str) -> sp.Symbol:
    try:
        return parse_stage.parse_name(name)
    except ParseError as exc:
        raise UsageError(f"{option} {name[:40]!r}: {exc.reason}") from None


def _as_expr(expr: ExprLike, limits: Limits) -> sp.Expr:
    if isinstance(expr, str):
        return parse_stage.parse(expr, limits)
    if isinstance(expr, sp.Basic):
        return expr  # type: ignore[return-value]  # the graph refuses what is not an Expr
    raise UsageError(f"expected a string or a sympy expression, got {type(expr).__name__}")
