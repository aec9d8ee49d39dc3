"""Every result as one JSON object, in a versioned schema shipped with the package
(chainsym/schemas/<kind>-v2.schema.json): chainsym.derivation, .check, .jacobian, .hessian, .orders.
Every one has `schema`, `version` and `result`.

Expressions are SymPy string syntax, so `sympy.sympify` — on trusted output only — or
`chainsym.parse` reads them back.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import sympy as sp

from ..model import ForwardPass, Point, PointValue, ReversePass, Verification
from ..results import CheckResult, Derivation, Hessian, Orders
from ..vector_results import Jacobian
from .common import by_name, final, operation, rule, show, show_local

VERSION = 2
VERSIONS = {"work": 1}
"""kinds whose schema has a version of its own (a newer kind starts at 1)"""


def data(result: Any) -> dict[str, Any]:
    """Any result as plain JSON-able data."""
    from .work import data as work

    kinds: dict[str, Any] = {"derivation": derivation, "check": check, "jacobian": jacobian, "hessian": hessian,
                             "orders": orders, "work": work}
    return kinds[result.kind](result)  # type: ignore[no-any-return]


def derivation(d: Derivation) -> dict[str, Any]:
    """A derivation as plain JSON-able data."""
    single = len(d.wrt) == 1
    names = [v.name for v in d.wrt]
    return {
        "schema": "chainsym.derivation",
        "version": VERSION,
        "input": d.source,
        "expression": show(d.expr),
        "variables": [v.name for v in d.graph.variables],
        "wrt": names[0] if single else names,
        "mode": d.mode,
        "result": _result(d, 0) if single else {n: _result(d, i) for i, n in enumerate(names)},
        "result_form": _form(d, 0) if single else {n: _form(d, i) for i, n in enumerate(names)},
        "result_program": None if d.program is None else {
            "definitions": [[name.name, show(value)] for name, value in d.program.definitions]},
        "output": show(d.graph.output),
        "nodes": [
            {"name": n.name, "op": n.op_name, "operation": operation(n), "local": show_local(n.local),
             "args": [show(a) for a in n.args], "value": None if by_name(n.expr) else show(n.expr)}
            for n in d.graph.nodes
        ],
        "output_name": d.output_name,
        "steps": [step for fp in d.forward for step in _steps(fp)],
        "backward": _backward(d.reverse) if d.reverse is not None else None,
        "agreement": d.agreement or None,
        "point": _point(d.point) if d.point is not None else None,
        "data": [v.name for v in d.data],
        "verification": verification_data(d.verification),
        "verifications": {n: verification_data(v) for n, v in zip(names, d.verifications, strict=False)},
    }


def schema(name: str = "derivation") -> dict[str, Any]:
    """The JSON Schema shipped with chainsym for an output (derivation, check, jacobian, hessian, orders, work)."""
    version = VERSIONS.get(name, VERSION)
    text = resources.files("chainsym").joinpath("schemas", f"{name}-v{version}.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def render(result: Any) -> str:
    return json.dumps(data(result), ensure_ascii=False, indent=2) + "\n"


def _form(d: Derivation, i: int) -> str:
    """'expression' (the result whole) or 'program' (its final expression over shared parts)."""
    return "expression" if final(d, i) is None else "program"


def _result(d: Derivation, i: int) -> str:
    shown = final(d, i)
    return show(d.results[i]) if shown is None else show(shown)


def _steps(fp: ForwardPass) -> list[dict[str, Any]]:
    """Each step; a step whose total is large is written over the names of the derivatives it
    combines ("by_name": its terms' derivatives and total are null), as the text shows it: otherwise
    a deep chain's steps grow with the square of the depth, and the whole with its cube."""
    x = fp.wrt.name
    out = []
    for s in fp.steps:
        named = by_name(s.total)
        out.append({"wrt": x, "node": s.node.name, "rule": rule(s, x), "by_name": named,
                    "terms": [{"arg": t.partial.arg.name, "partial": show(t.partial.local),
                               "derivative": None if named else show(t.derivative)} for t in s.terms],
                    "total": None if named else show(s.total)})
    return out


def _backward(rp: ReversePass) -> list[dict[str, Any]]:
    out = []
    for s in rp.steps:
        named = by_name(s.total)
        out.append({"target": s.target.name, "total": None if named else show(s.total), "by_name": named,
                    "contributions": [{"consumer": c.consumer.name, "local": show(c.partial.local),
                                       "upstream": None if named else show(c.upstream),
                                       "downstream": None if named else show(c.downstream)}
                                      for c in s.contributions]})
    return out


def _number(v: PointValue) -> dict[str, str]:
    return {"exact": show(v.exact), "approx": v.approx}


def _point(p: Point) -> dict[str, Any]:
    return {
        "inputs": {v.name: show(x) for v, x in p.inputs},
        "values": {s.name: _number(v) for s, v in p.values},
        "adjoints": {s.name: _number(v) for s, v in p.adjoints},
        "edges": [{"consumer": c.name, "arg": a.name, "upstream": _number(up), "local": _number(lo),
                   "downstream": _number(down)} for c, a, up, lo, down in p.edges],
        "gradient": {v.name: _number(g) for v, g in p.gradient},
        "learning_rate": show(p.learning_rate) if p.learning_rate is not None else None,
        "updates": {v.name: _number(u) for v, u in p.updates},
        "notes": list(p.notes),
        "tangents": {x.name: {u.name: _number(v) for w, u, v in p.tangents if w == x}
                     for x in dict.fromkeys(x for x, _, _ in p.tangents)},
        "tangent_edges": [{"wrt": x.name, "consumer": c.name, "arg": a.name, "local": _number(lo),
                           "incoming": _number(inc), "term": _number(t)} for x, c, a, lo, inc, t in p.tangent_edges],
    }


def verification_data(v: Verification | None) -> dict[str, Any]:
    if v is None:
        return {"status": "off", "method": "none", "detail": "verification was turned off"}
    return {"status": v.status, "method": v.method, "detail": v.detail, "oracle": v.oracle,
            "points": [dict(p) for p in v.points], "tolerance": v.tolerance, "seed": v.seed}


def _matrix(m: Any) -> dict[str, Any]:
    return {"shape": list(m.shape), "entries": [[show(m[r, c]) for c in range(m.shape[1])] for r in range(m.shape[0])]}


def check(r: CheckResult) -> dict[str, Any]:
    d = r.derivation
    several = bool(r.entries)
    return {
        "schema": "chainsym.check",
        "version": VERSION,
        "expression": show(d.expr),
        "kind": r.claim_kind,
        "claimed": r.label or None,
        "wrt": [v.name for v in d.wrt] if several else d.wrt[0].name,
        "claim": r.claim_text,
        "verdict": r.verdict,
        "correct": r.correct,
        "result": claim_result(r),
        "method": r.comparison.method,
        "detail": _detail(r),
        "comparison": verification_data(r.comparison),
        "counterexample": counterexample_data(r),
        "diagnosis": None if r.diagnosis is None else _diagnosis(r.diagnosis),
        "diagnoses": [_diagnosis(m) for m in r.diagnoses],
        "ambiguous": len(r.diagnoses) > 1,
        "entries": [check_entry(e) for e in r.entries],
        "wrong": [e.label for e in r.wrong],
        "derivation": derivation(d),
    }


def claim_result(r: CheckResult) -> Any:
    """The correct derivative a claim was compared with: text; for a gradient claim a mapping
    variable → text; for a matrix claim its rows."""
    result = r.result
    if isinstance(result, dict):
        return {v.name: show(e) for v, e in result.items()}
    if isinstance(result, sp.MatrixBase):
        return [[show(result[i, j]) for j in range(result.shape[1])] for i in range(result.shape[0])]
    return show(result)


def check_entry(e: Any) -> dict[str, Any]:
    """One entry of a claim of several, with its own verdict."""
    r = e.check
    return {"entry": e.label, "index": list(e.index), "claim": r.claim_text, "verdict": r.verdict,
            "result": show(r.result), "detail": _detail(r), "counterexample": counterexample_data(r),
            "diagnoses": [_diagnosis(m) for m in r.diagnoses], "ambiguous": len(r.diagnoses) > 1}


def _detail(r: CheckResult) -> str:
    if r.correct or not r.counterexample:
        return r.comparison.detail
    return ("at " + ", ".join(f"{n} = {v}" for n, v in r.counterexample)
            + f": the claim gives {r.claimed_value}, the derivative is {r.correct_value}")


def counterexample_data(r: CheckResult) -> dict[str, Any] | None:
    if r.correct or not r.counterexample:
        return None
    return {"point": dict(r.counterexample), "claim": r.claimed_value, "derivative": r.correct_value}


def _diagnosis(m: Any) -> dict[str, str]:
    return {"kind": m.kind, "node": m.node, "message": m.message}


def orders(o: Orders) -> dict[str, Any]:
    return {"schema": "chainsym.orders", "version": VERSION, "order": len(o.orders),
            "result": show(o.result),
            "at": {v.name: show(c) for v, c in o.at} or None,
            "value": show(o.value) if o.value is not None else None,
            "orders": [derivation(d) for d in o.orders],
            "verification": verification_data(o.check)}


def hessian(h: Hessian) -> dict[str, Any]:
    names = [v.name for v in h.derivation.wrt]
    return {"schema": "chainsym.hessian", "version": VERSION, "wrt": names,
            "gradient": {n: show(g) for n, g in zip(names, h.derivation.results, strict=False)},
            "gradient_graph_nodes": len(h.gradient_graph.nodes),
            "result": [[show(h.matrix[i, j]) for j in range(len(names))] for i in range(len(names))],
            "symmetric": h.symmetric,
            "at": {v.name: show(c) for v, c in h.point} or None,
            "values": None if h.values is None else _matrix(h.values)["entries"],
            "verification": verification_data(h.check)}


def jacobian(d: Jacobian) -> dict[str, Any]:
    result = d.result
    return {
        "schema": "chainsym.jacobian", "version": VERSION, "input": d.source, "layout": d.layout,
        "inputs": [{"name": i.name, "shape": list(i.shape), "components": [c.name for c in i.components]}
                   for i in d.inputs],
        "nodes": [{"name": n.name, "reads": n.text, "kind": n.kind, "shape": list(n.shape), "args": list(n.args)}
                  for n in d.nodes],
        "output": d.output,
        "wrt": list(d.wrt),
        "result": {k: _matrix(v) for k, v in result.items()} if isinstance(result, dict) else _matrix(result),
        "jacobians": {w: _matrix(j) for w, j in zip(d.wrt, d.jacobians, strict=False)},
        "shaped": {w: _matrix(m) for w, m in zip(d.wrt, d.shaped, strict=False)},
        "layers": [{"z": layer.z, "statements": [{"formula": t, "checked": ok} for t, ok in layer.statements]}
                   for layer in d.layers],
        "at": {v.name: show(c) for v, c in d.point} or None,
        "values": {w: _matrix(m) for w, m in zip(d.wrt, d.values, strict=False)} or None,
        "verification": verification_data(d.verification if d.verifications else None),
        "verifications": {w: verification_data(v) for w, v in zip(d.wrt, d.verifications, strict=False)},
    }
