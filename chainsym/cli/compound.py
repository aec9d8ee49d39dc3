"""chainsym jacobian and hessian: results made of many derivatives."""

from __future__ import annotations

import click

from .common import (
    TEXT,
    emit,
    exit_on_mismatch,
    format_option,
    limit_option,
    limits_of,
    no_verify_option,
    output_option,
    read,
    rendered,
    run,
    where_option,
)


@click.command("jacobian")
@click.argument("expr", type=TEXT)
@click.option("--wrt", default=None, type=TEXT, metavar="NAMES",
              help="Inputs to differentiate by (default: all not in --data).")
@click.option("--vector", "vectors", multiple=True, metavar="NAME:SIZE", help="Declare a vector, e.g. --vector s:3.")
@click.option("--matrix", "matrices", multiple=True, metavar="NAME:MxN", help="Declare a matrix, e.g. --matrix W:2x3.")
@click.option("--layout", type=click.Choice(["numerator", "denominator"]), default="numerator", show_default=True,
              help="numerator: ∂y/∂x is m×n (rows follow y); denominator: its transpose.")
@click.option("--at", default=None, type=TEXT, metavar="X=V,...",
              help="Every Jacobian at a point (give each component: W11=1,...).")
@click.option("--data", default=None, type=TEXT, metavar="NAMES", help="Inputs that are data, not parameters.")
@format_option("jacobian", "Output format (json: schema chainsym.jacobian).")
@no_verify_option
@output_option
@limit_option
def jacobian_command(expr: str, wrt: str | None, vectors: tuple[str, ...], matrices: tuple[str, ...], layout: str,
                     at: str | None, data: str | None, fmt: str, no_verify: bool, output: str | None,
                     limits: tuple[str, ...]) -> None:
    """The Jacobian of a vector function by the chain rule over vector-level nodes, each factor
    with its shape, verified entry by entry.

    EXPR is a list of scalar expressions "[a, b]", or an expression or a program over declared
    vectors and matrices: elementwise operations (s*t of two vectors is the Hadamard product),
    matrix products (W*x, W2*W1*x), transpose(W) or W^T, sum, mean, dot.

    \b
    Examples:
      chainsym jacobian "[s*t, s - t]" --wrt s,t
      chainsym jacobian "z = mean(x + y); x = s*t; y = s - t" --vector s:3 --vector t:3 --wrt s,t
      chainsym jacobian "L = dot(z - y, z - y); z = W*x + b" --matrix W:2x3 \\
          --vector x:3 --vector b:2 --vector y:2 --wrt W,x
    """
    from .. import api

    bounds = limits_of(limits)
    result = run(lambda: api.jacobian(read(expr, bounds), wrt, vectors=vectors, matrices=matrices, layout=layout,
                                      at=at, data=data, verify=not no_verify, limits=bounds), bounds)
    emit(rendered(result, fmt), output, fmt)
    exit_on_mismatch(list(result.verifications))


@click.command("hessian")
@click.argument("expr", type=TEXT)
@click.option("--wrt", default=None, type=TEXT, metavar="VARS", help="Variables (default: all).")
@where_option
@click.option("--at", default=None, type=TEXT, metavar="X=V,...", help="The Hessian at a point, exactly.")
@format_option("hessian", "Output format (json: schema chainsym.hessian).")
@no_verify_option
@output_option
@limit_option
def hessian_command(expr: str, wrt: str | None, where: tuple[str, ...], at: str | None, fmt: str, no_verify: bool,
                    output: str | None, limits: tuple[str, ...]) -> None:
    """The Hessian of EXPR by forward-over-reverse: the gradient by backpropagation, then the
    total-derivative rule over the gradient's graph once per variable; mixed partials included.

    \b
    Examples:
      chainsym hessian "x^2*y + sin(x*y)" --wrt x,y
      chainsym hessian "(w*x + b - y)^2" --wrt w,b --at w=1,b=0,x=2,y=1 --format json
    """
    from .. import api

    bounds = limits_of(limits)
    result = run(lambda: api.hessian(read(expr, bounds), wrt, where=where, at=at, verify=not no_verify,
                                     limits=bounds), bounds)
    emit(rendered(result, fmt), output, fmt)
    exit_on_mismatch([result.verification])


COMMANDS = (jacobian_command, hessian_command)
