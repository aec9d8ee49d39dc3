"""Where results go: one JSON line each, written and flushed the moment it is final, so that an
interrupted run loses nothing it finished. Resuming reads the ids already written (completing the
file first if it ends in the middle of a line, as after a crash) and appends the rest."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import IO

from ..errors import UsageError


def done_ids(path: Path) -> set[str]:
    """The ids of the results already in path; a last line cut short by a crash is removed."""
    if not path.exists():
        return set()
    ids: set[str] = set()
    good = 0
    with path.open("rb") as f:
        for raw in f:
            if not raw.endswith(b"\n"):
                break
            try:
                row = json.loads(raw)
            except ValueError:
                raise UsageError(f"{path} is not a file of batch results (line {len(ids) + 1} is not JSON): "
                                 "resume with the output of an earlier run", param="resume") from None
            if not isinstance(row, dict) or row.get("schema") != "chainsym.batch" or "id" not in row:
                raise UsageError(f"{path} is not a file of batch results: resume with the output of an earlier run",
                                 param="resume")
            ids.add(str(row["id"]))
            good = f.tell()
    if good != path.stat().st_size:
        with path.open("r+b") as f:
            f.truncate(good)
    return ids


class Writer:
    """Appends result lines to a file (or standard output), flushing each."""

    def __init__(self, path: Path | None, append: bool) -> None:
        self.path = path
        self.count = 0
        try:
            self.stream: IO[str] = (path.open("a" if append else "w", encoding="utf-8") if path is not None
                                    else sys.stdout)
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}", param="output") from None

    def write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()
        self.count += 1

    def close(self) -> None:
        if self.path is not None:
            try:
                self.stream.flush()
                os.fsync(self.stream.fileno())
            except (OSError, ValueError):
                pass
            self.stream.close()
