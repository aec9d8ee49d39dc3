"""The derivation as one JSON object (schema "chainsym.derivation", version 1).

Expressions are SymPy string syntax, so `sympy.sympify` — on trusted output only — or
`chainsym.parse` reads them back.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from ..model import Derivation, ForwardPass, Point, PointValue, ReversePass, Verification
from .common import final, rule, show, show_local

SCHEMA = "chainsym.derivation"
VERSION = 1


def data(d: Derivation) -> dict[str, Any]:
    """The derivation as plain JSON-able data."""
    single = len(d.wrt) == 1
    names = [v.name for v in d.wrt]
    return {
        "schema": SCHEMA,
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
            {"name": n.name, "op": n.op_name, "local": show_local(n.local),
             "args": [show(a) for a in n.args], "value": show(n.expr)}
            for n in d.graph.nodes
        ],
        "output_name": d.output_name,
        "steps": [step for fp in d.forward for step in _steps(fp)],
        "backward": _backward(d.reverse) if d.reverse is not None else None,
        "agreement": d.agreement or None,
        "point": _point(d.point) if d.point is not None else None,
        "verification": verification_data(d.verification),
        "verifications": {n: verification_data(v) for n, v in zip(names, d.verifications)},
    }


def schema(name: str = "derivation") -> dict[str, Any]:
    """The JSON Schema shipped with chainsym for an output ("derivation" or "check")."""
    text = resources.files("chainsym").joinpath("schemas", f"{name}-v{VERSION}.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def render(d: Derivation) -> str:
    return json.dumps(data(d), ensure_ascii=False, indent=2) + "\n"


def _form(d: Derivation, i: int) -> str:
    """'expression' (the result whole) or 'program' (its final expression over shared parts)."""
    return "expression" if final(d, i) is None else "program"


def _result(d: Derivation, i: int) -> str:
    shown = final(d, i)
    return show(d.results[i]) if shown is None else show(shown)


def _steps(fp: ForwardPass) -> list[dict[str, Any]]:
    x = fp.wrt.name
    return [
        {"wrt": x, "node": s.node.name, "rule": rule(s, x),
         "terms": [{"arg": t.partial.arg.name, "partial": show(t.partial.local),
                    "derivative": show(t.derivative)} for t in s.terms],
         "total": show(s.total)}
        for s in fp.steps
    ]


def _backward(rp: ReversePass) -> list[dict[str, Any]]:
    return [
        {"target": s.target.name, "total": show(s.total),
         "contributions": [{"consumer": c.consumer.name, "local": show(c.partial.local),
                            "upstream": show(c.upstream), "downstream": show(c.downstream)}
                           for c in s.contributions]}
        for s in rp.steps
    ]


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
    }


def verification_data(v: Verification | None) -> dict[str, Any]:
    if v is None:
        return {"status": "off", "method": "none", "detail": "verification was turned off"}
    return {"status": v.status, "method": v.method, "detail": v.detail, "oracle": v.oracle,
            "points": [dict(p) for p in v.points], "tolerance": v.tolerance}
