"""What a worker process computes for one request: `run(job)` → {"ok": payload} or {"error": record}.

A job is plain data {"kind", "fields", "limits"}: "page" (the page's result panel: the derivation
as an HTML fragment, a one-line summary, and the verdict on the user's own answer), "diff" and
"check" (the API: the `--format json` data), or a download ("latex", "markdown", "json", "svg").
The text is passed to the library unchanged (whatever syntax it reads, the page reads). Every
library error becomes an error record spelled for its reader (the page's field names, or the API's);
nothing but MemoryError leaves run() (the worker loop answers that one and retires).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .. import api
from ..errors import ChainsymError, LimitError, ParseError
from ..limits import Limits
from ..render import render
from ..render.check import summary as check_lines
from ..render.common import result_name
from ..render.html import fragment
from ..render.json import data
from ..render.picture import svg
from ..render.text import render_result
from ..results import Derivation
from .protocol import api_spelling, error, page_spelling

Spelling = Callable[[str], str]

DOWNLOADS = {"latex": lambda d: render(d, "latex"), "markdown": lambda d: render(d, "markdown"),
             "json": lambda d: render(d, "json"), "svg": svg}
"""what each download link gives: the derivation shown on the page, as a file"""

EXCERPT = 40
"""characters shown on each side of the place a parse error points at"""


def run(job: dict[str, Any]) -> dict[str, Any]:
    """One job, answered: never raises on bad input, a limit, or a bug (a bug is an InternalError)."""
    kind, fields, limits = job["kind"], job["fields"], job["limits"]
    spelling = api_spelling if kind in ("diff", "check") else page_spelling
    try:
        if kind == "page":
            return {"ok": page(fields, limits)}
        if kind == "diff":
            return {"ok": data(derive(fields, limits, api_call=True))}
        if kind == "check":
            return {"ok": data(api.check(fields["expr"], fields["claim"], fields.get("wrt"),
                                         where=fields.get("where", ()), limits=limits))}
        return {"ok": DOWNLOADS[kind](derive(fields, limits))}
    except (ChainsymError, RecursionError) as exc:
        return {"error": record(exc, spelling)}
    except MemoryError:
        raise
    except Exception as exc:  # a bug in chainsym: said in one line, the server goes on
        return {"error": error("InternalError", f"internal error: {type(exc).__name__}: {str(exc)[:200]} "
                                                "(please report it with the input)")}


def derive(fields: dict[str, Any], limits: Limits, api_call: bool = False) -> Derivation:
    """The derivation the fields ask for: the page's fields, or an API body's."""
    extra: dict[str, Any] = {}
    if api_call:
        extra = {"where": fields.get("where", ()), "data": fields.get("data"), "verify": fields.get("verify", True),
                 "expand": fields.get("expand", False)}
    return api.diff(fields["expr"], fields.get("wrt"), mode=fields.get("mode"), at=fields.get("at"),
                    lr=fields.get("lr"), limits=limits, **extra)


def page(fields: dict[str, str], limits: Limits) -> dict[str, Any]:
    """The page's result panel: the derivation (or its error), then the verdict on the claim, if any.
    The claim is checked within what is left of the time limit."""
    started = time.monotonic()
    out: dict[str, Any] = {"fragment": "", "summary": "", "verified": "", "error": None, "check": None}
    try:
        d = derive(fields, limits)
    except (ChainsymError, RecursionError) as exc:
        out["error"] = record(exc, page_spelling)
        return out
    out.update(fragment=fragment(d), summary=summary(d), verified=d.verification.status if d.verification else "")
    if "claim" in fields:
        left = max(limits.seconds - (time.monotonic() - started), 0.1)
        try:
            c = api.check(fields["expr"], fields["claim"], fields.get("wrt"), limits=limits.replace(seconds=left))
            out["check"] = {"verdict": c.verdict, "lines": [line.strip() for line in check_lines(c)]}
        except (ChainsymError, RecursionError) as exc:
            out["check"] = {"verdict": "error", "error": record(exc, page_spelling)}
    return out


def summary(d: Derivation) -> str:
    """The result in one line (at a point: its values there), for the page's status line."""
    shown = render_result(d).strip().replace("\n", "; ")
    if len(d.wrt) == 1 and d.point is None and d.program is None:
        shown = f"{result_name(d, 0)} = {shown}"
    return shown if len(shown) <= 300 else shown[:299] + "…"


def record(exc: ChainsymError | RecursionError, spelling: Spelling) -> dict[str, Any]:
    """A library error as an error record, its parameters spelled for the reader; a parse error
    with the place it points at (the text around it, and the token)."""
    if isinstance(exc, RecursionError):
        return error("LimitError", "the expression is nested too deeply (limit 'max_depth')", limit="max_depth")
    kind = next(c.__name__ for c in type(exc).__mro__ if c.__module__ == ChainsymError.__module__)
    extra: dict[str, Any] = {"param": exc.param}
    if isinstance(exc, ParseError):
        start = max(exc.column - 1, 0)
        text = exc.text
        extra.update(column=exc.column, token=exc.token,
                     excerpt=[text[max(0, start - EXCERPT):start], text[start:start + max(len(exc.token), 1)][:EXCERPT],
                              text[start + max(len(exc.token), 1):][:EXCERPT]] if text else None)
    if isinstance(exc, LimitError):
        extra["limit"] = exc.limit
    return error(kind, exc.spelled(spelling), **extra)
