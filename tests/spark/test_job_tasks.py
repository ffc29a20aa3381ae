"""The Databricks job's five tasks on local Spark, with the job's own arguments (backend spark,
a catalog and schema, the landing and state Volumes pointed here), through the job's entry
point: each returns normally, and together they build what one Spark `medallion run` does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medallion.engines.spark import SparkEngine
from medallion.generate import generate_landing
from medallion.job import main as job_main
from medallion.runner import run
from tests.bundle import BUNDLE, job_parameter_defaults, job_task_args, load_bundle
from tests.spark.conftest import spark_engine, spark_settings
from tests.warehouses import engine_differences

pytestmark = pytest.mark.slow


def test_the_jobs_tasks_build_the_warehouse_one_run_builds(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    generate_landing(landing, scale=0.01, seed=9, batches=1)
    reference = spark_settings(spark, tmp_path / "one-run", landing)
    monkeypatch.setenv("MEDALLION_AS_OF", reference.as_of.isoformat())
    assert run(reference).ok

    parameters = job_parameter_defaults(load_bundle(BUNDLE)) | {
        "catalog": "spark_catalog",
        "schema": "job",
        "landing": str(landing),
        "state": str(tmp_path / "state"),
    }
    tasks = job_task_args(BUNDLE, parameters)
    assert [key for key, _ in tasks] == ["ingest", "bronze", "silver", "gold", "test"]
    for _key, args in tasks:
        assert job_main(args) is None  # the active session: no master, no remote

    job = SparkEngine(spark, tmp_path / "state", catalog="spark_catalog", schema="job")
    assert job.count("gold", "fact_sales") > 0
    assert engine_differences(spark_engine(spark, reference), job, ("silver", "gold")) == {}
