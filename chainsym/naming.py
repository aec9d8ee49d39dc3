"""The one naming authority: every name chainsym invents (intermediates u1..un, shared parts
t1..tk, the output f, vector-node parts, emitted adjoints and helpers) comes from a Namer that
knows every name already taken, the user's and its own, so a generated name never collides.

Also the derivative spellings in one place: d for totals (reverse mode's adjoints df/du too),
∂ for local partials.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FAMILIES: dict[str, tuple[str, ...]] = {
    "intermediate": ("u", "v", "w", "q", "node"),
    "shared": ("t", "s", "r", "tmp", "part"),
}
"""per family, the prefixes tried in order; the first that no taken name uses (alone or followed by
digits) is the family's prefix"""


class Namer:
    """Hands out names that collide neither with the taken ones nor with each other."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken: set[str] = set(taken)
        self._prefixes: dict[str, str] = {}

    def reserve(self, names: Iterable[str]) -> None:
        """Mark names as taken (a target language's keywords, a module's name)."""
        self.taken.update(names)

    def prefix(self, family: str) -> str:
        """The prefix of a numbered family (u for u1, u2, ...), fixed at its first use."""
        if family not in self._prefixes:
            self._prefixes[family] = self._free_prefix(FAMILIES.get(family, (family,)))
        return self._prefixes[family]

    def numbered(self, family: str, index: int) -> str:
        """The index-th name of a family (1-based): u1, u2, ...; registered as taken."""
        name = f"{self.prefix(family)}{index}"
        self.taken.add(name)
        return name

    def fresh(self, base: str) -> str:
        """base itself when it is free, else base_, base__, ...; registered as taken."""
        name = base
        while name in self.taken:
            name += "_"
        self.taken.add(name)
        return name

    def _free_prefix(self, candidates: tuple[str, ...]) -> str:
        for prefix in candidates:
            pattern = re.compile(re.escape(prefix) + r"\d*$")
            if not any(pattern.match(n) for n in self.taken):
                return prefix
        base = candidates[-1] + "_"
        while any(re.match(re.escape(base) + r"\d*$", n) for n in self.taken):
            base += "_"
        return base


def output_name(taken: Iterable[str]) -> str:
    """The name of the function being differentiated: f, unless the user's names take it (then f_...)."""
    return Namer(taken).fresh("f")


def total(of: str, wrt: str) -> str:
    """Total derivative, Leibniz: du/dx."""
    return f"d{of}/d{wrt}"


def partial(of: str, wrt: str) -> str:
    """Partial derivative: ∂u/∂x."""
    return f"∂{of}/∂{wrt}"
