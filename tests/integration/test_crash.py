"""A run killed with SIGKILL at any point, then rerun, ends with the tables of a clean run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from medallion.config import Settings
from medallion.generate import generate_landing
from medallion.runner import run
from tests.conftest import AS_OF
from tests.warehouses import table_differences

pytestmark = pytest.mark.slow
DATABASE = "medallion.duckdb"


@pytest.fixture(scope="module")
def deliveries(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated landing data in two batch files per table."""
    out = tmp_path_factory.mktemp("generated")
    generate_landing(out, scale=0.02, seed=3, batches=2)
    return out


def land(deliveries: Path, landing: Path, batch: int) -> None:
    for path in deliveries.rglob(f"batch-{batch:04d}.csv"):
        target = landing / path.relative_to(deliveries)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def settings(landing: Path, warehouse: Path) -> Settings:
    return Settings(landing=landing, warehouse=warehouse, as_of=AS_OF)


@pytest.fixture(scope="module")
def clean(deliveries: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference: batch 1, then batch 2, with nothing killed."""
    root = tmp_path_factory.mktemp("clean")
    landing, warehouse = root / "landing", root / "warehouse"
    land(deliveries, landing, 1)
    run(settings(landing, warehouse))
    land(deliveries, landing, 2)
    run(settings(landing, warehouse))
    return warehouse / DATABASE


@pytest.mark.parametrize(
    "kill_at",
    [
        "ingest:file:3",  # three files read and held, nothing written yet
        "ingest:chunk",  # rows of a group of files appended, not yet committed
        "ingest:commit",  # the new files committed, no model built
        "build:silver",  # the first silver model built, nothing published
        "build:silver:4",
        "build:gold:3",
    ],
)
def test_killed_run_then_rerun_equals_a_clean_run(
    kill_at: str, deliveries: Path, clean: Path, tmp_path: Path
) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    land(deliveries, landing, 1)
    run(settings(landing, warehouse))
    land(deliveries, landing, 2)
    killed = subprocess.run(
        [
            *(sys.executable, "-m", "medallion", "run", "--landing", str(landing)),
            *("--warehouse", str(warehouse), "--as-of", AS_OF.isoformat()),
        ],
        env={**os.environ, "MEDALLION_KILL_AT": kill_at},
        capture_output=True,
        text=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr

    rerun = run(settings(landing, warehouse))
    assert rerun.ok

    # A file committed before the kill keeps the batch it was ingested in; the rest arrive
    # in the rerun's batch. So lineage batch ids may differ, and ingestion times always do.
    ignore = ("_ingested_at", "_batch_id")
    layers = ("bronze", "silver", "gold")
    assert table_differences(warehouse / DATABASE, clean, layers, ignore) == {}
