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
