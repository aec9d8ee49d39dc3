"""Load: chainsym serve under a bounded load, with and without hostile traffic (issue 16).

Two runs, each against a fresh `python -m chainsym serve` on a free loopback port (its defaults, or
--workers/--seconds): "ordinary" sends REQUESTS ordinary requests; "mixed" sends the same number with
a fraction HOSTILE replaced by hostile or over-limit ones, at seeded random places. CONCURRENCY
clients each hold one keep-alive HTTP/1.1 connection and send their next request when the last is
answered. Ordinary requests are what people and programs send: the page and its panel as one types,
API derivations (one variable, gradients at a point), checks of right and wrong answers, downloads.
Hostile ones cycle through: code injection, markup in every page field, nesting 5,000 deep, a
2**10**10, an input over the length limit, a body over the size limit, broken JSON, unknown fields,
a short expression whose derivation needs more memory than a worker has (x^x^x^x^x^x^x^x^x^x), and
a product of 299 sines, whose derivation runs past the time limit.

Per run: latency p50/p95/p99 (ordinary requests, and all), throughput, answers by status and error
kind, connection errors, the server's RSS (its process, and with its worker processes) before and
after, and the pool's counters. Then the verdicts: every request answered (no connection error, no
500), and the mixed run's ordinary p95 within 3x the ordinary run's. Exit 1 if one fails.

    python benchmarks/bench_serve.py [--requests 2000] [--concurrency 32] [--hostile 0.05]
                                     [--workers N] [--seconds S] [--seed 16]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
RATIO = 3.0
"""the mixed run's ordinary p95 may be at most this many times the ordinary run's"""

Request = tuple[str, str, str, bytes | None]
"""(kind, method, path, body)"""

EXPRESSIONS = ["sin(x+x^2)", "exp(-x^2/2)", "log(1+exp(x))", "tanh(3x+1)", "sqrt(x^2+1)", "x^3 - 2x + 1",
               "sin(x)cos(x)", "atan(1/x)", "x exp(x) sin(x)", "sigmoid(2x-1)", "(x^2+1)/(x-1)", "ln(x)/x"]
GRADIENTS = [("(w*x + b - y)^2", "w=2,b=1,x=3,y=5"), ("sigmoid(w*x+b)", "w=1/2,b=0,x=2"),
             ("x^2 y + sin(y)", "x=1,y=2"), ("relu(w*x+b)^2", "w=2,x=3,b=-1")]
SLOW = "*".join(f"sin({i}*x+{i})" for i in range(1, 300))
"""a product of 299 sines: its derivation runs past the default time limit (about 13 s unbounded)"""
CLAIMS = [("sin(x+x^2)", "cos(x+x^2)"), ("sin(x+x^2)", "(1+2x)cos(x+x^2)"), ("exp(x^2)", "2x exp(x^2)"),
          ("log(sin(x))", "1/sin(x)")]


def ordinary(rng: random.Random) -> Request:
    """One ordinary request: mostly what the page asks as one types, then the API."""
    roll = rng.random()
    expr = rng.choice(EXPRESSIONS)
    if roll < 0.35:
        return "page panel", "GET", "/part?" + urlencode({"expr": expr}), None
    if roll < 0.45:
        return "whole page", "GET", "/?" + urlencode({"expr": expr, "wrt": "x"}), None
    if roll < 0.70:
        return "api diff", "POST", "/api/diff", json.dumps({"expr": expr}).encode()
    if roll < 0.80:
        f, at = rng.choice(GRADIENTS)
        return "api gradient", "POST", "/api/diff", json.dumps({"expr": f, "wrt": "all", "at": at}).encode()
    if roll < 0.95:
        f, claim = rng.choice(CLAIMS)
        return "api check", "POST", "/api/check", json.dumps({"expr": f, "claim": claim}).encode()
    return "download", "GET", "/download/derivation.tex?" + urlencode({"expr": expr}), None


def hostile(i: int, max_body: int) -> Request:
    """The i-th hostile request, cycling through the kinds."""
    api = lambda body: ("POST", "/api/diff", json.dumps(body).encode())  # noqa: E731
    kinds: list[tuple[str, tuple[str, str, bytes | None]]] = [
        ("injection", api({"expr": "__import__('os').system('touch /tmp/chainsym-pwned')"})),
        ("markup", ("GET", "/?" + urlencode({"expr": "<script>alert(1)</script>", "claim": '"><img onerror=x>',
                                              "at": "<svg onload=alert(1)>"}), None)),
        ("deep", api({"expr": "(" * 5000 + "x" + ")" * 5000})),
        ("huge number", api({"expr": "2**10**10"})),
        ("too long", api({"expr": "x" * 100_001})),
        ("too large", ("POST", "/api/diff", b'{"expr": "' + b"x" * max_body + b'"}')),
        ("broken JSON", ("POST", "/api/check", b'{"expr": "x", "claim": ')),
        ("unknown field", api({"expr": "x", "__proto__": {"admin": True}})),
        ("memory hog", api({"expr": "x^x^x^x^x^x^x^x^x^x"})),
        ("past the time limit", api({"expr": SLOW})),
    ]
    kind, (method, path, body) = kinds[i % len(kinds)]
    return f"hostile: {kind}", method, path, body


def plan(n: int, fraction: float, seed: int, max_body: int) -> list[Request]:
    rng = random.Random(seed)
    requests = [ordinary(rng) for _ in range(n)]
    places = sorted(random.Random(seed + 1).sample(range(n), round(n * fraction)))
    for i, place in enumerate(places):
        requests[place] = hostile(i, max_body)
    return requests


class Server:
    def __init__(self, args: list[str]) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        self.process = subprocess.Popen([sys.executable, "-m", "chainsym", "serve", "--port", str(self.port), *args],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if self.get("/api/health")["status"] == "ok":
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the server did not start")

    def get(self, path: str) -> dict[str, object]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path)
            return json.loads(conn.getresponse().read())  # type: ignore[no-any-return]
        finally:
            conn.close()

    def rss(self) -> tuple[float, float]:
        """MiB: the server's own resident memory, and with every process under it (workers, fork server)."""
        tree = _descendants(self.process.pid)
        own = _rss(self.process.pid)
        return own, own + sum(_rss(p) for p in tree)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def _rss(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _descendants(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def outcome(status: int, body: bytes) -> str:
    """The answer's status and, for an error, its kind (and the limit reached)."""
    if status == 200 and b'<div id="panel" data-state="error"' in body:
        return "200 (an error, shown on the page)"
    if status < 400:
        return str(status)
    try:
        record = json.loads(body)["error"]
        limit = f" ({record['limit']})" if record.get("limit") else ""
        return f"{status} {record['kind']}{limit}"
    except (ValueError, KeyError, TypeError):
        return str(status)


def load(port: int, requests: list[Request], concurrency: int) -> tuple[list[tuple[str, str, float]], float]:
    """Send every request from `concurrency` clients; (kind, outcome, seconds) per request, and the wall time."""
    results: list[tuple[str, str, float]] = []
    lock = threading.Lock()
    queue = list(reversed(requests))

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if not queue:
                    break
                kind, method, path, body = queue.pop()
            headers = {"Content-Type": "application/json"} if body is not None else {}
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                reply = conn.getresponse()
                data = reply.read()
                said = outcome(reply.status, data)
                if reply.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                said = f"connection error: {type(exc).__name__}"
                conn.close()
            elapsed = time.perf_counter() - started
            with lock:
                results.append((kind, said, elapsed))
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started


def percentiles(values: list[float]) -> str:
    q = statistics.quantiles(values, n=100, method="inclusive")
    return f"p50 {q[49] * 1000:7.0f} ms   p95 {q[94] * 1000:7.0f} ms   p99 {q[98] * 1000:7.0f} ms"


def run(name: str, args: argparse.Namespace, fraction: float) -> dict[str, object]:
    server_args = ["--max-body", str(args.max_body)]
    if args.workers:
        server_args += ["--workers", str(args.workers)]
    if args.seconds:
        server_args += ["--limit", f"seconds={args.seconds}"]
    server = Server(server_args)
    try:
        requests = plan(args.requests, fraction, args.seed, args.max_body)
        load(server.port, [ordinary(random.Random(k)) for k in range(4 * args.concurrency)][:64], 8)  # warm-up
        before = server.rss()
        results, wall = load(server.port, requests, args.concurrency)
        time.sleep(0.5)
        after = server.rss()
        health = server.get("/api/health")
    finally:
        server.stop()
    plain = [t for kind, _, t in results if not kind.startswith("hostile")]
    outcomes = Counter(said for _, said, _ in results)
    print(f"\n## {name}: {len(results)} requests ({len(results) - len(plain)} hostile), {args.concurrency} "
          f"concurrent, {health['workers']} workers\n")
    print(f"ordinary  {percentiles(plain)}   ({len(plain)} requests)")
    print(f"all       {percentiles([t for _, _, t in results])}")
    print(f"throughput {len(results) / wall:.1f} requests/s ({wall:.1f} s)")
    print(f"server RSS: before {before[0]:.0f} MiB ({before[1]:.0f} MiB with its workers), "
          f"after {after[0]:.0f} MiB ({after[1]:.0f} MiB with its workers)")
    print("pool: " + ", ".join(f"{k} {v}" for k, v in health.items() if k not in ("status", "workers")))
    print("\nanswers:")
    for said, count in sorted(outcomes.items()):
        print(f"  {count:5d}  {said}")
    hostile_kinds = Counter((kind, said) for kind, said, _ in results if kind.startswith("hostile"))
    if hostile_kinds:
        print("hostile requests, answered:")
        for (kind, said), count in sorted(hostile_kinds.items()):
            print(f"  {count:5d}  {kind[9:]:22s} → {said}")
    return {"p95": statistics.quantiles(plain, n=100, method="inclusive")[94], "outcomes": outcomes,
            "answered": len(results) == args.requests}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--hostile", type=float, default=0.05, help="fraction of hostile requests in the mixed run")
    parser.add_argument("--workers", type=int, default=None, help="the server's workers (default: its own)")
    parser.add_argument("--seconds", type=float, default=None, help="the server's time limit (default: its own)")
    parser.add_argument("--max-body", type=int, default=512 * 1024)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    print(f"`python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; chainsym from "
          f"{ROOT}; client and server share the machine`")
    base = run("ordinary", args, 0.0)
    mixed = run("mixed", args, args.hostile)
    ratio = float(mixed["p95"]) / float(base["p95"])  # type: ignore[arg-type]
    failures = [said for said in (*base["outcomes"], *mixed["outcomes"])  # type: ignore[misc]
                if said.startswith(("connection error", "500"))]
    print("\n## verdicts\n")
    print(f"every request answered, none with a connection error or a 500: "
          f"{'yes' if not failures and base['answered'] and mixed['answered'] else 'NO: ' + ', '.join(failures)}")
    print(f"ordinary p95 with hostile traffic / without: {ratio:.2f} (at most {RATIO:g}: "
          f"{'yes' if ratio <= RATIO else 'NO'})")
    sys.exit(0 if not failures and ratio <= RATIO else 1)


if __name__ == "__main__":
    main()
