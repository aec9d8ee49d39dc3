"""chainsym diff, grad and graph: one function, its derivation, its gradient, its picture."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import click

from .common import (
    TEXT,
    BadInput,
    emit,
    exit_for,
    exit_on_mismatch,
    format_option,
    input_option,
    limit_option,
    limits_of,
    no_verify_option,
    output_option,
    read,
    rendered,
    run,
    where_option,
)

GRAPHVIZ_SECONDS = 60
"""bound on one Graphviz run"""


@click.command("diff")
@click.argument("expr", type=TEXT)
@click.option("--wrt", default=None, type=TEXT, metavar="VAR",
              help="Variable(s) to differentiate by: x, or x,y, or all.")
@format_option("derivation", "text (aligned columns), latex (a document), markdown, html (one self-contained page), "
                             "json (schema chainsym.derivation), dot (the graph for Graphviz).")
@output_option
@click.option("--mode", type=click.Choice(["forward", "reverse", "both"]), default=None,
              help="forward: the total-derivative rule; reverse: backpropagation; both: both, checked "
                   "against each other. Default: forward for one variable, reverse for several.")
@where_option
@click.option("--at", default=None, type=TEXT, metavar="X=V,...",
              help="Evaluate every node and adjoint at a point, exactly, e.g. --at x=2,y=1/2.")
@click.option("--lr", default=None, type=TEXT, metavar="RATE",
              help="With --at: add the gradient-descent step v - RATE*df/dv.")
@click.option("--data", default=None, type=TEXT, metavar="NAMES",
              help="Inputs that are data, not parameters: --wrt all leaves them out, --lr never updates them.")
@no_verify_option
@click.option("--quiet", "-q", is_flag=True, help="Print only the result (with --at: its value there).")
@click.option("--expand", is_flag=True, help="Print a large result whole, not as a program of shared parts t1..tk.")
@click.option("--order", type=click.IntRange(1, 12), default=1, show_default=True,
              help="The nth derivative, with the steps of each order.")
@input_option
@limit_option
def diff_command(expr: str, wrt: str | None, fmt: str, output: str | None, mode: str | None, where: tuple[str, ...],
                 at: str | None, lr: str | None, data: str | None, no_verify: bool, quiet: bool, expand: bool,
                 order: int, syntax: str, limits: tuple[str, ...]) -> None:
    """Differentiate EXPR step by step and verify the result.

    EXPR is an expression, or a program whose first line defines the output:
    "z = x^2 - y^2; x = s - sin(t); y = e^s + cos(t)". It is read from standard
    input when it is '-'.

    \b
    Examples:
      chainsym diff "sin(x+x^2)"
      chainsym diff "x^2 y + sin y" --wrt y --format json
      chainsym diff "x^2 - y^2" --where "x = s - sin(t)" --where "y = e^s + cos(t)" --wrt s,t
      chainsym diff "(W2*relu(W1*x + b1) + b2 - y)^2" --wrt all --data x,y \\
          --at x=2,y=5,W1=3,b1=1,W2=2,b2=0 --lr 0.01
      chainsym diff "sin(x+x^2)" --format latex -o derivation.tex
      chainsym diff "x^3" --order 2 --at x=2
      chainsym diff "\\frac{d}{dx} \\frac{1}{1+e^{-x}}"
      echo "ln x / x" | chainsym diff -
    """
    from .. import api
    from ..render.text import render_result

    bounds = limits_of(limits)
    if order > 1:
        if fmt == "dot" or mode not in (None, "forward") or lr is not None or quiet or data is not None:
            raise click.UsageError("--order works in forward mode, without --lr, --data, --quiet or --format dot")
        orders = run(lambda: api.derivatives(read(expr, bounds), wrt, order, where=where, at=at,
                                             verify=not no_verify, syntax=syntax, limits=bounds), bounds)
        emit(rendered(orders, fmt), output, fmt)
        exit_on_mismatch([orders.verification])
        return
    derivation = run(lambda: api.diff(read(expr, bounds), wrt, mode=mode, where=where, at=at, lr=lr, data=data,
                                      verify=not no_verify, expand=expand, syntax=syntax, limits=bounds), bounds)
    emit(render_result(derivation) if quiet and fmt == "text" else rendered(derivation, fmt), output, fmt)
    exit_for(derivation)


@click.command("grad")
@click.argument("expr", type=TEXT)
@click.option("--emit", "target", type=click.Choice(["python", "numpy", "c"]), default=None,
              help="Print straight-line code for f and its gradient instead of the derivation.")
@click.option("--wrt", default=None, type=TEXT, metavar="VARS", help="Parameters (default: every input not in --data).")
@where_option
@click.option("--at", default=None, type=TEXT, metavar="X=V,...", help="Values and adjoints at a point, exactly.")
@click.option("--lr", default=None, type=TEXT, metavar="RATE", help="With --at: the gradient-descent step.")
@click.option("--data", default=None, type=TEXT, metavar="NAMES", help="Inputs that are data, not parameters.")
@format_option("derivation", "Output format of the derivation (without --emit).")
@no_verify_option
@output_option
@input_option
@limit_option
def grad_command(expr: str, target: str | None, wrt: str | None, where: tuple[str, ...], at: str | None,
                 lr: str | None, data: str | None, fmt: str, no_verify: bool, output: str | None, syntax: str,
                 limits: tuple[str, ...]) -> None:
    """The whole gradient of EXPR by one backpropagation sweep, or (--emit) the code computing it.

    The code defines value_and_grad with the variables in sorted name order: Python and NumPy
    return (f, [df/dv, ...]); C is double value_and_grad(const double *in, double *grad).
    A header comment gives its operation count against f's own.

    \b
    Examples:
      chainsym grad "x*y + sin(x)"
      chainsym grad "(w*x + b - y)^2" --data x,y --at w=2,b=1,x=3,y=5 --lr 0.1
      chainsym grad "(w*x + b - y)^2" --emit python
      chainsym grad "x1*x2*x3" --emit c -o grad.c
    """
    from .. import api

    bounds = limits_of(limits)
    if target is not None:
        emit(run(lambda: api.gradient_code(read(expr, bounds), target, where=where, limits=bounds), bounds),
             output, "code")
        return
    derivation = run(lambda: api.grad(read(expr, bounds), wrt, where=where, at=at, lr=lr, data=data,
                                      verify=not no_verify, syntax=syntax, limits=bounds), bounds)
    emit(rendered(derivation, fmt), output, fmt)
    exit_for(derivation)


@click.command("graph")
@click.argument("expr", type=TEXT)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="g.svg, g.png or g.dot (default: DOT text on standard output).")
@where_option
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
    from .. import api
    from ..render import picture

    bounds = limits_of(limits)
    suffix = Path(output).suffix.lower() if output else ".dot"
    if suffix not in (".svg", ".png", ".dot", ".gv"):
        raise click.BadParameter(f"unknown picture type {suffix or '(none)'!r}: use .svg, .png or .dot",
                                 param_hint="-o")
    derivation = run(lambda: api.diff(read(expr, bounds), "all", mode="reverse", where=where, at=at,
                                      verify=False, limits=bounds), bounds)
    dot_text = picture.dot(derivation)
    if output is None or suffix in (".dot", ".gv"):
        emit(dot_text, output, "dot")
        return
    if shutil.which("dot"):
        _graphviz(dot_text, suffix[1:], output)
        click.echo(f"chainsym: wrote {output} (Graphviz)", err=True)
    elif suffix == ".svg":
        emit(picture.svg(derivation), output, "svg")
    else:
        fallback = str(Path(output).with_suffix(".dot"))
        emit(dot_text, fallback, "dot")
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


COMMANDS = (diff_command, grad_command, graph_command)
