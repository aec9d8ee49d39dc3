"""chainsym serve: the web page and the JSON API, on loopback unless told otherwise.

Imports nothing of the web stack until it runs (chainsym --help stays fast); without the extra
`web` installed it says how to install it.
"""

from __future__ import annotations

import os

import click

from .common import BadInput, limit_option, limits_of

SERVE_SECONDS = 10.0
"""the time limit of one request unless --limit seconds=N says otherwise: a page answers as you type"""


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 serves every network (the default serves only this machine).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--workers", type=click.IntRange(1, 256), default=None, metavar="N",
              help="Worker processes computing requests (default: two per CPU, so that slow requests, which "
                   "run at a low priority, cannot hold every worker).")
@click.option("--queue", type=click.IntRange(0, 100_000), default=None, metavar="N",
              help="Requests that may wait for a worker; more are answered 503 with Retry-After "
                   "(default: 16 per worker).")
@click.option("--memory", "memory_mb", type=click.IntRange(0, 1 << 20), default=1024, show_default=True,
              metavar="MB", help="Memory of each worker process, in MiB (0: unbounded).")
@click.option("--max-body", type=click.IntRange(1024, 1 << 30), default=512 * 1024, show_default=True,
              metavar="BYTES", help="Largest API request body.")
@limit_option
def serve_command(host: str, port: int, workers: int | None, queue: int | None, memory_mb: int, max_body: int,
                  limits: tuple[str, ...]) -> None:
    """Serve chainsym's web page and JSON API (needs the extra: pip install "chainsym[web]").

    The page: type an expression and watch the derivation; check your own answer. The API:
    POST /api/diff and /api/check, documented at /api/docs. Every request is computed in a
    worker process under the same limits as the command line (time: 10 s unless --limit
    seconds=N), a worker that trips one is replaced, and a full queue is answered 503.

    \b
    Examples:
      chainsym serve
      chainsym serve --port 8080 --workers 4 --limit seconds=30
    """
    try:
        import uvicorn

        from ..web.app import create_app
        from ..web.pool import Settings
    except ImportError as exc:
        raise BadInput(f"chainsym serve needs the web extra ({exc.name} is not installed): "
                       "pip install \"chainsym[web]\"") from None
    bounds = limits_of(("seconds=" + str(SERVE_SECONDS),) + limits)
    count = workers or 2 * (os.cpu_count() or 1)
    settings = Settings(workers=count, queue=16 * count if queue is None else queue, seconds=bounds.seconds,
                        memory_mb=memory_mb)
    click.echo(f"chainsym: serving on http://{host if ':' not in host else f'[{host}]'}:{port}/ with {count} "
               f"worker{'s' if count > 1 else ''} (Ctrl-C stops)", err=True)
    uvicorn.run(create_app(settings, bounds, max_body), host=host, port=port, log_level="warning",
                limit_concurrency=max(1000, 4 * settings.queue), timeout_keep_alive=5, server_header=False)


COMMANDS = (serve_command,)
