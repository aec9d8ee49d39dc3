"""The Starlette application: the page, its result panel, downloads, the JSON API and its docs, the
static assets; security headers on every answer; request bodies read no further than their limit.

Routes:
    GET  /                 the page; with ?expr=…&wrt=…&mode=…&at=…&lr=…&claim=… the page with its result
                           (what a form submitted without JavaScript, or a shared link, asks for)
    GET  /part?…           the result panel alone (what the page's script fetches as you type)
    GET  /download/<file>  derivation.tex, derivation.md, derivation.json or graph.svg for the same query
    POST /api/diff         the derivation, in schema chainsym.derivation (as `--format json`)
    POST /api/check        the verdict, in schema chainsym.check
    GET  /api/openapi.json, /api/docs, /api/health
    GET  /static/…         page.js, page.css, icon.svg
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..limits import Limits
from . import openapi
from .page import FILES, busy_panel, empty_panel, error_panel, page, panel
from .pool import Busy, Pool, Settings
from .protocol import PAGE_FIELDS, BadRequest, api_fields, envelope, error, page_fields, status

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
"""script only from the server's own files (never inline, never another origin); style sheets likewise,
style attributes allowed (the graph's SVG sizes itself with one); nothing else from anywhere"""

HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"),
           (b"cross-origin-opener-policy", b"same-origin")]

MAX_BODY = 512 * 1024
"""bytes of one API request body"""

ECHO = 100_000
"""characters of a field shown again in the form (a longer one is refused anyway)"""

MEDIA = {"latex": "application/x-tex", "markdown": "text/markdown", "json": "application/json", "svg": "image/svg+xml"}

API_CALLS = ("diff", "check")
"""the JSON API's calls, each POST /api/<call> (batch: add it here, in protocol.API_FIELDS and openapi.OPERATIONS)"""


class TooLarge(ValueError):
    pass


class Service:
    """The endpoints, sharing the pool, the limits and the body limit."""

    def __init__(self, settings: Settings, limits: Limits, max_body: int = MAX_BODY) -> None:
        self.pool = Pool(settings)
        self.limits = limits
        self.max_body = max_body
        self.openapi = openapi.document(max_body)

    async def home(self, request: Request) -> Response:
        return await self._page(request, whole=True)

    async def part(self, request: Request) -> Response:
        return await self._page(request, whole=False)

    async def _page(self, request: Request, whole: bool) -> Response:
        """The page (or its panel alone): an input error is part of the page, so the answer is 200;
        503 with Retry-After when the server is busy."""
        code, headers, fields = 200, {}, {}
        try:
            fields = page_fields(request.query_params, self.limits)
            if "expr" not in fields:
                shown, said = empty_panel()
            else:
                answer = await self.pool.run({"kind": "page", "fields": fields, "limits": self.limits})
                shown, said = panel(fields, answer)
        except BadRequest as exc:
            shown, said = error_panel(exc.record())
        except Busy as exc:
            shown, said = busy_panel(exc.retry_after)
            code, headers = 503, {"Retry-After": str(exc.retry_after)}
        body = page(_echo(request.query_params), shown, said) if whole else shown
        return HTMLResponse(body, status_code=code, headers=headers)

    async def download(self, request: Request) -> Response:
        """One of the page's downloads, for the same query as the page."""
        kind = FILES.get(request.path_params["name"])
        if kind is None:
            return Response("no such download\n", status_code=404, media_type="text/plain")
        try:
            fields = page_fields(request.query_params, self.limits)
            if "expr" not in fields:
                raise BadRequest("nothing to download: the Expression field is empty", "expr")
            answer = await self.pool.run({"kind": kind, "fields": fields, "limits": self.limits})
        except BadRequest as exc:
            answer = {"error": exc.record()}
        except Busy as exc:
            return _busy_text(exc)
        if "error" in answer:
            return Response(f"chainsym: error: {answer['error']['message']}\n", status_code=status(answer["error"]),
                            media_type="text/plain")
        name = request.path_params["name"]
        return Response(answer["ok"], media_type=MEDIA[kind],
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    def api(self, call: str) -> Callable[[Request], Awaitable[Response]]:
        """POST /api/<call>: a JSON body in, the --format json answer (or an error record) out."""

        async def endpoint(request: Request) -> Response:
            try:
                fields = api_fields(call, await self._json(request), self.limits)
                answer = await self.pool.run({"kind": call, "fields": fields, "limits": self.limits})
            except BadRequest as exc:
                answer = {"error": exc.record()}
            except TooLarge:
                answer = {"error": error("TooLarge", f"the body is larger than {self.max_body} bytes")}
            except Busy as exc:
                return JSONResponse(envelope(error("Busy", str(exc))), status_code=503,
                                    headers={"Retry-After": str(exc.retry_after)})
            if "error" in answer:
                return JSONResponse(envelope(answer["error"]), status_code=status(answer["error"]))
            return JSONResponse(answer["ok"])

        return endpoint

    async def _json(self, request: Request) -> object:
        """The body as JSON, read no further than max_body bytes."""
        declared = request.headers.get("content-length", "")
        if declared and (not declared.isdigit() or int(declared) > self.max_body):
            raise TooLarge()
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_body:
                raise TooLarge()
            chunks.append(chunk)
        try:
            return json.loads(b"".join(chunks))
        except (ValueError, RecursionError):
            raise BadRequest("the body is not JSON") from None

    async def openapi_json(self, request: Request) -> Response:
        return JSONResponse(self.openapi)

    async def docs(self, request: Request) -> Response:
        return HTMLResponse(openapi.docs_page(self.openapi))

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", **self.pool.stats()}, headers={"Cache-Control": "no-store"})


def create_app(settings: Settings, limits: Limits, max_body: int = MAX_BODY) -> ASGIApp:
    """The whole application: routes, the pool started and stopped with it, security headers."""
    service = Service(settings, limits, max_body)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await service.pool.start()
        try:
            yield
        finally:
            await service.pool.close()

    routes = [Route("/", service.home), Route("/part", service.part), Route("/download/{name}", service.download),
              *(Route(f"/api/{call}", service.api(call), methods=["POST"]) for call in API_CALLS),
              Route("/api/openapi.json", service.openapi_json), Route("/api/docs", service.docs),
              Route("/api/health", service.health),
              Mount("/static", StaticFiles(packages=[("chainsym.web", "static")]), name="static")]
    return SecurityHeaders(Starlette(routes=routes, lifespan=lifespan))


class SecurityHeaders:
    """Adds the Content-Security-Policy and its companions to every HTTP answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def _echo(query: Mapping[str, str]) -> dict[str, str]:
    """The form's fields as the request gave them (to be shown again, escaped), cut to a sane length."""
    return {k: query.get(k, "")[:ECHO] for k in PAGE_FIELDS if query.get(k)}


def _busy_text(exc: Busy) -> Response:
    return Response(f"chainsym: {exc}\n", status_code=503, media_type="text/plain",
                    headers={"Retry-After": str(exc.retry_after)})
