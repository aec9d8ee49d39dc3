"""Check a claimed derivative: correct or incorrect, a point where it fails, and which step of the
chain rule it gets wrong when a standard mistake explains it.

The candidates are the derivative recomputed over the same graph with one mistake planted at one
node: the inner derivative dropped (chain rule forgotten), a local partial's sign flipped, one
term of a multi-path sum left out, the product rule applied as (uv)' = u'v'; and the whole
derivative negated. A claim that matches a candidate numerically at every test point is
explained by it; otherwise the counterexample stands alone.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

import mpmath
import sympy as sp

from .functions import rewrite_primitives
from .model import Diagnosis, Graph, Node
from .numeric import NotANumber, evaluate, finite
from .rules import partials

MAX_CANDIDATE_NODES = 200
"""graphs larger than this get no diagnosis (each candidate is a full forward pass)"""


def diagnose(graph: Graph, wrt: sp.Symbol, claim: sp.Expr, points: Sequence[dict[sp.Symbol, object]]) -> Diagnosis | None:
    """The first standard mistake whose result equals the claim at all points, or None."""
    if len(graph.nodes) > MAX_CANDIDATE_NODES or not points:
        return None
    claim = rewrite_primitives(claim)
    claimed = [_at(claim, p) for p in points]
    if any(c is None for c in claimed):
        return None
    matches = []
    for rank, (diagnosis, candidate) in enumerate(_candidates(graph, wrt)):
        candidate = rewrite_primitives(candidate)
        values = [_at(candidate, p) for p in points]
        if all(v is not None and _close(v, c) for v, c in zip(values, claimed)):
            matches.append((_PRIORITY[diagnosis.kind], rank, diagnosis))
    return min(matches, key=lambda m: m[:2])[2] if matches else None


_PRIORITY = {"chain rule dropped": 0, "product rule misapplied": 1, "path dropped": 2,
             "sign error (minus sign)": 3, "sign error": 4}
"""Several mistakes can give the same wrong result (negating any factor of a chain negates the
whole); the most likely one is reported: a minus sign lost from a partial that has one."""


def sample_points(variables: Sequence[sp.Symbol], exprs: Sequence[sp.Expr], count: int = 4) -> list[dict[sp.Symbol, object]]:
    """Random real points where every expression is finite and real."""
    rng = random.Random(4)
    exprs = [rewrite_primitives(e) for e in exprs]
    found: list[dict[sp.Symbol, object]] = []
    for _ in range(60):
        point: dict[sp.Symbol, object] = {v: mpmath.mpf(f"{rng.uniform(0.2, 1.9) * rng.choice((1, -1)):.4f}")
                                          for v in variables}
        if all(_at(e, point) is not None for e in exprs):
            found.append(point)
            if len(found) == count:
                break
    return found


def _at(expr: sp.Expr, point: dict[sp.Symbol, object]) -> object | None:
    """expr's real value at point (expr already in SymPy's own functions), or None."""
    try:
        value = evaluate(expr, point, 30)  # type: ignore[arg-type]
    except (NotANumber, ZeroDivisionError, OverflowError, ValueError):
        return None
    if not finite(value) or (isinstance(value, mpmath.mpc) and abs(value.imag) > 1e-20):
        return None
    return value.real if isinstance(value, mpmath.mpc) else value


def _close(a: object, b: object) -> bool:
    return bool(abs(a - b) <= mpmath.mpf("1e-9") * max(1, abs(a), abs(b)))  # type: ignore[operator]


def _candidates(graph: Graph, wrt: sp.Symbol) -> Iterator[tuple[Diagnosis, sp.Expr]]:
    """(diagnosis, the derivative with that one mistake) for every node and mistake."""
    for node in graph.nodes:
        terms = [p for p in partials(node)]
        name, local = node.name, sp.sstr(node.local, order="none")
        for p in terms:
            if p.arg != wrt:
                yield (Diagnosis("chain rule dropped", name,
                                 f"the chain rule is dropped at {name} = {local}: ∂{name}/∂{p.arg} = {sp.sstr(p.local)} "
                                 f"is not multiplied by the inner derivative d{p.arg}/d{wrt}"),
                       _forward(graph, wrt, node, inner_one=p.arg))
            kind = "sign error (minus sign)" if p.local.could_extract_minus_sign() else "sign error"
            yield (Diagnosis(kind, name,
                             f"sign error at {name} = {local}: ∂{name}/∂{p.arg} is {sp.sstr(p.local)}, "
                             f"not {sp.sstr(-p.local)}"),
                   _forward(graph, wrt, node, negate=p.arg))
            if len(terms) > 1:
                term = (f"the direct term ∂{name}/∂{wrt} = {sp.sstr(p.local)}" if p.arg == wrt else
                        f"the term ∂{name}/∂{p.arg} · d{p.arg}/d{wrt} (the path through {p.arg})")
                yield (Diagnosis("path dropped", name,
                                 f"a path is missing at {name} = {local}: {term} is left out of the sum"),
                       _forward(graph, wrt, node, drop=p.arg))
        if node.op is sp.Mul and len(terms) > 1:
            yield (Diagnosis("product rule misapplied", name,
                             f"the product rule is misapplied at {name} = {local}: the derivative of a product "
                             f"is Σ (one factor's derivative × the other factors), not the product of the derivatives"),
                   _forward(graph, wrt, node, product=True))
    yield (Diagnosis("sign error", "", "sign error: the claim is the negative of the derivative"),
           -_forward(graph, wrt, None))


def _forward(graph: Graph, wrt: sp.Symbol, at: Node | None, *, inner_one: sp.Symbol | None = None,
             negate: sp.Symbol | None = None, drop: sp.Symbol | None = None, product: bool = False) -> sp.Expr:
    """The total-derivative rule with one mistake planted at node `at`."""
    values = graph.values
    derivative: dict[sp.Basic, sp.Expr] = {wrt: sp.Integer(1)}
    for node in graph.nodes:
        terms = [(p, derivative[p.arg]) for p in partials(node) if p.arg in derivative]
        if node is at:
            if product:
                factors = [derivative.get(a, 0) if isinstance(a, sp.Symbol) else a for a in node.args]
                derivative[node.symbol] = sp.Mul(*factors)
                continue
            terms = [(p, sp.Integer(1) if p.arg == inner_one else d) for p, d in terms if p.arg != drop]
            terms = [(p, -d if p.arg == negate else d) for p, d in terms]
        derivative[node.symbol] = sp.Add(*(p.local.xreplace(values) * d for p, d in terms))
    return derivative.get(graph.output, sp.Integer(0))
