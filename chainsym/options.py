"""What the public functions accept, made exact and checked before any work: the expression or
program, its definitions (where), the variables (wrt), a point (at), a learning rate (lr), the
inputs that are data. Every refusal is a UsageError naming the Python parameter («at»), which the
CLI spells as its flag (--at)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import sympy as sp

from . import graph as graph_stage
from . import program as program_stage
from . import syntax as parse_stage
from .errors import ParseError, UsageError
from .limits import Limits
from .model import Graph

ExprLike: TypeAlias = "str | sp.Expr"
WrtLike: TypeAlias = "None | str | sp.Symbol | Iterable[str | sp.Symbol]"
WhereLike: TypeAlias = "str | Sequence[str] | Mapping[str, ExprLike]"
AtLike: TypeAlias = "None | str | Mapping[str | sp.Symbol, ExprLike | int | float]"
NumberLike: TypeAlias = "ExprLike | int | float | None"
MODES = ("forward", "reverse", "both")


SYNTAXES = ("auto", "plain", "latex")


@dataclass(frozen=True)
class Source:
    """A function to differentiate: its graph, its output's name, the text and f as written, and the
    variable of a derivative operator written in front of it (d/dx …, \frac{d}{dx} …)."""

    graph: Graph
    output_name: str
    text: str
    shown: sp.Expr
    operator: str | None = None


def syntax_of(syntax: object) -> str:
    if syntax not in SYNTAXES:
        raise UsageError(f"«syntax» must be one of {', '.join(SYNTAXES)}, not {syntax!r}", param="syntax")
    return str(syntax)


def source(expr: ExprLike, where: WhereLike, limits: Limits, syntax: str = "auto") -> Source:
    """The graph of an expression or a program (with its definitions)."""
    definitions = _where(where, limits)
    if not isinstance(expr, str):
        if definitions:
            raise UsageError("«where» needs the expression as text", param="where")
        parsed = as_expr(expr, limits)
        return Source(graph_stage.decompose(parsed, limits), "f", "", parsed)
    operator = _operator(expr, limits, syntax)
    if operator is not None:
        parsed, wrt = operator
        if definitions:
            return _program(parse_stage.Statement(None, parsed, 1), definitions, expr, limits, wrt)
        return Source(graph_stage.decompose(parsed, limits, ("f",)), "f", expr, parsed, wrt)
    statements = _statements(expr, limits, syntax) + definitions
    if len(statements) == 1:  # one expression, named or not: decompose it into u1..un
        first = statements[0]
        name = first.name.name if first.name is not None else "f"
        return Source(graph_stage.decompose(first.expr, limits, (name,)), name, expr, first.expr)
    graph, name = program_stage.build(statements, limits)
    return Source(graph, name, expr, graph.index[graph.output].local)


def _operator(text: str, limits: Limits, syntax: str) -> tuple[sp.Expr, str] | None:
    """An expression with a derivative operator in front (one expression, no program): (f, variable)."""
    if not text.lstrip().startswith(("d", "\\")) or any(c in text for c in ";\n="):
        return None
    try:
        read = parse_stage.parse_with_operator(text, limits, syntax=syntax)
    except ParseError as exc:
        exc.param = "expr"
        raise
    return (read.expr, read.wrt) if read.wrt is not None else None


def _program(first: parse_stage.Statement, definitions: tuple[parse_stage.Statement, ...], text: str,
             limits: Limits, wrt: str | None) -> Source:
    graph, name = program_stage.build((first, *definitions), limits)
    return Source(graph, name, text, graph.index[graph.output].local, wrt)


def _statements(text: str, limits: Limits, syntax: str = "auto") -> tuple[parse_stage.Statement, ...]:
    try:
        return parse_stage.parse_program(text, limits, syntax=syntax)
    except ParseError as exc:
        exc.param = "expr"
        raise


def _where(where: WhereLike, limits: Limits) -> tuple[parse_stage.Statement, ...]:
    if isinstance(where, str):
        where = [where]
    if isinstance(where, Mapping):
        items: list[object] = [(k, v) for k, v in where.items()]
    elif isinstance(where, Sequence):
        items = list(where)
    else:
        raise UsageError(f"«where» takes definitions \"name = expression\", not {type(where).__name__}",
                         param="where")
    out: list[parse_stage.Statement] = []
    for item in items:
        if isinstance(item, tuple):
            out.append(parse_stage.Statement(variable(str(item[0]), "where"), as_expr(item[1], limits), 1))
            continue
        if not isinstance(item, str):
            raise UsageError(f"«where» takes definitions \"name = expression\", not {type(item).__name__}",
                             param="where")
        try:
            statements = parse_stage.parse_program(item, limits)
        except ParseError as exc:
            raise UsageError(f"«where=»{item[:40]!r}: {exc}", param="where") from None
        for s in statements:
            if s.name is None:
                raise UsageError(f"«where=»{item[:40]!r}: expected a definition, name = expression", param="where")
        out.extend(statements)
    return tuple(out)


def wrt_of(wrt: WrtLike, graph: Graph, output_name: str = "f", *, everything: bool = False
           ) -> tuple[sp.Symbol, ...]:
    """The variables to differentiate by; a name that is not in f still counts (∂f/∂v = 0).
    everything: None means all the variables (a gradient), not the only one."""
    variables = graph.variables
    if wrt is None and everything:
        wrt = "all"
    if wrt is None:
        if len(variables) == 1:
            return variables
        if not variables:
            raise UsageError("the expression has no variables: say which one with «wrt»", param="wrt")
        names = ", ".join(v.name for v in variables)
        raise UsageError(f"the expression has several variables ({names}): choose with «wrt», "
                         f"e.g. «wrt=»{variables[0].name}, or «wrt=»all", param="wrt")
    if isinstance(wrt, str):
        if wrt.strip() == "all":
            if not variables:
                raise UsageError("the expression has no variables", param="wrt")
            return variables
        items: list[str | sp.Symbol] = [w.strip() for w in wrt.split(",")]
    elif isinstance(wrt, sp.Symbol):
        items = [wrt]
    elif isinstance(wrt, Iterable):
        items = list(wrt)
    else:
        raise UsageError(f"«wrt» takes a variable name, a list of them, or \"all\"; not {type(wrt).__name__}",
                         param="wrt")
    by_name = {v.name: v for v in variables}
    defined = {n.name for n in graph.nodes if n.body is not None}
    chosen: list[sp.Symbol] = []
    seen: set[sp.Symbol] = set()
    for item in items:
        if not isinstance(item, (str, sp.Symbol)):
            raise UsageError(f"«wrt» takes variable names, not {type(item).__name__}", param="wrt")
        name = item.name if isinstance(item, sp.Symbol) else item
        if name == output_name and name not in by_name:
            raise UsageError(f"«wrt=»{name}: {name} is the function being differentiated", param="wrt")
        if name in defined:
            inputs = ", ".join(by_name) or "none"
            raise UsageError(f"«wrt=»{name}: {name} is defined in terms of other variables; "
                             f"differentiate by an input ({inputs})", param="wrt")
        symbol = by_name.get(name) or variable(name, "wrt")
        if symbol not in seen:  # a set: a list's `in` made choosing n variables quadratic
            seen.add(symbol)
            chosen.append(symbol)
    if not chosen:
        raise UsageError("«wrt» names no variable", param="wrt")
    return tuple(chosen)


def point(at: AtLike, limits: Limits) -> dict[sp.Symbol, sp.Expr]:
    """at="x=2,y=1/2" or a mapping → exact values; each value is a finite real constant."""
    if isinstance(at, str):
        if len(at) > limits.max_length:
            raise UsageError(f"«at» is longer than {limits.max_length} characters", param="at")
        try:
            pairs: list[tuple[object, object]] = [(n, v) for n, v, _ in parse_stage.split_pairs(at)]
        except ParseError as exc:
            raise UsageError(f"«at=»{exc.token!r}: expected name=value", param="at") from None
        if not pairs:
            raise UsageError("«at»: expected name=value pairs, e.g. «at=»x=2,y=1/2", param="at")
    elif isinstance(at, Mapping):
        pairs = list(at.items())
    else:
        raise UsageError(f"«at» takes \"x=2, y=1/2\" or a mapping, not {type(at).__name__}", param="at")
    values: dict[sp.Symbol, sp.Expr] = {}
    for key, raw in pairs:
        name = key.name if isinstance(key, sp.Symbol) else str(key)
        symbol = variable(name, "at")
        if symbol in values:
            raise UsageError(f"«at» gives {name} twice", param="at")
        values[symbol] = constant(raw, "at", limits, name)
    return values


def constant(raw: object, param: str, limits: Limits, name: str = "") -> sp.Expr:
    """A finite real number given as text (exact: 0.01 is 1/100), an int, a float (made exact) or a
    constant SymPy expression."""
    what = f"«{param}=»{name}" if name else f"«{param}»"
    if isinstance(raw, bool):
        raise UsageError(f"{what}: expected a number", param=param)
    if isinstance(raw, (int, float)):
        raw = repr(raw)
    try:
        value = parse_stage.parse(raw, limits) if isinstance(raw, str) else raw
    except ParseError as exc:
        raise UsageError(f"{what}: {exc}", param=param) from None
    if not isinstance(value, sp.Expr) or value.free_symbols:
        raise UsageError(f"{what}: expected a number, got {str(raw)[:40]!r}", param=param)
    value = value if value.is_Number else value.doit()
    if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or value.is_extended_real is not True:
        raise UsageError(f"{what}: expected a finite real number, got {str(raw)[:40]!r}", param=param)
    return value


def number(raw: NumberLike, param: str, limits: Limits) -> sp.Expr | None:
    return None if raw is None else constant(raw, param, limits)


def names(raw: object, param: str) -> tuple[str, ...]:
    """"x,y" or a list of names."""
    if raw is None:
        return ()
    items = raw.split(",") if isinstance(raw, str) else list(raw) if isinstance(raw, Iterable) else None
    if items is None:
        raise UsageError(f"«{param}» takes names, not {type(raw).__name__}", param=param)
    return tuple(variable(str(i.name if isinstance(i, sp.Symbol) else i).strip(), param).name for i in items
                 if str(i).strip())


def variable(name: str, param: str) -> sp.Symbol:
    try:
        return parse_stage.parse_name(name)
    except ParseError as exc:
        raise UsageError(f"«{param}=»{name[:40]!r}: {exc.reason}", param=param) from None


def as_expr(expr: object, limits: Limits, syntax: str = "auto") -> sp.Expr:
    if isinstance(expr, str):
        return parse_stage.parse(expr, limits, syntax=syntax)
    if isinstance(expr, sp.Basic):
        return expr  # the graph refuses what is not an Expr
    raise UsageError(f"expected a string or a sympy expression, got {type(expr).__name__}", param="expr")


def mode_of(mode: str | None) -> str | None:
    if mode is not None and mode not in MODES:
        raise UsageError(f"«mode» must be one of {', '.join(MODES)}, not {mode!r}", param="mode")
    return mode
