"""The command line on Spark as a user meets it: `--backend spark` for every command that opens
a warehouse, the same answers as DuckDB, and one-line errors for bad Spark settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from medallion.cli import main
from medallion.generate import generate_landing

pytestmark = pytest.mark.slow


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    found = tmp_path_factory.mktemp("landing")
    generate_landing(found, scale=0.01, seed=3, batches=1)
    return found


def test_run_status_test_and_metrics_on_spark_match_duckdb(
    spark: Any, landing: Path, tmp_path: Path
) -> None:
    spark_target = ["--backend", "spark", "--schema", "cli", "--warehouse", str(tmp_path / "s")]
    duck_target = ["--warehouse", str(tmp_path / "d")]
    for target in (duck_target, spark_target):
        code, out = invoke("run", "--landing", str(landing), "--as-of", "2026-11-26", *target)
        assert code == 0, out
        assert "gold.fact_sales" in out and "pass" in out
    assert "(Spark tables cli_{bronze,silver,gold,meta})" in out

    code, out = invoke("status", *spark_target)
    assert code == 0 and "crm_sales_details" in out, out
    code, out = invoke("test", *spark_target)
    assert code == 0 and "contract checks" in out, out

    query = ["metrics", "query", "revenue", "orders", "--by", "country", "--format", "json"]
    answers = []
    for target in (duck_target, spark_target):
        code, out = invoke(*query, *target)
        assert code == 0, out
        answers.append(json.loads(out))
    assert answers[0] == answers[1] and len(answers[0]) > 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--spark-remote", "http://host:15002"],
            "Error: --spark-remote 'http://host:15002' is not a Spark Connect URL: use "
            "sc://host:port",
        ),
        (
            ["--spark-master", "local[1]", "--spark-remote", "sc://host:1"],
            "Error: --spark-master and --spark-remote both given: a session is either local or "
            "remote, pass one of them",
        ),
        (
            ["--schema", "prod-1"],
            "Error: --schema 'prod-1' is not a plain identifier: use letters, digits and _",
        ),
    ],
)
def test_bad_spark_settings_are_one_line_errors(
    tmp_path: Path, options: list[str], message: str
) -> None:
    code, out = invoke("status", "--backend", "spark", "--warehouse", str(tmp_path), *options)
    assert (code, out.strip().splitlines()) == (1, [message])


def test_missing_landing_on_spark_is_one_line_error(spark: Any, tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    code, out = invoke(
        "run",
        "--backend",
        "spark",
        "--schema",
        "nolanding",
        "--landing",
        str(missing),
        "--warehouse",
        str(tmp_path / "wh"),
    )
    assert (code, out.strip().splitlines()[-1]) == (
        1,
        f"Error: landing folder {missing} does not exist: pass --landing DIR",
    )
