"""The public functions: each chains the stages parse → graph → sweep → canonical form → verdict,
and returns a result of the one family (results.py) that prints itself through the renderers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import sympy as sp

from . import (
    higher,
    options,
    render,  # noqa: F401 — installs how results display themselves
)
from .canon import canonical_all
from .errors import UsageError
from .forward import forward
from .limits import DEFAULT_LIMITS, Limits
from .model import EVALUATE_DEPTH, Graph, Verification
from .naming import Namer
from .options import AtLike, ExprLike, NumberLike, WhereLike, WrtLike
from .oracle import verify_gradient
from .point import at_point
from .results import CheckResult, Derivation, Hessian, Orders
from .reverse import reverse
from .sampling import question, seed_of
from .share import program_form
from .verdict import HOW, compare
from .walk import tree_depth, tree_sizes
from .work import Budget

if TYPE_CHECKING:
    from .claims import Claims
    from .vector_results import Jacobian

__all__ = ["check", "decompose", "derivatives", "diff", "grad", "gradient_code", "hessian", "jacobian", "parse"]


def parse(text: str, limits: Limits = DEFAULT_LIMITS) -> sp.Expr:
    """Text → SymPy expression, never evaluating the text. Raises ParseError or LimitError."""
    return options.as_expr(_text(text, "expr"), _limits(limits))


def decompose(expr: ExprLike, limits: Limits = DEFAULT_LIMITS) -> Graph:
    """An expression (or text) → its computational graph u1..un."""
    return options.source(expr, (), _limits(limits)).graph


def diff(expr: ExprLike, wrt: WrtLike = None, *, mode: str | None = None, where: WhereLike = (),
         at: AtLike = None, lr: NumberLike = None, data: object = None, verify: bool = True, expand: bool = False,
         syntax: str = "auto", limits: Limits = DEFAULT_LIMITS) -> Derivation:
    """Differentiate expr over its graph, show every step, and verify the result.

    expr: text, a SymPy expression, or a program "z = x^2 - y^2; x = s - sin(t)".
    wrt: a variable, a name, several ("x,y" or a list), "all", or None for the only one.
    mode: "forward" (the total-derivative rule), "reverse" (backpropagation) or "both";
      by default forward for one variable, reverse for several.
    where: definitions of intermediate names ("x = s - sin(t)"), as in a program.
    at: a point "x=2,y=5" (or a mapping): every node's value and adjoint there, exactly.
    lr: with at, a learning rate: adds the gradient-descent update v − lr·∂f/∂v.
    data: inputs that are data, not parameters ("x,y"): wrt="all" leaves them out, lr never updates them.
    expand: show every result whole; by default a result whose tree passes limits.expand_nodes is
      shown over named shared parts (Derivation.program); Derivation.results always holds it whole.
    syntax: "plain", "latex" or "auto" (LaTeX when the text has a backslash command). A derivative
      operator in front of the expression (d/dx …, \\frac{d}{dx} …) names the variable.
    """
    limits = _limits(limits)
    budget = Budget.of(limits)
    chosen_mode = options.mode_of(mode)
    inputs = options.point(at, limits) if at is not None else None
    rate = options.number(lr, "lr", limits)
    if rate is not None and inputs is None:
        raise UsageError("«lr» needs a point: give «at» too", param="lr")
    src = options.source(_text(expr, "expr"), where, limits, options.syntax_of(syntax))
    if src.operator is not None:
        if wrt is not None and str(wrt).strip() != src.operator:
            raise UsageError(f"the expression is written as d/d{src.operator} but «wrt» is {str(wrt)[:40]}",
                             param="wrt")
        wrt = src.operator
    graph = src.graph
    fixed = _data(data, graph)
    variables = _parameters(wrt, src, fixed)
    chosen_mode = chosen_mode or ("forward" if len(variables) == 1 else "reverse")
    passes = tuple(forward(graph, v, budget) for v in variables) if chosen_mode != "reverse" else ()
    backward = reverse(graph, budget) if chosen_mode != "forward" else None
    if passes:
        raw = [p.result for p in passes]
    else:
        gradient = dict(backward.gradient) if backward is not None else {}
        raw = [gradient.get(v, sp.Integer(0)) for v in variables]
    results = canonical_all(raw, limits, budget)
    seed = seed_of(question(src.text, src.shown), *(v.name for v in variables))
    agreement = _agreement(passes, backward, graph, seed, budget) if chosen_mode == "both" else ""
    checks: tuple[Verification, ...] = ()
    if verify:
        checks = verify_gradient(graph.value, variables, results, graph.variables, limits, seed, budget)
    spot = at_point(graph, inputs, variables, rate, limits, budget, fixed,
                    forward_wrt=[p.wrt for p in passes]) if inputs is not None else None
    namer = Namer([*(v.name for v in graph.variables), *(n.name for n in graph.nodes), src.output_name])
    program = None if expand else program_form(results, limits.expand_nodes, namer.prefix("shared"))
    return Derivation(source=src.text, expr=src.shown, graph=graph, wrt=variables, mode=chosen_mode, forward=passes,
                      results=results, verifications=checks, reverse=backward, agreement=agreement,
                      output_name=src.output_name, point=spot, program=program, data=fixed,
                      expanded=expand)


def grad(expr: ExprLike, wrt: WrtLike = None, *, where: WhereLike = (), at: AtLike = None, lr: NumberLike = None,
         data: object = None, verify: bool = True, expand: bool = False, syntax: str = "auto",
         limits: Limits = DEFAULT_LIMITS) -> Derivation:
    """∂f/∂v for every parameter v (or those named), by one backpropagation sweep; `.result` is the
    mapping variable → derivative, `.verification` its verdict."""
    return diff(expr, "all" if wrt is None else wrt, mode="reverse", where=where, at=at, lr=lr, data=data,
                verify=verify, expand=expand, syntax=syntax, limits=limits)


def derivatives(expr: ExprLike, wrt: WrtLike = None, order: int = 2, *, where: WhereLike = (),
                at: AtLike = None, verify: bool = True, syntax: str = "auto",
                limits: Limits = DEFAULT_LIMITS) -> Orders:
    """The nth derivative, order by order: each order a derivation of the previous result, and
    the last checked against sympy.diff(f, x, n); with at, its exact value there."""
    if not isinstance(order, int) or isinstance(order, bool) or not 1 <= order <= higher.MAX_ORDER:
        raise UsageError(f"«order» must be a whole number from 1 to {higher.MAX_ORDER}, not {order!r}",
                         param="order")
    limits = _limits(limits)
    inputs = options.point(at, limits) if at is not None else None
    first = diff(expr, wrt, mode="forward", where=where, verify=verify, syntax=syntax, limits=limits)
    if len(first.wrt) != 1:
        raise UsageError("«order» differentiates by one variable: choose it with «wrt»", param="order")
    names = iter(first.output_name + "'" * k for k in range(1, order))

    def again(result: sp.Expr) -> Derivation:
        d = diff(result, first.wrt[0], mode="forward", verify=verify, limits=limits)
        return replace(d, output_name=next(names))

    return higher.nth(first, order, again, verify, inputs, limits, Budget.of(limits))


def hessian(expr: ExprLike, wrt: WrtLike = None, *, where: WhereLike = (), at: AtLike = None, verify: bool = True,
            syntax: str = "auto", limits: Limits = DEFAULT_LIMITS) -> Hessian:
    """∂²f/∂xᵢ∂xⱼ by forward-over-reverse: the gradient by one backpropagation sweep, then the
    total-derivative rule over the gradient's graph once per variable; checked entry by entry."""
    limits = _limits(limits)
    inputs = options.point(at, limits) if at is not None else None
    d = diff(expr, "all" if wrt is None else wrt, mode="reverse", where=where, verify=verify, expand=True,
             syntax=syntax, limits=limits)
    return higher.hessian(d, verify, inputs, limits, Budget.of(limits))


def jacobian(expr: str, wrt: WrtLike = None, *, vectors: Sequence[str] = (), matrices: Sequence[str] = (),
             layout: str = "numerator", at: AtLike = None, data: object = None, verify: bool = True,
             limits: Limits = DEFAULT_LIMITS) -> Jacobian:
    """The Jacobian of a vector function by the total-derivative rule over vector-level nodes, each
    block with its shape, verified entry by entry; `.result` is the m×n matrix (for a scalar loss and
    a matrix input, the gradient shaped like the input)."""
    from . import jacobians as vector_stage  # here, not at the top: `chainsym diff` starts without it

    limits = _limits(limits)
    names = options.names(wrt, "wrt") if wrt is not None and wrt != "all" else None
    inputs = options.point(at, limits) if at is not None else None
    if not isinstance(expr, str):
        raise UsageError(f"«expr» must be text, not {type(expr).__name__}", param="expr")
    return vector_stage.jacobian(expr, names, vectors=tuple(vectors), matrices=tuple(matrices), layout=layout,
                                 verify=verify, at=inputs, data=options.names(data, "data"), limits=limits,
                                 budget=Budget.of(limits))


def gradient_code(expr: ExprLike, target: str = "python", *, where: WhereLike = (),
                  limits: Limits = DEFAULT_LIMITS) -> str:
    """Straight-line code for f and its whole gradient (reverse mode), as Python, NumPy or C.

    Python and NumPy define value_and_grad(*args) -> (f, [∂f/∂v ...]) with the variables in sorted
    name order; C defines double value_and_grad(const double *in, double *grad).
    """
    from . import emit as emit_stage  # imports SymPy's code printers: only when code is asked for

    if target not in emit_stage.TARGETS:  # a bad option fails before any work
        raise UsageError(f"«target» must be one of {', '.join(emit_stage.TARGETS)}, not {target!r}", param="target")
    limits = _limits(limits)
    src = options.source(_text(expr, "expr"), where, limits)
    return emit_stage.emit(emit_stage.gradient_program(src.graph), target, src.text or _brief(src.shown))


def check(expr: ExprLike, claim: object, wrt: WrtLike = None, *, where: WhereLike = (), order: int = 1,
          kind: str | None = None, at: AtLike = None, syntax: str = "auto",
          limits: Limits = DEFAULT_LIMITS) -> CheckResult:
    """Is claim the derivative of expr? Correct or incorrect, with a point where it fails and,
    when a standard chain-rule mistake reproduces it, the step where it goes wrong.

    Equivalent forms (factored, expanded, trig identities) count as correct. Names a program
    defines may appear in the claim; they stand for their definitions.

    claim: one expression (text or SymPy) for a derivative; for a gradient a mapping
      {"x": "2*x*y", "y": "x^2"} (or the text "x: 2*x*y; y: x^2", or a list in wrt order); for a
      Hessian, or the Jacobian of a list "[a, b]", its rows [["2*y", "2*x"], ["2*x", "0"]] (or that
      text). Each entry gets its own verdict (`.entries`; the wrong ones are `.wrong`).
    order: with one expression, the claim is the derivative of this order.
    kind: "diff", "grad", "jacobian" or "hessian"; by default read from the claim's shape.
    at: a point "x=2": the claim is the derivative's value there (a number, or an expression).
    """
    from . import claims as check_stage

    limits = _limits(limits)
    claims = check_stage.read_claims(claim, limits)
    source = _text(expr, "expr")
    listed = isinstance(source, str) and source.strip().startswith("[")
    chosen = check_stage.kind_of(kind, claims, listed)
    if not isinstance(order, int) or isinstance(order, bool) or order < 1 or (order > 1 and chosen != "diff"):
        raise UsageError(f"«order» must be a whole number from 1 (above 1 only for a derivative), not {order!r}",
                         param="order")
    point = options.point(at, limits) if at is not None else None
    budget = Budget.of(limits)
    if chosen == "diff":
        return _check_one(source, claims, wrt, where, order, point, options.syntax_of(syntax), limits, budget)
    if chosen == "grad":
        d = diff(source, "all" if wrt is None else wrt, mode="forward", where=where, syntax=syntax, limits=limits)
        rows, function, variables = [d], d.output_name, d.graph.variables
    elif chosen == "hessian":
        g = diff(source, "all" if wrt is None else wrt, mode="reverse", where=where, syntax=syntax, limits=limits)
        rows = [replace(diff(component, g.wrt, mode="forward", limits=limits), output_name=f"{g.output_name}_{v.name}")
                for v, component in zip(g.wrt, g.results, strict=True)]
        d, function, variables = g, g.output_name, g.graph.variables
    else:
        rows, variables = _components(source, wrt, where, limits)
        d, function = rows[0], "f"
    names = [v.name for v in rows[0].wrt]
    return check_stage.check_entries(chosen, claims, rows, names, function, limits, budget, representative=d,
                                     variables=variables, at=point)


def _check_one(source: ExprLike, claims: Claims, wrt: WrtLike, where: WhereLike, order: int,
               at: dict[sp.Symbol, sp.Expr] | None, syntax: str, limits: Limits, budget: Budget) -> CheckResult:
    """One claimed derivative, of order 1 or higher (then compared with the last order's derivation)."""
    from . import claims as check_stage

    d = diff(source, wrt, mode="forward", where=where, syntax=syntax, limits=limits)
    if len(d.wrt) != 1:
        raise UsageError("check compares one derivative: choose one variable with «wrt»", param="wrt")
    label = ""
    if order > 1:
        d = derivatives(source, wrt, order, where=where, syntax=syntax, limits=limits).orders[-1]
        label = check_stage.order_label(d.output_name.rstrip("'"), d.wrt[0].name, order, len(d.graph.variables) > 1)
    assert claims.one is not None
    return check_stage.check(d, claims.text, claims.one, limits, budget, label=label, at=at,
                             variables=d.graph.variables if order == 1 else _variables(source, where, limits))


def _components(source: ExprLike, wrt: WrtLike, where: WhereLike, limits: Limits
                ) -> tuple[list[Derivation], tuple[sp.Symbol, ...]]:
    """For a Jacobian claim: each component of a list "[a, b]" (or f itself) differentiated by every
    variable (by default all of them, sorted by name)."""
    text = source.strip() if isinstance(source, str) else ""
    if not text.startswith("["):
        d = diff(source, "all" if wrt is None else wrt, mode="forward", where=where, limits=limits)
        return [d], d.graph.variables
    if where:
        raise UsageError("«where» does not apply to a list [a, b]: write each component out", param="where")
    if not text.endswith("]"):
        raise UsageError("«expr»: a list [a, b, …] must end with ']'", param="expr")
    from .syntax import split_top_level

    parts = [p for _, p in split_top_level(text[1:-1]) if p.strip()]
    if not parts:
        raise UsageError("«expr» is an empty list", param="expr")
    exprs = [options.as_expr(p, limits) for p in parts]
    variables = tuple(sorted({v for e in exprs for v in e.free_symbols}, key=lambda v: v.name))
    chosen: WrtLike = wrt if wrt is not None and wrt != "all" else [v.name for v in variables]
    if not chosen:
        raise UsageError("the list has no variables", param="wrt")
    return [replace(diff(e, chosen, mode="forward", limits=limits), output_name=f"f_{i}")
            for i, e in enumerate(exprs, start=1)], variables


def _variables(source: ExprLike, where: WhereLike, limits: Limits) -> tuple[sp.Symbol, ...]:
    return options.source(_text(source, "expr"), where, limits).graph.variables


# --- helpers ------------------------------------------------------------------------------------

def _limits(limits: object) -> Limits:
    if not isinstance(limits, Limits):
        raise UsageError(f"«limits» must be a chainsym.Limits, not {type(limits).__name__}", param="limits")
    return limits


def _text(expr: object, param: str) -> ExprLike:
    if isinstance(expr, (str, sp.Basic)):
        return expr
    raise UsageError(f"«{param}» must be text or a sympy expression, not {type(expr).__name__}", param=param)


def _brief(expr: sp.Expr) -> str:
    """f as text for a seed or a header, bounded: a huge or deep tree is named by its size (counted
    over the DAG: a walk of the tree itself took 0.2 s on u·sin(u) iterated 16 times; SymPy's
    printer recurses, past Python's limit at about 250 levels)."""
    size = tree_sizes([expr], 10**6)[0]
    return str(expr) if size <= 2000 and tree_depth(expr) <= EVALUATE_DEPTH else f"<expression of {size} nodes>"


def _data(data: object, graph: Graph) -> tuple[sp.Symbol, ...]:
    names = options.names(data, "data")
    by_name = {v.name: v for v in graph.variables}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise UsageError(f"«data» names {', '.join(unknown)}, which f does not depend on", param="data")
    return tuple(by_name[n] for n in names)


def _parameters(wrt: WrtLike, src: options.Source, data: tuple[sp.Symbol, ...]) -> tuple[sp.Symbol, ...]:
    """The variables to differentiate by; with "all", every input that is not data."""
    if isinstance(wrt, str) and wrt.strip() == "all" and data:
        chosen = tuple(v for v in src.graph.variables if v not in data)
        if not chosen:
            raise UsageError("every input is data: nothing to differentiate by", param="wrt")
        return chosen
    return options.wrt_of(wrt, src.graph, src.output_name)


def _agreement(passes: Sequence[object], backward: object, graph: Graph, seed: int, budget: Budget) -> str:
    """How forward and reverse mode were found to agree, variable by variable."""
    gradient = dict(backward.gradient) if backward is not None else {}  # type: ignore[attr-defined]
    verdicts = [(fp.wrt, compare(fp.result, gradient.get(fp.wrt, sp.Integer(0)), graph.variables,  # type: ignore[attr-defined]
                                 seed=seed, oracle="reverse mode", names=("forward mode", "reverse mode"),
                                 budget=budget)) for fp in passes]
    bad = [(w, v) for w, v in verdicts if v.status == "mismatch"]
    if bad:
        return f"DISAGREE on ∂/∂{bad[0][0]}: {bad[0][1].detail}"
    how = sorted({HOW[v.method] for _, v in verdicts})
    return "forward and reverse mode agree (" + ", ".join(how) + ")"
