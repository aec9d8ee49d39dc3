"""Absolute-value bars: which `|` opens and which closes, decided before parsing.

A bar where an operand is expected opens (`|x|`, `x + |y|`, `|x - |y||`); a bar after an operand
closes the innermost open bar of its bracket group, or, when none is open, opens one (`2|x|`).
One case has two readings: a closing bar followed by an operand. `|a|b|c|` is |a|·b·|c| or
|a·|b|·c|. The second reading exists exactly when, later in the same group, a bar after an operand
finds no bar open in the first reading (there the two readings meet again); such text is refused
with both readings spelled out, as `sin 2x` is. Linear time: one pass, then one lookup per candidate.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from ..errors import ParseError
from .tokens import Token

Test = Callable[[Token], bool]


def is_bar(tok: Token) -> bool:
    return tok.kind == "OP" and tok.text == "|"


def pair_bars(tokens: list[Token], text: str, *, ends_operand: Test, starts_operand: Test, opens: Test,
              closes: Test, spelling: tuple[str, str]) -> list[Token]:
    """The tokens with every bar made OPEN_BAR or CLOSE_BAR. Raises ParseError on an ambiguous bar.

    ends_operand: a token after which an operator is expected; starts_operand: a token that can
    begin an operand; opens/closes: bracket tokens (bars pair only inside one bracket group);
    spelling: how a reading writes an opening and a closing bar in the message, ("abs(", ")")."""
    if not any(is_bar(t) for t in tokens):
        return tokens
    out = list(tokens)
    groups: list[tuple[int, list[int]]] = [(0, [])]  # (group id, indices of its open bars)
    next_group = 1
    partner: dict[int, int] = {}
    candidates: list[tuple[int, int, int]] = []  # (closing bar, its opener, group)
    meetings: dict[int, list[int]] = {}  # group -> bars after an operand with no bar open
    valid = True
    for i, tok in enumerate(tokens):
        if is_bar(tok):
            after_operand = i > 0 and ends_operand(out[i - 1])
            gid, open_bars = groups[-1]
            if after_operand and open_bars:
                opener = open_bars.pop()
                partner[opener], partner[i] = i, opener
                out[i] = Token("CLOSE_BAR", "|", tok.col)
                if i + 1 < len(tokens) and starts_operand(tokens[i + 1]):
                    candidates.append((i, opener, gid))
            else:
                open_bars.append(i)
                out[i] = Token("OPEN_BAR", "|", tok.col)
                if after_operand:
                    meetings.setdefault(gid, []).append(i)
        elif opens(tok):
            groups.append((next_group, []))
            next_group += 1
        elif closes(tok) and len(groups) > 1:
            valid = valid and not groups.pop()[1]
    if not valid or groups[-1][1] or len(groups) > 1:
        return out  # the parser reports the unclosed bar or bracket
    for bar, opener, gid in candidates:
        later = meetings.get(gid, [])
        k = bisect_right(later, bar)
        if k < len(later):
            meet = later[k]
            first = _reading(text, tokens, out, {}, opener, partner.get(meet, len(tokens) - 1), spelling)
            flipped = {bar: "OPEN_BAR", meet: "CLOSE_BAR"}
            second = _reading(text, tokens, out, flipped, opener, partner.get(meet, len(tokens) - 1), spelling)
            raise ParseError(f"ambiguous: write {first} or {second}", column=tokens[bar].col, token="|", text=text)
    return out


def _reading(text: str, tokens: list[Token], roles: list[Token], flipped: dict[int, str], first: int, last: int,
             spelling: tuple[str, str]) -> str:
    """text from tokens[first] to tokens[last], each bar spelled as it is read."""
    start = tokens[first].col - 1
    end = tokens[last].col - 1 + len(tokens[last].text)
    pieces: list[str] = []
    cursor = start
    tail = ""  # the last visible character written so far
    for i in range(first, last + 1):
        tok = tokens[i]
        if not is_bar(tok):
            continue
        between = text[cursor:tok.col - 1]
        kind = flipped.get(i, roles[i].kind)
        word = spelling[0] if kind == "OPEN_BAR" else spelling[1]
        if pieces and pieces[-1].endswith(spelling[0]):
            between = between.lstrip()  # abs(x), not abs( x
        if kind == "CLOSE_BAR":
            between = between.rstrip()
        pieces.append(between)
        tail = between.rstrip()[-1:] or tail
        if kind == "OPEN_BAR" and word[0].isalpha() and (tail.isalnum() or tail in (")", "}")) and tail:
            word = " " + word
        pieces.append(word)
        tail = word[-1]
        cursor = tok.col
    pieces.append(text[cursor:end])
    shown = " ".join("".join(pieces).split())
    return ("…" if start > 0 else "") + shown + ("…" if end < len(text.rstrip()) else "")
