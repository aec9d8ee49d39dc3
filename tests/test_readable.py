"""Issue 17: a real network's derivation stays readable — large steps are written over the names
of the nodes they use, and every value of seed 002's tables appears in the derivation."""

from __future__ import annotations

import chainsym

NETWORK = """
z1 = w11*x1 + w21*x2 + b1
z2 = w12*x1 + w22*x2 + b1
a1 = sigmoid(z1)
a2 = sigmoid(z2)
z3 = w31*a1 + w41*a2 + b2
z4 = w32*a1 + w42*a2 + b2
o1 = sigmoid(z3)
o2 = sigmoid(z4)
E = (t1 - o1)^2/2 + (t2 - o2)^2/2
"""
POINT = ("x1=0.05, x2=0.10, t1=0.01, t2=0.99, w11=0.15, w21=0.20, w12=0.25, w22=0.30, b1=0.35, "
         "w31=0.40, w41=0.45, w32=0.50, w42=0.55, b2=0.60")


def test_seed002_network_is_small_and_shows_every_table_value() -> None:
    text = str(chainsym.diff(NETWORK, wrt="w31,w11", mode="both", at=POINT, lr="0.5"))
    assert len(text.encode()) < 10_000
    # the seed's forward table (net and out of each unit, the total error) and its backward values
    for value in ("0.3775", "0.593269992107", "0.59688437826", "1.10590596706", "0.751365069552",
                  "1.2249214041", "0.772928465321", "0.29837110876", "0.741365069552", "0.186815601809", "via o2: (-0.217071534679) × 0.175510052817",
                  "0.0821670405642", "0.358916479718", "0.000438567734474", "0.149780716133"):
        assert value in text, value
    # a large step is written over the node names it uses, not substituted back to the inputs
    assert "dE/dz3 = dE/do1 · ∂o1/∂z3                      = dE/do1·((1 - sigmoid(z3))*sigmoid(z3))" in text
    assert "do1/dw31 = ∂o1/∂z3 · dz3/dw31   = ((1 - sigmoid(z3))*sigmoid(z3))·dz3/dw31" in text
