"""chainsym check: is a claimed derivative right, and if not, where does it go wrong?"""

from __future__ import annotations

import sys

import click

from .common import (
    EXIT_MISMATCH,
    TEXT,
    emit,
    format_option,
    limit_option,
    limits_of,
    output_option,
    read,
    rendered,
    run,
    where_option,
)


@click.command("check")
@click.argument("expr", type=TEXT)
@click.option("--claim", required=True, type=TEXT, metavar="ANSWER",
              help="The derivative to check; a gradient as \"x: 2*x*y; y: x^2\", a Jacobian or Hessian as rows "
                   "\"[[2*y, 2*x], [2*x, 0]]\".")
@click.option("--wrt", default=None, type=TEXT, metavar="VAR",
              help="The variable (default: the only one; for a gradient, Jacobian or Hessian: all, by name).")
@click.option("--order", type=click.IntRange(1, 12), default=1, show_default=True,
              help="The claim is the derivative of this order.")
@click.option("--kind", type=click.Choice(["diff", "grad", "jacobian", "hessian"]), default=None,
              help="What the claim is (default: read from its shape).")
@click.option("--at", default=None, type=TEXT, metavar="X=V,...",
              help="The claim is the derivative's value at this point, e.g. --at x=2.")
@where_option
@format_option("check", "Output format: the verdict, then the correct derivation (json: schema chainsym.check).")
@output_option
@limit_option
def check_command(expr: str, claim: str, wrt: str | None, order: int, kind: str | None, at: str | None,
                  where: tuple[str, ...], fmt: str, output: str | None, limits: tuple[str, ...]) -> None:
    """Check a claimed derivative of EXPR: exit 0 if correct, 1 if not, 2 on bad input.

    When the claim is wrong, chainsym gives a point where it fails and, when a standard
    mistake explains it, the step of the chain rule where it goes wrong.

    \b
    Examples:
      chainsym check "sin(x^2)" --claim "cos(x^2)"
      chainsym check "h = u^3 + 2u - 5; u = (x+1)^2" --claim "(6x+10)(x+1)^2"
      chainsym check "x^2*y + sin(y)" --claim "x: 2*x*y; y: x^2"
      chainsym check "x^2*y" --claim "[[2*y, 2*x], [2*x, 0]]"
      chainsym check "sin(x^2)" --order 2 --claim "2cos(x^2) - 4x^2 sin(x^2)"
      chainsym check "x^3" --at x=2 --claim 12
    """
    from .. import api

    bounds = limits_of(limits)
    result = run(lambda: api.check(read(expr, bounds), claim, wrt, where=where, order=order, kind=kind, at=at,
                                   limits=bounds), bounds)
    emit(rendered(result, fmt), output, fmt)
    if not result.correct:
        sys.exit(EXIT_MISMATCH)


COMMANDS = (check_command,)
