"""The Dask engine on a real LocalCluster of two worker processes: one is killed in the middle of
the batch, and every id still has exactly one result, in input order. Skipped where Dask
distributed is not installed (the test extras install it)."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import run
from test_batch import EXAMPLE, SLOWISH, rows

from chainsym.batch.run import Batch

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=logging.ERROR) as c:
        yield c


def test_a_worker_killed_mid_batch_loses_nothing(cluster: Any) -> None:
    b = Batch(SLOWISH, engine="dask", scheduler=cluster.scheduler_address, chunk=4)
    results = []
    for r in b.results():
        results.append(r)
        if len(results) == 3:
            pids = b.engine.client.run(os.getpid)  # type: ignore[union-attr]
            os.kill(sorted(pids.values())[0], signal.SIGKILL)
    assert [r.id for r in results] == [i["id"] for i in SLOWISH]
    lost = [r for r in results if r.status == "error"]
    assert len(lost) <= 1, [r.data["error"] for r in lost]
    assert {r.status for r in results} <= {"incorrect", "error"}


def test_same_results_as_the_local_engine(cluster: Any, runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "dask.jsonl"
    code, _, err = run(runner, "batch", str(EXAMPLE), "-o", str(out), "--engine", "dask", "--scheduler",
                       cluster.scheduler_address)
    assert (code, err) == (0, "")
    code, local, _ = run(runner, "batch", str(EXAMPLE), "--workers", "0")
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in rows(local)]
    assert [{k: v for k, v in r.items() if k != "seconds"} for r in rows(out.read_text("utf-8"))] == strip


def test_a_local_cluster_is_started_without_a_scheduler(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "expr": "x^2", "claim": "2x"}\n{"id": 2, "expr": "sin("}\n', "utf-8")
    code, out, err = run(runner, "batch", str(source), "--engine", "dask", "--workers", "1")
    assert (code, err) == (0, ""), err
    assert [(r["id"], r["status"]) for r in rows(out)] == [(1, "correct"), (2, "error")]
