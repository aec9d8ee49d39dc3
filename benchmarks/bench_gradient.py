"""The whole gradient: chainsym's one backpropagation sweep against one sympy.diff per variable.

Families: the product x1·x2·…·xn (n up to 400) and an MLP loss
(W2·tanh(W1·x + b1) + b2 − y)² with 10 to 1,000 weights, both from ../shared/PERFORMANCE.md.
For each size it prints chainsym's time (graph + reverse sweep, results as the sweep builds them:
tidying, which rewrites each of the n results into SymPy's canonical form, is off, and so is
verification), the graph's edges (the sweep's work: one
multiplication per edge), [sympy.diff(f, v) for v in vars] in a forked child bounded at 120 s,
their ratio, and the growth exponent between consecutive sizes (1 = linear, 2 = quadratic).

    python benchmarks/bench_gradient.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import sys
import time
from collections.abc import Callable
from pathlib import Path

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import chainsym  # noqa: E402
from chainsym.limits import Limits  # noqa: E402

SYMPY_SECONDS = 120.0
SWEEP = Limits(tidy_ops=0)  # results as built by the sweep: no canonical rebuild, no simplify


def product(n: int) -> tuple[sp.Expr, list[sp.Symbol]]:
    xs = list(sp.symbols(f"x1:{n + 1}", real=True))
    return sp.Mul(*xs), xs


def mlp(weights: int) -> tuple[sp.Expr, list[sp.Symbol]]:
    """One sample, D inputs, H tanh units, one output: D·H + 2H + 1 ≈ weights parameters."""
    d = 4
    h = max(1, round((weights - 1) / (d + 2)))
    x = sp.symbols(f"x1:{d + 1}", real=True)
    w1 = [[sp.Symbol(f"W1_{j}_{i}", real=True) for i in range(d)] for j in range(h)]
    b1 = [sp.Symbol(f"b1_{j}", real=True) for j in range(h)]
    w2 = [sp.Symbol(f"W2_{j}", real=True) for j in range(h)]
    b2, y = sp.symbols("b2 y", real=True)
    hidden = [sp.tanh(sum((w1[j][i] * x[i] for i in range(d)), b1[j])) for j in range(h)]
    loss = (sum((w2[j] * hidden[j] for j in range(h)), b2) - y) ** 2
    params = [w for row in w1 for w in row] + b1 + w2 + [b2]
    return loss, params


FAMILIES: dict[str, tuple[Callable[[int], tuple[sp.Expr, list[sp.Symbol]]], list[int], list[int]]] = {
    "product x1*...*xn, gradient over all n": (product, [50, 100, 200, 400], [50, 100]),
    "MLP loss, gradient over all weights": (mlp, [10, 100, 300, 1000], [10, 100]),
}


def _child(family: str, size: int, conn: mp.connection.Connection) -> None:
    expr, params = FAMILIES[family][0](size)
    sp.core.cache.clear_cache()
    start = time.perf_counter()
    [sp.diff(expr, v) for v in params]
    conn.send(time.perf_counter() - start)


def time_sympy(family: str, size: int) -> float | None:
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_child, args=(family, size, child))
    proc.start()
    if not parent.poll(SYMPY_SECONDS):
        proc.kill()
        proc.join()
        return None
    out = parent.recv()
    proc.join()
    return out  # type: ignore[no-any-return]


def growth(prev: tuple[int, float] | None, size: int, t: float | None) -> str:
    if prev is None or t is None or prev[1] <= 0:
        return "-"
    return f"{math.log(t / prev[1]) / math.log(size / prev[0]):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, sympy {sp.__version__}; sympy bounded at {SYMPY_SECONDS:.0f} s")
    for family, (build, sizes, quick) in FAMILIES.items():
        print(f"\n{family}")
        print("| size | variables | graph nodes | edges | chainsym s | growth | sympy.diff per variable s "
              "| growth | sympy/chainsym |")
        print("|---|---|---|---|---|---|---|---|---|")
        prev_c: tuple[int, float] | None = None
        prev_s: tuple[int, float] | None = None
        for size in quick if args.quick else sizes:
            expr, params = build(size)
            sp.core.cache.clear_cache()
            start = time.perf_counter()
            d = chainsym.diff(expr, params, mode="reverse", verify=False, limits=SWEEP)
            ours = time.perf_counter() - start
            edges = sum(len(n.args) for n in d.graph.nodes)
            theirs = time_sympy(family, size)
            shown = f">{SYMPY_SECONDS:.0f}" if theirs is None else f"{theirs:.3f}"
            ratio = "-" if theirs is None else f"{theirs / ours:.1f}x"
            print(f"| {size} | {len(params)} | {len(d.graph.nodes)} | {edges} | {ours:.3f} | "
                  f"{growth(prev_c, size, ours)} | {shown} | {growth(prev_s, size, theirs)} | {ratio} |", flush=True)
            prev_c = (size, ours)
            prev_s = (size, theirs) if theirs is not None else None


if __name__ == "__main__":
    main()
