"""Seed 001's worked backpropagation: L = (W2·relu(W1·x + b1) + b2 − y)² at x = 2, y = 5,
W1 = 3, b1 = 1, W2 = 2, b2 = 0, then one gradient-descent step with learning rate 0.01.

The seed computes z1 = 7, h1 = 7, z2 = 14, L = 81, ∂L/∂z2 = 18 and ∂L/∂W1 = 18·2·1·2 = 72,
so W1 → 3 − 0.72 = 2.28. chainsym does the same forward and backward pass, exactly.
Run: python examples/seed001_two_layer_relu.py
"""

import chainsym

network = "z1 = W1*x + b1; h1 = relu(z1); z2 = W2*h1 + b2; L = (z2 - y)^2"
d = chainsym.diff(network, wrt="W1,b1,W2,b2", at="x=2, y=5, W1=3, b1=1, W2=2, b2=0", lr="0.01")
print(d)

point = d.point
assert point is not None
values = {name.name: v.exact for name, v in point.values}
adjoints = {name.name: v.exact for name, v in point.adjoints}
print("forward:", values)
print("dL/dz2 =", adjoints["z2"], " dL/dW1 =", adjoints["W1"])
print("W1 after one step:", dict(point.updates)[next(v for v in d.wrt if v.name == "W1")].approx)
