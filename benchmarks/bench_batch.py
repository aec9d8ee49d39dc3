"""chainsym batch on a generated grading set: throughput, overhead, memory and the Dask engine.

    python benchmarks/bench_batch.py                # 10,000 items (about an hour on 2 busy cores)
    python benchmarks/bench_batch.py --items 1000   # a quick look
    python benchmarks/bench_batch.py --write set.jsonl   # only write the grading set

The set: PROBLEMS below (36 questions: derivatives, second and third derivatives, values at a point,
gradients, Hessians, Jacobians, and plain derivations), each answered by many students, about 60 %
right (in several equivalent forms) and 40 % with a standard mistake; 2 % of the items are hostile
(tests/hostile.py). All timings in one run, each in a fresh process:

- "loop": the library called item by item in one process (chainsym.check for a claim, diff, grad,
  hessian or jacobian without one), no batch machinery at all;
- "1 worker", "2 workers": chainsym batch with the local engine;
- "dask 2": the same on a LocalCluster of 2 worker processes.

Reported: items/s, the speed-up of 2 workers over 1 (target ≥ 1.7×), the batch's per-item
overhead against the loop (1 worker against the loop, target ≤ 10 %), Dask's time against the
local engine's (target ≤ 1.5×), and the parent's peak memory (RSS) at two sizes of the input:
flat means the parent streams (it holds a window of results, never the file).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from hostile import HOSTILE  # noqa: E402

# (expr, fields, right answers, wrong answers)
PROBLEMS: list[tuple[str, dict[str, object], list[object], list[object]]] = [
    ("sin(x^2)", {}, ["2x cos(x^2)", "2*x*cos(x**2)"], ["cos(x^2)", "-2x cos(x^2)", "2x sin(x^2)"]),
    ("(2x+3)^2", {}, ["4(2x+3)", "8x + 12"], ["2(2x+3)", "4x + 6"]),
    ("exp(3x)", {}, ["3exp(3x)"], ["exp(3x)", "3x exp(3x - 1)"]),
    ("cos(x^2)", {}, ["-2x sin(x^2)"], ["2x sin(x^2)", "-sin(x^2)"]),
    ("x sin(x)", {}, ["sin(x) + x cos(x)"], ["cos(x)", "x cos(x)"]),
    ("ln(x^2 + 1)", {}, ["2x/(x^2 + 1)"], ["1/(x^2 + 1)", "2x/(x^2)"]),
    ("sqrt(1 + x^2)", {}, ["x/sqrt(1 + x^2)"], ["1/(2 sqrt(1 + x^2))"]),
    ("h = u^3 + 2u - 5; u = (x+1)^2", {}, ["(3u^2 + 2)(2x + 2)", "2(x+1)(3(x+1)^4 + 2)"],
     ["(3(x+1)^2 + 2)(2x + 2)", "(6x+10)(x+1)^2", "3u^2 + 2"]),
    ("tanh(2x)", {}, ["2(1 - tanh(2x)^2)"], ["1 - tanh(2x)^2"]),
    ("x + x^2", {}, ["1 + 2x"], ["2x"]),
    ("sin(x)^2", {}, ["sin(2x)", "2 sin(x) cos(x)"], ["2 sin(x)", "cos(x)^2"]),
    ("exp(sin(x))", {}, ["cos(x) exp(sin(x))"], ["exp(sin(x))", "exp(cos(x))"]),
    ("x^2 exp(-x)", {}, ["(2x - x^2) exp(-x)"], ["-2x exp(-x)", "2x exp(-x)"]),
    ("atan(x^2)", {}, ["2x/(1 + x^4)"], ["1/(1 + x^4)"]),
    ("sigmoid(2x)", {}, ["2 sigmoid(2x)(1 - sigmoid(2x))"], ["sigmoid(2x)(1 - sigmoid(2x))"]),
    ("ln(sin(x))", {}, ["cot(x)", "cos(x)/sin(x)"], ["1/sin(x)"]),
    ("(x^2 + 1)^3", {}, ["6x*(x^2 + 1)^2"], ["3(x^2 + 1)^2", "6x*(x^2 + 1)"]),
    ("z = x + y; y = x^2", {}, ["1 + 2x"], ["1", "2x"]),
    ("sin(x^2)", {"order": 2}, ["2cos(x^2) - 4x^2 sin(x^2)"], ["-4x^2 sin(x^2)", "-2x sin(x^2)"]),
    ("x^3 exp(x)", {"order": 2}, ["(x^3 + 6x^2 + 6x) exp(x)"], ["(3x^2 + 6x) exp(x)"]),
    ("ln(x)", {"order": 3}, ["2/x^3"], ["-2/x^3", "1/x^3"]),
    ("x^3", {"at": "x=2"}, ["12"], ["6", "8"]),
    ("sin(x^2)", {"at": "x=1"}, ["2cos(1)"], ["cos(1)"]),
    ("x^2*y + sin(y)", {"kind": "grad"}, [{"x": "2*x*y", "y": "x^2 + cos(y)"}],
     [{"x": "2*x*y", "y": "x^2"}, {"x": "2*x", "y": "x^2 + cos(y)"}]),
    ("exp(x*y)", {"kind": "grad"}, [{"x": "y exp(x y)", "y": "x exp(x y)"}], [{"x": "exp(x y)", "y": "exp(x y)"}]),
    ("(w*x + b - y)^2", {"kind": "grad", "wrt": "w,b"}, [{"w": "2x*(w x + b - y)", "b": "2(w x + b - y)"}],
     [{"w": "2(w x + b - y)", "b": "2(w x + b - y)"}]),
    ("x*y*z", {"kind": "grad"}, ["x: y z; y: x z; z: x y"], ["x: y z; y: x z; z: x"]),
    ("x^2*y", {"kind": "hessian"}, [[["2y", "2x"], ["2x", "0"]]], [[["2y", "2x"], ["2x", "2"]]]),
    ("sin(x*y)", {"kind": "hessian"},
     [[["-y^2 sin(x y)", "cos(x y) - x y sin(x y)"], ["cos(x y) - x y sin(x y)", "-x^2 sin(x y)"]]],
     [[["-y^2 sin(x y)", "-x y sin(x y)"], ["-x y sin(x y)", "-x^2 sin(x y)"]]]),
    ("x^3 + x*y^2", {"kind": "hessian"}, [[["6x", "2y"], ["2y", "2x"]]], [[["6x", "y"], ["y", "2x"]]]),
    ("[x*y, x - y]", {"kind": "jacobian"}, [[["y", "x"], ["1", "-1"]]], [[["y", "x"], ["1", "1"]]]),
    ("[sin(x*y), x^2 + y]", {"kind": "jacobian"}, [[["y cos(x y)", "x cos(x y)"], ["2x", "1"]]],
     [[["cos(x y)", "cos(x y)"], ["2x", "1"]]]),
    ("[exp(x), x*y*z]", {"kind": "jacobian"}, [[["exp(x)", "0", "0"], ["y z", "x z", "x y"]]],
     [[["exp(x)", "0", "0"], ["y z", "x z", "x"]]]),
    ("exp(x) sin(x)", {}, [None], []),
    ("(x - y)^2 + x*y", {"kind": "grad"}, [None], []),
    ("x^2*y^3", {"kind": "hessian"}, [None], []),
]
HOSTILE_SHARE = 0.02


def grading_set(n: int, seed: int = 14) -> list[dict[str, object]]:
    """n items: students answering the problems in turn, right 60 % of the time; 2 % hostile."""
    rng = random.Random(seed)
    items: list[dict[str, object]] = []
    for i in range(n):
        if rng.random() < HOSTILE_SHARE:
            items.append({"id": f"hostile-{i}", "expr": rng.choice(HOSTILE), "claim": rng.choice(["0", "x", "1/0"])})
            continue
        expr, fields, right, wrong = PROBLEMS[i % len(PROBLEMS)]
        claim = rng.choice(right) if not wrong or rng.random() < 0.6 else rng.choice(wrong)
        item: dict[str, object] = {"id": f"s{i // len(PROBLEMS):04d}-p{i % len(PROBLEMS):02d}", "expr": expr, **fields}
        if claim is not None:
            item["claim"] = claim
        items.append(item)
    return items


LOOP = r"""
import json, sys, time, resource
import chainsym
from chainsym.errors import ChainsymError
from chainsym.batch.job import _fields

def one(item):
    f = _fields(item)
    try:
        if f["claim"] is not None:
            return chainsym.check(f["expr"], f["claim"], f["wrt"], where=f["where"], order=f["order"], kind=f["kind"],
                                  at=f["at"])
        kind = f["kind"] or "diff"
        if kind == "diff" and f["order"] > 1:
            return chainsym.derivatives(f["expr"], f["wrt"], f["order"], where=f["where"], at=f["at"])
        call = {"diff": chainsym.diff, "grad": chainsym.grad, "hessian": chainsym.hessian}.get(kind)
        if call is None:
            return chainsym.jacobian(f["expr"], f["wrt"], at=f["at"])
        return call(f["expr"], f["wrt"], where=f["where"], at=f["at"])
    except (ChainsymError, RecursionError, MemoryError):
        return None

chainsym.diff("x")  # load SymPy before the clock starts, as a worker does
start = time.perf_counter()
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    one(json.loads(line))
    n += 1
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - start, "items": n, "rss_mb": usage.ru_maxrss / 1024,
                  "cpu": usage.ru_utime + usage.ru_stime}))
"""

BATCH = r"""
import json, sys, time, resource
from collections import Counter
import chainsym
from chainsym.batch.run import Batch

source, workers, engine, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
b = Batch(source, workers=workers, engine=engine)
counts = Counter()
start = None
with open(out, "w", encoding="utf-8") as f:
    for r in b.results():
        if start is None:  # from the first result: the workers' start-up (importing SymPy) is not per item
            start = time.perf_counter()
        counts[r.status] += 1
        f.write(r.line + "\n")
b = None  # the engine has stopped its workers: their CPU time is in RUSAGE_CHILDREN
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": time.perf_counter() - start, "items": sum(counts.values()) - 1, "counts": counts,
                  "rss_mb": me.ru_maxrss / 1024, "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime}))
"""


def child(script: str, *args: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--write", metavar="FILE", help="only write the grading set to FILE")
    parser.add_argument("--no-dask", action="store_true", help="leave out the Dask engine")
    args = parser.parse_args()
    items = grading_set(args.items)
    if args.write:
        Path(args.write).write_text("".join(json.dumps(i) + "\n" for i in items), "utf-8")
        return
    import chainsym

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "set.jsonl"
        source.write_text("".join(json.dumps(i) + "\n" for i in items), "utf-8")
        small = Path(tmp) / "small.jsonl"
        small.write_text("".join(json.dumps(i) + "\n" for i in items[: len(items) // 4]), "utf-8")
        out = str(Path(tmp) / "out.jsonl")
        print(f"python {sys.version.split()[0]}, chainsym {chainsym.__version__}, {os.cpu_count()} cores; "
              f"{len(items)} items, {len(PROBLEMS)} problems, {HOSTILE_SHARE:.0%} hostile; load average "
              f"{os.getloadavg()[0]:.1f}\n\n| run | items | wall s | items/s | CPU s (with workers) "
              "| parent peak RSS MB | statuses |\n|---|---|---|---|---|---|---|", flush=True)
        runs: dict[str, dict[str, object]] = {}
        for name, script, extra in [("loop", LOOP, ()), ("1 worker", BATCH, ("1", "local", out)),
                                    ("2 workers", BATCH, ("2", "local", out)),
                                    ("2 workers, 1/4 of the set", BATCH, ("2", "local", out)),
                                    *([] if args.no_dask else [("dask 2", BATCH, ("2", "dask", out))])]:
            path = small if "1/4" in name else source
            runs[name] = r = child(script, str(path), *extra)
            rate = float(r["items"]) / float(r["seconds"])  # type: ignore[arg-type]
            counts = r.get("counts", "")
            print(f"| {name} | {r['items']} | {float(r['seconds']):.1f} | {rate:.1f} | {float(r['cpu']):.0f} | "  # type: ignore[arg-type]
                  f"{float(r['rss_mb']):.0f} | {counts} |", flush=True)

        def per_item(name: str) -> float:
            return float(runs[name]["seconds"]) / float(runs[name]["items"])  # type: ignore[arg-type]

        print(f"\n2 workers / 1 worker: {per_item('1 worker') / per_item('2 workers'):.2f}x faster (target >= 1.7x)")
        overhead = per_item("1 worker") / per_item("loop") - 1
        cpu = float(runs["1 worker"]["cpu"]) / float(runs["loop"]["cpu"]) - 1  # type: ignore[arg-type]
        print(f"batch overhead per item, 1 worker against the loop: {overhead:+.1%} wall, {cpu:+.1%} CPU "
              f"(workers' start-up included; target <= 10%); load average now {os.getloadavg()[0]:.1f}")
        print(f"parent peak RSS: {runs['2 workers, 1/4 of the set']['rss_mb']:.0f} MB at {len(items) // 4} items, "
              f"{runs['2 workers']['rss_mb']:.0f} MB at {len(items)}")
        if "dask 2" in runs:
            ratio = per_item("dask 2") / per_item("2 workers")
            print(f"dask (LocalCluster, 2 workers) / local 2 workers: {ratio:.2f}x the time (target <= 1.5x)")


if __name__ == "__main__":
    main()
