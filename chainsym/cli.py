"""The `chainsym` command: a thin click layer over `api` and `render`.

Results go to stdout, diagnostics to stderr. Exit 0 on success, 1 when verification finds a
mismatch, 2 on bad input or usage; an error is one line (plus a caret under the column for a
parse error), never a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from . import api
from .errors import ChainsymError, LimitError, ParseError
from .limits import DEFAULT_LIMITS, Limits, limit_names
from .model import Derivation
from .render import check as check_render
from .render import json as json_render
from .render import text as text_render

EXIT_MISMATCH = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3

FORMATS = {"text": text_render.render, "json": json_render.render}


class BadInput(click.ClickException):
    """A chainsym error on its way out of click: printed by main(), exit 2."""

    exit_code = EXIT_BAD_INPUT


def _limits(values: Sequence[str]) -> Limits:
    limits = DEFAULT_LIMITS
    names = limit_names()
    for item in values:
        name, sep, raw = item.partition("=")
        if not sep or name not in names:
            raise click.BadParameter(f"expected NAME=VALUE with NAME one of {', '.join(names)}", param_hint="--limit")
        try:
            value = float(raw) if "seconds" in name else int(raw)
        except ValueError:
            raise click.BadParameter(f"{name} needs a number, got {raw[:20]!r}", param_hint="--limit") from None
        if value <= 0:
            raise click.BadParameter(f"{name} must be positive", param_hint="--limit")
        limits = limits.replace(**{name: value})
    return limits


def _read(expr: str, limits: Limits) -> str:
    """EXPR itself, or standard input when EXPR is '-' (read no further than the length limit)."""
    if expr != "-":
        return expr
    data = sys.stdin.read(limits.max_length + 1)
    if len(data) > limits.max_length:
        raise LimitError("max_length", f"standard input is longer than {limits.max_length} characters")
    return data.strip()


PROTECT = "\x00"
"""Marks an argument that starts with '-' but is an expression; argv can never contain NUL."""


def _protect(args: Sequence[str]) -> list[str]:
    """An argument such as "-x^2" or "-(a+b)" is an expression, not a cluster of short options
    (click would read "-(abs(x))" as -( -a -b -s ... and find -h in it): it is marked so that click
    takes it as a value, and TEXT removes the mark (so error columns stay right)."""
    return [PROTECT + a if a.startswith("-") and not _long_option(a) and a not in SHORT_OPTIONS else a
            for a in args]


class _Text(click.ParamType):
    """Plain text, with the mark of _protect removed."""

    name = "text"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        return text[1:] if text.startswith(PROTECT) else text


TEXT = _Text()


limit_option = click.option(
    "--limit", "limits", multiple=True, metavar="NAME=VALUE",
    help="Raise or lower a bound, e.g. --limit max_depth=400 (see README: Security).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="chainsym")
def cli() -> None:
    """Differentiate by the chain rule over a computational graph, and show why.

    \b
    Examples:
      chainsym diff "sin(x+x^2)"
      chainsym check "sin(x^2)" --claim "cos(x^2)"
    """


@cli.command("diff")
@click.argument("expr", type=TEXT)
@click.option("--wrt", default=None, type=TEXT, metavar="VAR", help="Variable(s) to differentiate by: x, or x,y, or all.")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text", show_default=True,
              help="Output format.")
@click.option("--mode", type=click.Choice(["forward", "reverse", "both"]), default=None,
              help="forward: the total-derivative rule; reverse: backpropagation; both: both, checked "
                   "against each other. Default: forward for one variable, reverse for several.")
@click.option("--where", multiple=True, type=TEXT, metavar="NAME=EXPR",
              help="Define an intermediate variable, e.g. --where \"x = s - sin(t)\" (repeatable).")
@click.option("--at", default=None, type=TEXT, metavar="X=V,...",
              help="Evaluate every node and adjoint at a point, exactly, e.g. --at x=2,y=1/2.")
@click.option("--lr", default=None, type=TEXT, metavar="RATE", help="With --at: add the gradient-descent step v - RATE*df/dv.")
@click.option("--no-verify", is_flag=True, help="Skip the check against sympy.diff.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the result.")
@limit_option
def diff_command(expr: str, wrt: str | None, fmt: str, mode: str | None, where: tuple[str, ...],
                 at: str | None, lr: str | None, no_verify: bool, quiet: bool, limits: tuple[str, ...]) -> None:
    """Differentiate EXPR step by step and verify the result.

    EXPR is an expression, or a program whose first line defines the output:
    "z = x^2 - y^2; x = s - sin(t); y = e^s + cos(t)". It is read from standard
    input when it is '-'.

    \b
    Examples:
      chainsym diff "sin(x+x^2)"
      chainsym diff "x^2 y + sin y" --wrt y --format json
      chainsym diff "x^2 - y^2" --where "x = s - sin(t)" --where "y = e^s + cos(t)" --wrt s,t
      chainsym diff "(W2*relu(W1*x + b1) + b2 - y)^2" --wrt W1,b1,W2,b2 \\
          --at x=2,y=5,W1=3,b1=1,W2=2,b2=0 --lr 0.01
      echo "ln x / x" | chainsym diff -
    """
    bounds = _limits(limits)
    derivation = _run(lambda: api.diff(_read(expr, bounds), wrt, mode=mode, where=where, at=at, lr=lr,
                                       verify=not no_verify, limits=bounds))
    if quiet and fmt == "text":
        click.echo(text_render.render_result(derivation), nl=False)
    else:
        click.echo(FORMATS[fmt](derivation), nl=False)
    _exit_for(derivation)


@cli.command("check")
@click.argument("expr", type=TEXT)
@click.option("--claim", required=True, type=TEXT, metavar="ANSWER", help="The derivative to check.")
@click.option("--wrt", default=None, type=TEXT, metavar="VAR", help="The variable (default: the only one).")
@click.option("--where", multiple=True, type=TEXT, metavar="NAME=EXPR", help="Define an intermediate variable (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True,
              help="Output format.")
@limit_option
def check_command(expr: str, claim: str, wrt: str | None, where: tuple[str, ...], fmt: str,
                  limits: tuple[str, ...]) -> None:
    """Check a claimed derivative of EXPR: exit 0 if correct, 1 if not, 2 on bad input.

    When the claim is wrong, chainsym gives a point where it fails and, when a standard
    mistake explains it, the step of the chain rule where it goes wrong.

    \b
    Examples:
      chainsym check "sin(x^2)" --claim "cos(x^2)"
      chainsym check "h = u^3 + 2u - 5; u = (x+1)^2" --claim "(6x+10)(x+1)^2"
    """
    bounds = _limits(limits)
    result = _run(lambda: api.check(_read(expr, bounds), claim, wrt, where=where, limits=bounds))
    click.echo(check_render.json_text(result) if fmt == "json" else check_render.text(result), nl=False)
    if not result.correct:
        sys.exit(EXIT_MISMATCH)


def _run(fn):  # type: ignore[no-untyped-def]
    try:
        return fn()
    except ChainsymError as exc:
        raise BadInput(_describe(exc)) from None
    except RecursionError:
        raise BadInput("the expression is nested too deeply (limit 'max_depth')") from None
    except MemoryError:
        raise BadInput("out of memory: the expression is too large") from None


def _exit_for(derivation: Derivation) -> None:
    """A wrong derivative is a bug: say so on stderr and exit 1."""
    v = derivation.verification
    if v is not None and v.status == "mismatch":
        click.echo(f"chainsym: MISMATCH: {v.detail}", err=True)
        sys.exit(EXIT_MISMATCH)
    if derivation.agreement.startswith("DISAGREE"):
        click.echo(f"chainsym: MISMATCH: forward and reverse mode {derivation.agreement}", err=True)
        sys.exit(EXIT_MISMATCH)


def _describe(exc: ChainsymError) -> str:
    """The message, and for a parse error the input with a caret under the column."""
    message = str(exc)
    if isinstance(exc, ParseError) and exc.text:
        line, caret = _excerpt(exc.text, exc.column)
        message += f"\n  {line}\n  {caret}"
    return message


def _excerpt(text: str, column: int, width: int = 70) -> tuple[str, str]:
    """A window of the input around column, made printable, and the caret line under it."""
    start = max(0, min(column - 1 - width // 2, len(text) - width))
    window = text[start:start + width]
    shown = "".join(c if c.isprintable() and c not in "\t\r\n" else "?" for c in window)
    prefix = "..." if start > 0 else ""
    suffix = "..." if start + width < len(text) else ""
    return prefix + shown + suffix, " " * (len(prefix) + column - 1 - start) + "^"


SHORT_OPTIONS = ("-", "-q", "-h")





def _long_option(arg: str) -> bool:
    """--wrt, --format=json; not "--x" (minus minus x) or "----x"."""
    return arg.startswith("--") and len(arg) > 2 and arg[2].isalpha() and len(arg.split("=")[0]) > 3


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script and of `python -m chainsym`."""
    args = _protect(sys.argv[1:] if argv is None else argv)
    try:
        cli.main(args=args, prog_name="chainsym", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort:
        click.echo("chainsym: aborted", err=True)
        return 130
    except click.ClickException as exc:
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        message = exc.format_message()
        if len(message) > 300:
            message = message[:300] + "..."
        click.echo(f"chainsym: error: {message}{hint}", err=True)
        return exc.exit_code
    except SystemExit as exc:
        return int(exc.code or 0)
    except Exception as exc:  # a bug in chainsym: one line, not a traceback (CHAINSYM_DEBUG=1 shows it)
        if os.environ.get("CHAINSYM_DEBUG"):
            raise
        click.echo(f"chainsym: internal error: {type(exc).__name__}: {str(exc)[:200]} "
                   "(please report it; CHAINSYM_DEBUG=1 shows the traceback)", err=True)
        return EXIT_INTERNAL
    return 0
