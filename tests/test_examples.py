"""Every script in examples/ runs and prints what it promises."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = {
    "seed004_total_derivative.py": ["df/dx = (2*x + 1)*cos(x**2 + x)", "df/dx = 3*x**2",
                                    "∂u2/∂x = 1, but du2/dx = 2*x + 1"],
    "seed000_multivariable.py": ["∂z/∂s = (2*x)·(1) + (-2*y)·(exp(s))", "∂z/∂t = (2*x)·(-cos(t)) + (-2*y)·(-sin(t))",
                                 "verified: equal to sympy.diff(z, s) exactly as rational functions of s, cos(t), exp(s) and sin(t) "
                                 "(as independent variables), at 2 random points modulo a random 62-bit prime; a nonzero "
                                 "difference would vanish at each with probability ≤ 10/2^61 (seed 3367832199)"],
    "seed001_two_layer_relu.py": ["forward: {'z1': 7, 'h1': 7, 'z2': 14, 'L': 81}", "dL/dz2 = 18  dL/dW1 = 72",
                                  "W1 after one step: 2.28"],
    "seed002_sigmoid_network.py": ["∂z3/∂w31 = a1", "∂o1/∂z3 = (1 - sigmoid(z3))*sigmoid(z3)",
                                   "∂E/∂w31 ≈ 0.0821670405642  ∂E/∂w11 ≈ 0.000438567734474",
                                   "forward and reverse mode agree (exactly, identical)"],
    "seed000_vector_chain_rule.py": ["∂z/∂s = [(t1 + 1)/3, (t2 + 1)/3, (t3 + 1)/3]   shape (1,3)",
                                     "      = diag(t1, t2, t3)   (3,3)", "dz/dx shape: (2, 4) verified: proved"],
    "seed001_second_derivative.py": ["at x = 2: d^2f/dx^2 = 12", "  ∂²f/∂x∂y = -x*y*sin(x*y) + 2*x + cos(x*y)",
                                     "verified: equal to sympy.hessian(f, [x, y]) in all 4 entries (2 exactly, 2 identical) "
                                     "(seed 1434003428)"],
    "mlp_softmax_cross_entropy.py": ["  dL/dz1 ≈ -0.624345088001   p1 - y1 ≈ -0.624345088001",
                                     "  dL/dz2 ≈ 0.28884190199   p2 - y2 ≈ 0.288841901990",
                                     "∂L/∂w1_11 = dL/da1·x1", "  w1_11: 1/10 → ≈ 0.114413338477"],
    "seed001_chain_rule.py": ["df/dx = 8*x + 12", "dy/du = 2*u2  du/dx = 2", "df/dx = 2*x*exp(x**2)",
                              "1·2 + 1·3 = 5"],
}


def test_every_example_is_listed() -> None:
    assert sorted(p.name for p in (ROOT / "examples").glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs(name: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / name)], capture_output=True, text=True,
                          timeout=120, env=env, cwd=ROOT / "examples")
    assert proc.returncode == 0, proc.stderr
    for line in EXPECTED[name]:
        assert line in proc.stdout.splitlines(), line


SNAPSHOT_EXAMPLES = ("seed002_sigmoid_network.py", "mlp_softmax_cross_entropy.py")
"""examples people learn from: their whole derivations are snapshots (CHAINSYM_UPDATE_SNAPSHOTS=1 rewrites them)"""


@pytest.mark.parametrize("name", SNAPSHOT_EXAMPLES)
def test_example_derivation_is_its_snapshot(name: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / name)], capture_output=True, text=True,
                          timeout=120, env=env, cwd=ROOT / "examples")
    assert proc.returncode == 0, proc.stderr
    snapshot = ROOT / "tests" / "snapshots" / ("example_" + name.removesuffix(".py") + ".txt")
    if os.environ.get("CHAINSYM_UPDATE_SNAPSHOTS"):
        snapshot.write_text(proc.stdout, encoding="utf-8")
    assert proc.stdout == snapshot.read_text(encoding="utf-8")
