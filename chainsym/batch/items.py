"""Reading a batch: JSON Lines or CSV, from a file or standard input, one item at a time.

Nothing holds the whole input: lines are read one by one and each is bounded (a line past the
bound is skipped to its end, never held, and becomes a limit result). A line that is not an item
(not JSON, not an object, too long) still gets a result, under the id "line N". Standard input and
iterables of mappings are spooled to a temporary file first, so that the ids can be checked for
duplicates (and counted) before any work starts.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import UsageError
from ..limits import Limits
from .job import FIELDS

FORMATS = ("jsonl", "csv")
LINE_CHARS = 1 << 24
"""the longest line read whole (16 M characters); a longer one is skipped to its end and is a limit result"""
TEXT_FIELDS = ("expr", "where", "at", "claim")
LEADING_ID = re.compile(r'\s*\{\s*"id"\s*:\s*("(?:[^"\\]|\\.){1,200}"|-?\d{1,30})\s*[,}]')
"""an id written first on a line, found even when the line is too long to read"""


@dataclass(frozen=True)
class Work:
    """One item as sent to a worker: its id, its line, and the JSON text the worker reads."""

    id: str
    line: int
    text: str


def synthetic_id(line: int) -> str:
    """The id of a line that is not a readable item."""
    return f"line {line}"


class Input:
    """A batch's input file (or a spooled copy of standard input or of an iterable), read again for
    each pass: ids first, then the work."""

    def __init__(self, path: Path, fmt: str, limits: Limits, spooled: bool = False) -> None:
        self.path, self.fmt, self.limits, self.spooled = path, fmt, limits, spooled

    @classmethod
    def open(cls, source: str | os.PathLike[str] | Iterable[Mapping[str, Any]], fmt: str | None,
             limits: Limits) -> Input:
        """A path ('-' for standard input, spooled) or an iterable of mappings (spooled as JSON Lines)."""
        if isinstance(source, (str, os.PathLike)):
            if str(source) == "-":
                return cls._spool_stdin(fmt, limits)
            path = Path(source)
            if not path.is_file():
                raise UsageError(f"cannot read {str(path)[:200]}: no such file", param="input")
            chosen = fmt or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
            _check_format(chosen)
            return cls(path, chosen, limits)
        return cls._spool_items(source, limits)

    @classmethod
    def _spool_stdin(cls, fmt: str | None, limits: Limits) -> Input:
        import sys

        handle, name = tempfile.mkstemp(prefix="chainsym-batch-", suffix=".in")
        with os.fdopen(handle, "wb") as out:
            stream = sys.stdin.buffer
            while block := stream.read(1 << 20):
                out.write(block)
        path = Path(name)
        if fmt is None:
            with path.open("rb") as f:
                head = f.read(4096).lstrip()
            fmt = "jsonl" if head.startswith(b"{") or not head else "csv"
        _check_format(fmt)
        return cls(path, fmt, limits, spooled=True)

    @classmethod
    def _spool_items(cls, items: Iterable[Mapping[str, Any]], limits: Limits) -> Input:
        handle, name = tempfile.mkstemp(prefix="chainsym-batch-", suffix=".jsonl")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                for item in items:
                    if not isinstance(item, Mapping):
                        raise UsageError(f"«items» holds mappings (id, expr, ...), not {type(item).__name__}",
                                         param="items")
                    out.write(json.dumps(dict(item), ensure_ascii=False, default=str) + "\n")
        except BaseException:
            os.unlink(name)
            raise
        return cls(Path(name), "jsonl", limits, spooled=True)

    def close(self) -> None:
        if self.spooled:
            self.path.unlink(missing_ok=True)

    def ids(self) -> Iterator[tuple[str, int]]:
        """Every item's id and line, in order (the first pass)."""
        for work in self.work():
            yield work.id, work.line

    def check_ids(self) -> int:
        """The number of items; a UsageError naming the first duplicate ids (before any work)."""
        seen: dict[str, int] = {}
        twice: list[str] = []
        count = 0
        for ident, line in self.ids():
            count += 1
            if ident in seen:
                twice.append(f"{ident[:40]!r} (lines {seen[ident]} and {line})")
            else:
                seen[ident] = line
        if twice:
            more = f" and {len(twice) - 3} more" if len(twice) > 3 else ""
            raise UsageError(f"duplicate ids in the input: {', '.join(twice[:3])}{more}; every item needs its own id",
                             param="input")
        return count

    def work(self) -> Iterator[Work]:
        """Every item as work for a worker (the second pass)."""
        with self.path.open("r", encoding="utf-8", errors="replace", newline="") as f:
            for work in (_csv(f, LINE_CHARS) if self.fmt == "csv" else _jsonl(f, LINE_CHARS)):
                yield _bounded(work, self.limits)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"the input format is one of {', '.join(FORMATS)}, not {fmt[:20]!r}", param="input_format")


def _bounded(work: Work, limits: Limits) -> Work:
    """An item whose text fields are past the length limit travels to the worker as that problem
    alone (its id and line kept), not as megabytes of text."""
    if len(work.text) <= limits.max_length:
        return work
    item = json.loads(work.text).get("item") or {}
    for name in TEXT_FIELDS:
        value = item.get(name)
        size = len(value) if isinstance(value, str) else len(json.dumps(value)) if value is not None else 0
        if size > limits.max_length:
            return _work({"item": {"id": item.get("id")}, "limit": "max_length",
                          "problem": f"{name} is {size} characters long, more than {limits.max_length} "
                                     "(limit 'max_length'; raise it with --limit max_length=N)"}, work.line)
    return work


def _lines(f: IO[str], bound: int) -> Iterator[tuple[str, bool]]:
    """The lines of f, each with whether it is whole: a line longer than bound is cut to its first
    4096 characters (the rest read to its end, never held)."""
    while True:
        line = f.readline(bound + 1)
        if not line:
            return
        if len(line) > bound and not line.endswith("\n"):
            while (rest := f.readline(bound)) and not rest.endswith("\n"):
                pass
            yield line[:4096], False
            continue
        yield line, True


def _jsonl(f: IO[str], bound: int) -> Iterator[Work]:
    for number, (line, whole) in enumerate(_lines(f, bound), start=1):
        if whole and not line.strip():
            continue
        yield _work(_parse_json(line, bound) if whole else _too_long(line, bound), number)


def _too_long(head: str, bound: int) -> dict[str, Any]:
    found = LEADING_ID.match(head)
    ident = json.loads(found.group(1)) if found else None
    return {"item": {"id": ident} if ident is not None else {}, "limit": "max_length",
            "problem": f"the line is longer than {bound} characters"}


def _parse_json(line: str, bound: int) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except (ValueError, RecursionError) as exc:
        return {"problem": f"the line is not JSON: {str(exc)[:80]}"}
    if not isinstance(item, dict):
        return {"problem": f"the line is JSON but not an object with the fields {', '.join(FIELDS)}"}
    return {"item": item}


def _work(work: dict[str, Any], line: int) -> Work:
    item = work.get("item", {})
    ident = item.get("id")
    usable = (isinstance(ident, str) and ident != "") or (isinstance(ident, int) and not isinstance(ident, bool))
    work["id"] = str(ident) if usable else synthetic_id(line)
    work["line"] = line
    return Work(work["id"], line, json.dumps(work, ensure_ascii=False))


def _csv(f: IO[str], bound: int) -> Iterator[Work]:
    """Rows under a header naming the fields (id and expr at least); empty cells are absent."""
    lines = (line if whole else "\x00\n" for line, whole in _lines(f, bound))
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise UsageError(f"the CSV header cannot be read: {exc}", param="input") from None
    names = [h.strip() for h in header]
    unknown = [n for n in names if n not in FIELDS]
    if unknown or "expr" not in names or "id" not in names or len(set(names)) != len(names):
        raise UsageError(f"the CSV header must name the fields (id and expr at least, each once, from "
                         f"{', '.join(FIELDS)}), not {', '.join(repr(n[:20]) for n in names[:10])}", param="input")
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield _work({"problem": f"the row cannot be read as CSV: {exc}"}, line)
            continue
        if not any(cell.strip() for cell in row):
            continue
        if row == ["\x00"]:
            yield _work({"problem": f"the line is longer than {bound} characters", "limit": "max_length"}, line)
        elif len(row) != len(names):
            yield _work({"problem": f"the row has {len(row)} cells, the header {len(names)}"}, line)
        else:
            yield _work({"item": {n: c for n, c in zip(names, row, strict=True) if c != ""}}, line)
