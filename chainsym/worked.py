"""Worked steps, checked line by line: each step of a derivation (one per line, or joined by `=`)
is read with its derivatives still written (d/dx(...), (...)', \\frac{d}{dx}(...)), evaluated — every
written derivative taken by chainsym's own chain rule (`api.diff`) — and compared with the step
before it by the one verdict module. The first wrong step gets a counterexample and what explains
it: a written derivative that the step replaced by something else (found by matching the step
against the one before; the replacement is then checked against the elementary rules' standard
slips and, through `claims.diagnose`, the chain rule's), or, failing that, a standard mistake that
turns the whole derivative into the step. Steps after it are still compared with each other, and
with the first step. The correct continuation starts from the last right step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any

import sympy as sp

from . import api, options
from .canon import canonical
from .errors import LimitError, ParseError, UsageError
from .functions import rewrite_all, rewrite_primitives
from .limits import DEFAULT_LIMITS, Limits
from .mistakes import diagnose
from .model import Diagnosis, Verification
from .options import ExprLike, WhereLike, WrtLike
from .results import Derivation
from .sampling import Sampler, seed_of
from .syntax import Differentiate, Piece, parse_step, split_steps, step_label
from .verdict import DPS, _real_values, breakpoints_of, compare, show
from .walk import Substituter, build, evaluated, free_symbols, postorder, rebuild
from .work import Budget
from .work_results import Slip, WorkResult, WorkStep
from .worked_match import match, rule_slips

MAX_STEPS = 200
"""a derivation longer than this is refused (each step is compared at several points)"""
STEP_POINTS = 8
"""each step is compared with the one before at as many points as a claim is"""
DIAGNOSIS_POINTS = 5


def check_work(text: str, wrt: WrtLike = None, *, expr: ExprLike | None = None, where: WhereLike = (),
               syntax: str = "auto", limits: Limits = DEFAULT_LIMITS) -> WorkResult:
    """Check a worked derivation step by step.

    text: the steps, one per line (or joined by `=`), in plain text or LaTeX; a line may start with
      `=` or `&=`. A step may write derivatives unevaluated: d/dx(...), d/dx[...], (...)',
      \\frac{d}{dx}(...); the first is usually `d/dx f` itself.
    wrt: the variable (default: that of the first derivative written, or the only variable).
    expr: the function the steps differentiate, when the text leaves out the first line (a program
      "h = u^3 + 2u - 5; u = (x+1)^2" lets the steps use u); where: its definitions, as for diff.
    Returns a WorkResult: every step's verdict against the one before, the first wrong step with a
    counterexample and what explains it, and the correct continuation from the last right step.
    """
    if not isinstance(limits, Limits):
        raise UsageError(f"«limits» must be a chainsym.Limits, not {type(limits).__name__}", param="limits")
    if not isinstance(text, str):
        raise UsageError(f"«work» must be text, not {type(text).__name__}", param="work")
    if len(text) > limits.max_length:
        raise LimitError("max_length", f"the steps are {len(text)} characters long, more than {limits.max_length}")
    syntax = options.syntax_of(syntax)
    pieces = split_steps(text)
    if not pieces:
        raise UsageError("«work» has no steps", param="work")
    if len(pieces) > MAX_STEPS:
        raise UsageError(f"«work» has {len(pieces)} steps; at most {MAX_STEPS} are checked", param="work")
    read = [(p, _read(p, syntax, limits)) for p in pieces]
    return Checker(read, wrt, expr, where, syntax, limits).run()


def _read(piece: Piece, syntax: str, limits: Limits) -> sp.Expr:
    """One step, its parse error placed at its line and column in the whole text."""
    try:
        return parse_step(piece.text, limits, syntax=syntax)
    except ParseError as exc:
        line = f"line {piece.line}: " if piece.line else ""
        raise ParseError(f"{line}{exc.reason}", column=piece.column + exc.column - 1, token=exc.token,
                         text=piece.source or piece.text) from None


class Checker:
    """The steps of one derivation, their values, and the derivatives taken on the way (cached)."""

    def __init__(self, read: list[tuple[Piece, sp.Expr]], wrt: WrtLike, expr: ExprLike | None, where: WhereLike,
                 syntax: str, limits: Limits) -> None:
        self.limits, self.budget = limits, Budget.of(limits)
        self.derived: dict[tuple[sp.Expr, sp.Symbol], Derivation] = {}
        self.definitions: dict[sp.Basic, sp.Basic] = {}
        self.start: Derivation | None = None
        if expr is not None:
            d = api.diff(expr, wrt, mode="forward", where=where, syntax=syntax, limits=limits)
            if len(d.wrt) != 1:
                raise UsageError("a worked derivation differentiates by one variable: choose it with «wrt»",
                                 param="wrt")
            self.x: sp.Symbol | None = d.wrt[0]
            self.definitions = {n.symbol: n.expr for n in d.graph.nodes if n.body is not None}
            self.start = d
            read = [(Piece(d.source or show(d.expr), 0, 1), Differentiate(d.expr, d.wrt[0])), *read]
        else:
            if where:
                raise UsageError("«where» defines names of «expr»: give «expr» too", param="where")
            self.x = _variable(wrt, [e for _, e in read])
        self.read = read
        self.substitute = Substituter(self.definitions)

    # ---- values
    def derivation(self, arg: sp.Expr, x: sp.Symbol) -> Derivation:
        """chainsym's derivation of arg (markers already taken) by x, computed once."""
        key = (arg, x)
        if key not in self.derived:
            self.derived[key] = api.diff(arg, x, mode="forward", limits=self.limits)
        return self.derived[key]

    def variable_of(self, marker: Differentiate) -> sp.Symbol:
        if marker.variable is not None:
            return marker.variable
        if self.x is None:
            raise UsageError(f"{show(marker)} needs the variable of the derivation: give «wrt»", param="wrt")
        return self.x

    def value(self, expr: sp.Expr) -> sp.Expr:
        """expr with defined names replaced and every written derivative taken, innermost first."""
        def change(node: sp.Basic, args: tuple[sp.Basic, ...]) -> sp.Basic:
            self.budget.tick()
            if isinstance(node, Differentiate):
                return self.derivative(node, args[0])
            return node if args == node.args else build(node.func, args)

        return rebuild(self.substitute(expr), change)

    def derivative(self, marker: Differentiate, arg: sp.Basic) -> sp.Expr:
        return self.derivation(arg, self.variable_of(marker)).results[0]

    def graph_of(self, marker: Differentiate, arg: sp.Expr) -> Derivation:
        """The derivation whose graph explains a slip in marker: the given program's, for the start."""
        x = self.variable_of(marker)
        if self.start is not None and marker.args[0] == self.start.expr and x == self.start.wrt[0]:
            return self.start
        return self.derivation(arg, x)

    def equal(self, a: sp.Expr, b: sp.Expr) -> bool:
        """The same expression once defined names are replaced and SymPy evaluates it (for matching)."""
        return bool(a == b or evaluated(self.substitute(a)) == evaluated(self.substitute(b)))

    # ---- the check
    def run(self) -> WorkResult:
        values = [self.value(e) for _, e in self.read]
        # the steps as written, not their layout, choose the points: a trailing newline changes nothing
        seed = seed_of(*(p.text for p, _ in self.read), self.x.name if self.x is not None else "")
        first = self.read[0][1]
        domain = self.value(first.args[0]) if isinstance(first, Differentiate) else None
        steps: list[WorkStep] = []
        wrong: int | None = None
        lines = [p.line for p, _ in self.read]
        for k, ((piece, expr), value) in enumerate(zip(self.read, values, strict=True)):
            number = k if self.start is not None else k + 1
            if k == 0:
                steps.append(WorkStep(number, piece.line, piece.column, piece.text, expr, value, holds=True))
                continue
            before = self.read[k - 1][0]
            c = self.compare(value, values[k - 1], (step_label(piece.line, piece.column, lines),
                                                    step_label(before.line, before.column, lines)), seed + k, domain)
            holds = (wrong is None and c.status != "mismatch") or (
                wrong is not None and self.compare(value, values[0], ("", ""), seed + k, domain).status != "mismatch")
            step = WorkStep(number, piece.line, piece.column, piece.text, expr, value, c, holds)
            if c.status == "mismatch":
                step = self.explain(step, steps[-1], seed + k) if wrong is None else self.located(step, steps[-1])
                wrong = k if wrong is None else wrong
            steps.append(step)
        last = steps[wrong - 1] if wrong is not None else steps[-1]
        written = [m for m in postorder(last.expr) if isinstance(m, Differentiate)]
        return WorkResult(tuple(steps), self.x, canonical(last.value, self.limits, self.budget),
                          tuple((m, self.value(m)) for m in written), self.first_derivation(first))

    def compare(self, a: sp.Expr, b: sp.Expr, names: tuple[str, str], seed: int, domain: sp.Expr | None
                ) -> Verification:
        variables = self.variables(a, b)
        return compare(a, b, variables, seed=seed, domain_of=domain, oracle="the step before", names=names,
                       breakpoints=breakpoints_of([a, b], variables, self.budget), points=STEP_POINTS,
                       budget=self.budget)

    def variables(self, *exprs: sp.Expr) -> list[sp.Symbol]:
        found = set().union(*(free_symbols(e) for e in exprs)) | ({self.x} if self.x is not None else set())
        return sorted(found, key=lambda s: s.name)

    def first_derivation(self, first: sp.Expr) -> Derivation | None:
        if self.start is not None or not isinstance(first, Differentiate):
            return self.start
        return self.derivation(self.value(first.args[0]), self.variable_of(first))

    def located(self, step: WorkStep, before: WorkStep) -> WorkStep:
        """A wrong step's counterexample and the values of both steps there."""
        point = step.comparison.points[0] if step.comparison is not None and step.comparison.points else ()
        at = _exact(point, self.variables(step.value, before.value))
        if at is None:
            return step
        return replace(step, counterexample=point, values=(_value_at(step.value, at), _value_at(before.value, at)))

    def explain(self, step: WorkStep, before: WorkStep, seed: int) -> WorkStep:
        """The first wrong step: where it fails, the written derivatives it replaced wrongly and why,
        else the standard mistake that turns the whole derivative into it."""
        step = self.located(step, before)
        variables = self.variables(step.value, before.value)
        points = self.points(variables, [step.value, before.value], _exact(step.counterexample, variables), seed)
        slips = []
        for marker, replacement in match(before.expr, step.expr, self.equal, self.budget) or ():
            x = self.variable_of(marker)
            arg = self.value(marker.args[0])
            true, written = self.derivative(marker, arg), self.value(replacement)
            if self.compare(written, true, ("", ""), seed, None).status != "mismatch":
                continue
            why = rule_slips(arg, x, written, lambda e, v: self.derivation(e, v).results[0], self.same) or \
                diagnose(self.graph_of(marker, arg).graph, x, written, points, self.budget)
            slips.append(Slip(marker, replacement, true, why))
        diagnoses: tuple[Diagnosis, ...] = ()
        whole = self.first_derivation(self.read[0][1])
        if not any(s.explanations for s in slips) and whole is not None:
            diagnoses = diagnose(whole.graph, whole.wrt[0], step.value, points, self.budget)
        return replace(step, slips=tuple(slips), diagnoses=diagnoses)

    def same(self, a: sp.Expr, b: sp.Expr) -> bool:
        """Whether a and b are equal as functions (for matching a step against a standard slip)."""
        return self.compare(a, b, ("", ""), 0, None).status in ("proved", "numeric")

    def points(self, variables: Sequence[sp.Symbol], exprs: Sequence[sp.Expr], first: dict[sp.Symbol, Any] | None,
               seed: int) -> list[dict[sp.Symbol, Any]]:
        """The counterexample and random real points where every expression is finite."""
        found = [first] if first is not None else []
        sampler = Sampler(seed + 1)
        rewritten = rewrite_all(exprs)
        for _ in range(80):
            point = sampler.point(variables)
            if _real_values(rewritten, point, DPS, None, False, self.budget) is not None:
                found.append(point)
                if len(found) == DIAGNOSIS_POINTS:
                    break
        return found


def _variable(wrt: WrtLike, exprs: list[sp.Expr]) -> sp.Symbol | None:
    """The derivation's variable: wrt, else that of the first derivative written, else the only one."""
    if isinstance(wrt, sp.Symbol):
        return wrt
    if isinstance(wrt, str):
        return options.variable(wrt.strip(), "wrt")
    if wrt is not None:
        raise UsageError(f"«wrt» takes one variable name, not {type(wrt).__name__}", param="wrt")
    for expr in exprs:
        for node in postorder(expr):
            if isinstance(node, Differentiate) and node.variable is not None:
                return node.variable
    found = set().union(*(free_symbols(e) for e in exprs))
    return found.pop() if len(found) == 1 else None


def _exact(point: tuple[tuple[str, str], ...], variables: Sequence[sp.Symbol]) -> dict[sp.Symbol, Any] | None:
    """A shown point as exact rationals (None for a complex one)."""
    given = dict(point)
    try:
        return {s: Fraction(given[s.name]) for s in variables if s.name in given} if point else None
    except ValueError:
        return None


def _value_at(expr: sp.Expr, at: dict[sp.Symbol, Any]) -> str:
    values = _real_values([rewrite_primitives(expr)], at, DPS, None, True, None)
    return show(values[0]) if values is not None else "undefined"

