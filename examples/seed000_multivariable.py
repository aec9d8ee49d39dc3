"""Seed 000: z = x² − y² with x = s − sin t and y = eˢ + cos t, differentiated by s and t.

The seed writes ∂z/∂s = ∂z/∂x·∂x/∂s + ∂z/∂y·∂y/∂s = 2x·1 + (−2y)·eˢ; chainsym prints the same
Leibniz form, then substitutes back into s and t, and checks both against sympy.diff.
Run: python examples/seed000_multivariable.py
"""

import chainsym

d = chainsym.diff("z = x^2 - y^2", wrt="s,t", mode="forward", where=["x = s - sin(t)", "y = e^s + cos(t)"])
print(d)
for fp in d.forward:
    last = fp.steps[-1]
    print(f"∂z/∂{fp.wrt} =", " + ".join(f"({t.partial.local})·({t.derivative})" for t in last.terms))
