"""One item of a batch → one result row (schema chainsym.batch, version 1): the item's fields
checked, the library called (a check when there is a claim, else a derivation of the asked kind),
and every failure turned into a row with status error or limit. Never raises for a bad item.

Runs wherever the work runs: in a local worker process, in a Dask worker, or in the caller's
process (workers=0). Imports SymPy only when the first item runs.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from ..errors import ChainsymError, LimitError, ParseError
from ..limits import Limits

SCHEMA = "chainsym.batch"
VERSION = 1
FIELDS = ("id", "expr", "wrt", "where", "at", "order", "kind", "claim")
KINDS = ("diff", "grad", "jacobian", "hessian")
SHOWN = 300
"""characters of an item's expression and claim repeated in its result (the rest is elided)"""
INTERNAL = "InternalError"


def schema() -> dict[str, Any]:
    """The JSON Schema of a result row, shipped with chainsym (schemas/batch-v1.schema.json)."""
    from importlib import resources

    text = resources.files("chainsym").joinpath("schemas", f"batch-v{VERSION}.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def run_line(line: str, limits: Limits) -> str:
    """A work line (JSON: the item, its line number, and a reading problem if any) → a result line."""
    return json.dumps(run_item(json.loads(line), limits), ensure_ascii=False)


def run_lines(lines: Iterable[str], limits: Limits) -> Iterator[str]:
    for line in lines:
        yield run_line(line, limits)


def run_chunk(lines: list[str], limits: dict[str, float]) -> list[str]:
    """A chunk of work lines → their result lines (the unit of work a Dask task runs)."""
    from .watch import guarded

    bounds = Limits(**limits)  # type: ignore[arg-type]
    return [guarded(line, bounds) for line in lines]


def run_item(work: Mapping[str, Any], limits: Limits) -> dict[str, Any]:
    """One item → its result row; work holds "item" (the fields as read), "line", and "problem"
    (why the line could not be read as an item) when it could not."""
    started = time.perf_counter()
    item = item_of(work)
    row = base_row(item, int(work.get("line", 0)), str(work.get("id", "")))
    try:
        if work.get("problem"):
            raise InputError(str(work["problem"]), limit=work.get("limit"))
        row.update(_run(item, limits))
    except InputError as exc:
        limited = exc.limit is not None
        row.update(error_row("limit" if limited else "error", "LimitError" if limited else "InputError", str(exc),
                             exc.limit, exc.field))
    except LimitError as exc:
        row.update(error_row("limit", type(exc).__name__, spelled(exc), exc.limit, None))
    except ChainsymError as exc:
        row.update(error_row("error", type(exc).__name__, spelled(exc), None, _field(exc.param)))
    except RecursionError:
        row.update(error_row("limit", "LimitError", "the expression is nested too deeply (limit 'max_depth')",
                             "max_depth", None))
    except MemoryError:
        row.update(error_row("limit", "LimitError", "out of memory: the item is too large", "memory", None))
    except Exception as exc:  # a bug in chainsym: this item's result says so, the batch goes on
        row.update(error_row("error", INTERNAL, f"internal error: {type(exc).__name__}: {str(exc)[:200]} "
                             "(please report it)", None, None))
    row["seconds"] = round(time.perf_counter() - started, 6)
    return row


class InputError(Exception):
    """An item that is not well formed (a missing or unknown field, a field of the wrong type)."""

    def __init__(self, message: str, field: str | None = None, limit: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.limit = limit


def item_of(work: Mapping[str, Any]) -> dict[str, Any]:
    """The item's fields in a work record (none when its line could not be read)."""
    item = work.get("item")
    return item if isinstance(item, dict) else {}


def base_row(item: Mapping[str, Any], line: int, fallback_id: str) -> dict[str, Any]:
    """The fields every result has, before the work: what the item is."""
    ident = item.get("id")
    expr = item.get("expr")
    return {
        "schema": SCHEMA, "version": VERSION,
        "id": ident if _valid_id(ident) else fallback_id,
        "line": line,
        "problem": problem_key(item),
        "expr": elided(expr) if isinstance(expr, str) else None,
        "where": where_text(item.get("where")),
        "at": where_text(item.get("at")),
        "kind": None, "order": None, "wrt": None,
        "status": "error",
        "claim": claim_text(item.get("claim")),
        "derivative": None, "value": None, "verification": None, "comparison": None, "counterexample": None,
        "diagnosis": None, "diagnoses": [], "ambiguous": False, "entries": [], "wrong": [], "error": None,
        "seconds": 0.0,
    }


def error_row(status: str, kind: str, message: str, limit: str | None, field: str | None) -> dict[str, Any]:
    return {"status": status, "error": {"type": kind, "message": message, "limit": limit, "field": field}}


def problem_key(item: Mapping[str, Any]) -> str:
    """The same question asked of many students: a short digest of everything but the id and the claim."""
    asked = {k: item.get(k) for k in FIELDS if k not in ("id", "claim")}
    text = json.dumps(asked, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:12]


def elided(text: str, limit: int = SHOWN) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def claim_text(claim: object) -> str | None:
    """A claim as one line of text, however it was given (text, a mapping, rows)."""
    if claim is None or claim == "":
        return None
    if isinstance(claim, str):
        return elided(claim)
    return elided(json.dumps(claim, ensure_ascii=False, default=str))


def where_text(where: object) -> str | None:
    """An item's definitions (or point) as one line: "x = s - sin(t); y = e^s"."""
    if where is None or where == "" or where == [] or where == {}:
        return None
    if isinstance(where, dict):
        return elided("; ".join(f"{k} = {v}" for k, v in where.items()))
    if isinstance(where, list):
        return elided("; ".join(str(w) for w in where))
    return elided(str(where))


def _valid_id(ident: object) -> bool:
    return (isinstance(ident, str) and ident != "") or (isinstance(ident, int) and not isinstance(ident, bool))


def spelled(exc: ChainsymError) -> str:
    """A library message with parameters spelled as the item's fields, limits as the CLI's flag."""
    message = exc.spelled(_spelling)
    if isinstance(exc, ParseError) and exc.text and len(exc.text) <= SHOWN:
        message += f" in {exc.text!r}"
    return message


def _spelling(param: str) -> str:
    kind, _, name = param.partition(":")
    return f"--limit {name}=N" if kind == "limit" else param.rstrip("=") + ("=" if param.endswith("=") else "")


def _field(param: str | None) -> str | None:
    return param if param in FIELDS else "expr" if param is None else None


# --- the work ------------------------------------------------------------------------------------

def _run(item: Mapping[str, Any], limits: Limits) -> dict[str, Any]:
    fields = _fields(item)
    from .rows import check_row, derived_row

    if fields["claim"] is not None:
        return check_row(fields, limits)
    return derived_row(fields, limits)


def _fields(item: Mapping[str, Any]) -> dict[str, Any]:
    """The item's fields, each of an accepted type; empty text counts as absent (CSV cells)."""
    unknown = sorted(str(k) for k in item if k not in FIELDS)
    if unknown:
        raise InputError(f"unknown field {unknown[0][:40]!r} (the fields are {', '.join(FIELDS)})", unknown[0][:40])
    if not _valid_id(item.get("id")):
        raise InputError("the item has no id (text or a whole number)", "id")
    fields = {k: (None if item.get(k) == "" else item.get(k)) for k in FIELDS}
    if not isinstance(fields["expr"], str):
        raise InputError("the item has no expr (text)" if fields["expr"] is None else
                         f"expr must be text, not {type(fields['expr']).__name__}", "expr")
    checks: dict[str, Callable[[Any], bool]] = {
        "wrt": lambda v: isinstance(v, str) or (isinstance(v, list) and all(isinstance(n, str) for n in v)),
        "where": lambda v: isinstance(v, str) or (isinstance(v, list) and all(isinstance(n, str) for n in v))
        or (isinstance(v, dict) and all(isinstance(n, str) for n in v.values())),
        "at": lambda v: isinstance(v, str) or (isinstance(v, dict) and all(
            isinstance(n, (str, int, float)) and not isinstance(n, bool) for n in v.values())),
        "kind": lambda v: v in KINDS,
        "claim": lambda v: isinstance(v, (str, dict, list)) or (isinstance(v, (int, float))
                                                                and not isinstance(v, bool)),
    }
    for name, ok in checks.items():
        if fields[name] is not None and not ok(fields[name]):
            expected = {"kind": f"one of {', '.join(KINDS)}"}.get(name, "text" if name != "claim" else
                                                                   "text, a mapping or rows")
            raise InputError(f"{name} must be {expected}, not {str(fields[name])[:40]!r}", name)
    fields["order"] = _order(fields["order"])
    fields["where"] = fields["where"] if fields["where"] is not None else ()
    return fields


def _order(raw: object) -> int:
    if raw is None:
        return 1
    if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) < 4:
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise InputError(f"order must be a whole number from 1, not {str(raw)[:40]!r}", "order")
    return raw
