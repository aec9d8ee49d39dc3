"""The page a person types into, as HTML: the form (its fields filled from the URL), the status line,
and the result panel (the verdict on the user's own answer, the download links, the derivation).

Every value that came from a request is escaped here (html.escape, quotes too) before it is
written; the derivation's fragment comes from chainsym's HTML renderer, which escapes its own text.
The page has no inline script or style: its script and style sheet are files the server serves.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any
from urllib.parse import urlencode

DOWNLOADS = (("latex", "derivation.tex", "LaTeX"), ("markdown", "derivation.md", "Markdown"),
             ("json", "derivation.json", "JSON"), ("svg", "graph.svg", "SVG graph"))
"""(job kind, file name, link text) of each download"""

FILES = {name: kind for kind, name, _ in DOWNLOADS}

MODE_NAMES = {"": "automatic", "forward": "forward (total derivatives)", "reverse": "reverse (backpropagation)",
              "both": "both, checked against each other"}

FIELDS = (
    ("expr", "Expression", "sin(x+x^2)",
     "e.g. sin(x+x^2), \\sin(x + x^{2}), (w*x + b - y)^2, or a program: z = x^2 - y^2; x = s - sin(t)"),
    ("wrt", "Variable", "x", "empty: the only one; or x,y; or all"),
    ("mode", "Mode", "", "forward: total derivatives; reverse: backpropagation"),
    ("at", "Point", "x=2", "values and gradients there, exactly"),
    ("lr", "Learning rate", "0.1", "with a point: a gradient-descent step"),
    ("claim", "Your answer", "cos(x+x^2)*(1+2x)",
     "your derivative: correct or not, a point where it fails, the step where it goes wrong"),
)
"""the form's fields in focus order: name, label, placeholder, help"""

TITLE = "chainsym: the chain rule, step by step"


def page(fields: Mapping[str, str], panel: str, status: str) -> str:
    """The whole page: the form filled with fields, the status line, and the panel."""
    expr = fields.get("expr", "")
    title = f"chainsym: {_cut(expr, 80)}" if expr else TITLE
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="icon" href="/static/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/page.css">
<script src="/static/page.js" defer></script>
</head>
<body>
<a class="skip" href="#result">Skip to the derivation</a>
<header>
<h1>chainsym</h1>
<p>Type an expression: chainsym splits it into intermediate variables, differentiates by the chain rule over
that graph, shows every step, and checks the result against sympy.diff.</p>
</header>
<main>
{form(fields)}
<p id="status" role="status" aria-live="polite">{escape(status)}</p>
<div id="result">
{panel}
</div>
</main>
<footer><p>JSON API: <a href="/api/docs">documentation</a> · <a href="/api/openapi.json">OpenAPI</a></p></footer>
</body>
</html>
"""


def form(fields: Mapping[str, str]) -> str:
    """The form: a label and a help line for every field; a plain GET to / without JavaScript."""
    rows = []
    for name, label, placeholder, help_text in FIELDS:
        value = fields.get(name, "")
        described = f'aria-describedby="{name}-help"'
        if name == "mode":
            options = "".join(f'<option value="{m}"{" selected" if m == value else ""}>{escape(text)}</option>'
                              for m, text in MODE_NAMES.items())
            control = f'<select id="mode" name="mode" {described}>{options}</select>'
        else:
            focus = " autofocus" if name == "expr" and not fields else ""
            control = (f'<input id="{name}" name="{name}" type="text" value="{escape(value)}" '
                       f'placeholder="{escape(placeholder)}" autocomplete="off" autocapitalize="off" '
                       f'spellcheck="false" {described}{focus}>')
        wide = " wide" if name in ("expr", "claim") else ""
        rows.append(f'<div class="field{wide}"><label for="{name}">{label}</label>{control}'
                    f'<small id="{name}-help">{escape(help_text)}</small></div>')
    return ('<form id="form" method="get" action="/">\n' + "\n".join(rows) +
            '\n<div class="actions"><button type="submit">Differentiate</button></div>\n</form>')


def panel(fields: Mapping[str, str], answer: Mapping[str, Any]) -> tuple[str, str]:
    """The result panel and the status line for a page job's answer (or an error record)."""
    if "error" in answer:
        return error_panel(answer["error"])
    out: dict[str, Any] = answer["ok"]
    if out["error"] is not None:
        return error_panel(out["error"])
    status = out["summary"] + (" · verified" if out["verified"] == "proved" else "")
    parts = []
    check = out["check"]
    if check is not None:
        verdict_html, said = _verdict(check)
        parts.append(verdict_html)
        status += f" · your answer: {said}"
    parts.append(_downloads(fields))
    parts.append(out["fragment"])
    return _panel("ok", status, "\n".join(parts)), status


def empty_panel() -> tuple[str, str]:
    return _panel("empty", "", '<p class="hint">The derivation appears here as you type.</p>'), ""


def busy_panel(retry_after: int) -> tuple[str, str]:
    said = f"The server is busy: the derivation will be tried again in {retry_after} s."
    return _panel("busy", said, f'<p class="hint">{escape(said)}</p>'), said


def error_panel(record: Mapping[str, Any], heading: str = "This cannot be differentiated yet") -> tuple[str, str]:
    """An error: its message, and for a parse error the text around the place it points at."""
    said = "Error: " + str(record.get("message", ""))
    return _panel("error", said, _error_section(record, heading)), said


def _error_section(record: Mapping[str, Any], heading: str) -> str:
    lines = [f'<section class="error" id="error"><h2>{escape(heading)}</h2>',
             f"<p>{escape(str(record.get('message', '')))}</p>"]
    excerpt = record.get("excerpt")
    if excerpt:
        before, at, after = (escape(str(part)) for part in excerpt)
        lines.append(f'<p class="excerpt"><code>{before}<mark>{at or " "}</mark>{after}</code></p>')
    lines.append("</section>")
    return "\n".join(lines)


def _panel(state: str, status: str, body: str) -> str:
    return f'<div id="panel" data-state="{state}" data-status="{escape(status)}">\n{body}\n</div>'


def _verdict(check: Mapping[str, Any]) -> tuple[str, str]:
    """The verdict on the user's answer: its lines, the verdict line marked."""
    if check["verdict"] == "error":
        return _error_section(check["error"], "Your answer cannot be checked"), "cannot be checked"
    verdict = str(check["verdict"])
    lines = []
    for line in check["lines"]:
        css = f' class="verdict {escape(verdict)}"' if line.startswith("verdict:") else ""
        lines.append(f"<p{css}>{escape(line)}</p>")
    return (f'<section id="check" class="{escape(verdict)}" aria-labelledby="check-title">'
            f'<h2 id="check-title">Your answer</h2>\n' + "\n".join(lines) + "\n</section>"), verdict.upper()


def _downloads(fields: Mapping[str, str]) -> str:
    query = urlencode({k: v for k, v in fields.items() if k != "claim"})
    links = " ".join(f'<a href="/download/{name}?{escape(query)}" download="{name}">{text}</a>'
                     for _, name, text in DOWNLOADS)
    return f'<nav class="downloads" aria-label="Downloads"><span>Download:</span> {links}</nav>'


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"
