"""Seed 000's vector chain rule with n = 3: z = mean(x + y), x = s ⊙ t (Hadamard), y = s − t.

The seed's z = (1/n) Σ (x⁽ⁱ⁾, y⁽ⁱ⁾) is read as the mean of x⁽ⁱ⁾ + y⁽ⁱ⁾. Each Jacobian factor is
printed with its shape: ∂z/∂s = ∂z/∂x · ∂x/∂s + ∂z/∂y · ∂y/∂s, (1,3)·(3,3) → (1,3), with
∂x/∂s = diag(t) and ∂y/∂s = I. Seed 003's shape rule (K×M)(M×N) = K×N follows.
Run: python examples/seed000_vector_chain_rule.py
"""

import chainsym

d = chainsym.jacobian("z = mean(x + y); x = s*t; y = s - t", "s,t", vectors=["s:3", "t:3"])
print(d)  # a result prints its whole derivation
print("shapes:", [j.shape for j in d.jacobians])

# seed 003: z = W y with y = sin(V x): (2×3)(3×4) = 2×4
chain = chainsym.jacobian("z = W*y; y = sin(V*x)", "x", vectors=["x:4"], matrices=["W:2x3", "V:3x4"])
print("dz/dx shape:", chain.jacobians[0].shape, "verified:", chain.verifications[0].status)
