"""The pipeline through Spark Connect: a local Connect server started from the installed
PySpark on loopback, and `medallion run --spark-remote sc://...` as a user runs it, in a
process of its own (a Connect client cannot share a process with a classic SparkContext)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from medallion.config import Settings
from medallion.engines import connect
from medallion.generate import generate_landing
from medallion.metrics.execute import run_query
from medallion.runner import run
from tests.conftest import AS_OF, REPO
from tests.spark_connect import connect_available, connect_server

pytestmark = pytest.mark.slow


def medallion(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEDALLION_", "SPARK_"))}
    return subprocess.run(
        [sys.executable, "-m", "medallion", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )


def test_the_pipeline_runs_through_spark_connect(tmp_path: Path) -> None:
    reason = connect_available()
    if reason:
        pytest.skip(f"no local Spark Connect server: {reason}")
    landing = tmp_path / "landing"
    generate_landing(landing, scale=0.01, seed=4, batches=1)
    # The same files on DuckDB, to compare with (parity itself is test_parity's business).
    duck = Settings(landing=landing, warehouse=tmp_path / "duckdb", as_of=AS_OF)
    expected = run(duck)

    warehouse = tmp_path / "remote"
    with connect_server(tmp_path / "server") as url:
        target = ["--backend", "spark", "--spark-remote", url, "--warehouse", str(warehouse)]
        first = medallion("run", "--landing", str(landing), "--as-of", AS_OF.isoformat(), *target)
        assert first.returncode == 0, first.stdout + first.stderr
        record = json.loads((warehouse / "run_results.json").read_text())
        # A second client finds the server's tables and the ledger: nothing is read twice.
        again = medallion("run", "--landing", str(landing), "--as-of", AS_OF.isoformat(), *target)
        assert again.returncode == 0 and "No new files" in again.stdout, again.stderr
        query = medallion("metrics", "query", "units", "--format", "json", *target)
        assert query.returncode == 0, query.stderr

    assert record["status"] == "success" and record["backend"] == "spark"
    assert [(m["name"], m["rows"], m["rule_counts"]) for m in record["models"]] == [
        (m.name, m.rows, m.rule_counts) for m in expected.models
    ]
    assert {c["status"] for c in record["checks"]} <= {"pass", "warn"}
    with connect(duck) as engine:
        units = run_query(engine, ["units"]).to_pylist()
    assert json.loads(query.stdout) == units and units[0]["units"] > 0
