"""Shared helpers: symbols, an independent numeric check, and a CLI runner."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

x, y, z = sp.symbols("x y z", real=True)


def close_at_points(a: sp.Expr, b: sp.Expr, variables: list[sp.Symbol], points: int = 3) -> bool:
    """a and b agree (via SymPy's own evalf, not chainsym's evaluator) at points where both are finite."""
    import random

    rng = random.Random(7)
    agreed = 0
    for attempt in range(120):
        subs = {v: sp.Rational(rng.randint(-300, 300), 97) for v in variables}
        if attempt >= 60:  # no real point in the domain (log(-x)/log(log(x))): try complex ones
            subs = {v: val + sp.I * sp.Rational(rng.randint(1, 300), 97) for v, val in subs.items()}
        try:
            va, vb = sp.N(a.subs(subs), 30), sp.N(b.subs(subs), 30)
        except (ValueError, TypeError, ZeroDivisionError):  # e.g. Max of a complex value: not a point
            continue
        if not (va.is_finite and vb.is_finite) or (attempt < 60 and (va.has(sp.I) or vb.has(sp.I))):
            continue
        if abs(va - vb) > 1e-15 * max(1, abs(va), abs(vb)):
            return False
        agreed += 1
        if agreed == points:
            return True
    return agreed > 0


@pytest.fixture(autouse=True, scope="session")
def _outside_the_working_tree(tmp_path_factory: pytest.TempPathFactory) -> object:
    """Every test runs in a temporary directory: a stray output file (`-o --wrt` from a generated
    command line) can never land in the repository."""
    import os

    old = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("cwd"))
    yield
    os.chdir(old)


@pytest.fixture
def without_symengine(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the optional SymEngine back end were not installed."""
    from chainsym import fast

    monkeypatch.setattr(fast, "available", lambda: False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str, input: str | None = None) -> tuple[int, str, str]:
    """Call the CLI's main() as the console script does; returns (exit code, stdout, stderr)."""
    from chainsym.cli import main

    with runner.isolation(input=input) as streams:
        code = main(list(args))
        out, err = streams[0].getvalue(), streams[1].getvalue()
    return code, out.decode(), err.decode()


# Property-based tests: a quick profile for every run, a long one on demand
# (python -m pytest tests/test_properties.py --hypothesis-profile=long).
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("default", max_examples=100, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=10_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")
settings.register_profile("medium", max_examples=1_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
