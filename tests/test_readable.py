"""Issue 17: seed 002's network (the example as a user runs it) stays readable — large steps are written over the names
of the nodes they use, and every value of seed 002's tables appears in the derivation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sympy as sp
from click.testing import CliRunner
from conftest import run

import chainsym

EXAMPLE = Path(__file__).parent.parent / "examples" / "seed002_sigmoid_network.py"


def test_seed002_network_is_small_and_shows_every_table_value() -> None:
    done = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert len(text.encode()) < 10_000
    # the seed's forward table (net and out of each unit, the total error) and its backward values
    for value in ("0.3775", "0.593269992107", "0.59688437826", "1.10590596706", "0.751365069552",
                  "1.2249214041", "0.772928465321", "0.29837110876", "0.741365069552", "0.186815601809", "via o2: (-0.217071534679) × 0.175510052817",
                  "0.0821670405642", "0.358916479718", "0.000438567734474", "0.149780716133"):
        assert value in text, value
    # a large step is written over the node names it uses, not substituted back to the inputs
    assert "dE/dz3 = dE/do1 · ∂o1/∂z3                      = dE/do1·((1 - sigmoid(z3))*sigmoid(z3))" in text
    assert "do1/dw31 = ∂o1/∂z3 · dz3/dw31   = ((1 - sigmoid(z3))*sigmoid(z3))·dz3/dw31" in text


def test_forward_mode_shows_its_numbers_at_a_point(runner: CliRunner) -> None:
    """At a point, each forward step's du/dx is a number, with the terms local × incoming that make it."""
    code, out, err = run(runner, "diff", "sin(x+x^2)", "--at", "x=1")
    assert (code, err) == (0, "")
    assert "\n".join([
        "tangents d/dx   (local × incoming = term; the terms sum to du/dx)",
        "  du1/dx = 2                           from x: 2 × 1 = 2",
        "  du2/dx = 3                           from x: 1 × 1 = 1; from u1: 1 × 2 = 2",
        "  du3/dx = 3*cos(2) ≈ -1.24844050964   from u2: cos(2) × 3 = 3*cos(2)",
        "backward pass   (upstream × local = downstream)"]) in out


def test_tangents_at_a_point_are_the_forward_steps_evaluated() -> None:
    """Each tangent at the point equals the symbolic forward step's du/dx substituted there."""
    d = chainsym.diff("x*y + sin(x)*exp(x*y)", wrt="x,y", mode="both", at="x=1/2,y=3")
    assert d.point is not None
    tangents = {(x, u): v.exact for x, u, v in d.point.tangents}
    inputs = dict(d.point.inputs)
    steps = [(fp.wrt, step) for fp in d.forward for step in fp.steps]
    assert len(steps) == len(tangents) > 0
    for x, step in steps:
        assert sp.simplify(tangents[(x, step.node.symbol)] - step.total.subs(inputs)) == 0
