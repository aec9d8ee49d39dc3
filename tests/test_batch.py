"""chainsym batch: every status, the schema on every result, CSV and JSON Lines, duplicate ids,
isolation (hostile items, a worker killed mid-batch), resuming after a kill, the same output for
the same input, the progress bar and the library call. The Dask engine and the report are tested
in test_batch_dask.py and test_batch_report.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import run
from hostile import HOSTILE

import chainsym
from chainsym.batch import job
from chainsym.batch.progress import Progress
from chainsym.batch.run import Batch

EXAMPLE = Path(__file__).parent.parent / "examples" / "grading.jsonl"
EXPECTED = {
    "ana-1": "correct", "ben-1": "incorrect", "cal-1": "incorrect", "ana-2": "correct", "ben-2": "incorrect",
    "cal-2": "correct", "ana-3": "incorrect", "ben-3": "correct", "ana-4": "incorrect", "ben-4": "correct",
    "ana-5": "correct", "ben-5": "incorrect", "ana-6": "correct", "ana-7": "incorrect", "ana-8": "correct",
    "ana-9": "correct", "ben-9": "incorrect", "table-1": "derived", "typo-1": "error", "huge-1": "limit",
}
PYTHON = [sys.executable, "-m", "chainsym"]
ENV = {**os.environ, "PYTHONPATH": str(Path(chainsym.__file__).resolve().parents[1])}


@cache
def validator() -> jsonschema.protocols.Validator:
    schema = job.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def rows(text: str) -> list[dict[str, Any]]:
    out = [json.loads(line) for line in text.splitlines() if line.strip()]
    for row in out:
        validator().validate(row)
    return out


def without_seconds(text: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in rows(text)]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The README's example, through the command line with two worker processes."""
    out = tmp_path_factory.mktemp("example") / "results.jsonl"
    done = subprocess.run([*PYTHON, "batch", str(EXAMPLE), "-o", str(out), "--workers", "2"], capture_output=True,
                          text=True, env=ENV, timeout=300)
    assert (done.returncode, done.stderr) == (0, "")
    return rows(out.read_text("utf-8"))


def test_example_gives_every_status(example: list[dict[str, Any]]) -> None:
    assert [r["id"] for r in example] == list(EXPECTED)  # input order, each id once
    assert {r["id"]: r["status"] for r in example} == EXPECTED
    assert {r["status"] for r in example} == {"correct", "incorrect", "derived", "error", "limit"}


def test_example_diagnoses(example: list[dict[str, Any]]) -> None:
    by = {r["id"]: r for r in example}
    assert by["ben-1"]["diagnosis"]["kind"] == "chain rule dropped"
    # (2x+3)^2 claimed as 2(2x+3): two chain rules dropped reproduce it, so the diagnosis is ambiguous
    assert by["ben-2"]["ambiguous"] and by["ben-2"]["diagnosis"] is None
    assert [(d["kind"], d["node"]) for d in by["ben-2"]["diagnoses"]] == [("chain rule dropped", "u2"),
                                                                         ("chain rule dropped", "u3")]
    assert by["ana-3"]["diagnosis"]["kind"] == "wrong inner value"
    assert by["ana-4"]["wrong"] == ["∂f/∂y"] and by["ana-4"]["diagnosis"]["entry"] == "∂f/∂y"
    assert "the path through u3 is missing at u4" in by["ana-4"]["diagnosis"]["message"]
    assert by["ben-5"]["wrong"] == ["∂²f/∂y²"]
    assert by["ana-7"]["diagnosis"]["kind"] == "product rule misapplied"
    assert by["ben-9"]["counterexample"]["point"] == {"x": "2"} and by["ben-9"]["value"] == "12.0"
    assert by["typo-1"]["error"]["type"] == "ParseError"
    assert by["huge-1"]["error"]["limit"] == "max_constant_digits"
    assert by["table-1"]["derivative"] == "(sin(x) + cos(x))*exp(x)" or "exp(x)" in by["table-1"]["derivative"]
    assert by["ana-5"]["derivative"] == [["2*y", "2*x"], ["2*x", "0"]]
    assert by["ana-4"]["derivative"] == {"x": "2*x*y", "y": "x**2 + cos(y)"}


def test_same_input_same_output(example: list[dict[str, Any]], runner: CliRunner) -> None:
    """In this process, one item after another, the lines are those of two workers (bar the time taken)."""
    code, out, err = run(runner, "batch", str(EXAMPLE), "--workers", "0")
    assert (code, err) == (0, "")
    assert without_seconds(out) == [{k: v for k, v in r.items() if k != "seconds"} for r in example]


def test_library_call_matches_the_command(example: list[dict[str, Any]]) -> None:
    items = [json.loads(line) for line in EXAMPLE.read_text("utf-8").splitlines()]
    results = list(chainsym.batch(items[:3], workers=0))
    assert [(r.id, r.status) for r in results] == [("ana-1", "correct"), ("ben-1", "incorrect"),
                                                    ("cal-1", "incorrect")]
    assert [r.data["derivative"] for r in results] == [r["derivative"] for r in example[:3]]
    assert str(results[1]) == "ben-1: incorrect"


CSV = """id,expr,wrt,kind,order,claim
c1,sin(x^2),,,,2x cos(x^2)
c2,x^2*y + sin(y),,grad,,"x: 2*x*y; y: x^2"
c3,"x^2*y",,hessian,,"[[2*y, 2*x], [2*x, 0]]"
c4,x^3,x,,2,6x
c5,"x y",y,,,
c6,sin(,,,,
"""


def test_csv(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text(CSV, encoding="utf-8")
    code, out, err = run(runner, "batch", str(tmp_path / "in.csv"), "--workers", "0")
    assert (code, err) == (0, "")
    got = {r["id"]: (r["status"], r["line"]) for r in rows(out)}
    assert got == {"c1": ("correct", 2), "c2": ("incorrect", 3), "c3": ("correct", 4), "c4": ("correct", 5),
                   "c5": ("derived", 6), "c6": ("error", 7)}


def test_csv_and_jsonl_from_standard_input(runner: CliRunner) -> None:
    jsonl = '{"id": "j1", "expr": "x^2", "claim": "2x"}\n'
    code, out, _ = run(runner, "batch", "-", "--workers", "0", input=jsonl)
    assert code == 0 and [r["status"] for r in rows(out)] == ["correct"]
    code, out, _ = run(runner, "batch", "-", "--workers", "0", input="id,expr,claim\nk1,x^2,2x\n")
    assert code == 0 and [(r["id"], r["status"]) for r in rows(out)] == [("k1", "correct")]


def test_duplicate_ids_stop_before_any_work(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "expr": "x"}\n{"id": "b", "expr": "x"}\n{"id": "a", "expr": "x^2"}\n', "utf-8")
    code, out, err = run(runner, "batch", str(source), "-o", str(tmp_path / "out.jsonl"))
    assert (code, out) == (2, "")
    assert err == "chainsym: error: duplicate ids in the input: 'a' (lines 1 and 3); every item needs its own id\n"
    assert not (tmp_path / "out.jsonl").exists()
    with pytest.raises(chainsym.UsageError, match="duplicate ids"):
        chainsym.batch([{"id": 1, "expr": "x"}, {"id": "1", "expr": "x"}])


MALFORMED = [
    ("not json", "line 1", "error", "InputError", "the line is not JSON"),
    ("[1, 2]", "line 2", "error", "InputError", "not an object"),
    ('{"expr": "x^2"}', "line 3", "error", "InputError", "the item has no id"),
    ('{"id": "u", "expr": "x", "clam": "1"}', "u", "error", "InputError", "unknown field 'clam'"),
    ('{"id": "t", "expr": 42}', "t", "error", "InputError", "expr must be text"),
    ('{"id": "k", "expr": "x", "kind": "curl"}', "k", "error", "InputError", "kind must be one of"),
    ('{"id": "o", "expr": "x", "order": 0}', "o", "error", "InputError", "order must be a whole number"),
    ('{"id": "w", "expr": "x y"}', "w", "error", "UsageError", "several variables (x, y): choose with wrt"),
    ('{"id": "g", "expr": "x y", "claim": {"x": "y"}}', "g", "error", "UsageError", "claim gives no entry for y"),
    ('{"id": "m", "expr": "x y", "kind": "hessian", "claim": [["0"]]}', "m", "error", "UsageError", "is 1x1"),
    ('{"id": "big", "expr": "' + "x+" * 60_000 + 'x"}', "big", "limit", "LimitError", "max_length"),
    ('{"id": "huge", "expr": "' + "x" * 17_000_000 + '"}', "huge", "limit", "LimitError", "line is longer than"),
    ('{"expr": "' + "x" * 17_000_000 + '", "id": 7}', "line 13", "limit", "LimitError", "line is longer than"),
]


def test_malformed_items_each_get_a_result(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(line for line, *_ in MALFORMED) + "\n", "utf-8")
    code, out, err = run(runner, "batch", str(source), "--workers", "0")
    assert (code, err) == (0, "")
    got = rows(out)
    assert [r["id"] for r in got] == [ident for _, ident, *_ in MALFORMED]
    for r, (_, _, status, kind, message) in zip(got, MALFORMED, strict=True):
        assert (r["status"], r["error"]["type"]) == (status, kind), r
        assert message in r["error"]["message"], r["error"]["message"]


def test_hostile_items_in_worker_processes(tmp_path: Path) -> None:
    """Every hostile input of the CLI tests, as a batch: each an error or limit result, nothing
    lost, no canary written, the batch finished."""
    items = [{"id": f"h{i}", "expr": text} for i, text in enumerate(HOSTILE)]
    items += [{"id": f"c{i}", "expr": "sin(x)", "claim": text} for i, text in enumerate(HOSTILE[:60])]
    results = list(chainsym.batch(items, workers=2, limits=chainsym.Limits(seconds=20)))
    assert [r.id for r in results] == [i["id"] for i in items]
    for r in results:
        validator().validate(r.data)
    assert {r.status for r in results if r.id.startswith("h")} <= {"error", "limit", "derived"}
    assert sum(r.status == "derived" for r in results) <= 3  # e.g. "x . y" is refused, "x # comment" too
    assert not Path("/tmp/chainsym-canary-must-not-exist").exists()


def _workers_of(parent: int) -> list[int]:
    """The worker processes a process started (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"chainsym.batch.worker" in cmdline:
                found.append(int(entry.name))
    return found


SLOWISH = [{"id": f"s{i}", "expr": f"sin(x^{i % 7 + 2}) * exp({i % 5 + 1}x)", "claim": f"cos(x^{i % 7 + 2})"}
           for i in range(24)]


def test_a_worker_killed_mid_batch_costs_one_item() -> None:
    b = Batch(SLOWISH, workers=2, chunk=4)
    results = []
    for r in b.results():
        results.append(r)
        if len(results) == 3:
            assert b.engine is not None
            os.kill(b.engine.pids()[0], signal.SIGKILL)  # type: ignore[attr-defined]
    assert [r.id for r in results] == [i["id"] for i in SLOWISH]
    lost = [r for r in results if r.status == "error"]
    assert len(lost) <= 1 and all(r.data["error"]["type"] == "WorkerLost" for r in lost)
    assert "signal SIGKILL" in lost[0].data["error"]["message"] if lost else True
    assert {r.status for r in results} <= {"incorrect", "error"}


def test_resume_after_a_kill(tmp_path: Path) -> None:
    """Kill the whole command mid-run (and leave a half-written line): --resume completes the file,
    every id exactly once, the same results as a run never interrupted."""
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(json.dumps(i) + "\n" for i in SLOWISH), "utf-8")
    proc = subprocess.Popen([*PYTHON, "batch", str(source), "-o", str(out), "--workers", "1"], env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or out.read_text("utf-8").count("\n") < 5):
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    for pid in _workers_of(proc.pid):  # orphaned workers end when their input closes; be sure
        os.kill(pid, signal.SIGKILL)
    first = out.read_text("utf-8").count("\n")
    assert 5 <= first < len(SLOWISH)
    with out.open("a", encoding="utf-8") as f:
        f.write('{"schema": "chainsym.batch", "id": "s3')  # a crash in the middle of a line
    done = subprocess.run([*PYTHON, "batch", str(source), "-o", str(out), "--resume", "--workers", "1"], env=ENV,
                          capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stderr) == (0, "")
    got = rows(out.read_text("utf-8"))
    assert sorted(r["id"] for r in got) == sorted(i["id"] for i in SLOWISH)
    assert [r["id"] for r in got] == [i["id"] for i in SLOWISH]  # in input order, as the first run wrote them
    code, again, _ = run(CliRunner(), "batch", str(source), "--workers", "0")
    assert without_seconds(out.read_text("utf-8")) == without_seconds(again)


def test_resume_needs_an_output_of_results(runner: CliRunner, tmp_path: Path) -> None:
    assert run(runner, "batch", str(EXAMPLE), "--resume")[2].startswith("chainsym: error: --resume needs -o FILE")
    bogus = tmp_path / "out.jsonl"
    bogus.write_text("hello\n", "utf-8")
    code, _, err = run(runner, "batch", str(EXAMPLE), "-o", str(bogus), "--resume")
    assert code == 2 and "is not a file of batch results" in err


def test_progress_only_on_a_terminal() -> None:
    import io

    stream = io.StringIO()
    bar = Progress(10, stream)
    for status in ["correct"] * 3 + ["incorrect", "limit"]:
        bar.add(status)
    bar.close()
    last = stream.getvalue().split("\r\x1b[K")[-1]
    assert last.startswith("[############............] 5/10 ") and "/s ETA " in last
    assert last.rstrip().endswith("correct 3 incorrect 1 limit 1")
    assert Progress(10, None).line().startswith("[........................] 0/10")


def test_bad_options(runner: CliRunner, tmp_path: Path) -> None:
    assert run(runner, "batch", str(tmp_path / "missing.jsonl"))[0] == 2
    code, _, err = run(runner, "batch", str(EXAMPLE), "--scheduler", "tcp://127.0.0.1:1")
    assert code == 2 and "--scheduler is for the dask engine" in err
    code, _, err = run(runner, "batch", str(EXAMPLE), "--report", "r.pdf")
    assert code == 2 and "a report is .html or .md" in err
    (tmp_path / "h.csv").write_text("id,expression\n1,x\n", "utf-8")
    code, _, err = run(runner, "batch", str(tmp_path / "h.csv"))
    assert code == 2 and "the CSV header must name the fields" in err


@pytest.mark.slow
def test_a_thousand_generated_items(tmp_path: Path) -> None:
    """The benchmark's grading set, 1,000 items of every kind (2 % hostile), with two workers: every
    result valid, every id once, in order, and the same as in one process."""
    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    from bench_batch import grading_set

    items = grading_set(1000)
    results = list(chainsym.batch(items, workers=2))
    assert [r.id for r in results] == [i["id"] for i in items]
    for r in results:
        validator().validate(r.data)
    assert {r.status for r in results} >= {"correct", "incorrect", "derived", "error"}
    alone = list(chainsym.batch(items, workers=0))
    assert [{**r.data, "seconds": 0} for r in results] == [{**r.data, "seconds": 0} for r in alone]
