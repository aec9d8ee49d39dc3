"""Seed 004: why a single-variable chain rule is not enough, and the total-derivative rule.

For y = x + x², the node u2 = x + u1 has ∂u2/∂x = 1, but du2/dx = 1 + 2x: x reaches u2 directly
and through u1 = x². The total-derivative rule adds both paths. Run: python examples/seed004_total_derivative.py
"""

import chainsym

for text in ["x + x^2", "sin(x + x^2)", "x * x^2"]:
    derivation = chainsym.diff(text)
    print(derivation)
    assert derivation.verification is not None and derivation.verification.ok

step = chainsym.diff("x + x^2").steps[-1]
direct, through_u1 = step.terms
print(f"∂u2/∂x = {direct.partial.local}, but du2/dx = {step.total}")
