"""The `chainsym` command: a thin click layer over the library and the renderers.

Results go to stdout, diagnostics to stderr. Exit 0 on success, 1 when verification finds a
mismatch (or a checked claim is wrong), 2 on bad input, usage or a limit, 3 on a bug in chainsym,
130 when interrupted, 141 when the reader of stdout went away. An error is one line (plus a caret
under the column for a parse error), never a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from . import common

COMMANDS = ("derive", "compound", "checking", "batch", "serve")


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(package_name="chainsym")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Differentiate by the chain rule over a computational graph, and show why.

    \b
    Examples:
      chainsym diff "sin(x+x^2)"
      chainsym diff "sin(x+x^2)" --format html -o derivation.html
      chainsym check "sin(x^2)" --claim "cos(x^2)"
      chainsym grad "(w*x + b - y)^2" --emit python
      chainsym graph "sin(x+x^2)" -o graph.svg
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


def _register() -> None:
    from importlib import import_module

    for name in COMMANDS:
        for command in import_module(f".{name}", __name__).COMMANDS:
            cli.add_command(command)


_register()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script and of `python -m chainsym`."""
    if argv is None:
        common.HARD_STOP[0] = True
        for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show ∂ gets \\u2202, not a crash
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(errors="backslashreplace")
    args = common.protect(sys.argv[1:] if argv is None else argv)
    try:
        cli.main(args=args, prog_name="chainsym", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        click.echo("chainsym: interrupted", err=True)
        return common.EXIT_INTERRUPTED
    except click.ClickException as exc:
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        message = exc.format_message()
        if len(message) > 300:
            message = message[:300] + "..."
        click.echo(f"chainsym: error: {message}{hint}", err=True)
        return exc.exit_code
    except (BrokenPipeError, common.PipeClosed):
        _quiet_stdout()
        return common.EXIT_BROKEN_PIPE
    except SystemExit as exc:
        return int(exc.code or 0)
    except Exception as exc:  # a bug in chainsym: one line, not a traceback (CHAINSYM_DEBUG=1 shows it)
        if os.environ.get("CHAINSYM_DEBUG"):
            raise
        click.echo(f"chainsym: internal error: {type(exc).__name__}: {str(exc)[:200]} "
                   "(please report it; CHAINSYM_DEBUG=1 shows the traceback)", err=True)
        return common.EXIT_INTERNAL
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        return common.EXIT_BROKEN_PIPE
    return 0


def _quiet_stdout() -> None:
    """After a broken pipe, point stdout at nothing so that Python's exit flush stays silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
