"""The grader's summary of a batch, as one self-contained HTML page (no script, no CDN) or as
Markdown: counts by status, by diagnosis and by problem; for each problem its correct derivative,
its step-by-step derivation and its most common wrong answers with their diagnosis; then every
item under its own anchor (#item-ID), linked from the answers that cite it. Written from the
results file in two passes (the totals, then the items), to a temporary file renamed into place."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from html import escape
from pathlib import Path
from typing import IO, Any

from .progress import STATUSES
from .summary import Problem, Summary, anchor, rows, why

FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}
DERIVATION_CHARS = 20_000
"""a problem's derivation longer than this is left out of the report"""

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1d232b; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ccd; }
h3 { font-size: 1rem; margin-top: 1.4rem; }
table { border-collapse: collapse; margin: .4rem 0; }
th, td { border: 1px solid #ccd; padding: .25rem .55rem; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font-family: ui-monospace, monospace; font-size: .9rem; }
pre { background: #f5f6f8; padding: .6rem; overflow-x: auto; }
.correct, .derived { color: #11692f; font-weight: 600; } .incorrect { color: #a3141c; font-weight: 600; }
.error, .limit, .undecided { color: #8a5a00; font-weight: 600; }
div.item { border-top: 1px solid #e3e5ea; padding: .3rem 0; }
"""


def kind_of(path: Path) -> str:
    chosen = FORMATS.get(path.suffix.lower())
    if chosen is None:
        raise ValueError(f"a report is .html or .md, not {path.suffix or '(no suffix)'!r}")
    return chosen


def write(results: Path, target: Path, derivations: bool = True) -> None:
    """The report on the results file, as HTML or Markdown by target's suffix."""
    fmt = kind_of(target)
    summary = Summary.of(results)
    steps = {key: derivation_text(p) for key, p in summary.problems.items()} if derivations else {}
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            (_html if fmt == "html" else _markdown)(summary, steps, rows(results), out)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def derivation_text(p: Problem) -> str | None:
    """The problem's correct derivation, step by step (None when it cannot be shown)."""
    if p.derivative is None or "… (" in p.expr or (p.where and "… (" in p.where):
        return None
    from .. import api
    from ..errors import ChainsymError

    wrt: Any = p.wrt or None
    where = p.where or ()
    try:
        if p.kind == "hessian":
            result: Any = api.hessian(p.expr, wrt, where=where)
        elif p.kind == "jacobian":
            result = api.jacobian(p.expr, wrt)
        elif p.kind == "grad":
            result = api.grad(p.expr, wrt, where=where)
        elif p.order > 1:
            result = api.derivatives(p.expr, wrt, p.order, where=where)
        else:
            result = api.diff(p.expr, wrt, where=where)
        text = str(result)
    except (ChainsymError, RecursionError, MemoryError):
        return None
    return text if len(text) <= DERIVATION_CHARS else None


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return json.dumps(value, ensure_ascii=False)


def _title(p: Problem) -> str:
    what = {"grad": "gradient", "hessian": "Hessian", "jacobian": "Jacobian"}.get(p.kind, "derivative")
    if p.kind == "diff" and p.order > 1:
        what = f"derivative of order {p.order}"
    by = f" by {', '.join(p.wrt)}" if p.wrt else ""
    return f"{what} of {p.expr}{by}" + (f" where {p.where}" if p.where else "") + (f" at {p.at}" if p.at else "")


def _counts(statuses: Any) -> list[tuple[str, int]]:
    known = [(s, statuses[s]) for s in STATUSES if statuses.get(s)]
    return known + sorted((s, n) for s, n in statuses.items() if s not in STATUSES)


# --- HTML ----------------------------------------------------------------------------------------

def _html(s: Summary, steps: dict[str, str | None], items: Iterator[dict[str, Any]], out: IO[str]) -> None:
    w: Callable[[str], Any] = out.write
    w("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      f"<title>chainsym batch report: {s.total} items</title>\n<style>{STYLE}</style>\n</head>\n<body>\n")
    w(f"<h1>chainsym batch report: {s.total} items, {len(s.problems)} problems</h1>\n")
    w(f"<p>{s.seconds:.1f} s of work in all.</p>\n")
    w("<h2 id=\"status\">By status</h2>\n<table>\n<tr><th>status</th><th>items</th></tr>\n")
    for status, n in _counts(s.statuses):
        w(f"<tr><td class=\"{escape(status)}\">{escape(status)}</td><td class=\"n\">{n}</td></tr>\n")
    w("</table>\n<h2 id=\"diagnosis\">By diagnosis (incorrect answers)</h2>\n")
    _html_pairs(w, "diagnosis", sorted(s.diagnoses.items(), key=lambda a: (-a[1], a[0])))
    if s.errors:
        w("<h2 id=\"errors\">Errors and limits</h2>\n")
        _html_pairs(w, "kind", sorted(s.errors.items(), key=lambda a: (-a[1], a[0])))
    w("<h2 id=\"problems\">By problem</h2>\n<table>\n<tr><th>problem</th><th>items</th>"
      + "".join(f"<th>{st}</th>" for st in STATUSES) + "</tr>\n")
    for key, p in s.problems.items():
        w(f"<tr><td><a href=\"#{anchor('problem', key)}\">{escape(_cut(_title(p)))}</a></td>"
          f"<td class=\"n\">{p.items}</td>" + "".join(f"<td class=\"n\">{p.statuses.get(st, 0)}</td>"
                                                       for st in STATUSES) + "</tr>\n")
    w("</table>\n")
    for key, p in s.problems.items():
        w(f"<h3 id=\"{anchor('problem', key)}\">{escape(_cut(_title(p), 300))}</h3>\n")
        if p.derivative is not None:
            w(f"<p>Correct: <code>{escape(_cut(_shown(p.derivative), 2000))}</code></p>\n")
        if p.wrong:
            w("<table>\n<tr><th>most common wrong answers</th><th>students</th><th>why</th><th>items</th></tr>\n")
            for answer, n in p.common():
                links = ", ".join(f"<a href=\"#{anchor('item', i)}\">{escape(_cut(i, 40))}</a>"
                                  for i in p.examples[answer])
                w(f"<tr><td><code>{escape(_cut(answer))}</code></td><td class=\"n\">{n}</td>"
                  f"<td>{escape(_cut(p.reasons[answer], 1000))}</td><td>{links}</td></tr>\n")
            w("</table>\n")
        text = steps.get(key)
        if text:
            w(f"<details><summary>derivation, step by step</summary>\n<pre>{escape(text)}</pre>\n</details>\n")
    w("<h2 id=\"items\">Items</h2>\n")
    for row in items:
        _html_item(w, row)
    w("</body>\n</html>\n")


def _html_pairs(w: Callable[[str], Any], what: str, pairs: list[tuple[str, int]]) -> None:
    if not pairs:
        w("<p>none</p>\n")
        return
    w(f"<table>\n<tr><th>{what}</th><th>items</th></tr>\n")
    for name, n in pairs:
        w(f"<tr><td>{escape(_cut(name, 300))}</td><td class=\"n\">{n}</td></tr>\n")
    w("</table>\n")


def _html_item(w: Callable[[str], Any], row: dict[str, Any]) -> None:
    status = str(row["status"])
    w(f"<div class=\"item\" id=\"{anchor('item', row['id'])}\"><b>{escape(_cut(str(row['id']), 80))}</b> "
      f"<span class=\"{escape(status)}\">{escape(status)}</span> "
      f"<a href=\"#{anchor('problem', row.get('problem') or '')}\">{escape(_cut(row.get('expr') or '', 80))}</a>")
    for label, text in _details(row):
        w(f"<br>{label}: <code>{escape(text)}</code>" if label in ("claim", "correct") else
          f"<br>{label}: {escape(text)}")
    w("</div>\n")


def _details(row: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    if row.get("claim") is not None:
        out.append(("claim", _cut(str(row["claim"]), 500)))
    if row.get("derivative") is not None:
        out.append(("correct", _cut(_shown(row["derivative"]), 500)))
    if row.get("value") is not None:
        out.append(("value", _cut(_shown(row["value"]), 200)))
    if row.get("counterexample"):
        c = row["counterexample"]
        where = ", ".join(f"{k} = {v}" for k, v in c["point"].items())
        out.append(("counterexample", f"at {where}: the claim gives {c['claim']}, the derivative is {c['derivative']}"))
    for e in row.get("entries") or []:
        if e["verdict"] == "incorrect":
            out.append((f"wrong {e['entry']}", f"{e['claim']} ({e['detail']})"))
    if row["status"] == "incorrect":
        out.append(("why", _cut(why(row), 2000)))
    if row.get("error"):
        out.append(("error", _cut(row["error"]["message"], 500)))
    return out


def _cut(text: str, n: int = 160) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


# --- Markdown ------------------------------------------------------------------------------------

def _md(text: str) -> str:
    """Text safe in a Markdown table cell."""
    return escape(text, quote=False).replace("|", "\\|").replace("\n", " ").replace("*", "\\*").replace("_", "\\_")


def _markdown(s: Summary, steps: dict[str, str | None], items: Iterator[dict[str, Any]], out: IO[str]) -> None:
    w = out.write
    w(f"# chainsym batch report: {s.total} items, {len(s.problems)} problems\n\n{s.seconds:.1f} s of work in all.\n\n")
    w("## By status\n\n| status | items |\n|---|---:|\n")
    w("".join(f"| {st} | {n} |\n" for st, n in _counts(s.statuses)))
    w("\n## By diagnosis (incorrect answers)\n\n")
    pairs = sorted(s.diagnoses.items(), key=lambda a: (-a[1], a[0]))
    w("| diagnosis | items |\n|---|---:|\n" + "".join(f"| {_md(k)} | {n} |\n" for k, n in pairs) if pairs else "none\n")
    if s.errors:
        w("\n## Errors and limits\n\n| kind | items |\n|---|---:|\n")
        w("".join(f"| {_md(k)} | {n} |\n" for k, n in sorted(s.errors.items(), key=lambda a: (-a[1], a[0]))))
    w("\n## By problem\n\n| problem | items | " + " | ".join(STATUSES) + " |\n|---|---:|"
      + "---:|" * len(STATUSES) + "\n")
    for key, p in s.problems.items():
        w(f"| [{_md(_cut(_title(p)))}](#{anchor('problem', key)}) | {p.items} | "
          + " | ".join(str(p.statuses.get(st, 0)) for st in STATUSES) + " |\n")
    for key, p in s.problems.items():
        w(f"\n<a id=\"{anchor('problem', key)}\"></a>\n### {_md(_cut(_title(p), 300))}\n\n")
        if p.derivative is not None:
            w(f"Correct: `{_cut(_shown(p.derivative), 2000).replace('`', '')}`\n\n")
        if p.wrong:
            w("| most common wrong answers | students | why | items |\n|---|---:|---|---|\n")
            for answer, n in p.common():
                links = ", ".join(f"[{_md(_cut(i, 40))}](#{anchor('item', i)})" for i in p.examples[answer])
                w(f"| `{_cut(answer).replace('`', '')}` | {n} | {_md(_cut(p.reasons[answer], 1000))} | {links} |\n")
            w("\n")
        text = steps.get(key)
        if text:
            w("<details><summary>derivation, step by step</summary>\n\n```\n" + text.replace("```", "'''")
              + "```\n\n</details>\n")
    w("\n## Items\n")
    for row in items:
        w(f"\n<a id=\"{anchor('item', row['id'])}\"></a>\n**{_md(_cut(str(row['id']), 80))}** {row['status']} "
          f"[{_md(_cut(row.get('expr') or '', 80))}](#{anchor('problem', row.get('problem') or '')})\n")
        for label, text in _details(row):
            w(f"- {label}: {_md(text)}\n")
