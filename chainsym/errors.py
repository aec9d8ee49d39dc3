"""Errors chainsym raises: every one is a ChainsymError, itself a ValueError.

Each carries a one-line message fit for a user; the CLI prints it and exits 2.
"""

from __future__ import annotations


class ChainsymError(ValueError):
    """Base class of every error chainsym raises on bad input or a limit."""


class ParseError(ChainsymError):
    """The text is not an expression chainsym accepts.

    `column` is 1-based; `token` is the offending text; `text` is the whole input.
    """

    def __init__(self, message: str, *, column: int, token: str, text: str = "") -> None:
        shown = token if len(token) <= 40 else token[:37] + "..."
        super().__init__(f"{message} at column {column} (token {shown!r})")
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
    """A bound on size, depth or time was reached.

    `limit` names the bound (a field of `chainsym.Limits`); the message says how to raise it.
    """

    def __init__(self, limit: str, message: str) -> None:
        option = "--limit " + limit + "=N"
        super().__init__(
            f"{message} (limit {limit!r}; raise it with {option} or Limits({limit}=N))"
        )
        self.limit = limit


class UsageError(ChainsymError):
    """The request is well-formed text but does not make sense (unknown --wrt variable, ...)."""
