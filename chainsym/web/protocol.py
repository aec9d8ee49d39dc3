"""What crosses the wire and the pipe: the fields a request may carry, checked before any work; the
error record every failure becomes; the HTTP status of each kind of error; how an error names the
field it is about, on the page and in the API. Imports nothing heavy (no SymPy, no web stack).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..limits import Limits

VERSION = 2
"""the version of the API's bodies, the same as the `--format json` schemas"""

MODES = ("forward", "reverse", "both")

PAGE_FIELDS = ("expr", "wrt", "mode", "at", "lr", "claim")
"""what the page's form (and its URL) carries"""

API_FIELDS: dict[str, dict[str, str]] = {
    "diff": {"expr": "text", "wrt": "text", "mode": "mode", "at": "text", "lr": "text", "where": "texts",
             "data": "text", "verify": "flag", "expand": "flag"},
    "check": {"expr": "text", "claim": "text", "wrt": "text", "where": "texts"},
}
"""per API call: each field a body may carry and its type (every body may also say "version": 2)"""

REQUIRED = {"diff": ("expr",), "check": ("expr", "claim")}

MAX_WHERE = 200
"""definitions in one body's `where`"""

STATUS = {"ParseError": 400, "UsageError": 400, "UnsupportedOpError": 400, "BadRequest": 400, "LimitError": 422,
          "TooLarge": 413, "Busy": 503, "WorkerLost": 500, "InternalError": 500}
"""the HTTP status of each kind of error record"""

PAGE_NAMES = {"expr": "the Expression field", "wrt": "the Variable field", "mode": "the Mode field",
              "at": "the Point field", "lr": "the Learning rate field", "claim": "the Your answer field",
              "where": "a definition", "data": "the data field"}
"""how the page names the library's parameters in a message"""


class BadRequest(ValueError):
    """A request the server refuses before any work: an unknown field, a wrong type, too long."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param

    def record(self) -> dict[str, Any]:
        return error("BadRequest", str(self), param=self.param)


def error(kind: str, message: str, **extra: Any) -> dict[str, Any]:
    """An error record: its kind (a key of STATUS), a one-line message, and what else is known
    (param, column, token, excerpt, limit). Plain data: it crosses the worker's pipe and becomes JSON.

    excerpt, for a parse error: [the text before the place it points at, the text there, after]."""
    record: dict[str, Any] = {"kind": kind, "message": message, "param": None, "column": None, "token": None,
                              "excerpt": None, "limit": None}
    record.update({k: v for k, v in extra.items() if k in record})
    return record


def envelope(record: Mapping[str, Any]) -> dict[str, Any]:
    """An error record as the API answers it (schema chainsym.error)."""
    return {"schema": "chainsym.error", "version": VERSION, "error": dict(record)}


def status(record: Mapping[str, Any]) -> int:
    return STATUS.get(str(record.get("kind")), 500)


def page_spelling(param: str) -> str:
    """«at» → the Point field; «limit:seconds» → how whoever runs the server raises it."""
    kind, _, name = param.partition(":")
    if kind == "limit":
        return f"chainsym serve --limit {name}=N" if name != "memory" else "chainsym serve --memory MB"
    bare = param.rstrip("=")
    label = PAGE_NAMES.get(bare, bare)
    return f"{label.removeprefix('the ').removesuffix(' field')}: " if param.endswith("=") else label


def api_spelling(param: str) -> str:
    """«at» → "at" (the body's field); «limit:seconds» → how whoever runs the server raises it."""
    kind, _, name = param.partition(":")
    if kind == "limit":
        return page_spelling(param)
    bare = param.rstrip("=")
    return f'"{bare}": ' if param.endswith("=") else f'"{bare}"'


def page_fields(query: Mapping[str, str], limits: Limits) -> dict[str, str]:
    """The form's fields from a URL's query: known names only, each text within the length limit.
    Empty fields are left out, so that they mean the library's defaults."""
    fields: dict[str, str] = {}
    for name in PAGE_FIELDS:
        value = query.get(name, "")
        if len(value) > limits.max_length:
            raise BadRequest(f"{PAGE_NAMES[name]} is longer than {limits.max_length} characters", name)
        if value.strip():
            fields[name] = value
    if fields.get("mode", "") not in ("", *MODES):
        raise BadRequest(f"the Mode field must be one of {', '.join(MODES)}", "mode")
    return fields


def api_fields(call: str, body: object, limits: Limits) -> dict[str, Any]:
    """A JSON body for /api/<call>, checked: an object with known fields of the right types, the
    required ones present, all its text within limits.max_length characters."""
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    known = API_FIELDS[call]
    version = body.get("version", VERSION)
    if version != VERSION or isinstance(version, bool):
        raise BadRequest(f"this server speaks version {VERSION} of the API, not {str(version)[:20]}", "version")
    unknown = sorted(k for k in body if k not in known and k != "version")
    if unknown:
        raise BadRequest(f"unknown field {unknown[0][:40]!r}: the fields are {', '.join(known)}", unknown[0][:40])
    missing = [k for k in REQUIRED[call] if k not in body]
    if missing:
        raise BadRequest(f"the field {missing[0]!r} is required", missing[0])
    fields = {k: _typed(k, known[k], v) for k, v in body.items() if k != "version" and v is not None}
    total = sum(len(v) for v in fields.values() if isinstance(v, str))
    total += sum(len(d) for d in fields.get("where", ()))
    if total > limits.max_length:
        raise BadRequest(f"the body's text is longer than {limits.max_length} characters (limit 'max_length')")
    return fields


def _typed(name: str, kind: str, value: object) -> Any:
    if kind == "flag":
        if not isinstance(value, bool):
            raise BadRequest(f"the field {name!r} must be true or false", name)
        return value
    if kind == "texts":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise BadRequest(f"the field {name!r} must be a list of texts", name)
        if len(value) > MAX_WHERE:
            raise BadRequest(f"the field {name!r} holds more than {MAX_WHERE} definitions", name)
        return tuple(value)
    if not isinstance(value, str):
        raise BadRequest(f"the field {name!r} must be text", name)
    if kind == "mode" and value not in MODES:
        raise BadRequest(f"the field 'mode' must be one of {', '.join(MODES)}", name)
    return value
