"""What every command shares: options, reading EXPR, limits, running the library with its errors
spelled as flags, writing output (atomically with -o), exit statuses, and the safety watchdog.

Imports nothing heavy: `chainsym --help` never loads SymPy; each command imports the library
when it runs.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import ChainsymError, LimitError, ParseError, UsageError
from ..limits import DEFAULT_LIMITS, Limits, check, limit_names

EXIT_MISMATCH = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE, as a shell reports a writer whose reader went away"""
GRACE_SECONDS = 5.0
"""the watchdog ends a command this long after its time limit, if the library's own checks did not"""

FLAGS = {"expr": "EXPR", "wrt": "--wrt", "at": "--at", "lr": "--lr", "where": "--where", "claim": "--claim",
         "order": "--order", "mode": "--mode", "target": "--emit", "vectors": "--vector", "matrices": "--matrix",
         "layout": "--layout", "limits": "--limit", "data": "--data", "work": "--work", "syntax": "--input",
         "kind": "--kind", "input": "INPUT", "items": "INPUT", "workers": "--workers", "engine": "--engine",
         "scheduler": "--scheduler", "chunk": "--chunk", "resume": "--resume", "output": "-o",
         "input_format": "--input-format"}
"""the library's parameter names, as the CLI's flags"""

T = TypeVar("T")


def flag_spelling(param: str) -> str:
    """«at» → --at, «at=» → "--at " (before its value), «limit:NAME» → --limit NAME=N."""
    kind, _, name = param.partition(":")
    if kind == "limit":
        return f"--limit {name}=N"
    bare = param.rstrip("=")
    flag = FLAGS.get(bare, bare)
    return f"{flag} " if param.endswith("=") else flag


class PipeClosed(Exception):
    """The reader of standard output went away (chainsym diff … | head)."""


class BadInput(click.ClickException):
    """A chainsym error on its way out of click: printed by main(), exit 2."""

    exit_code = EXIT_BAD_INPUT


def limits_of(values: Sequence[str]) -> Limits:
    limits = DEFAULT_LIMITS
    names = limit_names()
    for item in values:
        name, sep, raw = item.partition("=")
        if not sep or name not in names:
            raise click.BadParameter(f"expected NAME=VALUE with NAME one of {', '.join(names)}", param_hint="--limit")
        try:
            value: float = float(raw) if name == "seconds" else int(raw)
        except ValueError:
            raise click.BadParameter(f"{name} needs a number, got {raw[:20]!r}", param_hint="--limit") from None
        try:
            check(name, value)
        except UsageError as exc:
            raise click.BadParameter(exc.spelled(flag_spelling).split(": ", 1)[-1], param_hint="--limit") from None
        limits = limits.replace(**{name: value})
    return limits


def read(expr: str, limits: Limits) -> str:
    """EXPR itself, or standard input when EXPR is '-' (read no further than the length limit)."""
    if expr != "-":
        return expr
    data = sys.stdin.read(limits.max_length + 1)
    if len(data) > limits.max_length:
        raise LimitError("max_length", f"standard input is longer than {limits.max_length} characters")
    return data.strip()


PROTECT = "\x00"
"""Marks an argument that starts with '-' but is an expression; argv can never contain NUL."""
SHORT_OPTIONS = ("-", "-q", "-h", "-o")


def protect(args: Sequence[str]) -> list[str]:
    """An argument such as "-x^2" is an expression, not a cluster of short options (click would read
    "-(abs(x))" as -( -a -b -s ... and find -h in it): it is marked so that click takes it as a value,
    and TEXT removes the mark. After "--" (the POSIX end of options) nothing is an option anyway."""
    out: list[str] = []
    for i, a in enumerate(args):
        if a == "--":
            return out + list(args[i:])
        out.append(PROTECT + a if a.startswith("-") and not _long_option(a) and a not in SHORT_OPTIONS else a)
    return out


def _long_option(arg: str) -> bool:
    """--wrt, --format=json; not "--x" (minus minus x) or "----x"."""
    return arg.startswith("--") and len(arg) > 2 and arg[2].isalpha() and len(arg.split("=")[0]) > 3


class _Text(click.ParamType):  # type: ignore[type-arg]
    """Plain text, with the mark of protect() removed."""

    name = "text"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        return text[1:] if text.startswith(PROTECT) else text


TEXT = _Text()

output_option = click.option(
    "-o", "--output", type=click.Path(dir_okay=False), default=None, metavar="FILE",
    help="Write the output to FILE (replaced whole, never half-written) instead of standard output.")
limit_option = click.option(
    "--limit", "limits", multiple=True, metavar="NAME=VALUE",
    help="Raise or lower a bound, e.g. --limit max_depth=400 (see README: Limits).")
where_option = click.option(
    "--where", multiple=True, type=TEXT, metavar="NAME=EXPR",
    help="Define an intermediate variable, e.g. --where \"x = s - sin(t)\" (repeatable).")
input_option = click.option(
    "--input", "syntax", type=click.Choice(["auto", "plain", "latex"]), default="auto", show_default=True,
    help="How EXPR (and --where, --claim) are written: plain text, LaTeX, or auto (LaTeX when there is a "
         "backslash command).")
no_verify_option = click.option("--no-verify", is_flag=True, help="Skip the check against an independent oracle.")


HARD_STOP = [False]
"""set by main() when chainsym is its own process (the console script, python -m chainsym): only
then may the watchdog end the process"""


def run(fn: Callable[[], T], limits: Limits) -> T:
    """The library call, under the watchdog; its errors as one line spelled with the CLI's flags."""
    watchdog = threading.Timer(limits.seconds + GRACE_SECONDS, _time_up, (limits.seconds,))
    watchdog.daemon = True
    if HARD_STOP[0]:
        watchdog.start()
    try:
        return fn()
    except ChainsymError as exc:
        raise BadInput(describe(exc)) from None
    except RecursionError:
        raise BadInput("the expression is nested too deeply (limit 'max_depth')") from None
    except MemoryError:
        raise BadInput("out of memory: the expression is too large") from None
    finally:
        watchdog.cancel()


def _time_up(seconds: float) -> None:
    """The safety limit passed inside a call that could not check its clock (one SymPy call):
    the command ends with the limit's error, never with a different answer."""
    sys.stderr.write(f"chainsym: error: the computation took longer than {seconds:g} s "
                     f"(limit 'seconds'; raise it with --limit seconds=N)\n")
    sys.stderr.flush()
    os._exit(EXIT_BAD_INPUT)


def describe(exc: ChainsymError) -> str:
    """The message with flags for parameters, and for a parse error the input with a caret."""
    message = exc.spelled(flag_spelling)
    if isinstance(exc, ParseError) and exc.text:
        line, caret = excerpt(exc.text, exc.column)
        message += f"\n  {line}\n  {caret}"
    return message


def excerpt(text: str, column: int, width: int = 70) -> tuple[str, str]:
    """A window of the input around column, made printable, and the caret line under it."""
    start = max(0, min(column - 1 - width // 2, len(text) - width))
    window = text[start:start + width]
    shown = "".join(c if c.isprintable() and c not in "\t\r\n" else "?" for c in window)
    prefix = "..." if start > 0 else ""
    suffix = "..." if start + width < len(text) else ""
    return prefix + shown + suffix, " " * (len(prefix) + column - 1 - start) + "^"


def emit(rendered: str, output: str | None, fmt: str) -> None:
    """To the file named by -o (written beside it, then renamed into place), else to stdout, in
    colour on a terminal."""
    if output is None:
        if fmt == "text" and colour():
            from ..render.text import colour as paint

            rendered = paint(rendered)
        try:
            click.echo(rendered, nl=False)
            sys.stdout.flush()
        except BrokenPipeError:
            raise PipeClosed() from None  # not an OSError: click would turn it into exit 1
        return
    write_atomically(Path(output), rendered)
    click.echo(f"chainsym: wrote {output}", err=True)


def write_atomically(path: Path, text: str) -> None:
    """A full disk or a crash leaves the previous file as it was, never a half-written one."""
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from None


def colour() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def exit_on_mismatch(verdicts: Sequence[Any]) -> None:
    """A wrong derivative is a bug: say so on stderr and exit 1."""
    bad = next((v for v in verdicts if v is not None and v.status == "mismatch"), None)
    if bad is not None:
        click.echo(f"chainsym: MISMATCH: {bad.detail}", err=True)
        sys.exit(EXIT_MISMATCH)


def exit_for(derivation: Any) -> None:
    """A mismatch with the oracle, or forward and reverse mode disagreeing: stderr, exit 1."""
    exit_on_mismatch(list(derivation.verifications))
    if derivation.agreement.startswith("DISAGREE"):
        click.echo(f"chainsym: MISMATCH: forward and reverse mode {derivation.agreement}", err=True)
        sys.exit(EXIT_MISMATCH)


def format_option(kind: str, help_text: str) -> Callable[[Any], Any]:
    """--format, its choices from the registry of formats for this kind of result."""
    from ..formats import formats

    return click.option("--format", "fmt", type=click.Choice(list(formats(kind))), default="text",
                        show_default=True, help=help_text)


def rendered(result: Any, fmt: str) -> str:
    from ..render import render

    return render(result, fmt)
