"""Seed 002's 2-2-2 sigmoid network with squared-error loss, with concrete numbers.

    z1 = w11·x1 + w21·x2 + b1     a1 = σ(z1)        z3 = w31·a1 + w41·a2 + b2     o1 = σ(z3)
    z2 = w12·x1 + w22·x2 + b1     a2 = σ(z2)        z4 = w32·a1 + w42·a2 + b2     o2 = σ(z4)
    E = ½(t1 − o1)² + ½(t2 − o2)²

The seed gets two things wrong, and chainsym does not: its z3 takes x1 where the hidden unit a1
belongs, and it says ∂z3/∂w31 = 1, but z3 = w31·a1 + …, so ∂z3/∂w31 = a1. The right chain is
∂E/∂w31 = −(t1 − o1) · o1(1 − o1) · a1, with σ' shown as σ(1 − σ).
Numbers: inputs 0.05, 0.10; targets 0.01, 0.99; weights 0.15 … 0.55, biases 0.35, 0.60.
Run: python examples/seed002_sigmoid_network.py
"""

import chainsym

network = """
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
point = ("x1=0.05, x2=0.10, t1=0.01, t2=0.99, w11=0.15, w21=0.20, w12=0.25, w22=0.30, b1=0.35, "
         "w31=0.40, w41=0.45, w32=0.50, w42=0.55, b2=0.60")
d = chainsym.diff(network, wrt="w31,w11", mode="both", at=point, lr="0.5", data="x1,x2,t1,t2")
print(d)

steps = {s.node.name: s for s in d.forward[0].steps}
print("∂z3/∂w31 =", next(t.partial.local for t in steps["z3"].terms if t.partial.arg.name == "w31"))
print("∂o1/∂z3 =", next(t.partial.local for t in steps["o1"].terms))
assert d.point is not None
gradient = {v.name: g for v, g in d.point.gradient}
print("∂E/∂w31 ≈", gradient["w31"].approx, " ∂E/∂w11 ≈", gradient["w11"].approx)
