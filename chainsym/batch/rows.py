"""The library's results as batch result rows: a check (status correct, incorrect or undecided, with
the counterexample, the diagnoses and each entry's verdict) or a derivation (status derived, with
the derivative, its verification and, at a point, its value). Imports SymPy: runs in the workers."""

from __future__ import annotations

from typing import Any

import sympy as sp

from .. import api
from ..limits import Limits
from ..render import json as json_render
from ..render.common import show
from ..results import CheckResult
from .job import elided


def check_row(fields: dict[str, Any], limits: Limits) -> dict[str, Any]:
    """An item with a claim: the verdict on it."""
    r = api.check(fields["expr"], fields["claim"], fields["wrt"], where=fields["where"], order=fields["order"],
                  kind=fields["kind"], at=fields["at"], limits=limits)
    diagnoses = [_diagnosis(m, None) for m in r.diagnoses]
    diagnoses += [_diagnosis(m, e.label) for e in r.entries for m in e.check.diagnoses]
    return {
        "status": r.verdict,
        "kind": r.claim_kind,
        "order": fields["order"],
        "wrt": [v.name for v in r.derivation.wrt],
        "claim": elided(r.claim_text),
        "derivative": json_render.claim_result(r),
        "verification": _verification(r.derivation.verification),
        "comparison": _verification(r.comparison),
        "counterexample": json_render.counterexample_data(r),
        "diagnosis": diagnoses[0] if len(diagnoses) == 1 and not _ambiguous(r) else None,
        "diagnoses": diagnoses,
        "ambiguous": _ambiguous(r),
        "entries": [json_render.check_entry(e) for e in r.entries],
        "wrong": [e.label for e in r.wrong],
        "value": _value_at(r, fields),
    }


def _ambiguous(r: CheckResult) -> bool:
    return len(r.diagnoses) > 1 or any(len(e.check.diagnoses) > 1 for e in r.entries)


def _value_at(r: CheckResult, fields: dict[str, Any]) -> Any:
    """With a point, the claim is a value: the correct value it was compared with."""
    if fields["at"] is None or r.entries or not r.counterexample:
        return None
    return r.correct_value


def derived_row(fields: dict[str, Any], limits: Limits) -> dict[str, Any]:
    """An item without a claim: its derivative of the asked kind, verified."""
    kind = fields["kind"] or "diff"
    expr, wrt, where, at, order = fields["expr"], fields["wrt"], fields["where"], fields["at"], fields["order"]
    if order > 1 and kind != "diff":
        from ..errors import UsageError

        raise UsageError(f"«order» above 1 is for kind diff, not {kind}", param="order")
    value: Any = None
    derivative: Any
    if kind == "diff" and order > 1:
        o = api.derivatives(expr, wrt, order, where=where, at=at, limits=limits)
        names, derivative, check = [o.orders[0].wrt[0].name], show(o.result), o.verification
        value = show(o.value) if o.value is not None else None
    elif kind in ("diff", "grad"):
        call = api.diff if kind == "diff" else api.grad
        d = call(expr, wrt, where=where, at=at, limits=limits)
        names, check = [v.name for v in d.wrt], d.verification
        derivative = show(d.results[0]) if kind == "diff" and len(d.wrt) == 1 else \
            {v.name: show(e) for v, e in zip(d.wrt, d.results, strict=True)}
        if d.point is not None:
            values = {v.name: show(g.exact) for v, g in d.point.gradient}
            value = values[names[0]] if isinstance(derivative, str) else values
    elif kind == "hessian":
        h = api.hessian(expr, wrt, where=where, at=at, limits=limits)
        names, derivative, check = [v.name for v in h.derivation.wrt], _rows(h.matrix), h.verification
        value = _rows(h.values) if h.values is not None else None
    else:
        if where:
            from ..errors import UsageError

            raise UsageError("«where» does not apply to a Jacobian: write a program in «expr»", param="where")
        j = api.jacobian(expr, wrt, at=at, limits=limits)
        names, check = list(j.wrt), j.verification
        derivative = _rows(sp.Matrix.hstack(*j.jacobians))
        value = _rows(sp.Matrix.hstack(*j.values)) if j.values else None
    return {"status": "derived", "kind": kind, "order": order, "wrt": names, "derivative": derivative,
            "verification": _verification(check), "value": value}


def _rows(m: sp.Matrix) -> list[list[str]]:
    return [[show(m[i, j]) for j in range(m.shape[1])] for i in range(m.shape[0])]


def _verification(v: Any) -> dict[str, Any] | None:
    if v is None:
        return None
    return {"status": v.status, "method": v.method, "detail": v.detail, "oracle": v.oracle}


def _diagnosis(m: Any, entry: str | None) -> dict[str, Any]:
    return {"entry": entry, "kind": m.kind, "node": m.node, "message": m.message}
