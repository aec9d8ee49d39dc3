"""Every benchmark family of ../shared/PERFORMANCE.md at growing sizes, in one run.

Per size: the graph's nodes; chainsym diff (graph, derivative, tidy; no verification) and diff +
verify, with the verdict's oracle, and diff + verify as without SymEngine (what the fast extra
saves); verification's own time as a multiple of the derivative's ((diff + verify − diff) / diff,
with and without SymEngine: issue 13 asks ≤ 2x) and the two verified times' ratio (≤ 1: the fast
extra is never slower); the gradient program's operations as a multiple of f's own;
sympy.diff (one call per variable) and SymEngine's diff where installed, and SymEngine's diff with
its results converted to SymPy (the floor for any engine whose results are SymPy objects), each in a forked child
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
import threading
import time
from collections.abc import Callable
from pathlib import Path

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from families import FAMILIES  # noqa: E402

import chainsym  # noqa: E402
from chainsym import fast  # noqa: E402
from chainsym.emit import gradient_program, operations  # noqa: E402

LIMIT = 60.0
SIZES = {"a": [50, 100, 200, 400], "b1": [8, 10, 12, 14, 16], "b2": [8, 10, 12, 14, 16],
         "c": [50, 100, 200, 400], "d": [100, 300, 1000], "e": [100, 300, 1000]}
QUICK = {"a": [50, 100], "b1": [8, 10], "b2": [8, 10], "c": [50, 100], "d": [100, 300], "e": [100, 300]}
GRADIENT = {"c", "d", "e"}


def _timed_child(work: Callable[[], object], conn: mp.connection.Connection) -> None:
    """Runs in a thread with a large stack and recursion limit: sympy.diff recurses over the tree
    (from depth ~160 it needs more than Python's default), and it should be timed, not crash."""
    sp.core.cache.clear_cache()
    sys.setrecursionlimit(1_000_000)
    threading.stack_size(1 << 30)
    outcome: list[tuple[float | str, object]] = []

    def run() -> None:
        start = time.perf_counter()
        try:
            extra = work()
        except (RecursionError, MemoryError) as exc:
            outcome.append((f"failed ({type(exc).__name__})", None))
            return
        outcome.append((time.perf_counter() - start, extra))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    conn.send(outcome[0] if outcome else ("failed (crashed)", None))


def best(work: Callable[[], object], repeat: int = 3) -> tuple[float | str | None, object]:
    """timed, and for a time under a second the least of `repeat` runs: small timings vary by tens
    of per cent with whatever else the machine does, and a ratio of two noisy times is noisier."""
    seconds, extra = timed(work)
    for _ in range(repeat - 1):
        if not isinstance(seconds, float) or seconds >= 1.0:
            break
        again, _ = timed(work)
        if isinstance(again, float) and again < seconds:
            seconds = again
    return seconds, extra


def warm_up() -> None:
    """Every lazily imported module and first-use table loaded in the parent, so that no forked
    child's time includes them (it once made each family's first row look slow)."""
    for family, (_, build) in FAMILIES.items():
        expr, variables = build({"a": 3, "b1": 2, "b2": 2, "c": 9, "d": 20, "e": 3}[family])
        for symengine in (True, False):
            _chainsym(expr, variables, family, verify=True, symengine=symengine, restore=True)()


def timed(work: Callable[[], object]) -> tuple[float | str | None, object]:
    """(seconds, what work returned) in a forked child; (None, None) past LIMIT; a failure's name."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_timed_child, args=(work, child))
    proc.start()
    if not parent.poll(LIMIT):
        proc.kill()
        proc.join()
        return None, None
    if proc.exitcode not in (None, 0) and not parent.poll():
        return "failed (crashed)", None
    seconds, extra = parent.recv()
    proc.join()
    return seconds, extra


def _chainsym(expr: sp.Expr, variables: list[sp.Symbol], family: str, verify: bool,
              symengine: bool = True, restore: bool = False) -> Callable[[], object]:
    def work() -> object:
        available = fast.available
        if not symengine:
            fast.available = lambda: False  # as without the fast extra (in a forked child, for good)
        try:
            d = chainsym.diff(expr, variables if family in GRADIENT else variables[0],
                              mode="reverse" if family in GRADIENT else None, verify=verify)
        finally:
            if restore:
                fast.available = available
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


def _symengine_as_sympy(expr: sp.Expr, variables: list[sp.Symbol]) -> Callable[[], object] | None:
    """SymEngine's diff with its results converted to SymPy: the least any engine whose results are
    SymPy objects (as chainsym's are: printed, compared, returned) could cost."""
    if not fast.available():
        return None
    import symengine as se
    converted = fast.to_symengine(expr)
    symbols = [se.Symbol(v.name) for v in variables]
    names = {v.name: v for v in variables}
    return lambda: [fast.to_sympy(se.diff(converted, s), names) for s in symbols] and None


def fmt(t: float | str | None) -> str:
    return f">{LIMIT:.0f}" if t is None else t if isinstance(t, str) else f"{t:.3f}"


def ratio(a: float | str | None, b: float | str | None) -> str:
    if b is None or isinstance(b, str) or isinstance(a, str):
        return "-"
    if a is None:
        return f">{LIMIT / b:.0f}x"
    return f"{a / b:.1f}x"


def overhead(total: float | str | None, plain: float | str | None) -> str:
    """Verification's own time as a multiple of the derivative's: (diff + verify − diff) / diff."""
    if not isinstance(total, float) or not isinstance(plain, float) or plain <= 0:
        return "-"
    return f"{max(total - plain, 0.0) / plain:.1f}x"


def growth(t1: float | str | None, t2: float | str | None, n1: int, n2: int) -> str:
    if not isinstance(t1, float) or not isinstance(t2, float) or t1 <= 0 or t2 <= 0:
        return "-"
    return f"{math.log(t2 / t1) / math.log(n2 / n1):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the two smallest sizes of each family")
    parser.add_argument("--family", default=",".join(FAMILIES), help="comma-separated families (default: all)")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, sympy {sp.__version__}, symengine "
          f"{__import__('symengine').__version__ if fast.available() else 'not installed'}; "
          f"each timing in a forked child, bounded at {LIMIT:.0f} s, the least of 3 runs under 1 s")
    warm_up()
    header = ("size", "nodes", "chainsym s", "growth", "+verify s", "verdict (oracle)", "+verify, SymPy only s",
              "verify/diff", "verify/diff, SymPy only", "fast/SymPy only", "grad ops / f ops", "sympy.diff s",
              "growth", "symengine s", "symengine → SymPy s", "chainsym/(symengine → SymPy)", "sympy/chainsym",
              "sympy/(+verify)")
    for family in args.family.split(","):
        title, build = FAMILIES[family]
        print(f"\n{family}: {title}\n| " + " | ".join(header) + " |\n|" + "---|" * len(header))
        previous: tuple[int, float | str | None, float | str | None] | None = None
        for size in (QUICK if args.quick else SIZES)[family]:
            expr, variables = build(size)
            wrt = variables if family in GRADIENT else variables[:1]
            plain, info = best(_chainsym(expr, variables, family, verify=False))
            checked, verified = best(_chainsym(expr, variables, family, verify=True))
            plain_sympy, _ = best(_chainsym(expr, variables, family, verify=True, symengine=False)) \
                if fast.available() else (None, None)
            program = gradient_program(chainsym.decompose(expr))
            ops = operations(program.forward + program.backward) / operations(program.forward)
            reference, _ = best(_sympy(expr, wrt))
            symengine_work = _symengine(expr, wrt)
            engine = best(symengine_work)[0] if symengine_work is not None else None
            floor_work = _symengine_as_sympy(expr, wrt)
            floor = best(floor_work)[0] if floor_work is not None else None
            nodes = info[0] if isinstance(info, tuple) else "-"
            verdict = verified[1] if isinstance(verified, tuple) else "-"
            g1 = growth(previous[1], plain, previous[0], size) if previous else ""
            g2 = growth(previous[2], reference, previous[0], size) if previous else ""
            row = (str(size), str(nodes), fmt(plain), g1, fmt(checked), str(verdict),
                   fmt(plain_sympy) if fast.available() else "-", overhead(checked, plain),
                   overhead(plain_sympy, plain) if fast.available() else "-",
                   ratio(checked, plain_sympy) if fast.available() else "-", f"{ops:.2f}", fmt(reference), g2,
                   fmt(engine) if symengine_work is not None else "-", fmt(floor) if floor_work is not None else "-",
                   ratio(plain, floor) if floor_work is not None else "-", ratio(reference, plain),
                   ratio(reference, checked))
            print("| " + " | ".join(row) + " |", flush=True)
            previous = (size, plain, reference)


if __name__ == "__main__":
    main()
