"""Check a claimed derivative: correct or incorrect, a point where it fails, and which step of the
chain rule it gets wrong when a standard mistake explains it.

The candidates are the derivative recomputed by the one sweep with one mistake planted at one
edge or node (a hook on the forward flow): the inner derivative dropped (chain rule forgotten),
a local partial's sign flipped, one path of a multi-path sum left out, the product rule applied
as (uv)' = u'v', an outer derivative taken at the wrong inner value (g'(x+1) for g'((x+1)²)),
and the whole derivative negated. A claim that equals a candidate at every test point is
explained by it; when several explain it, all are listed and the diagnosis is ambiguous.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import sympy as sp

from . import options
from .errors import ParseError, UsageError
from .exact import finite_value
from .functions import rewrite_all, rewrite_primitives
from .limits import Limits
from .mistakes import diagnose
from .numeric import NotANumber, evaluate_all
from .results import CheckResult, Derivation, Entry
from .sampling import Sampler, question, seed_of
from .syntax import split_top_level
from .verdict import DPS, _real_values, breakpoints_of, combine, compare, show
from .walk import Substituter, free_symbols
from .work import Budget

CLAIM_POINTS = 8
"""a claim is compared at more points than chainsym's own result (it may be adversarial)"""


def read_claim(claim: str | sp.Basic, limits: Limits, syntax: str = "auto") -> sp.Expr:
    """The claim as an expression (parsed, never evaluated)."""
    if not isinstance(claim, str):
        return claim
    try:
        return options.as_expr(claim, limits, syntax)
    except ParseError as exc:
        raise UsageError(f"«claim»: {exc}", param="claim") from None


def check(d: Derivation, text: str, claimed: sp.Expr, limits: Limits, budget: Budget, *, label: str = "",
          variables: Sequence[sp.Symbol] = (), at: dict[sp.Symbol, sp.Expr] | None = None) -> CheckResult:
    """The verdict on claimed as the derivative d found (names d's program defines stand for their definitions).

    label: what is claimed, when it is not d's own result name (d²f/dx², ∂²f/∂x∂y).
    variables: the function's variables when d differentiates a part of it (a gradient component
      for a Hessian entry): the claim may use any of them.
    at: a point: the claim is the derivative's value there (a number, or an expression taken there).
    """
    graph, x = d.graph, d.wrt[0]
    variables = tuple(dict.fromkeys([*graph.variables, *variables])) or (x,)
    stray = sorted(v.name for v in free_symbols(claimed) if v not in variables and v not in graph.index and v != x)
    if stray:
        raise UsageError(f"«claim» uses {', '.join(stray)}, which {d.output_name} does not depend on", param="claim")
    claimed = Substituter(graph.values)(claimed)
    if at is not None:
        return _check_at(d, text, claimed, at, variables, label, limits, budget)
    seed = seed_of(question(d.source, d.expr), text, x.name)
    breakpoints = breakpoints_of([claimed, d.results[0]], variables, budget)
    comparison = compare(claimed, d.results[0], variables, seed=seed, domain_of=graph.value,
                         oracle="chainsym's verified derivative", names=("the claim", "the derivative"),
                         breakpoints=breakpoints, points=CLAIM_POINTS, budget=budget)
    if comparison.status != "mismatch":
        return CheckResult(text, claimed, comparison.status != "skipped", comparison, d, label=label)
    point = dict(comparison.points[0])
    try:
        where = {s: Fraction(point[s.name]) for s in variables if s.name in point}
    except ValueError:  # a complex point (the real domain is empty): no diagnosis by real samples
        return CheckResult(text, claimed, False, comparison, d, counterexample=comparison.points[0], label=label)
    points = [where] + _sample(variables, [claimed, d.results[0]], graph.value, seed, budget)
    return CheckResult(text, claimed, False, comparison, d, counterexample=comparison.points[0],
                       claimed_value=_value_text(claimed, where, d.results[0]),
                       correct_value=_value_text(d.results[0], where, claimed),
                       diagnoses=diagnose(graph, x, claimed, points, budget), label=label)


def _check_at(d: Derivation, text: str, claimed: sp.Expr, at: dict[sp.Symbol, sp.Expr],
              variables: Sequence[sp.Symbol], label: str, limits: Limits, budget: Budget) -> CheckResult:
    """The claim as the derivative's value at a point: compared exactly where the numbers are exact,
    and explained by the standard mistakes whose value there is the claim's."""
    missing = [v.name for v in variables if v not in at]
    if missing:
        raise UsageError(f"«at» gives no value for {', '.join(missing)}", param="at")
    extra = sorted(v.name for v in at if v not in variables)
    if extra:
        raise UsageError(f"«at» gives a value for {', '.join(extra)}, which {d.output_name} does not depend on",
                         param="at")
    substitute = Substituter(dict(at))
    correct = finite_value(substitute(d.results[0]), "the derivative", limits)
    claim_value = substitute(claimed)
    shown = tuple((v.name, sp.sstr(at[v])) for v in variables)
    seed = seed_of(question(d.source, d.expr), text, d.wrt[0].name, *(f"{n}={v}" for n, v in shown))
    comparison = compare(claim_value, correct, (), seed=seed, oracle="chainsym's verified derivative",
                         names=("the claim", "the derivative"), budget=budget)
    if comparison.status != "mismatch":
        return CheckResult(text, claimed, comparison.status != "skipped", comparison, d, label=label)
    point = _mp_point(at, variables)
    diagnoses = diagnose(d.graph, d.wrt[0], claimed, [point], budget) if point is not None else ()
    where = ", ".join(f"{n} = {v}" for n, v in shown)
    comparison = replace(comparison, detail=comparison.detail.replace("at any point", f"at {where}", 1),
                         points=(shown,))
    return CheckResult(text, claimed, False, comparison, d, counterexample=shown,
                       claimed_value=_constant_text(claim_value), correct_value=_constant_text(correct),
                       diagnoses=diagnoses, label=label)


def _mp_point(at: dict[sp.Symbol, sp.Expr], variables: Sequence[sp.Symbol]) -> dict[sp.Symbol, Any] | None:
    """A given point as the numbers the diagnosis evaluates at (None: a coordinate has no real value)."""
    point: dict[sp.Symbol, Any] = {}
    for v in variables:
        value = at[v]
        if isinstance(value, sp.Rational):
            point[v] = Fraction(int(value.p), int(value.q))
            continue
        try:
            (number,) = evaluate_all([value], {}, DPS)
        except NotANumber:
            return None
        point[v] = number
    return point


def _constant_text(value: sp.Expr) -> str:
    try:
        (number,) = evaluate_all([rewrite_primitives(value)], {}, DPS)
    except NotANumber:
        return str(sp.sstr(value))[:80]
    return show(number)


def _sample(variables: Sequence[sp.Symbol], exprs: Sequence[sp.Expr], domain: sp.Expr, seed: int,
            budget: Budget, count: int = 4) -> list[dict[sp.Symbol, Any]]:
    """Random real points where every expression is finite and real."""
    sampler = Sampler(seed + 1)
    rewritten = rewrite_all(exprs)
    found = []
    for _ in range(80):
        point = sampler.point(variables)
        if _real_values(rewritten, point, DPS, rewrite_primitives(domain), False, budget) is not None:
            found.append(point)
            if len(found) == count:
                break
    return found


def _value_text(expr: sp.Expr, point: dict[sp.Symbol, Any], other: sp.Expr | None = None) -> str:
    """expr's value at point, with as many digits as it takes to tell it from other's there."""
    values = _real_values([rewrite_primitives(expr)], point, 2 * DPS, None, True, None)
    if values is None:
        return "undefined"
    theirs = _real_values([rewrite_primitives(other)], point, 2 * DPS, None, True, None) if other is not None else None
    return show(values[0], theirs[0] if theirs is not None else None)


# --- claims of several entries -------------------------------------------------------------------

KINDS = ("diff", "grad", "jacobian", "hessian")
"""what a claim can be: a derivative (of any order), a gradient, a Jacobian, a Hessian"""
Entry_ = tuple[str, sp.Expr]
"""one entry of a claim: its text and its expression"""


@dataclass(frozen=True)
class Claims:
    """A claim as read: one expression, entries by variable name (a gradient), or rows (a matrix;
    a flat list is one row and `flat`)."""

    text: str
    one: sp.Expr | None = None
    named: tuple[tuple[str, str, sp.Expr], ...] = ()
    """(variable, text, expression) per entry"""
    rows: tuple[tuple[Entry_, ...], ...] = ()
    flat: bool = False

    @property
    def several(self) -> bool:
        return self.one is None


def read_claims(claim: object, limits: Limits) -> Claims:
    """Any claim: text (one expression; "x: 2*x*y; y: x^2" for a gradient; "[[a, b], [c, d]]" for a
    matrix; JSON), a SymPy expression or number, a mapping name → entry, a (nested) list of entries."""
    if isinstance(claim, str) and claim.strip().startswith("{"):
        try:
            claim = json.loads(claim)
        except ValueError:
            raise UsageError("«claim» starts with '{' but is not a JSON object", param="claim") from None
    if isinstance(claim, Mapping):
        named = tuple((options.variable(str(k), "claim").name, *_entry(v, limits, str(k))) for k, v in claim.items())
        return Claims(_shown_named(named), named=_unique(named))
    if isinstance(claim, (list, tuple)):
        return _rows([_items(r) if isinstance(r, (list, tuple)) else r for r in claim], limits)
    if not isinstance(claim, str):
        text, expr = _entry(claim, limits, "")
        return Claims(text, one=expr)
    text = claim.strip()
    if text.startswith("["):
        if not text.endswith("]"):
            raise UsageError("«claim»: a list [a, b, …] must end with ']'", param="claim")
        pieces = [p.strip() for _, p in split_top_level(text[1:-1])]
        nested = [p.startswith("[") for p in pieces]
        if any(nested) and not all(nested) or any(p.startswith("[") and not p.endswith("]") for p in pieces):
            raise UsageError("«claim»: write a matrix as rows, [[a, b], [c, d]]", param="claim")
        return _rows([[q.strip() for _, q in split_top_level(p[1:-1])] if p.startswith("[") else p for p in pieces],
                     limits, claim)
    pieces = [p for _, p in split_top_level(text, ";,\n") if p.strip()]
    parts = [split_top_level(p, ":") for p in pieces]
    if len(pieces) > 1 or (parts and len(parts[0]) > 1):
        entries: list[tuple[str, str, sp.Expr]] = []
        for piece, split in zip(pieces, parts, strict=True):
            if len(split) != 2:
                raise UsageError(f"«claim»: expected name: derivative, not {piece.strip()[:40]!r}", param="claim")
            name = options.variable(split[0][1].strip(), "claim").name
            entries.append((name, *_entry(split[1][1].strip(), limits, name)))
        return Claims(claim, named=_unique(tuple(entries)))
    return Claims(claim, one=read_claim(claim, limits))


def _items(row: Sequence[object]) -> list[object]:
    return list(row)


def _rows(rows: list[object], limits: Limits, text: str = "") -> Claims:
    if not rows:
        raise UsageError("«claim» is an empty list", param="claim")
    flat = not any(isinstance(r, list) for r in rows)
    if not flat and not all(isinstance(r, list) and r for r in rows):
        raise UsageError("«claim»: write a matrix as rows, [[a, b], [c, d]]", param="claim")
    table: list[list[object]] = [[r] for r in rows] if flat else [list(r) for r in rows]  # type: ignore[call-overload]
    read = tuple(tuple(_entry(e, limits, f"[{i + 1}][{j + 1}]" if not flat else f"[{i + 1}]")
                       for j, e in enumerate(row)) for i, row in enumerate(table))
    if flat:
        read = (tuple(row[0] for row in read),)
    shown = text or ("[" + ", ".join("[" + ", ".join(t for t, _ in row) + "]" for row in read) + "]" if not flat
                     else "[" + ", ".join(t for t, _ in read[0]) + "]")
    return Claims(shown, rows=read, flat=flat)


def _entry(value: object, limits: Limits, where: str) -> Entry_:
    """One entry: text, a number, or a SymPy expression."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, sp.Basic)):
        raise UsageError(f"«claim»{' entry ' + where if where else ''}: expected an expression, "
                         f"not {type(value).__name__}", param="claim")
    text = repr(value) if isinstance(value, (int, float)) else value if isinstance(value, str) else sp.sstr(value)
    try:
        return text, read_claim(text if not isinstance(value, sp.Basic) else value, limits)
    except UsageError as exc:
        if not where:
            raise
        raise UsageError(exc.template.replace("«claim»", f"«claim» entry {where}", 1), param="claim") from None


def _unique(named: tuple[tuple[str, str, sp.Expr], ...]) -> tuple[tuple[str, str, sp.Expr], ...]:
    seen = [n for n, _, _ in named]
    twice = sorted({n for n in seen if seen.count(n) > 1})
    if twice:
        raise UsageError(f"«claim» gives {', '.join(twice)} twice", param="claim")
    return named


def _shown_named(named: tuple[tuple[str, str, sp.Expr], ...]) -> str:
    return "; ".join(f"{n}: {t}" for n, t, _ in named)


def kind_of(kind: str | None, claims: Claims, is_list: bool) -> str:
    """The kind of derivative claimed: as given, or from the claim's shape (a mapping or a flat list:
    a gradient; rows: a Jacobian of a list [a, b], else a Hessian; one expression: a derivative)."""
    if kind is not None and kind not in KINDS:
        raise UsageError(f"«kind» must be one of {', '.join(KINDS)}, not {str(kind)[:40]!r}", param="kind")
    found = ("diff" if not claims.several else "grad" if claims.named or claims.flat else
             "jacobian" if is_list else "hessian")
    if kind is None:
        return found
    fits = {"diff": found == "diff", "grad": found == "grad", "jacobian": bool(claims.rows) and not claims.flat,
            "hessian": bool(claims.rows) and not claims.flat}
    if not fits[kind]:
        shapes = {"diff": "one expression", "grad": "a mapping name: derivative (or a list in «wrt» order)",
                  "jacobian": "rows [[...], ...]", "hessian": "rows [[...], ...]"}
        raise UsageError(f"a {kind} claim is {shapes[kind]}", param="claim")
    return kind


def view(d: Derivation, i: int) -> Derivation:
    """The derivation by one of d's variables, as if d had been asked for that one alone."""
    program = d.program
    if program is not None:
        program = replace(program, results=(program.results[i],))
    return replace(d, wrt=(d.wrt[i],), forward=(d.forward[i],) if d.forward else (), results=(d.results[i],),
                   verifications=(d.verifications[i],) if d.verifications else (), program=program, reverse=None,
                   mode="forward")


def check_entries(kind: str, claims: Claims, rows: Sequence[Derivation], names: Sequence[str], function: str,
                  limits: Limits, budget: Budget, *, representative: Derivation,
                  variables: Sequence[sp.Symbol] = (), at: dict[sp.Symbol, sp.Expr] | None = None) -> CheckResult:
    """The verdict on each entry of a claim of several: rows[i] differentiates the ith row's function
    (f itself for a gradient, ∂f/∂xi for a Hessian, the ith component for a Jacobian) by every
    variable in names, and entry (i, j) is checked against its jth result."""
    claimed = _table(kind, claims, len(rows), list(names))
    entries = []
    for i, d in enumerate(rows):
        for j, name in enumerate(names):
            label = _label(kind, function, names, i, j)
            text, expr = claimed[i][j]
            try:
                result = check(view(d, j), text, expr, limits, budget, label=label, variables=variables, at=at)
            except UsageError as exc:
                if "«claim»" not in exc.template:
                    raise
                raise UsageError(exc.template.replace("«claim»", f"«claim» entry {label}:", 1), param="claim") from None
            entries.append(Entry(label, (name,) if kind == "grad" else (i + 1, j + 1), result))
    comparison = combine([e.check.comparison for e in entries], "entries")
    matrix = sp.Matrix(len(rows), len(names), [e.check.claim for e in entries])
    return CheckResult(claims.text, matrix, all(e.check.correct for e in entries), comparison, representative,
                       label=_label(kind, function, names, -1, -1), entries=tuple(entries), claim_kind=kind)


def _table(kind: str, claims: Claims, rows: int, names: list[str]) -> list[list[Entry_]]:
    """The claimed entries laid out as rows × names, or a UsageError naming what is missing or extra."""
    if kind == "grad":
        if claims.flat:
            (row,) = claims.rows
            if len(row) != len(names):
                raise UsageError(f"«claim» lists {len(row)} entries for {len(names)} variables "
                                 f"({', '.join(names)})", param="claim")
            return [list(row)]
        given = {n: (t, e) for n, t, e in claims.named}
        missing = [n for n in names if n not in given]
        extra = [n for n in given if n not in names]
        if missing or extra:
            what = (f"no entry for {', '.join(missing)}" if missing else "") + ("; " if missing and extra else "") + \
                (f"entries for {', '.join(extra)}, which are not among the variables ({', '.join(names)})"
                 if extra else "")
            raise UsageError(f"«claim» gives {what}", param="claim")
        return [[given[n] for n in names]]
    table = [list(r) for r in claims.rows]
    if len(table) != rows or any(len(r) != len(names) for r in table):
        shape = f"{len(table)}x{'/'.join(sorted({str(len(r)) for r in table}))}"
        raise UsageError(f"«claim» is {shape}, the {kind} is {rows}x{len(names)} (variables {', '.join(names)})",
                         param="claim")
    return table


SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def order_label(f: str, x: str, order: int, several: bool) -> str:
    """d²f/dx² (∂ when f has several variables)."""
    d, n = ("∂" if several else "d"), str(order).translate(SUPERSCRIPTS)
    return f"{d}{n}{f}/{d}{x}{n}"


def _label(kind: str, f: str, names: Sequence[str], i: int, j: int) -> str:
    """What an entry is (∂f/∂y, ∂²f/∂x∂y, ∂f_2/∂x), or with i < 0 the whole (∇f, the Hessian of f)."""
    if i < 0:
        return {"grad": f"∇{f}", "hessian": f"the Hessian of {f}", "jacobian": f"the Jacobian of {f}"}[kind]
    if kind == "grad":
        return f"∂{f}/∂{names[j]}"
    if kind == "hessian":
        a, b = names[i], names[j]
        return f"∂²{f}/∂{a}²" if a == b else f"∂²{f}/∂{a}∂{b}"
    return f"∂{f}_{i + 1}/∂{names[j]}"
