"""The Databricks job's five tasks, run in order here on DuckDB with the job's own arguments:
ingest, the bronze gate, silver, gold and the final tests must end with the warehouse that
one `medallion run` builds. Splitting a run by layer must not lose or double anything."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from medallion.cli import main
from medallion.generate import generate_landing
from tests.bundle import BUNDLE, job_parameter_defaults, job_task_args, load_bundle, set_option
from tests.conftest import AS_OF
from tests.warehouses import table_differences

pytestmark = pytest.mark.slow
DATABASE = "medallion.duckdb"
# Dates every task the same way (the test command has no --as-of): results must not depend on
# the day the suite runs.
ENV = {"MEDALLION_AS_OF": AS_OF.isoformat(), "MEDALLION_BACKEND": None}


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    found = tmp_path_factory.mktemp("landing")
    generate_landing(found, scale=0.02, seed=5, batches=2)
    return found


def invoke(args: list[str]) -> tuple[int, str]:
    result = CliRunner(env=ENV).invoke(main, args)
    return result.exit_code, result.output


def local_tasks(landing: Path, warehouse: Path) -> list[tuple[str, list[str]]]:
    """The job's tasks with the job parameters pointing here, on DuckDB. The catalog and
    schema stay: every command accepts them, and DuckDB has no catalog to put them to use."""
    parameters = job_parameter_defaults(load_bundle(BUNDLE)) | {
        "landing": str(landing),
        "state": str(warehouse),
    }
    return [
        (key, set_option(args, "--backend", "duckdb"))
        for key, args in job_task_args(BUNDLE, parameters)
    ]


def gold_counts(database: Path) -> dict[str, int]:
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select table_name from duckdb_tables() where schema_name = 'gold' "
            "and not starts_with(table_name, '_') order by table_name"
        ).fetchall()
        counts: dict[str, int] = {}
        for (name,) in tables:
            row = con.execute(f'select count(*) from gold."{name}"').fetchone()
            counts[name] = row[0] if row else 0
        return counts


def run_job(tasks: list[tuple[str, list[str]]]) -> dict[str, str]:
    """Run the tasks in order as Databricks would (a failed task stops the job); each one's
    output."""
    outputs = {}
    for key, args in tasks:
        code, outputs[key] = invoke(args)
        assert code == 0, f"task {key}: medallion {' '.join(args)}\n{outputs[key]}"
    return outputs


@pytest.fixture(scope="module")
def job_run(landing: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A warehouse built by one run of the job's tasks, and each task's output."""
    warehouse = tmp_path_factory.mktemp("job") / "warehouse"
    tasks = local_tasks(landing, warehouse)
    assert [key for key, _ in tasks] == ["ingest", "bronze", "silver", "gold", "test"]
    return warehouse, run_job(tasks)


def test_the_jobs_tasks_build_what_one_run_builds(
    landing: Path, job_run: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    warehouse, outputs = job_run
    assert "Ingested batch 1" in outputs["ingest"]
    assert "contract checks and 0 data tests" in outputs["bronze"]  # bronze has contracts only
    assert re.search(r"contract checks and [1-9][0-9]* data tests", outputs["test"])
    counts = gold_counts(warehouse / DATABASE)
    assert counts.get("fact_sales", 0) > 0, counts
    assert all(rows > 0 for rows in counts.values()), counts

    single = tmp_path / "single"
    code, out = invoke(["run", "--landing", str(landing), "--warehouse", str(single)])
    assert code == 0, out
    assert gold_counts(single / DATABASE) == counts
    # Not only as many rows: the same rows (a quarantined row records the run that set it
    # aside, which differs when the layers are built in separate runs).
    differences = table_differences(
        warehouse / DATABASE, single / DATABASE, ignore=("_quarantined_run",)
    )
    assert differences == {}


def test_a_job_run_without_new_files_changes_nothing(
    landing: Path, job_run: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """What the nightly run does on a quiet night: every task succeeds and no table moves."""
    built, _ = job_run
    warehouse = tmp_path / "warehouse"
    shutil.copytree(built, warehouse)
    outputs = run_job(local_tasks(landing, warehouse))
    assert "No new files" in outputs["ingest"]
    layers = ("bronze", "silver", "gold")
    assert table_differences(warehouse / DATABASE, built / DATABASE, layers) == {}
