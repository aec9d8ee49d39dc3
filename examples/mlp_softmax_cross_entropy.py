"""A 3-layer perceptron with softmax cross-entropy, backpropagated by hand and checked.

    h1 = tanh(W1 x + b1)      (2 → 2)
    h2 = relu(W2 h1 + b2)     (2 → 2)
    z  = W3 h2 + b3           (2 → 3 logits)
    p  = softmax(z),  L = −log p_c   for the true class c = 1

The textbook result this shows step by step: the adjoint of each logit is ∂L/∂z_k = p_k − y_k
(y the one-hot target), and every weight's gradient is upstream × local from there.
Run: python examples/mlp_softmax_cross_entropy.py
"""

import sympy as sp

import chainsym

network = """
a1 = w1_11*x1 + w1_12*x2 + b1_1
a2 = w1_21*x1 + w1_22*x2 + b1_2
h1 = tanh(a1)
h2 = tanh(a2)
c1 = w2_11*h1 + w2_12*h2 + b2_1
c2 = w2_21*h1 + w2_22*h2 + b2_2
g1 = relu(c1)
g2 = relu(c2)
z1 = w3_11*g1 + w3_12*g2 + b3_1
z2 = w3_21*g1 + w3_22*g2 + b3_2
z3 = w3_31*g1 + w3_32*g2 + b3_3
s = exp(z1) + exp(z2) + exp(z3)
L = log(s) - z1
"""
point = ("x1=0.5, x2=-1, w1_11=0.1, w1_12=-0.2, b1_1=0, w1_21=0.3, w1_22=0.4, b1_2=0.1, "
         "w2_11=0.5, w2_12=-0.3, b2_1=0.2, w2_21=-0.4, w2_22=0.6, b2_2=0.3, "
         "w3_11=0.7, w3_12=-0.1, b3_1=0, w3_21=-0.2, w3_22=0.5, b3_2=0, w3_31=0.3, w3_32=0.2, b3_3=0")
d = chainsym.grad(network, at=point, data="x1,x2", lr="0.1")
print(d)

# the textbook identity, read off the backward pass: dL/dz_k = p_k − y_k
assert d.point is not None
adjoint = {s.name: v for s, v in d.point.adjoints}
value = {s.name: v.exact for s, v in d.point.values}
print("softmax check   dL/dz_k = p_k - y_k")
for k, target in ((1, 1), (2, 0), (3, 0)):
    p_minus_y = sp.exp(value[f"z{k}"]) / value["s"] - target
    assert abs(sp.N(adjoint[f"z{k}"].exact - p_minus_y, 40)) < sp.Float("1e-30")
    print(f"  dL/dz{k} ≈ {adjoint[f'z{k}'].approx}   p{k} - y{k} ≈ {sp.N(p_minus_y, 12)}")
