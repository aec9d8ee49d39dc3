"""chainsym.diff against sympy.diff on growing inputs, measured in the same run.

Families (see ../shared/PERFORMANCE.md): deep composition sin(sin(…x)) of depth n; the iterated
map u ← u·sin(u) for k steps (SymPy's tree doubles each step); a sum of n terms x^k/k.
For each size it prints the graph's node count against SymPy's tree size, the time of
chainsym.diff without and with verification, of sympy.diff (in a forked child with a large
stack and a time bound, since it recurses and can take minutes), and their ratios.

    python benchmarks/bench_core.py            # the full table (a few minutes)
    python benchmarks/bench_core.py --quick    # small sizes only
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import chainsym  # noqa: E402
from chainsym.walk import tree_size  # noqa: E402

x = sp.Symbol("x", real=True)
SYMPY_SECONDS = 60.0


def deep(n: int) -> sp.Expr:
    e: sp.Expr = x
    for _ in range(n):
        e = sp.sin(e, evaluate=False)
    return e


def iterated(k: int) -> sp.Expr:
    u: sp.Expr = x
    for _ in range(k):
        u = u * sp.sin(u)
    return u


def wide(n: int) -> sp.Expr:
    return sp.Add(*(x**k / k for k in range(1, n + 1)))


FAMILIES: dict[str, tuple[Callable[[int], sp.Expr], list[int], list[int]]] = {
    "sin nested n deep": (deep, [50, 100, 200, 400], [50, 100]),
    "u <- u*sin(u), k steps": (iterated, [5, 10, 15, 20, 30], [5, 10]),
    "sum of n terms x^k/k": (wide, [250, 500, 1000], [250]),
}


def _sympy_child(family: str, size: int, conn: mp.connection.Connection) -> None:
    sys.setrecursionlimit(200_000)
    threading.stack_size(1 << 29)
    out: dict[str, object] = {}

    def work() -> None:
        expr = FAMILIES[family][0](size)
        sp.core.cache.clear_cache()
        start = time.perf_counter()
        try:
            sp.diff(expr, x)
            out["t"] = time.perf_counter() - start
        except RecursionError:
            out["err"] = "RecursionError"

    t = threading.Thread(target=work)
    t.start()
    t.join()
    conn.send(out)


def time_sympy(family: str, size: int) -> str | float:
    parent, child = mp.get_context("fork").Pipe()
    proc = mp.get_context("fork").Process(target=_sympy_child, args=(family, size, child))
    proc.start()
    if not parent.poll(SYMPY_SECONDS):
        proc.kill()
        proc.join()
        return f">{SYMPY_SECONDS:.0f}s"
    out = parent.recv()
    proc.join()
    return out.get("t", out.get("err", "?"))  # type: ignore[return-value]


def time_chainsym(expr: sp.Expr, verify: bool) -> tuple[float, chainsym.Derivation]:
    sp.core.cache.clear_cache()
    start = time.perf_counter()
    d = chainsym.diff(expr, wrt=x, verify=verify)
    return time.perf_counter() - start, d


def fmt(value: str | float) -> str:
    return value if isinstance(value, str) else f"{value:.3f}"


def ratio(a: str | float, b: float) -> str:
    if isinstance(a, str):
        return f"{a} (sympy)" if a.startswith(">") else "-"
    return f"{a / b:.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    args = parser.parse_args()
    header = ("size", "graph nodes", "sympy tree", "chainsym s", "+verify s", "verdict", "sympy.diff s",
              "sympy/chainsym", "sympy/(+verify)")
    print(f"python {sys.version.split()[0]}, sympy {sp.__version__}; sympy.diff bounded at {SYMPY_SECONDS:.0f} s")
    for family, (build, sizes, quick) in FAMILIES.items():
        print(f"\n{family}")
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for size in quick if args.quick else sizes:
            expr = build(size)
            plain, d = time_chainsym(expr, verify=False)
            checked, dv = time_chainsym(expr, verify=True)
            reference = time_sympy(family, size)
            verdict = dv.verification.status if dv.verification else "-"
            row = (str(size), str(len(d.graph.nodes)), str(tree_size(expr, 10**12)), fmt(plain), fmt(checked),
                   verdict, fmt(reference), ratio(reference, plain), ratio(reference, checked))
            print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
