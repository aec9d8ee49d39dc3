"""Every benchmark family of ../shared/PERFORMANCE.md at growing sizes, in one run.

Per size: the graph's nodes; chainsym diff (graph, derivative, tidy; no verification) and diff +
verify, with the verdict's oracle; the gradient program's operations as a multiple of f's own;
sympy.diff (one call per variable) and SymEngine's diff where installed, each in a forked child
bounded at LIMIT seconds with SymPy's cache cleared; the ratios sympy.diff / chainsym; and the
growth exponent log(t2/t1) / log(n2/n1) between consecutive sizes (1 = linear).

Families a, b1, b2 differentiate by x; c, d, e give the whole gradient (reverse mode).

    python benchmarks/bench_scale.py [--quick] [--family a,b1,...]
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

import chainsym  # noqa: E402
from chainsym import fast  # noqa: E402
from chainsym.emit import gradient_program, operations  # noqa: E402
from families import FAMILIES  # noqa: E402

LIMIT = 60.0
SIZES = {"a": [50, 100, 200, 400], "b1": [8, 10, 12, 14, 16], "b2": [8, 10, 12, 14, 16],
         "c": [50, 100, 200, 400], "d": [100, 300, 1000], "e": [100, 300, 1000]}
QUICK = {"a": [50, 100], "b1": [8, 10], "b2": [8, 10], "c": [50, 100], "d": [100, 300], "e": [100, 300]}
GRADIENT = {"c", "d", "e"}


def _timed_child(work: Callable[[], object], conn: mp.connection.Connection) -> None:
    sp.core.cache.clear_cache()
    start = time.perf_counter()
    extra = work()
    conn.send((time.perf_counter() - start, extra))


def timed(work: Callable[[], object]) -> tuple[float | None, object]:
    """(seconds, what work returned) in a forked child; (None, None) past LIMIT."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_timed_child, args=(work, child))
    proc.start()
    if not parent.poll(LIMIT):
        proc.kill()
        proc.join()
        return None, None
    seconds, extra = parent.recv()
    proc.join()
    return seconds, extra


def _chainsym(expr: sp.Expr, variables: list[sp.Symbol], family: str, verify: bool) -> Callable[[], object]:
    def work() -> object:
        d = chainsym.diff(expr, variables if family in GRADIENT else variables[0],
                          mode="reverse" if family in GRADIENT else None, verify=verify)
        v = d.verification
        return (len(d.graph.nodes), f"{v.status} ({v.oracle})" if v else "-")
    return work


def _sympy(expr: sp.Expr, variables: list[sp.Symbol]) -> Callable[[], object]:
    return lambda: [sp.diff(expr, v) for v in variables] and None


def _symengine(expr: sp.Expr, variables: list[sp.Symbol]) -> Callable[[], object] | None:
    if not fast.available():
        return None
    import symengine as se
    converted = fast.to_symengine(expr)
    symbols = [se.Symbol(v.name) for v in variables]
    return lambda: [se.diff(converted, s) for s in symbols] and None


def fmt(t: float | None) -> str:
    return f">{LIMIT:.0f}" if t is None else f"{t:.3f}"


def ratio(a: float | None, b: float | None) -> str:
    if b is None:
        return "-"
    if a is None:
        return f">{LIMIT / b:.0f}x"
    return f"{a / b:.1f}x"


def growth(t1: float | None, t2: float | None, n1: int, n2: int) -> str:
    if t1 is None or t2 is None or t1 <= 0 or t2 <= 0:
        return "-"
    return f"{math.log(t2 / t1) / math.log(n2 / n1):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the two smallest sizes of each family")
    parser.add_argument("--family", default=",".join(FAMILIES), help="comma-separated families (default: all)")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, sympy {sp.__version__}, symengine "
          f"{__import__('symengine').__version__ if fast.available() else 'not installed'}; "
          f"each timing in a forked child, bounded at {LIMIT:.0f} s")
    header = ("size", "nodes", "chainsym s", "growth", "+verify s", "verdict (oracle)", "grad ops / f ops",
              "sympy.diff s", "growth", "symengine s", "sympy/chainsym", "sympy/(+verify)")
    for family in args.family.split(","):
        title, build = FAMILIES[family]
        print(f"\n{family}: {title}\n| " + " | ".join(header) + " |\n|" + "---|" * len(header))
        previous: tuple[int, float | None, float | None] | None = None
        for size in (QUICK if args.quick else SIZES)[family]:
            expr, variables = build(size)
            wrt = variables if family in GRADIENT else variables[:1]
            plain, info = timed(_chainsym(expr, variables, family, verify=False))
            checked, verified = timed(_chainsym(expr, variables, family, verify=True))
            program = gradient_program(chainsym.decompose(expr))
            ops = operations(program.forward + program.backward) / operations(program.forward)
            reference, _ = timed(_sympy(expr, wrt))
            symengine_work = _symengine(expr, wrt)
            engine = timed(symengine_work)[0] if symengine_work is not None else None
            nodes = info[0] if isinstance(info, tuple) else "-"
            verdict = verified[1] if isinstance(verified, tuple) else "-"
            g1 = growth(previous[1], plain, previous[0], size) if previous else ""
            g2 = growth(previous[2], reference, previous[0], size) if previous else ""
            row = (str(size), str(nodes), fmt(plain), g1, fmt(checked), str(verdict), f"{ops:.2f}", fmt(reference), g2,
                   fmt(engine) if symengine_work is not None else "-", ratio(reference, plain),
                   ratio(reference, checked))
            print("| " + " | ".join(row) + " |", flush=True)
            previous = (size, plain, reference)


if __name__ == "__main__":
    main()
