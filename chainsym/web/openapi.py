"""The JSON API described: an OpenAPI 3.1 document assembled from the JSON schemas chainsym ships for
`--format json` (so the API's answers and the command line's are one schema, written once) and from
the request fields in protocol.API_FIELDS; and a docs page rendered from it on the server (no script,
no CDN: the usual interactive viewers load theirs from one).

A new call (/api/batch) is one entry in OPERATIONS, one in protocol.API_FIELDS, one job kind in jobs.run.
"""

from __future__ import annotations

import json
from html import escape
from importlib import metadata, resources
from typing import Any

from .protocol import API_FIELDS, MODES, REQUIRED, STATUS, VERSION

OPERATIONS: dict[str, dict[str, str]] = {
    "diff": {"summary": "Differentiate an expression, with every step, verified",
             "answer": "derivation", "example": '{"expr": "sin(x+x^2)", "wrt": "x"}'},
    "check": {"summary": "Check a claimed derivative: the verdict, a counterexample, the step where it goes wrong",
              "answer": "check", "example": '{"expr": "sin(x+x^2)", "claim": "cos(x+x^2)"}'},
}
"""per call: what it does, the schema of its answer (chainsym/schemas/<answer>-v2.schema.json), an example body"""

FIELD_HELP = {
    "expr": "the expression, or a program whose first line defines the output",
    "wrt": "the variable: x, several as x,y, or all (default: the only one)",
    "mode": "forward (the total-derivative rule), reverse (backpropagation) or both",
    "at": "a point, e.g. x=2, y=1/2: every node's value and gradient there, exactly",
    "lr": "with at: a learning rate, adding the gradient-descent step",
    "where": "definitions of intermediate names, e.g. [\"x = s - sin(t)\"]",
    "data": "inputs that are data, not parameters, e.g. x,y",
    "verify": "check the result against sympy.diff (default true)",
    "expand": "show a large result whole rather than over shared parts (default false)",
    "claim": "the derivative to check",
}

MEANING = {200: "the answer", 400: "bad input: the message says what and where (a parse error has its column)",
           413: "the body is larger than the server accepts", 422: "a limit was reached (time, memory, size)",
           500: "a bug in chainsym, or a worker lost", 503: "busy: every worker is busy and the queue is full; "
                                                         "the Retry-After header says when to try again"}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["schema", "version", "error"], "additionalProperties": False,
    "properties": {
        "schema": {"const": "chainsym.error"}, "version": {"const": VERSION},
        "error": {"type": "object", "required": ["kind", "message"], "properties": {
            "kind": {"enum": sorted(STATUS)}, "message": {"type": "string"},
            "param": {"type": ["string", "null"], "description": "the field the error is about"},
            "column": {"type": ["integer", "null"], "description": "a parse error's 1-based column"},
            "token": {"type": ["string", "null"]},
            "excerpt": {"type": ["array", "null"], "items": {"type": "string"},
                        "description": "the text before the place a parse error points at, the text there, after"},
            "limit": {"type": ["string", "null"], "description": "the limit reached"}}}},
}


def shipped_schema(name: str) -> dict[str, Any]:
    """A JSON schema chainsym ships for --format json."""
    text = resources.files("chainsym").joinpath("schemas", f"{name}-v{VERSION}.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def request_schema(call: str) -> dict[str, Any]:
    kinds: dict[str, dict[str, Any]] = {"text": {"type": "string"}, "mode": {"enum": list(MODES)},
                                        "flag": {"type": "boolean"},
                                        "texts": {"type": "array", "items": {"type": "string"}}}
    properties: dict[str, Any] = {"version": {"const": VERSION, "description": "optional; the API's version"}}
    for name, kind in API_FIELDS[call].items():
        properties[name] = {**kinds[kind], "description": FIELD_HELP.get(name, "")}
    return {"type": "object", "required": list(REQUIRED[call]), "additionalProperties": False,
            "properties": properties}


def document(max_body: int) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the API."""
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, Any] = {}
    error_reply = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for call, op in OPERATIONS.items():
        answer = op["answer"]
        schemas[f"{call}-request"] = request_schema(call)
        schemas[answer] = shipped_schema(answer)
        responses: dict[str, Any] = {
            "200": {"description": MEANING[200], "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{answer}"}}}}}
        for code in (400, 413, 422, 500, 503):
            responses[str(code)] = {"description": MEANING[code], "content": error_reply}
        paths[f"/api/{call}"] = {"post": {
            "operationId": call, "summary": op["summary"],
            "requestBody": {"required": True, "description": f"a JSON object of at most {max_body} bytes",
                            "content": {"application/json": {
                                "schema": {"$ref": f"#/components/schemas/{call}-request"},
                                "example": json.loads(op["example"])}}},
            "responses": responses}}
    if "derivation" not in schemas:  # the check's schema refers to the derivation's
        schemas["derivation"] = shipped_schema("derivation")
    return {"openapi": "3.1.0",
            "info": {"title": "chainsym", "version": _version(),
                     "description": "The chain rule over a computational graph, step by step, verified. Answers "
                                    "are the same versioned JSON as `chainsym diff --format json` and "
                                    "`chainsym check --format json`."},
            "paths": paths, "components": {"schemas": schemas}}


def docs_page(doc: dict[str, Any]) -> str:
    """The document as a page to read: each call, its fields, its answers, a curl line."""
    parts = ['<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
             '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
             '<title>chainsym: JSON API</title>\n<link rel="icon" href="/static/icon.svg" type="image/svg+xml">\n',
             '<link rel="stylesheet" href="/static/page.css">\n</head>\n<body>\n<header><h1>chainsym: JSON API</h1>\n',
             f"<p>{escape(doc['info']['description'])} The machine-readable description is "
             '<a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).</p></header>\n<main>\n']
    components = doc["components"]["schemas"]
    for path, item in doc["paths"].items():
        op = item["post"]
        body = op["requestBody"]["content"]["application/json"]
        fields = components[body["schema"]["$ref"].rsplit("/", 1)[1]]
        parts.append(f'<section id="{escape(op["operationId"])}"><h2><code>POST {escape(path)}</code></h2>\n'
                     f"<p>{escape(op['summary'])}; the body is {escape(op['requestBody']['description'])}.</p>\n"
                     '<table class="grid"><tr><th>field</th><th>type</th><th></th><th>meaning</th></tr>\n')
        for name, spec in fields["properties"].items():
            kind = spec.get("type") or ("one of " + ", ".join(spec["enum"]) if "enum" in spec else "constant")
            needed = "required" if name in fields["required"] else "optional"
            parts.append(f"<tr><td><code>{escape(name)}</code></td><td>{escape(str(kind))}</td><td>{needed}</td>"
                         f"<td>{escape(spec.get('description', ''))}</td></tr>\n")
        parts.append("</table>\n<p>Answers:</p>\n<ul>\n")
        for code, reply in op["responses"].items():
            schema = reply["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            parts.append(f"<li><code>{code}</code>: {escape(reply['description'])} (schema <code>"
                         f"{escape(components[schema].get('title', 'chainsym.error'))}</code>)</li>\n")
        example = json.dumps(body["example"])
        parts.append(f"</ul>\n<pre>curl -s -H 'Content-Type: application/json' -d '{escape(example)}' "
                     f"http://127.0.0.1:8000{escape(path)}</pre>\n</section>\n")
    parts.append("</main>\n</body>\n</html>\n")
    return "".join(parts)


def _version() -> str:
    try:
        return metadata.version("chainsym")
    except metadata.PackageNotFoundError:
        return "unknown"
