"""The `chainsym` command: a thin click layer over `api` and `render`.

Results go to stdout, diagnostics to stderr. Exit 0 on success, 1 when verification finds a
mismatch, 2 on bad input or usage; an error is one line (plus a caret under the column for a
parse error), never a traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from . import api
from .errors import ChainsymError, LimitError, ParseError
from .limits import DEFAULT_LIMITS, Limits, limit_names
from .model import CheckResult, Derivation, Verification
from .render import check as check_render
from .render import compound
from .render import higher as higher_render
from .render import html as html_render
from .render import json as json_render
from .render import latex as latex_render
from .render import markdown as markdown_render
from .render import picture
from .render import text as text_render
from .render import vectors as vectors_render
from . import vectors as vectors_stage

EXIT_MISMATCH = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3

FORMATS: dict[str, Callable[[Derivation], str]] = {
    "text": text_render.render, "json": json_render.render, "latex": latex_render.render,
    "markdown": markdown_render.render, "html": html_render.render, "dot": picture.dot,
}
CHECK_FORMATS: dict[str, Callable[[CheckResult], str]] = {
    "text": check_render.text, "json": check_render.json_text, "latex": check_render.latex,
    "markdown": check_render.markdown, "html": check_render.html,
}
COMPOUND_FORMATS = ["html", "json", "latex", "markdown", "text"]
"""the formats of the commands whose output is several derivations (hessian, jacobian, diff --order)"""
GRAPHVIZ_SECONDS = 60
"""bound on one Graphviz run"""


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


output_option = click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None, metavar="FILE",
    help="Write the output to FILE instead of standard output.")

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
      chainsym diff "sin(x+x^2)" --format html -o derivation.html
      chainsym check "sin(x^2)" --claim "cos(x^2)"
      chainsym grad "(w*x + b - y)^2" --emit python
      chainsym graph "sin(x+x^2)" -o graph.svg
    """


@cli.command("diff")
@click.argument("expr", type=TEXT)
@click.option("--wrt", default=None, type=TEXT, metavar="VAR", help="Variable(s) to differentiate by: x, or x,y, or all.")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text", show_default=True,
              help="text (aligned columns), latex (a document), markdown, html (one self-contained page), "
                   "json (schema chainsym.derivation), dot (the graph for Graphviz).")
@output_option
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
@click.option("--expand", is_flag=True,
              help="Print a large result whole, not as a program of shared parts t1..tk.")
@click.option("--order", type=click.IntRange(1, 12), default=1, show_default=True,
              help="The nth derivative, with the steps of each order.")
@limit_option
def diff_command(expr: str, wrt: str | None, fmt: str, output: str | None, mode: str | None, where: tuple[str, ...],
                 at: str | None, lr: str | None, no_verify: bool, quiet: bool, expand: bool, order: int,
                 limits: tuple[str, ...]) -> None:
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
      chainsym diff "sin(x+x^2)" --format latex -o derivation.tex
      chainsym diff "x^3" --order 2 --at x=2
      echo "ln x / x" | chainsym diff -
    """
    bounds = _limits(limits)
    if order > 1:
        if fmt == "dot" or mode not in (None, "forward") or lr is not None or quiet:
            raise click.UsageError("--order works in forward mode, without --lr, --quiet or --format dot")
        orders = _run(lambda: api.derivatives(_read(expr, bounds), wrt, order, where=where, at=at,
                                              verify=not no_verify, limits=bounds))
        _emit(higher_render.dumps(higher_render.orders_data(orders)) if fmt == "json" else
              higher_render.orders(orders) if fmt == "text" else _compound(compound.orders(orders), fmt), output, fmt)
        _exit_on_mismatch([orders.verification])
        return
    derivation = _run(lambda: api.diff(_read(expr, bounds), wrt, mode=mode, where=where, at=at, lr=lr,
                                       verify=not no_verify, expand=expand, limits=bounds))
    if quiet and fmt == "text":
        _emit(text_render.render_result(derivation), output, fmt)
    else:
        _emit(FORMATS[fmt](derivation), output, fmt)
    _exit_for(derivation)


@cli.command("check")
@click.argument("expr", type=TEXT)
@click.option("--claim", required=True, type=TEXT, metavar="ANSWER", help="The derivative to check.")
@click.option("--wrt", default=None, type=TEXT, metavar="VAR", help="The variable (default: the only one).")
@click.option("--where", multiple=True, type=TEXT, metavar="NAME=EXPR", help="Define an intermediate variable (repeatable).")
@click.option("--format", "fmt", type=click.Choice(sorted(CHECK_FORMATS)), default="text", show_default=True,
              help="Output format: the verdict, then the correct derivation (json: schema chainsym.check).")
@output_option
@limit_option
def check_command(expr: str, claim: str, wrt: str | None, where: tuple[str, ...], fmt: str, output: str | None,
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
    _emit(CHECK_FORMATS[fmt](result), output, fmt)
    if not result.correct:
        sys.exit(EXIT_MISMATCH)


@cli.command("grad")
@click.argument("expr", type=TEXT)
@click.option("--emit", "target", type=click.Choice(["python", "numpy", "c"]), default=None,
              help="Print straight-line code for f and its gradient instead of the derivation.")
@click.option("--where", multiple=True, type=TEXT, metavar="NAME=EXPR", help="Define an intermediate variable (repeatable).")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text", show_default=True,
              help="Output format of the derivation (without --emit).")
@click.option("--no-verify", is_flag=True, help="Skip the check against sympy.diff.")
@output_option
@limit_option
def grad_command(expr: str, target: str | None, where: tuple[str, ...], fmt: str, no_verify: bool,
                 output: str | None, limits: tuple[str, ...]) -> None:
    """The whole gradient of EXPR by one backpropagation sweep, or (--emit) the code computing it.

    The code defines value_and_grad with the variables in sorted name order: Python and NumPy
    return (f, [df/dv, ...]); C is double value_and_grad(const double *in, double *grad).
    A header comment gives its operation count against f's own.

    \b
    Examples:
      chainsym grad "x*y + sin(x)"
      chainsym grad "(w*x + b - y)^2" --emit python
      chainsym grad "x1*x2*x3" --emit c -o grad.c
    """
    bounds = _limits(limits)
    if target is not None:
        _emit(_run(lambda: api.gradient_code(_read(expr, bounds), target, where=where, limits=bounds)), output, "code")
        return
    derivation = _run(lambda: api.diff(_read(expr, bounds), "all", mode="reverse", where=where,
                                       verify=not no_verify, limits=bounds))
    _emit(FORMATS[fmt](derivation), output, fmt)
    _exit_for(derivation)


@cli.command("jacobian")
@click.argument("expr", type=TEXT)
@click.option("--wrt", default=None, type=TEXT, metavar="NAMES", help="Inputs to differentiate by (default: all).")
@click.option("--vector", "vectors", multiple=True, metavar="NAME:SIZE", help="Declare a vector, e.g. --vector s:3.")
@click.option("--matrix", "matrices", multiple=True, metavar="NAME:MxN", help="Declare a matrix, e.g. --matrix W:2x3.")
@click.option("--layout", type=click.Choice(["numerator", "denominator"]), default="numerator", show_default=True,
              help="numerator: ∂y/∂x is m×n (rows follow y); denominator: its transpose.")
@click.option("--format", "fmt", type=click.Choice(COMPOUND_FORMATS), default="text", show_default=True,
              help="Output format (json: schema chainsym.jacobian).")
@click.option("--no-verify", is_flag=True, help="Skip the check against sympy.jacobian.")
@output_option
@limit_option
def jacobian_command(expr: str, wrt: str | None, vectors: tuple[str, ...], matrices: tuple[str, ...], layout: str,
                     fmt: str, no_verify: bool, output: str | None, limits: tuple[str, ...]) -> None:
    """The Jacobian of a vector function by the chain rule over vector-level nodes, each factor
    with its shape, verified against sympy.jacobian.

    EXPR is a list of scalar expressions "[a, b]", or an expression or a program over declared
    vectors and matrices: elementwise operations (s*t is the Hadamard product), sum, mean, dot,
    and W*x for a declared matrix W.

    \b
    Examples:
      chainsym jacobian "[s*t, s - t]" --wrt s,t
      chainsym jacobian "z = mean(x + y); x = s*t; y = s - t" --vector s:3 --vector t:3 --wrt s,t
      chainsym jacobian "L = dot(z - y, z - y); z = W*x + b" --matrix W:2x3 \\
          --vector x:3 --vector b:2 --vector y:2 --wrt W,x
    """
    bounds = _limits(limits)
    result = _run(lambda: vectors_stage.jacobian(_read(expr, bounds), wrt, vectors=vectors, matrices=matrices,
                                                 layout=layout, verify=not no_verify, limits=bounds))
    _emit(vectors_render.json_text(result) if fmt == "json" else vectors_render.render(result) if fmt == "text"
          else _compound(compound.jacobian(result), fmt), output, fmt)
    _exit_on_mismatch(result.verifications)


@cli.command("hessian")
@click.argument("expr", type=TEXT)
@click.option("--wrt", default=None, type=TEXT, metavar="VARS", help="Variables (default: all).")
@click.option("--where", multiple=True, type=TEXT, metavar="NAME=EXPR", help="Define an intermediate variable (repeatable).")
@click.option("--format", "fmt", type=click.Choice(COMPOUND_FORMATS), default="text", show_default=True,
              help="Output format (json: schema chainsym.hessian).")
@click.option("--no-verify", is_flag=True, help="Skip the check against sympy.hessian.")
@output_option
@limit_option
def hessian_command(expr: str, wrt: str | None, where: tuple[str, ...], fmt: str, no_verify: bool,
                    output: str | None, limits: tuple[str, ...]) -> None:
    """The Hessian of EXPR by forward-over-reverse: the gradient by backpropagation, then the
    total-derivative rule over the gradient's graph once per variable; mixed partials included.

    \b
    Examples:
      chainsym hessian "x^2*y + sin(x*y)" --wrt x,y
      chainsym hessian "(w*x + b - y)^2" --wrt w,b --format json
    """
    bounds = _limits(limits)
    result = _run(lambda: api.hessian(_read(expr, bounds), wrt, where=where, verify=not no_verify, limits=bounds))
    _emit(higher_render.dumps(higher_render.hessian_data(result)) if fmt == "json" else higher_render.hessian(result)
          if fmt == "text" else _compound(compound.hessian(result), fmt), output, fmt)
    _exit_on_mismatch([result.verification])


@cli.command("graph")
@click.argument("expr", type=TEXT)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None, metavar="FILE",
              help="g.svg, g.png or g.dot (default: DOT text on standard output).")
@click.option("--where", multiple=True, type=TEXT, metavar="NAME=EXPR", help="Define an intermediate variable (repeatable).")
@click.option("--at", default=None, type=TEXT, metavar="X=V,...",
              help="Label every node with its value and its gradient df/du at this point.")
@limit_option
def graph_command(expr: str, output: str | None, where: tuple[str, ...], at: str | None,
                  limits: tuple[str, ...]) -> None:
    """Draw the computational graph of EXPR: a box per node (name and operation), an edge per
    argument, labelled with the local partial; with --at, each node's value and gradient.

    SVG and PNG are rendered by Graphviz's `dot` when it is installed. Without it, an SVG is drawn
    by chainsym's own layout, and for PNG the DOT text is written with a note on how to render it.

    \b
    Examples:
      chainsym graph "sin(x+x^2)" -o graph.svg
      chainsym graph "(w*x + b - y)^2" --at w=2,x=3,b=1,y=5 -o graph.png
      chainsym graph "sin(x+x^2)" | dot -Tpdf -o graph.pdf
    """
    bounds = _limits(limits)
    suffix = Path(output).suffix.lower() if output else ".dot"
    if suffix not in (".svg", ".png", ".dot", ".gv"):
        raise click.BadParameter(f"unknown picture type {suffix or '(none)'!r}: use .svg, .png or .dot",
                                 param_hint="-o")
    derivation = _run(lambda: api.diff(_read(expr, bounds), "all", mode="reverse", where=where, at=at,
                                       verify=False, limits=bounds))
    dot_text = picture.dot(derivation)
    if output is None or suffix in (".dot", ".gv"):
        _emit(dot_text, output, "dot")
        return
    if shutil.which("dot"):
        _graphviz(dot_text, suffix[1:], output)
        click.echo(f"chainsym: wrote {output} (Graphviz)", err=True)
    elif suffix == ".svg":
        _emit(picture.svg(derivation), output, "svg")
    else:
        fallback = str(Path(output).with_suffix(".dot"))
        _emit(dot_text, fallback, "dot")
        click.echo(f"chainsym: note: Graphviz is not installed, so {output} was not drawn; render the DOT file "
                   f"with: dot -Tpng {fallback} -o {output}", err=True)


def _graphviz(dot_text: str, kind: str, output: str) -> None:
    """Graphviz's dot renders the picture, within GRAPHVIZ_SECONDS."""
    try:
        done = subprocess.run(["dot", f"-T{kind}", "-o", output], input=dot_text.encode(), capture_output=True,
                              timeout=GRAPHVIZ_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise BadInput(f"Graphviz took longer than {GRAPHVIZ_SECONDS} s to draw the graph") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise BadInput(f"Graphviz failed: {message[0] if message else 'exit ' + str(done.returncode)}")


def _compound(parts: tuple, fmt: str) -> str:  # type: ignore[type-arg]
    return {"latex": compound.as_latex, "markdown": compound.as_markdown, "html": compound.as_html}[fmt](parts)


def _emit(rendered: str, output: str | None, fmt: str) -> None:
    """To the file named by -o (a note on stderr), else to stdout, in colour on a terminal."""
    if output is None:
        if fmt == "text" and _colour():
            rendered = text_render.colour(rendered)
        click.echo(rendered, nl=False)
        return
    try:
        Path(output).write_text(rendered, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"chainsym: wrote {output}", err=True)


def _colour() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _run(fn):  # type: ignore[no-untyped-def]
    try:
        return fn()
    except ChainsymError as exc:
        raise BadInput(_describe(exc)) from None
    except RecursionError:
        raise BadInput("the expression is nested too deeply (limit 'max_depth')") from None
    except MemoryError:
        raise BadInput("out of memory: the expression is too large") from None


def _exit_on_mismatch(verdicts: Sequence[Verification | None]) -> None:
    """A wrong derivative is a bug: say so on stderr and exit 1."""
    bad = next((v for v in verdicts if v is not None and v.status == "mismatch"), None)
    if bad is not None:
        click.echo(f"chainsym: MISMATCH: {bad.detail}", err=True)
        sys.exit(EXIT_MISMATCH)


def _exit_for(derivation: Derivation) -> None:
    """A mismatch with the oracle, or forward and reverse mode disagreeing: stderr, exit 1."""
    _exit_on_mismatch([derivation.verification])
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


SHORT_OPTIONS = ("-", "-q", "-h", "-o")





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
