"""The shape of the code, checked: data flows one way through the stages (no module imports a later
one, so there is no cycle), no module is over 400 lines, the chain rule is one sweep, and the same
input prints the same output even with both cores busy."""

from __future__ import annotations

import ast
import multiprocessing
import subprocess
import sys
import time
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "chainsym"

STAGES = [
    {"errors", "limits", "formats", "naming", "work"},
    {"model"},
    {"walk", "sizes", "products"},
    {"functions", "numeric", "residues", "parts", "sampling"},
    {"syntax"},
    {"graph"},
    {"rules"},
    {"sweep"},
    {"forward", "reverse", "exact", "point", "emit", "codegen", "canon", "share", "fast", "verdict", "identity"},
    {"program", "vectors", "oracle", "results", "mistakes", "vector_results", "work_results"},
    {"claims", "jacobians", "higher", "options", "worked_match"},
    {"render"},
    {"api"},
    {"worked"},
    {"batch", "web"},
    {"cli", "__init__", "__main__"},
]
"""the pipeline, left to right: a module may import only modules of its own stage or an earlier one"""


def _stage(module: str) -> int:
    top = module.split(".")[0]
    for i, names in enumerate(STAGES):
        if top in names:
            return i
    raise AssertionError(f"chainsym.{module} belongs to no stage: add it to STAGES")


def _imports(path: Path) -> set[str]:
    """chainsym modules a file imports (relative or absolute), at any depth of the file."""
    relative_to = path.relative_to(PACKAGE).with_suffix("").parts
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(relative_to[:len(relative_to) - node.level])
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
                names = [target] if node.module else [".".join([*base, a.name]) for a in node.names]
                found.update(n for n in names if n)
            elif node.module and node.module.startswith("chainsym."):
                found.add(node.module.removeprefix("chainsym."))
        elif isinstance(node, ast.Import):
            found.update(a.name.removeprefix("chainsym.") for a in node.names if a.name.startswith("chainsym."))
    return found


FILES = sorted(p for p in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(PACKAGE)) for p in FILES])
def test_no_module_imports_a_later_stage(path: Path) -> None:
    here = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    for imported in _imports(path):
        if imported.split(".")[0] == here.split(".")[0]:
            continue  # within one stage's package (render, syntax, cli)
        assert _stage(imported) <= _stage(here), f"chainsym.{here} imports the later stage chainsym.{imported}"


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(PACKAGE)) for p in FILES])
def test_modules_stay_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400


def test_the_chain_rule_is_one_sweep() -> None:
    """Only sweep.py walks the graph's edges; every client passes a Flow to it."""
    walkers = [p.name for p in FILES if p.name != "sweep.py" and (
        "reversed(graph.nodes)" in p.read_text(encoding="utf-8") or "partials(node)" in p.read_text(encoding="utf-8"))]
    assert walkers == [], walkers
    clients = sorted(p.relative_to(PACKAGE).as_posix() for p in FILES if "sweep(" in p.read_text(encoding="utf-8")
                     and p.name != "sweep.py")
    assert clients == ["emit.py", "forward.py", "jacobians.py", "mistakes.py", "point.py", "reverse.py"]


def test_help_does_not_import_sympy() -> None:
    code = ("import sys; from chainsym.cli import main; main(['--help']); main(['diff', '--help']); "
            "sys.exit(3 if 'sympy' in sys.modules else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def _busy(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sum(i * i for i in range(10_000))


def test_the_same_output_with_both_cores_busy() -> None:
    """Nothing in a result depends on timing: the snapshot cases print byte-identical output while two
    processes keep both cores busy."""
    from test_formats import CASES, EXTENSIONS, SNAPSHOTS

    from chainsym.render import render

    workers = [multiprocessing.get_context("spawn").Process(target=_busy, args=(60,)) for _ in range(2)]
    for w in workers:
        w.start()
    try:
        for case, make in sorted(CASES.items()):
            d = make()
            for fmt in ("text", "json"):
                assert render(d, fmt) == (SNAPSHOTS / f"{case}.{EXTENSIONS[fmt]}").read_text(encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "chainsym", "diff", "z = x^2 - y^2; x = s - sin(t); y = e^s + cos(t)",
                               "--wrt", "s,t"], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and done.stdout == (SNAPSHOTS / "seed000_program_cli.txt").read_text("utf-8")
    finally:
        for w in workers:
            w.terminate()
            w.join()
