"""Hessians: chainsym's forward-over-reverse against sympy.hessian, on growing inputs, in one run.

Families: the product x1·…·xn (every second derivative nonzero) and the MLP loss of
benchmarks/families.py (d) with its weights as variables. Each timing runs in a forked child
bounded at LIMIT seconds with SymPy's cache cleared; chainsym's time is the Hessian without
verification (the gradient sweep, the gradient graph, one forward pass per variable, tidying).

    python benchmarks/bench_hessian.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import LIMIT, fmt, growth, ratio, timed  # noqa: E402
from families import c_product, d_mlp  # noqa: E402

import chainsym  # noqa: E402

FAMILIES = {"product x1*...*xn": (c_product, [5, 10, 20, 40]), "MLP loss, ~n weights": (d_mlp, [13, 25, 49, 97])}


def main() -> None:
    print(f"python {sys.version.split()[0]}, sympy {sp.__version__}; "
          f"each timing in a forked child, bounded at {LIMIT:.0f} s")
    header = ("variables", "gradient-graph nodes", "chainsym s", "growth", "sympy.hessian s", "growth",
              "sympy/chainsym")
    for title, (build, sizes) in FAMILIES.items():
        print(f"\n{title}\n| " + " | ".join(header) + " |\n|" + "---|" * len(header))
        previous = None
        for size in sizes:
            expr, variables = build(size)

            def ours(expr: sp.Expr = expr, variables: list[sp.Symbol] = variables) -> object:
                return len(chainsym.hessian(expr, variables, verify=False).gradient_graph.nodes)

            mine, nodes = timed(ours)
            theirs, _ = timed(lambda expr=expr, variables=variables: sp.hessian(expr, variables) and None)
            n = len(variables)
            g1 = growth(previous[1], mine, previous[0], n) if previous else ""
            g2 = growth(previous[2], theirs, previous[0], n) if previous else ""
            print(f"| {n} | {nodes} | {fmt(mine)} | {g1} | {fmt(theirs)} | {g2} | {ratio(theirs, mine)} |", flush=True)
            previous = (n, mine, theirs)


if __name__ == "__main__":
    main()
