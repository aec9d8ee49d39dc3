"""Seed 001's single-variable examples: y = (2x + 3)² and y = e^(x²), step by step.

Run: python examples/seed001_chain_rule.py
"""

import chainsym

square = chainsym.diff("(2x + 3)^2")
print(square)
print("dy/du =", square.steps[-1].terms[0].partial.local, " du/dx =", square.steps[-1].terms[0].derivative)

gaussian = chainsym.diff("e^(x^2)")
print(gaussian)

# Two paths from x to y add up: y = 2x + 3x, dy/dx = 2 + 3 = 5.
paths = chainsym.diff("2x + 3x")
print(" + ".join(f"{t.partial.local}·{t.derivative}" for t in paths.steps[-1].terms), "=", paths.result)
