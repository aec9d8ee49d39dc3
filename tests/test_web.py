"""chainsym serve over plain HTTP: a real server on a free loopback port, asked as a browser and an API
client ask. The page and its panel, downloads, the JSON API in the CLI's schemas, its OpenAPI
document; hostile text in every field shown as text; the security headers; and under abuse (a job
past its time, a full queue, an oversized body) a clear answer every time. The jobs the workers
compute are also checked here, in this process."""

from __future__ import annotations

import html
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jsonschema
import pytest
from referencing import Registry, Resource

pytest.importorskip("starlette", reason="the web extra is not installed (pip install -e '.[test]' installs it)")
pytest.importorskip("uvicorn", reason="the web extra is not installed (pip install -e '.[test]' installs it)")

from chainsym import Limits  # noqa: E402
from chainsym.render import json as json_render  # noqa: E402
from chainsym.web import jobs  # noqa: E402
from chainsym.web.openapi import ERROR_SCHEMA  # noqa: E402

SEED_004 = "/?expr=sin(x%2Bx%5E2)&wrt=x"
"""the issue's shared link"""
SLOW = "*".join(f"sin({i}*x+{i})" for i in range(1, 250))
"""a product whose derivation takes several seconds, longer than the tight server's deadline"""


class Server:
    """`python -m chainsym serve` on a free loopback port, until stopped."""

    def __init__(self, log: Path, *args: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with log.open("w") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "chainsym", "serve", "--port", str(port), *args],
                                            stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped: {log.read_text()[-2000:]}")
            try:
                if get(self.url + "/api/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the server did not start within 90 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def get(url: str) -> tuple[int, dict[str, str], str]:
    return _answer(urllib.request.Request(url))


def post(url: str, body: object, raw: bytes | None = None) -> tuple[int, dict[str, str], Any]:
    data = raw if raw is not None else json.dumps(body).encode()
    code, headers, text = _answer(urllib.request.Request(url, data=data, method="POST",
                                                         headers={"Content-Type": "application/json"}))
    return code, headers, json.loads(text)


def _answer(request: urllib.request.Request) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read().decode()
    except urllib.error.HTTPError as reply:
        return reply.code, {k.lower(): v for k, v in reply.headers.items()}, reply.read().decode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    s = Server(tmp_path_factory.mktemp("serve") / "server.log", "--workers", "2")
    yield s.url
    s.stop()


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One worker, no queue, a 1 s time limit: a slow request holds the only worker."""
    s = Server(tmp_path_factory.mktemp("tight") / "server.log", "--workers", "1", "--queue", "0",
               "--limit", "seconds=1", "--max-body", "4096")
    yield s.url
    s.stop()


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside script elements."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text = ""
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_text += data

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]


def assert_inert(text: str) -> None:
    """Only the page's own script, no inline script or style element, no event handler, no image."""
    tags = Tags(text)
    assert [a.get("src") for a in tags.named("script")] in ([], ["/static/page.js"])
    assert tags.script_text.strip() == ""
    assert not tags.named("img") and not tags.named("style") and not tags.named("iframe")
    assert not [(t, k) for t, attrs in tags.tags for k in attrs if k.startswith("on")]


def validator(name: str) -> jsonschema.Draft202012Validator:
    derivation = json_render.schema("derivation")
    registry = Registry().with_resource(derivation["$id"], Resource.from_contents(derivation))
    return jsonschema.Draft202012Validator(json_render.schema(name) if name != "error" else ERROR_SCHEMA,
                                           registry=registry)


# --- the page ------------------------------------------------------------------------------------

def test_the_page_is_a_labelled_form_with_its_script_served_not_inline(server: str) -> None:
    code, headers, text = get(server + "/")
    assert code == 200 and headers["content-type"].startswith("text/html")
    assert_inert(text)
    tags = Tags(text)
    labelled = {a["for"] for a in tags.named("label")}
    controls = [a["id"] for t, a in tags.tags if t in ("input", "select")]
    assert controls == ["expr", "wrt", "mode", "at", "lr", "claim"] and set(controls) == labelled
    assert all(a.get("aria-describedby") == f"{a['id']}-help" for t, a in tags.tags if t in ("input", "select"))
    assert tags.named("form")[0] == {"id": "form", "method": "get", "action": "/"}
    csp = headers["content-security-policy"]
    assert "script-src 'self';" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp.split(";")[1]
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"


def test_every_asset_is_served_by_chainsym(server: str) -> None:
    for path, media in (("/static/page.js", "javascript"), ("/static/page.css", "text/css"),
                        ("/static/icon.svg", "image/svg+xml")):
        code, headers, text = get(server + path)
        assert code == 200 and media in headers["content-type"] and text
    code, _, text = get(server + "/")
    assert "http://" not in text.replace(server, "") and "https://" not in text


def test_seed_004_by_a_plain_get_is_the_whole_page(server: str) -> None:
    code, _, text = get(server + SEED_004)
    assert code == 200
    assert "df/dx = (2*x + 1)*cos(x**2 + x) · verified" in text
    assert 'value="sin(x+x^2)"' in text and "<title>chainsym: sin(x+x^2)</title>" in text
    assert '<section id="forward-x">' in text and "<svg" in text and "<math" in text
    assert 'href="/download/derivation.tex?expr=sin%28x%2Bx%5E2%29&amp;wrt=x"' in text
    assert_inert(text)


def test_the_panel_alone_is_what_the_script_fetches(server: str) -> None:
    code, _, text = get(server + "/part?" + urlencode({"expr": "sin(x+x^2)"}))
    assert code == 200 and text.startswith('<div id="panel" data-state="ok"') and "<form" not in text
    code, _, text = get(server + "/part?" + urlencode({"expr": "sin(x + * 2)"}))
    assert code == 200 and 'data-state="error"' in text
    assert '<code>sin(x + <mark>*</mark> 2)</code>' in text and "column 9" in text


def test_your_answer_is_checked(server: str) -> None:
    query = {"expr": "sin(x+x^2)", "wrt": "x"}
    _, _, wrong = get(server + "/?" + urlencode({**query, "claim": "cos(x+x^2)"}))
    assert '<p class="verdict incorrect">verdict: INCORRECT</p>' in wrong
    assert "<p>at x = 0.8831: the claim gives" in wrong and "the chain rule is dropped at u3" in wrong
    _, _, right = get(server + "/?" + urlencode({**query, "claim": "cos(x+x^2)*(1+2x)"}))
    assert '<p class="verdict correct">verdict: CORRECT' in right


def test_latex_is_read_as_the_library_reads_it(server: str) -> None:
    query = {"expr": r"\sin\left(x + x^{2}\right)", "claim": r"\cos(x+x^2)\cdot(1+2x)"}
    _, _, text = get(server + "/?" + urlencode(query))
    assert "df/dx = (2*x + 1)*cos(x**2 + x) · verified · your answer: CORRECT" in text
    code, _, body = post(server + "/api/diff", {"expr": query["expr"]})
    assert code == 200 and body["result"] == "(2*x + 1)*cos(x**2 + x)"


def test_an_empty_or_refused_field_is_said_on_the_page(server: str) -> None:
    _, _, text = get(server + "/?" + urlencode({"expr": "x*y"}))
    assert "choose with the Variable field" in text
    _, _, text = get(server + "/?" + urlencode({"expr": "x", "mode": "sideways"}))
    assert "the Mode field must be one of forward, reverse, both" in text
    _, _, text = get(server + "/?" + urlencode({"expr": "x", "at": "x=", "claim": "1"}))
    assert 'data-state="error"' in text


HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>",
           "</textarea><script>alert(1)</script>", "javascript:alert(1)", "x<!--", "&lt;b&gt;"]


@pytest.mark.parametrize("field", ["expr", "claim", "at", "wrt", "lr", "mode"])
def test_hostile_text_in_any_field_is_shown_as_text(server: str, field: str) -> None:
    for payload in HOSTILE:
        query = urlencode({"expr": "sin(x)", "claim": "cos(x)", field: payload})
        code, _, page = get(server + "/?" + query)
        assert code == 200
        assert_inert(page)
        if field != "mode":  # the form shows it again, as the value of its field
            assert f'value="{html.escape(payload)}"' in page
        code, _, panel = get(server + "/part?" + query)
        assert code == 200
        assert_inert(panel)
        code, headers, text = get(server + "/download/derivation.tex?" + query)
        assert code in (200, 400) and headers["content-type"].startswith(("text/plain", "application/x-tex"))


def test_downloads(server: str) -> None:
    query = "?" + urlencode({"expr": "sin(x+x^2)", "wrt": "x"})
    for name, media, start in (("derivation.tex", "application/x-tex", "\\documentclass"),
                               ("derivation.md", "text/markdown", ""), ("derivation.json", "application/json", "{"),
                               ("graph.svg", "image/svg+xml", "<svg")):
        code, headers, text = get(server + "/download/" + name + query)
        assert code == 200 and headers["content-type"].startswith(media) and text.lstrip().startswith(start)
        assert headers["content-disposition"] == f'attachment; filename="{name}"'
    validator("derivation").validate(json.loads(get(server + "/download/derivation.json" + query)[2]))
    assert get(server + "/download/passwd" + query)[0] == 404
    assert get(server + "/download/derivation.tex")[0] == 400


# --- the JSON API -----------------------------------------------------------------------------

def test_api_answers_in_the_cli_schemas(server: str) -> None:
    code, headers, body = post(server + "/api/diff", {"expr": "sin(x+x^2)", "wrt": "x", "version": 2})
    assert code == 200 and headers["content-type"] == "application/json"
    validator("derivation").validate(body)
    assert body["result"] == "(2*x + 1)*cos(x**2 + x)"
    code, _, body = post(server + "/api/diff", {"expr": "(w*x + b - y)^2", "wrt": "all", "data": "x,y",
                                                "at": "w=2,b=1,x=3,y=5", "lr": "0.1", "where": [], "mode": "both"})
    assert code == 200 and body["result"] == {"b": "2*(b + w*x - y)", "w": "2*x*(b + w*x - y)"}
    validator("derivation").validate(body)
    code, _, body = post(server + "/api/check", {"expr": "sin(x+x^2)", "claim": "cos(x+x^2)"})
    assert code == 200 and body["verdict"] == "incorrect"
    validator("check").validate(body)


@pytest.mark.parametrize(("body", "status", "kind", "says"), [
    ({"expr": "sin(x + * 2)"}, 400, "ParseError", "column 9"),
    ({"expr": "x*y"}, 400, "UsageError", '"wrt"'),
    ({"expr": "2**10**10"}, 422, "LimitError", "chainsym serve --limit max_constant_digits=N"),
    ({"wrt": "x"}, 400, "BadRequest", "'expr' is required"),
    ({"expr": "x", "surprise": 1}, 400, "BadRequest", "unknown field 'surprise'"),
    ({"expr": 1}, 400, "BadRequest", "must be text"),
    ({"expr": "x", "mode": "sideways"}, 400, "BadRequest", "one of forward"),
    ({"expr": "x", "verify": "yes"}, 400, "BadRequest", "true or false"),
    ({"expr": "x", "version": 3}, 400, "BadRequest", "version 2"),
    (["x"], 400, "BadRequest", "JSON object"),
    ({"expr": "x" * 100_001}, 400, "BadRequest", "longer than 100000"),
])
def test_api_errors_are_records_with_their_status(server: str, body: object, status: int, kind: str,
                                                  says: str) -> None:
    code, headers, answer = post(server + "/api/diff", body)
    assert (code, answer["error"]["kind"]) == (status, kind) and says in answer["error"]["message"]
    assert headers["content-type"] == "application/json"
    validator("error").validate(answer)


def test_api_refuses_what_is_not_json(server: str) -> None:
    for raw in (b"", b"expr=x", b"[" * 100_000, b"\xff\xfe"):
        code, _, answer = post(server + "/api/check", None, raw=raw)
        assert code == 400 and answer["error"]["message"] == "the body is not JSON"


def test_openapi_document_and_docs(server: str) -> None:
    code, _, text = get(server + "/api/openapi.json")
    doc = json.loads(text)
    assert code == 200 and doc["openapi"] == "3.1.0" and set(doc["paths"]) == {"/api/diff", "/api/check"}
    assert doc["components"]["schemas"]["derivation"] == json_render.schema("derivation")
    assert doc["components"]["schemas"]["check"] == json_render.schema("check")
    code, _, text = get(server + "/api/docs")
    assert code == 200 and "<code>POST /api/diff</code>" in text and "<code>expr</code>" in text
    assert_inert(text)


# --- under abuse --------------------------------------------------------------------------------

def test_a_request_past_its_time_is_answered_and_the_server_goes_on(tight: str) -> None:
    started = time.monotonic()
    code, _, answer = post(tight + "/api/diff", {"expr": SLOW})
    assert time.monotonic() - started < 10
    assert code == 422 and answer["error"]["limit"] == "seconds"
    assert "took longer than 1 s" in answer["error"]["message"]
    assert post(tight + "/api/diff", {"expr": "sin(x)"})[0] == 200
    health = json.loads(get(tight + "/api/health")[2])
    assert health["busy"] == 0 and health["jobs"] >= 2


def test_a_full_queue_is_503_with_retry_after(tight: str) -> None:
    slow = threading.Thread(target=post, args=(tight + "/api/diff", {"expr": SLOW}))
    slow.start()
    try:
        time.sleep(0.5)  # the only worker is busy, and the queue holds nothing
        code, headers, answer = post(tight + "/api/diff", {"expr": "sin(x)"})
        assert code == 503 and int(headers["retry-after"]) >= 1 and answer["error"]["kind"] == "Busy"
        code, headers, text = get(tight + "/?" + urlencode({"expr": "sin(x)"}))
        assert code == 503 and int(headers["retry-after"]) >= 1 and "The server is busy" in text
    finally:
        slow.join()
    assert post(tight + "/api/diff", {"expr": "sin(x)"})[0] == 200


def test_a_body_over_the_limit_is_refused_unread(tight: str) -> None:
    code, _, answer = post(tight + "/api/diff", {"expr": "x" * 5000})
    assert code == 413 and answer["error"]["kind"] == "TooLarge"
    with socket.create_connection(("127.0.0.1", int(tight.rsplit(":", 1)[1])), timeout=10) as s:
        s.sendall(b"POST /api/diff HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 1000000000\r\n\r\n{")
        assert s.recv(100).startswith(b"HTTP/1.1 413")


# --- the command and the jobs --------------------------------------------------------------------

def test_help_loads_no_web_stack() -> None:
    probe = ("import sys; from chainsym.cli import cli; "
             "print(sorted(m for m in ('starlette', 'uvicorn', 'sympy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def test_serve_without_the_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from chainsym.cli import main

    monkeypatch.setitem(sys.modules, "uvicorn", None)
    with CliRunner().isolation() as streams:
        code = main(["serve"])
    assert code == 2 and 'pip install "chainsym[web]"' in streams[1].getvalue().decode()


def job(kind: str, **fields: Any) -> dict[str, Any]:
    return jobs.run({"kind": kind, "fields": fields, "limits": Limits(seconds=10)})


def test_a_page_job_gives_the_fragment_the_summary_and_the_verdict() -> None:
    out = job("page", expr="sin(x+x^2)", claim="cos(x+x^2)")["ok"]
    assert out["summary"] == "df/dx = (2*x + 1)*cos(x**2 + x)" and out["verified"] == "proved"
    assert out["fragment"].startswith('<div class="chainsym">') and "<svg" in out["fragment"]
    assert out["check"]["verdict"] == "incorrect"
    assert "verdict: INCORRECT" in out["check"]["lines"]


def test_errors_name_the_page_s_fields_on_the_page_and_the_body_s_in_the_api() -> None:
    page = job("page", expr="x*y")["ok"]["error"]
    assert page["kind"] == "UsageError" and "the Variable field" in page["message"] and "wrt" not in page["message"]
    api = job("diff", expr="x*y")["error"]
    assert api["kind"] == "UsageError" and '"wrt"' in api["message"]


def test_a_parse_error_points_at_its_place() -> None:
    record = job("diff", expr="sin(x + * 2)")["error"]
    assert (record["kind"], record["column"], record["token"]) == ("ParseError", 9, "*")
    assert record["excerpt"] == ["sin(x + ", "*", " 2)"]
