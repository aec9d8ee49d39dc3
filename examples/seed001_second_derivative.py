"""Seed 001's second derivative: y = x³, dy/dx = 3x², d²y/dx² = 6x, which is 12 at x = 2 — each
order a derivation of the previous result, checked against sympy.diff(f, x, 2). Then a Hessian by
forward-over-reverse, mixed partials included.
Run: python examples/seed001_second_derivative.py
"""

import chainsym

print(chainsym.derivatives("x^3", order=2, at="x=2"))
print(chainsym.hessian("x^2*y + sin(x*y)", "x,y"))
