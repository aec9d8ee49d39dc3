"""Small items: chainsym.diff against sympy.diff on the textbook corpus, in one run (issue 13).

Per item of benchmarks/corpus_textbook.py, d/dx, CPU time (time.process_time) with SymPy's cache
cleared before every call, of

- sympy.diff(f, x) on the parsed expression (chainsym's own functions rewritten for SymPy with
  chainsym.functions.rewrite_primitives; parsing is not timed: sympy.diff has no parser; a fresh
  parse for every call, so that no SymPy object arrives with facts a previous call derived);
- chainsym.diff(text, "x", verify=False): parse, graph, derivative, tidying;
- chainsym.diff(text, "x"): the same and the verification.

A call that takes under MIN_TOTAL seconds is repeated (up to MAX_REPEAT times, until the calls add up
to MIN_TOTAL) and its median taken, so that millisecond timings are not one clock reading (a repeated
chainsym call may find chainsym's own memo of local partials warm; the first call on each item is
also kept, and the ratios of first calls are printed beside the medians).
Then the median, p90 and max of each ratio chainsym / sympy.diff against issue 13's targets, the
ten items with the worst ratio (with their times: where the time goes), and a determinism check:
how many items give byte-identical str(result) in every chainsym call of the run.

    python benchmarks/bench_small.py [--quick] [--limit N] [--profile INDEX] [--check-corpus]
                                     [--save-results FILE] [--compare-results FILE]

--quick takes every 10th item; --limit N the first N (after --quick); --profile INDEX runs cProfile on
chainsym.diff(text, "x") of item INDEX (as numbered in the tables) and prints the 25 entries with the
largest cumulative time. --save-results writes {index: str(result)} as JSON and --compare-results
compares this run's results with such a file (determinism across processes: hash seeds differ).
--check-corpus checks the corpus itself instead of timing it (see check_corpus).
"""

from __future__ import annotations

import argparse
import cmath
import cProfile
import io
import json
import platform
import pstats
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_textbook import CORPUS

import chainsym
from chainsym.functions import rewrite_primitives

T = TypeVar("T")

MIN_TOTAL = 0.05   # seconds: repeat a faster call until its runs add up to this
MAX_REPEAT = 15
TARGET_VERIFIED = 2.0     # median of chainsym.diff / sympy.diff, with verification
TARGET_UNVERIFIED = 1.2   # median, verify=False
TARGET_P90 = 5.0          # p90 of either ratio


@dataclass
class Item:
    index: int
    text: str
    family: str
    integrand: str | None
    sympy_s: float = float("nan")     # medians of the repeated calls
    plain_s: float = float("nan")     # chainsym.diff(verify=False)
    verified_s: float = float("nan")  # chainsym.diff(verify=True)
    first: tuple[float, float, float] = (float("nan"),) * 3  # the same, first call on the item only
    status: str = ""
    results: list[str] = field(default_factory=list)  # str(result) of every chainsym call
    verified_result: str = ""
    size: int = 0          # count_ops of chainsym's result
    sympy_size: int = 0    # count_ops of sympy.diff's result
    table_size: int | None = None  # count_ops of the integrand the table prints
    error: str = ""

    @property
    def ratio_plain(self) -> float:
        return self.plain_s / self.sympy_s

    @property
    def ratio_verified(self) -> float:
        return self.verified_s / self.sympy_s


def cpu(fn: Callable[[T], object], setup: Callable[[], T]) -> tuple[list[float], list[object]]:
    """CPU seconds of each call fn(setup()) (setup not timed, SymPy's cache cleared before fn) and what
    each call returned. sympy.diff's setup parses the text afresh for every call: SymPy keeps facts it
    derived (assumptions) on the objects themselves, and a second diff of the same objects would be
    cheaper than any first one (chainsym.diff parses its text anew in every call)."""
    times: list[float] = []
    outs: list[object] = []
    while True:
        arg = setup()
        sp.core.cache.clear_cache()
        start = time.process_time()
        out = fn(arg)
        times.append(time.process_time() - start)
        outs.append(out)
        if sum(times) >= MIN_TOTAL or len(times) >= MAX_REPEAT:
            return times, outs


def nothing() -> None:
    return None


def variable_x(f: sp.Expr) -> sp.Symbol:
    found = [s for s in f.free_symbols if isinstance(s, sp.Symbol) and s.name == "x"]
    return found[0] if found else sp.Symbol("x", real=True)


def status_of(d: chainsym.Derivation) -> str:
    verification = getattr(d, "verification", None)
    return str(getattr(verification, "status", "?"))


def measure(index: int, text: str, family: str, integrand: str | None) -> Item:
    item = Item(index, text, family, integrand)
    try:
        def fresh() -> sp.Expr:
            return rewrite_primitives(chainsym.parse(text))

        x = variable_x(fresh())
        sympy_t, oracle = cpu(lambda f: sp.diff(f, x), fresh)
        item.sympy_size = sp.count_ops(oracle[0])
        plain_t, plain = cpu(lambda _: chainsym.diff(text, "x", verify=False), nothing)
        verified_t, verified = cpu(lambda _: chainsym.diff(text, "x"), nothing)
        item.sympy_s, item.plain_s, item.verified_s = map(statistics.median, (sympy_t, plain_t, verified_t))
        item.first = (sympy_t[0], plain_t[0], verified_t[0])
        if len(plain) == 1:  # one more call, so that every item is compared across two calls at least
            sp.core.cache.clear_cache()
            plain.append(chainsym.diff(text, "x", verify=False))
        derivations = [d for d in plain + verified if isinstance(d, chainsym.Derivation)]
        item.results = [str(d.result) for d in derivations]
        item.verified_result = str(verified[0].result)  # type: ignore[attr-defined]
        item.status = status_of(verified[0])  # type: ignore[arg-type]
        item.size = sp.count_ops(verified[0].result)  # type: ignore[attr-defined]
        if integrand is not None:
            item.table_size = sp.count_ops(chainsym.parse(integrand))
    except Exception as exc:  # noqa: BLE001 -- whatever fails in one item is reported, not fatal to the run
        item.error = f"{type(exc).__name__}: {exc}"
    return item


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def times(v: float) -> str:
    return f"{v:.2f}x"


def secs(v: float) -> str:
    return f"{v:.4f}" if v < 0.1 else f"{v:.3f}"


def met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def short(text: str, width: int = 58) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def report(items: list[Item], seconds: float, compare: dict[str, str] | None) -> None:
    good = [i for i in items if not i.error and i.sympy_s > 0]
    failed = [i for i in items if i.error]
    if not good:
        print("no item measured")
        return
    plain = [i.ratio_plain for i in good]
    verified = [i.ratio_verified for i in good]

    def row(name: str, values: list[float], fmt: Callable[[float], str], target: str = "", ok: str = "") -> str:
        return (f"| {name} | {fmt(statistics.median(values))} | {fmt(quantile(values, 0.9))} | {fmt(max(values))} "
                f"| {target} | {ok} |")

    print(f"**{len(good)} items** ({len(failed)} failed), CPU seconds per call, run took {seconds:.0f} s wall\n")
    print("| measure | median | p90 | max | target | |")
    print("|---|---|---|---|---|---|")
    print(row("sympy.diff s", [i.sympy_s for i in good], secs))
    print(row("chainsym.diff(verify=False) s", [i.plain_s for i in good], secs))
    print(row("chainsym.diff s (verified)", [i.verified_s for i in good], secs))
    med_p, p90_p = statistics.median(plain), quantile(plain, 0.9)
    med_v, p90_v = statistics.median(verified), quantile(verified, 0.9)
    print(row("chainsym(verify=False) / sympy.diff", plain, times,
              f"median ≤ {TARGET_UNVERIFIED}x, p90 ≤ {TARGET_P90:g}x",
              f"{met(med_p <= TARGET_UNVERIFIED)}, {met(p90_p <= TARGET_P90)}"))
    print(row("chainsym (verified) / sympy.diff", verified, times,
              f"median ≤ {TARGET_VERIFIED}x, p90 ≤ {TARGET_P90:g}x",
              f"{met(med_v <= TARGET_VERIFIED)}, {met(p90_v <= TARGET_P90)}"))
    print(row("first calls only: verify=False / sympy.diff", [i.first[1] / i.first[0] for i in good], times))
    print(row("first calls only: verified / sympy.diff", [i.first[2] / i.first[0] for i in good], times))
    share = [(i.verified_s - i.plain_s) / i.verified_s for i in good if i.verified_s > 0]
    print(row("verification's share of chainsym's time", share, lambda v: f"{100 * v:.0f}%"))

    print("\n**The 10 worst items by ratio (verified / sympy.diff)**; `--profile INDEX` shows where the time goes\n")
    print("| # | family | expression | sympy.diff s | verify=False s | verified s | ratio | verdict |")
    print("|---|---|---|---|---|---|---|---|")
    for i in sorted(good, key=lambda i: i.ratio_verified, reverse=True)[:10]:
        print(f"| {i.index} | {i.family} | `{short(i.text)}` | {secs(i.sympy_s)} | {secs(i.plain_s)} "
              f"| {secs(i.verified_s)} "
              f"| {times(i.ratio_verified)} | {i.status} |")

    print("\n**Determinism and verdicts**\n")
    same = [i for i in good if len(set(i.results)) == 1]
    calls = Counter(len(i.results) for i in good)
    print(f"- str(result) byte-identical in every chainsym call of the run (verify=False and verified, "
          f"{min(calls)}–{max(calls)} calls per item): {len(same)}/{len(good)}")
    for i in [i for i in good if len(set(i.results)) > 1][:5]:
        forms = " / ".join(f"`{r}`" for r in dict.fromkeys(i.results))
        print(f"  - differs on #{i.index} `{short(i.text, 40)}`: " + forms)
    if compare is not None:
        both = [i for i in good if str(i.index) in compare]
        agree = sum(compare[str(i.index)] == i.verified_result for i in both)
        print(f"- str(result) byte-identical to the saved run: {agree}/{len(both)}")
    print("- verdicts: " + ", ".join(f"{k} {v}" for k, v in Counter(i.status for i in good).most_common()))
    sized = [i for i in good if i.table_size is not None]
    if sized:
        ours = sum(i.size <= (i.table_size or 0) for i in sized)
        theirs = sum(i.sympy_size <= (i.table_size or 0) for i in sized)
        print(f"- result no larger than the table's integrand (sp.count_ops): chainsym {ours}/{len(sized)}, "
              f"sympy.diff {theirs}/{len(sized)}")
    for i in failed[:10]:
        print(f"- failed #{i.index} `{short(i.text, 40)}`: {short(i.error, 100)}")


def profile(index: int) -> None:
    text, family, _ = CORPUS[index]
    for warm in CORPUS[:3]:  # imports and SymPy's first-call costs are not the item's
        chainsym.diff(warm[0], "x")
    plain_s = statistics.median(cpu(lambda _: chainsym.diff(text, "x", verify=False), nothing)[0])
    verified_s = statistics.median(cpu(lambda _: chainsym.diff(text, "x"), nothing)[0])
    sp.core.cache.clear_cache()
    prof = cProfile.Profile()  # the default clock: a Python-level timer would add its own cost to every call
    prof.enable()
    chainsym.diff(text, "x")
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
    print(f"cProfile of chainsym.diff({text!r}, 'x') [#{index}, {family}], SymPy's cache cleared first; "
          f"unprofiled CPU: {secs(verified_s)} s verified, {secs(plain_s)} s with verify=False "
          f"(the profiler's own cost inflates the times below)")
    print(out.getvalue())


SAMPLES = (0.31, 0.73, 1.37, 2.61, 3.72, 5.19, 7.3, -0.43, -1.61, -2.9)
CONSTANTS = {"a": 1.7, "b": 0.6}


def check_corpus() -> None:
    """Every entry parses, sympy.diff of it takes under 2 s, and d/dx(text) equals the integrand the
    table gives at the sample points where both are real: at one point at least, and at every such
    point x > 0 (an antiderivative's formula may hold on x > a only: acosh, asec, ln of x)."""
    problems = 0
    slowest = 0.0
    for index, (text, family, integrand) in enumerate(CORPUS):
        try:
            f = rewrite_primitives(chainsym.parse(text))
            x = variable_x(f)
            sp.core.cache.clear_cache()
            start = time.process_time()
            d = sp.diff(f, x)
            seconds = time.process_time() - start
            slowest = max(slowest, seconds)
            if seconds >= 2:
                problems += 1
                print(f"#{index} {text!r}: sympy.diff took {seconds:.2f} s")
            if integrand is None:
                continue
            g = rewrite_primitives(chainsym.parse(integrand))
        except Exception as exc:  # noqa: BLE001 -- report every broken entry, not the first
            problems += 1
            print(f"#{index} {text!r}: {type(exc).__name__}: {exc}")
            continue
        names = {str(v): v for v in f.free_symbols | g.free_symbols}
        agree, disagree = 0, []
        for value in SAMPLES:
            point = {v: CONSTANTS.get(n, value) for n, v in names.items()}
            try:
                got, want = complex(d.evalf(30, subs=point)), complex(g.evalf(30, subs=point))
            except (TypeError, ValueError, ZeroDivisionError):
                continue
            if not all(map(cmath.isfinite, (got, want))) or abs(got.imag) > 1e-12 or abs(want.imag) > 1e-12:
                continue
            if abs(got - want) <= 1e-9 * (1 + abs(want)):
                agree += 1
            else:
                disagree.append(value)
        if not agree or any(v > 0 for v in disagree):
            problems += 1
            print(f"#{index} {text!r} [{family}]: d/dx differs from {integrand!r} at x = {disagree or 'every point'}")
    print(f"{len(CORPUS)} entries, {problems} problems; slowest sympy.diff {slowest:.3f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="every 10th item")
    parser.add_argument("--limit", type=int, default=None, help="at most N items")
    parser.add_argument("--profile", type=int, default=None, metavar="INDEX", help="cProfile one item")
    parser.add_argument("--check-corpus", action="store_true",
                        help="check that every entry parses, sympy.diff of it takes < 2 s, "
                             "and d/dx equals its integrand")
    parser.add_argument("--save-results", type=Path, default=None, metavar="FILE")
    parser.add_argument("--compare-results", type=Path, default=None, metavar="FILE")
    args = parser.parse_args()
    if args.profile is not None:
        profile(args.profile)
        return
    if args.check_corpus:
        check_corpus()
        return
    chosen = list(enumerate(CORPUS))
    if args.quick:
        chosen = chosen[::10]
    if args.limit is not None:
        chosen = chosen[: args.limit]
    compare = json.loads(args.compare_results.read_text()) if args.compare_results else None

    print(f"`python {platform.python_version()}, sympy {sp.__version__}, "
          f"chainsym from {Path(chainsym.__file__).parent}; "
          f"{len(chosen)} of {len(CORPUS)} textbook items; CPU medians (time.process_time), SymPy's cache cleared "
          f"before each call, calls under {MIN_TOTAL} s repeated; the machine's other work shares its cores`\n")
    for warm in CORPUS[:3]:  # imports and first-call costs are not any item's
        measure(-1, *warm)
    start = time.perf_counter()
    items = []
    for n, (index, entry) in enumerate(chosen, 1):
        items.append(measure(index, *entry))
        if n % 50 == 0:
            print(f"... {n}/{len(chosen)} items, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    report(items, time.perf_counter() - start, compare)
    if args.save_results:
        args.save_results.write_text(json.dumps({str(i.index): i.verified_result for i in items if not i.error},
                                                indent=0, ensure_ascii=False))


if __name__ == "__main__":
    main()
