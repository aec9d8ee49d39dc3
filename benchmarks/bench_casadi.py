"""chainsym's gradient of the MLP family against CasADi's SX reverse-mode gradient (issue 13: within 20x).

The MLP loss of benchmarks/families.py (d) at growing weight counts; per size, each timing in a
forked child bounded at LIMIT seconds with SymPy's cache cleared:

- chainsym: diff(f, weights, mode="reverse", verify=False), the whole symbolic gradient (graph,
  backpropagation, tidying) as SymPy expressions;
- the SymPy tree → casadi.SX conversion (a walk memoised on identity), reported on its own and
  excluded from CasADi's times: the SX expression is built before the children are forked;
- CasADi: casadi.gradient(f, w), its symbolic SX reverse-mode gradient, and that gradient plus a
  casadi.Function of it (what CasADi needs before it can evaluate anything);
- sympy.diff once per weight, for reference;
- the ratios chainsym / CasADi and the growth exponent log(t2/t1) / log(n2/n1) between
  consecutive sizes (n the actual weight count, 6H + 1; 1 = linear);
- agreement: both gradients at one random point (chainsym's evaluated by chainsym.numeric at 30
  digits, CasADi's by its Function in double precision), the largest relative difference.

CasADi is not a dependency: without it the benchmark says so and exits. Sizes 100, 300, 1000 and
3000 (3000 only when chainsym finished 1000 within LIMIT); --quick: 100, 300.

    pip install casadi
    python benchmarks/bench_casadi.py [--quick]
"""

from __future__ import annotations

import argparse
import functools
import operator
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import LIMIT, fmt, growth, ratio, timed  # noqa: E402
from families import d_mlp  # noqa: E402

import chainsym  # noqa: E402
from chainsym import numeric  # noqa: E402

try:
    import casadi
except ImportError:  # not a dependency
    casadi = None

SIZES = [100, 300, 1000, 3000]
QUICK = [100, 300]
SEED = 13
REPEAT = 0.5
"""CasADi's calls and the conversion take milliseconds: each child repeats one for this many seconds"""

if casadi is not None:
    FUNCTIONS: dict[type, Callable[[Any], Any]] = {
        sp.tanh: casadi.tanh, sp.sin: casadi.sin, sp.cos: casadi.cos, sp.exp: casadi.exp, sp.log: casadi.log,
    }


def _sx_node(node: sp.Basic, args: list[Any], symbols: dict[str, Any]) -> Any:
    if isinstance(node, sp.Symbol):
        if node.name not in symbols:
            symbols[node.name] = casadi.SX.sym(node.name)
        return symbols[node.name]
    if isinstance(node, sp.Rational):  # Integer too
        return casadi.SX(float(node))
    if isinstance(node, sp.Add):
        return functools.reduce(operator.add, args)
    if isinstance(node, sp.Mul):
        return functools.reduce(operator.mul, args)
    if isinstance(node, sp.Pow):
        exponent = node.exp
        if isinstance(exponent, sp.Integer):
            return casadi.constpow(args[0], int(exponent))
        return casadi.power(args[0], args[1])
    if type(node) in FUNCTIONS:
        return FUNCTIONS[type(node)](args[0])
    raise TypeError(f"no CasADi counterpart for {type(node).__name__}")


def to_sx(expr: sp.Expr, symbols: dict[str, Any]) -> Any:
    """expr as a casadi.SX, each distinct SymPy object (by identity) converted once, without
    recursion; symbols (name → SX symbol) is filled with the ones it meets."""
    memo: dict[int, Any] = {}
    stack: list[tuple[sp.Basic, bool]] = [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in memo:
            continue
        if node.args and not expanded:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if id(a) not in memo)
            continue
        memo[id(node)] = _sx_node(node, [memo[id(a)] for a in node.args], symbols)
    return memo[id(expr)]


def _inputs(expr: sp.Expr, weights: list[sp.Symbol]) -> list[sp.Symbol]:
    """The weights, then the other free symbols (the data x1..x4, y) by name."""
    chosen = set(weights)
    return weights + sorted((s for s in expr.free_symbols if s not in chosen), key=lambda s: s.name)


def agreement(expr: sp.Expr, weights: list[sp.Symbol]) -> float:
    """The largest relative difference between chainsym's and CasADi's gradients at a random point."""
    rng = random.Random(SEED)
    inputs = _inputs(expr, weights)
    point = {s: rng.uniform(-1, 1) for s in inputs}
    ours = chainsym.diff(expr, weights, mode="reverse", verify=False).results
    mine = [float(v) for v in numeric.evaluate_all(list(ours), point, dps=30)]
    symbols: dict[str, Any] = {}
    f = to_sx(expr, symbols)
    sx_inputs = casadi.vertcat(*(symbols[s.name] for s in inputs))
    g = casadi.gradient(f, casadi.vertcat(*(symbols[w.name] for w in weights)))
    theirs = casadi.Function("grad", [sx_inputs], [g])([point[s] for s in inputs]).full().ravel()
    worst = 0.0
    for a, b in zip(mine, theirs, strict=True):
        scale = max(abs(a), abs(b))
        if scale > 0:
            worst = max(worst, abs(a - b) / scale)
    return worst


def repeated(call: Callable[[], object]) -> Callable[[], int]:
    """Work that calls call until REPEAT seconds have passed (at least once) and returns how many
    times: a millisecond is timed as a mean, not as one noisy call."""
    def work() -> int:
        start, count = time.perf_counter(), 0
        while not count or time.perf_counter() - start < REPEAT:
            call()
            count += 1
        return count
    return work


def per_call(timing: tuple[float | str | None, object]) -> float | str | None:
    seconds, count = timing
    return seconds / count if isinstance(seconds, float) and isinstance(count, int) else seconds


def fine(t: float | str | None) -> str:
    """fmt, with 3 significant digits below a second: CasADi's times are milliseconds."""
    return f"{t:.3g}" if isinstance(t, float) and t < 1 else fmt(t)


def warm_up() -> None:
    """Both libraries' first calls, here before any fork: chainsym loads its modules on first use
    (~0.05 s), which no timing should include; SymPy's cache is cleared in each child anyway."""
    expr, weights = d_mlp(7)
    chainsym.diff(expr, weights, mode="reverse", verify=False)
    agreement(expr, weights)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes 100 and 300 only")
    args = parser.parse_args()
    if casadi is None:
        print("casadi is not installed (pip install casadi): nothing to compare against")
        return
    warm_up()
    print(f"python {sys.version.split()[0]}, sympy {sp.__version__}, casadi {casadi.__version__}; "
          f"each timing in a forked child, bounded at {LIMIT:.0f} s")
    print("\nd: MLP loss, gradient over ~n weights (reverse mode)")
    header = ("size", "weights", "chainsym s", "growth", "SymPy→SX s", "casadi gradient s", "growth",
              "casadi gradient+Function s", "chainsym/gradient", "chainsym/(gradient+Function)", "sympy.diff s",
              "growth", "max rel. difference")
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    previous: tuple[int, float | str | None, float | str | None, float | str | None] | None = None
    verdicts: list[tuple[int, float | str | None, float | str | None]] = []
    for size in QUICK if args.quick else SIZES:
        if size == 3000 and (previous is None or not isinstance(previous[1], float)):
            print(f"| {size} | | skipped: chainsym did not finish the previous size within {LIMIT:.0f} s |")
            break
        expr, weights = d_mlp(size)
        n = len(weights)
        ours, _ = timed(lambda expr=expr, weights=weights: chainsym.diff(
            expr, weights, mode="reverse", verify=False) and None)
        converting = per_call(timed(repeated(lambda expr=expr: to_sx(expr, {}))))
        symbols: dict[str, Any] = {}
        f = to_sx(expr, symbols)  # here, before forking: each child starts from the SX expression
        w = casadi.vertcat(*(symbols[v.name] for v in weights))
        sx_inputs = casadi.vertcat(*(symbols[s.name] for s in _inputs(expr, weights)))
        gradient = per_call(timed(repeated(lambda f=f, w=w: casadi.gradient(f, w))))
        compiled = per_call(timed(repeated(lambda f=f, w=w, sx_inputs=sx_inputs: casadi.Function(
            "grad", [sx_inputs], [casadi.gradient(f, w)]))))
        reference, _ = timed(lambda expr=expr, weights=weights: [sp.diff(expr, v) for v in weights] and None)
        _, difference = timed(lambda expr=expr, weights=weights: float(agreement(expr, weights)))
        g1 = growth(previous[1], ours, previous[0], n) if previous else ""
        g2 = growth(previous[2], gradient, previous[0], n) if previous else ""
        g3 = growth(previous[3], reference, previous[0], n) if previous else ""
        shown = f"{difference:.1e}" if isinstance(difference, float) else "-"
        row = (str(size), str(n), fmt(ours), g1, fine(converting), fine(gradient), g2, fine(compiled),
               ratio(ours, gradient), ratio(ours, compiled), fmt(reference), g3, shown)
        print("| " + " | ".join(row) + " |", flush=True)
        previous = (n, ours, gradient, reference)
        verdicts.append((n, ours, gradient))
    print("\nissue 13, chainsym within 20x CasADi's SX gradient:")
    for n, ours, gradient in verdicts:
        met = isinstance(ours, float) and isinstance(gradient, float) and ours <= 20 * gradient
        print(f"- {n} weights: {ratio(ours, gradient)} — {'met' if met else 'not met'}")


if __name__ == "__main__":
    main()
