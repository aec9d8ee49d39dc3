"""Every corpus expression: chainsym's derivative equals sympy.diff, checked two ways."""

from __future__ import annotations

import pytest
import sympy as sp
from conftest import close_at_points, x
from corpus import CORPUS

import chainsym
from chainsym.functions import rewrite_primitives


@pytest.mark.parametrize("text", CORPUS)
def test_forward_matches_sympy(text: str) -> None:
    d = chainsym.diff(text, wrt="x")
    assert d.verification is not None and d.verification.ok, d.verification
    expected = sp.diff(rewrite_primitives(d.graph.value), x)
    ours = rewrite_primitives(d.result)  # type: ignore[arg-type]
    assert ours == expected or close_at_points(ours, expected, sorted(d.graph.variables, key=str) or [x])


def test_corpus_covers_every_function() -> None:
    from chainsym.syntax import FUNCTIONS

    used = {name for name in FUNCTIONS if any(f"{name}(" in t for t in CORPUS)}
    assert used == set(FUNCTIONS)
    assert len(CORPUS) >= 150
