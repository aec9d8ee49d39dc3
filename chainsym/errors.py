"""Errors chainsym raises: every one is a ChainsymError, itself a ValueError.

Each carries a one-line message fit for a user. A message names the caller's parameters through
placeholders («at», «wrt»): the library spells them as Python keywords (at=, wrt=), the CLI as
its flags (--at, --wrt), so each reader sees the name they typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_PLACEHOLDER = re.compile(r"«([\w:]+=?)»")


def python_spelling(param: str) -> str:
    """How the library names a parameter in a message: «at» as at, «at=» (before its value) as at=,
    «limit:NAME» as the Limits field to raise."""
    kind, _, name = param.partition(":")
    return f"Limits({name}=N)" if kind == "limit" else param


class ChainsymError(ValueError):
    """Base class of every error chainsym raises on bad input or a limit."""

    def __init__(self, message: str, *, param: str | None = None) -> None:
        self.template = message
        self.param = param
        """the caller's parameter the error is about, when there is one"""
        super().__init__(self.spelled(python_spelling))

    def spelled(self, spelling: Callable[[str], str]) -> str:
        """The message with each «parameter» spelled by the given function."""
        return _PLACEHOLDER.sub(lambda m: spelling(m.group(1)), self.template)


class ParseError(ChainsymError):
    """The text is not an expression chainsym accepts.

    `column` is 1-based; `token` is the offending text; `text` is the whole input.
    """

    def __init__(self, message: str, *, column: int, token: str, text: str = "") -> None:
        shown = token if len(token) <= 40 else token[:37] + "..."
        super().__init__(f"{message} at column {column} (token {shown!r})".replace("«", "‹").replace("»", "›"))
        self.reason = message
        self.column = column
        self.token = token
        self.text = text


class UnsupportedOpError(ChainsymError):
    """The expression uses an operation that has no local-derivative rule."""

    def __init__(self, op: str) -> None:
        super().__init__(f"no derivative rule for the operation {op!r}")
        self.op = op


class LimitError(ChainsymError):
    """A bound on size, depth, work or time was reached.

    `limit` names the bound (a field of `chainsym.Limits`); the message says how to raise it.
    """

    def __init__(self, limit: str, message: str) -> None:
        super().__init__(f"{message} (limit {limit!r}; raise it with «limit:{limit}»)")
        self.limit = limit


class UsageError(ChainsymError):
    """The request is well-formed text but does not make sense (an unknown variable in wrt, ...)."""
