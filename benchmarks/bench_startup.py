"""Start-up: what a command costs from a cold process, against the floor of importing SymPy and click.

Each command runs in a fresh subprocess, RUNS times (one untimed run first, then round-robin, so that
the machine's other work falls on every command alike); the table gives the median CPU time (user +
system of the child, from os.wait4) and the median wall time, and the ratios against issue 13's
targets: `chainsym diff "sin(x+x^2)"` ≤ 1.3× `python -c "import sympy, click"`, and `--help` ≤ 0.2 s.
Then `python -X importtime -c "import chainsym.cli"` (one run, wall time): the 15 modules with the
largest cumulative import time, i.e. what start-up imports, and the 10 with the largest self time;
and whether `python -m chainsym --help` imports SymPy at all.

Every subprocess gets PYTHONPATH=<this working tree>, so that `python -m chainsym` and the console
script both run this tree's chainsym (the floor gets the same setting), and may write bytecode
(PYTHONDONTWRITEBYTECODE is dropped), as an installed package has it.

    python benchmarks/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "sin(x+x^2)"
TARGET_DIFF = 1.3   # chainsym diff / import sympy, click
TARGET_HELP = 0.2   # seconds


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONSTARTUP", None)
    # an installed chainsym has its bytecode (pip compiles it at install): let the untimed first run
    # write this tree's, or every timed run compiles ~50 modules again (0.15 s, a third of the excess)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def commands() -> dict[str, list[str]]:
    py = sys.executable
    script = shutil.which("chainsym", path=str(Path(sys.executable).parent)) or shutil.which("chainsym")
    found: dict[str, list[str]] = {
        "python -c pass": [py, "-c", "pass"],
        "python -c \"import sympy, click\"": [py, "-c", "import sympy, click"],
    }
    if script:
        found["chainsym --help"] = [script, "--help"]
        found["chainsym diff --help"] = [script, "diff", "--help"]
        found[f"chainsym diff \"{EXAMPLE}\""] = [script, "diff", EXAMPLE]
    found["python -m chainsym --help"] = [py, "-m", "chainsym", "--help"]
    found["python -m chainsym diff --help"] = [py, "-m", "chainsym", "diff", "--help"]
    found[f"python -m chainsym diff \"{EXAMPLE}\""] = [py, "-m", "chainsym", "diff", EXAMPLE]
    return found


def run_once(argv: list[str], env: dict[str, str], cwd: str) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run in a fresh process; fails loudly on a non-zero exit."""
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: nothing can block the child
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            message = err.read().decode(errors="replace").strip()[-500:]
            raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {message}")
    return usage.ru_utime + usage.ru_stime, wall


def importtime(env: dict[str, str], cwd: str, code: list[str]) -> list[tuple[str, int, int]]:
    """(module, cumulative µs, self µs) from python -X importtime, largest cumulative first."""
    out = subprocess.run([sys.executable, "-X", "importtime", *code], env=env, cwd=cwd,
                         capture_output=True, text=True, check=True)
    rows = []
    for line in out.stderr.splitlines():
        m = re.match(r"import time:\s*(\d+)\s*\|\s*(\d+)\s*\|(\s*)(\S.*)$", line)
        if m:
            rows.append((m.group(4).strip(), int(m.group(2)), int(m.group(1))))
    return sorted(rows, key=lambda r: r[1], reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command (at least 5)")
    args = parser.parse_args()
    runs = max(args.runs, 5)
    env = environment()
    todo = commands()
    with tempfile.TemporaryDirectory() as cwd:
        for argv in todo.values():  # untimed: compiles .pyc files, warms the page cache
            run_once(argv, env, cwd)
        cpu: dict[str, list[float]] = {name: [] for name in todo}
        wall: dict[str, list[float]] = {name: [] for name in todo}
        for _ in range(runs):
            for name, argv in todo.items():
                c, w = run_once(argv, env, cwd)
                cpu[name].append(c)
                wall[name].append(w)
        help_imports = {name for name, _, _ in importtime(env, cwd, ["-m", "chainsym", "--help"])}
        top = importtime(env, cwd, ["-c", "import chainsym.cli"])

    print(f"`python {platform.python_version()} ({sys.executable}); chainsym from {ROOT}; each command in a fresh "
          f"process, {runs} timed runs after one untimed, round-robin; CPU = user + system of the child (os.wait4); "
          f"medians: the machine's other work shares its cores, so CPU medians are the figures to compare`\n")
    print("| command | CPU median s | CPU min s | wall median s |")
    print("|---|---|---|---|")
    for name in todo:
        print(f"| `{name}` | {statistics.median(cpu[name]):.3f} | {min(cpu[name]):.3f} | "
              f"{statistics.median(wall[name]):.3f} |")

    floor = statistics.median(cpu["python -c \"import sympy, click\""])
    print("\n| target (CPU medians) | measured | target | |")
    print("|---|---|---|---|")
    for name in todo:
        c = statistics.median(cpu[name])
        if name.endswith(f"\"{EXAMPLE}\""):
            ok = c / floor <= TARGET_DIFF
            print(f"| `{name}` / `import sympy, click` | {c / floor:.2f}x | ≤ {TARGET_DIFF}x | "
                  f"{'met' if ok else '**missed**'} |")
        elif name.endswith("--help"):
            ok = c <= TARGET_HELP
            print(f"| `{name}` | {c:.3f} s | ≤ {TARGET_HELP} s | {'met' if ok else '**missed**'} |")
    print(f"\n`python -m chainsym --help` imports sympy: {'yes' if 'sympy' in help_imports else 'no'}; "
          f"click: {'yes' if 'click' in help_imports else 'no'}")

    print("\n**`python -X importtime -c \"import chainsym.cli\"`: the 15 largest cumulative imports**\n")
    print("| module | cumulative ms | self ms |")
    print("|---|---|---|")
    for module, cumulative, own in top[:15]:
        print(f"| `{module}` | {cumulative / 1000:.1f} | {own / 1000:.1f} |")
    print("\n**The same, the 10 largest self times** (where the import time is spent, not its nesting)\n")
    print("| module | self ms | cumulative ms |")
    print("|---|---|---|")
    for module, cumulative, own in sorted(top, key=lambda r: r[2], reverse=True)[:10]:
        print(f"| `{module}` | {own / 1000:.1f} | {cumulative / 1000:.1f} |")


if __name__ == "__main__":
    main()
