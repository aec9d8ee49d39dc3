"""Issue 17: seed 002's network (the example as a user runs it) stays readable — large steps are written over the names
of the nodes they use, and every value of seed 002's tables appears in the derivation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
