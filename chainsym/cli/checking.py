"""chainsym check: is a claimed derivative right, and if not, where does it go wrong? With --work,
the same for every step of a worked derivation."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import LimitError, UsageError
from ..limits import Limits
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
@click.argument("expr", type=TEXT, required=False)
@click.option("--claim", default=None, type=TEXT, metavar="ANSWER",
              help="The derivative to check; a gradient as \"x: 2*x*y; y: x^2\", a Jacobian or Hessian as rows "
                   "\"[[2*y, 2*x], [2*x, 0]]\".")
@click.option("--work", default=None, type=TEXT, metavar="FILE",
              help="Check a worked derivation step by step: one step per line of FILE ('-': standard input), "
                   "derivatives written as d/dx(...), (...)' or \\frac{d}{dx}(...). With EXPR, the first line "
                   "(d/dx EXPR) may be left out.")
@click.option("--wrt", default=None, type=TEXT, metavar="VAR",
              help="The variable (default: the only one; for a gradient, Jacobian or Hessian: all, by name).")
@click.option("--order", type=click.IntRange(1, 12), default=1, show_default=True,
              help="The claim is the derivative of this order.")
@click.option("--kind", type=click.Choice(["diff", "grad", "jacobian", "hessian"]), default=None,
              help="What the claim is (default: read from its shape).")
@click.option("--at", default=None, type=TEXT, metavar="X=V,...",
              help="The claim is the derivative's value at this point, e.g. --at x=2.")
@where_option
@format_option("check", "Output format: the verdict, then the correct derivation (json: schema chainsym.check, "
                        "or chainsym.work with --work).")
@output_option
@input_option
@limit_option
def check_command(expr: str | None, claim: str | None, work: str | None, wrt: str | None, order: int,
                  kind: str | None, at: str | None, where: tuple[str, ...], fmt: str, output: str | None,
                  syntax: str, limits: tuple[str, ...]) -> None:
    """Check a claimed derivative of EXPR, or a worked derivation (--work): exit 0 if correct, 1 if
    not, 2 on bad input.

    When the claim (or a step) is wrong, chainsym gives a point where it fails and, when a
    standard mistake explains it, the step of the chain rule where it goes wrong; for worked
    steps, the first wrong line and the correct continuation from the last right one.

    \b
    Examples:
      chainsym check "sin(x^2)" --claim "cos(x^2)"
      chainsym check "h = u^3 + 2u - 5; u = (x+1)^2" --claim "(6x+10)(x+1)^2"
      chainsym check "x^2*y + sin(y)" --claim "x: 2*x*y; y: x^2"
      chainsym check "x^2*y" --claim "[[2*y, 2*x], [2*x, 0]]"
      chainsym check "sin(x^2)" --order 2 --claim "2cos(x^2) - 4x^2 sin(x^2)"
      chainsym check "x^3" --at x=2 --claim 12
      chainsym check --work steps.txt
      chainsym check "h = u^3 + 2u - 5; u = (x+1)^2" --work steps.txt
    """
    if (claim is None) == (work is None):
        raise click.UsageError("give either --claim ANSWER or --work FILE")
    if claim is not None and expr is None:
        raise click.UsageError("--claim needs EXPR, the function whose derivative is claimed")
    if expr == "-" and work == "-":
        raise click.UsageError("EXPR and --work cannot both be read from standard input")
    bounds = limits_of(limits)
    if work is not None:
        from .. import worked

        steps = work
        correct = _emit(run(lambda: worked.check_work(_work_text(steps, bounds), wrt,
                                                      expr=None if expr is None else read(expr, bounds),
                                                      where=where, syntax=syntax, limits=bounds), bounds), fmt, output)
    else:
        from .. import api

        given = expr or ""
        correct = _emit(run(lambda: api.check(read(given, bounds), claim, wrt, where=where, order=order, kind=kind,
                                              at=at, syntax=syntax, limits=bounds), bounds), fmt, output)
    if not correct:
        sys.exit(EXIT_MISMATCH)


def _emit(result: Any, fmt: str, output: str | None) -> bool:
    """Print the result; whether it says correct."""
    emit(rendered(result, fmt), output, fmt)
    return bool(result.correct)


def _work_text(path: str, limits: Limits) -> str:
    """The steps: the file's text, or standard input's for '-', as written (line numbers count from
    its first line), read no further than the length limit."""
    try:
        if path == "-":
            text = sys.stdin.read(limits.max_length + 1)
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read(limits.max_length + 1)
    except UnicodeDecodeError:
        raise UsageError(f"«work» {path[:80]} is not UTF-8 text", param="work") from None
    except OSError as exc:
        raise UsageError(f"cannot read «work» {path[:80]}: {exc.strerror or exc}", param="work") from None
    if len(text) > limits.max_length:
        raise LimitError("max_length", f"the steps are longer than {limits.max_length} characters")
    return text


COMMANDS = (check_command,)
