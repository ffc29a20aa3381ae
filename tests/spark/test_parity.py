"""SPEC invariant 2 on Spark: every silver and gold table built on local Spark equals the
DuckDB one, row for row and type for type (surrogate keys, decimals, dates included); and
invariant 1, incremental = full refresh, holds on Spark too."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from medallion.config import Settings
from medallion.engines import connect
from medallion.generate import generate_landing
from medallion.runner import RunReport, run
from tests.conftest import AS_OF
from tests.spark.conftest import spark_settings
from tests.warehouses import engine_differences

pytestmark = pytest.mark.slow


def _same_outcomes(duck: RunReport, spark: RunReport) -> None:
    """Both engines applied the same rules to the same rows and judged the same checks."""
    assert duck.ok and spark.ok
    assert [(m.name, m.mode, m.rows, m.rule_counts) for m in spark.models] == [
        (m.name, m.mode, m.rows, m.rule_counts) for m in duck.models
    ]
    assert [(c.id, c.status, c.failures) for c in spark.checks] == [
        (c.id, c.status, c.failures) for c in duck.checks
    ]


@pytest.fixture(scope="module")
def reference_runs(
    spark: Any, reference_extract: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, Settings, RunReport, RunReport]:
    root = tmp_path_factory.mktemp("parity-reference")
    duck = Settings(landing=reference_extract, warehouse=root / "duckdb", as_of=AS_OF)
    on_spark = spark_settings(spark, root / "spark", reference_extract)
    return duck, on_spark, run(duck), run(on_spark)  # connect() finds the active session


@pytest.mark.reference
def test_reference_extract_builds_the_same_tables_on_spark(reference_runs) -> None:
    duck, on_spark, duck_report, spark_report = reference_runs
    _same_outcomes(duck_report, spark_report)
    assert spark_report.models[-1].rows > 0
    with connect(duck) as a, connect(on_spark) as b:
        # Bronze too: the same rows from the same bytes, read through Spark's file APIs.
        assert engine_differences(a, b, ("bronze", "silver", "gold"), ("_ingested_at",)) == {}


def test_generated_batches_match_duckdb_and_a_full_refresh(spark: Any, tmp_path: Path) -> None:
    """Three deliveries, each run on both engines: after every run the engines agree; then
    a full refresh of the Spark warehouse gives the same tables again (invariant 1)."""
    source, landing = tmp_path / "source", tmp_path / "landing"
    generate_landing(source, scale=0.01, seed=5, batches=3)
    duck = Settings(landing=landing, warehouse=tmp_path / "duckdb", as_of=AS_OF)
    on_spark = spark_settings(spark, tmp_path / "spark", landing)
    for batch in (1, 2, 3):
        for file in sorted(source.rglob(f"batch-{batch:04d}.csv")):
            target = landing / file.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(file, target)
        duck_report, spark_report = run(duck), run(on_spark)
        _same_outcomes(duck_report, spark_report)
        modes = {m.mode for m in spark_report.models}
        if batch == 1:
            assert modes == {"full"}
        else:  # small models whose inputs brought nothing new are left as they were
            assert "incremental" in modes and modes <= {"incremental", "diff", "unchanged"}, modes
        with connect(duck) as a, connect(on_spark) as b:
            assert engine_differences(a, b) == {}, f"after delivery {batch}"

    # The Spark warehouse rebuilt from all of bronze (batch ids kept) must still equal the
    # incremental DuckDB one, which equals the incremental Spark one (checked just above).
    refreshed = run(on_spark, full_refresh=True)
    assert refreshed.ok and {m.mode for m in refreshed.models} == {"full"}
    with connect(duck) as a, connect(on_spark) as b:
        assert engine_differences(a, b) == {}, "after a full refresh on Spark"
