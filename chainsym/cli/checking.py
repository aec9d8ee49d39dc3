"""chainsym check: is a claimed derivative right, and if not, where does it go wrong?"""

from __future__ import annotations

import sys

import click

from .common import (
    EXIT_MISMATCH,
    TEXT,
    emit,
    format_option,
    input_option,
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
@click.option("--claim", required=True, type=TEXT, metavar="ANSWER", help="The derivative to check.")
@click.option("--wrt", default=None, type=TEXT, metavar="VAR", help="The variable (default: the only one).")
@where_option
@format_option("check", "Output format: the verdict, then the correct derivation (json: schema chainsym.check).")
@output_option
@input_option
@limit_option
def check_command(expr: str, claim: str, wrt: str | None, where: tuple[str, ...], fmt: str, output: str | None,
                  syntax: str, limits: tuple[str, ...]) -> None:
    """Check a claimed derivative of EXPR: exit 0 if correct, 1 if not, 2 on bad input.

    When the claim is wrong, chainsym gives a point where it fails and, when a standard
    mistake explains it, the step of the chain rule where it goes wrong.

    \b
    Examples:
      chainsym check "sin(x^2)" --claim "cos(x^2)"
      chainsym check "h = u^3 + 2u - 5; u = (x+1)^2" --claim "(6x+10)(x+1)^2"
    """
    from .. import api

    bounds = limits_of(limits)
    result = run(lambda: api.check(read(expr, bounds), claim, wrt, where=where, syntax=syntax, limits=bounds), bounds)
    emit(rendered(result, fmt), output, fmt)
    if not result.correct:
        sys.exit(EXIT_MISMATCH)


COMMANDS = (check_command,)
