"""The README's terminal sessions are real: every `$ chainsym …` line in a shown session is run (in a
temporary directory, with the files the session `cat`s written there first) and must print exactly
what the README shows under it, where `...` stands for what the README leaves out (lines, or text within a line). A
session that writes files (`-o`) is shown for its command only."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import run

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.M | re.S)


def _sessions() -> list[tuple[str, list[tuple[list[str], str]]]]:
    """(first command, [(argv, shown output)]) for each fenced block that starts with `$ `."""
    sessions = []
    for block in FENCE.findall(README.read_text(encoding="utf-8")):
        if not block.startswith("$ "):
            continue
        steps: list[tuple[list[str], str]] = []
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, shown = chunk.partition("\n")
            steps.append((shlex.split(command), shown))
        sessions.append((block.split("\n", 1)[0], steps))
    return sessions


SESSIONS = _sessions()


def test_the_readme_shows_sessions() -> None:
    assert len(SESSIONS) >= 15


@pytest.mark.parametrize("steps", [s for _, s in SESSIONS], ids=[first for first, _ in SESSIONS])
def test_a_readme_session_prints_what_it_shows(steps: list[tuple[list[str], str]], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for argv, shown in steps:
        if argv[0] == "cat":
            (tmp_path / argv[1]).write_text(shown, encoding="utf-8")
            continue
        assert argv[0] == "chainsym"
        if "-o" in argv:
            continue  # a file is written: the README shows the command, the file is tested elsewhere
        code, out, err = run(CliRunner(), *argv[1:])
        assert _shows(shown, out + err), (argv, out + err)


def _shows(shown: str, printed: str) -> bool:
    """printed is what shown says: a line `...` stands for any number of lines, `...` within a line
    for any text."""
    pattern = "".join(r"(?:.*\n)*?" if line.strip() == "..." else ".*?".join(map(re.escape, line.split("..."))) + r"\n"
                      for line in shown.splitlines())
    return re.fullmatch(pattern, printed) is not None


@pytest.mark.parametrize("steps", [s for _, s in SESSIONS], ids=[first for first, _ in SESSIONS])
def test_a_readme_session_prints_the_same_without_symengine(steps: list[tuple[list[str], str]], tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast extra changes which oracle checks a large derivative, never what a README example prints."""
    pytest.importorskip("symengine", reason="the fast extra (symengine) is not installed: nothing to compare")
    from chainsym import fast

    monkeypatch.chdir(tmp_path)
    for argv, shown in steps:
        if argv[0] == "cat":
            (tmp_path / argv[1]).write_text(shown, encoding="utf-8")
            continue
        if "-o" in argv:
            continue
        with_fast = run(CliRunner(), *argv[1:])
        with monkeypatch.context() as m:
            m.setattr(fast, "available", lambda: False)
            assert run(CliRunner(), *argv[1:]) == with_fast, argv
