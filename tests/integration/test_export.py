"""Exported gold files read back equal to gold; a failed export leaves the folder as it was."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from medallion.cli import main
from medallion.config import Settings
from medallion.engines import connect
from medallion.engines.duckdb import DuckDBEngine
from medallion.export import export_tables
from medallion.generate import generate_landing
from medallion.runner import run
from tests.conftest import AS_OF

GOLD = (
    "customer_keys",
    "dim_customer",
    "dim_date",
    "dim_location",
    "dim_product",
    "fact_orders",
    "fact_sales",
    "location_keys",
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("export")
    generate_landing(root / "landing", scale=0.05, seed=5, batches=2)
    settings = Settings(landing=root / "landing", warehouse=root / "wh", as_of=AS_OF)
    assert run(settings).ok
    return settings


def test_parquet_export_reads_back_equal_to_gold(warehouse: Settings, tmp_path: Path) -> None:
    out = tmp_path / "bi"
    result = CliRunner().invoke(
        main, ["export", "--warehouse", str(warehouse.warehouse), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{t}.parquet" for t in GOLD] + ["manifest.json"]
    )
    manifest = json.loads((out / "manifest.json").read_text())
    with connect(warehouse) as engine:
        for table in GOLD:
            gold = engine.to_arrow(engine.table("gold", table))
            exported = pq.read_table(out / f"{table}.parquet")
            assert exported.schema == gold.schema, table  # decimals, dates, ints kept
            keys = [(c, "ascending") for c in gold.column_names]
            assert exported.sort_by(keys).equals(gold.sort_by(keys)), table
            assert manifest["tables"][f"{table}.parquet"]["rows"] == gold.num_rows


def test_csv_export_has_a_header_and_every_row(warehouse: Settings, tmp_path: Path) -> None:
    report = export_tables(warehouse, tmp_path, file_format="csv")
    with connect(warehouse) as engine:
        for table in GOLD:
            with (tmp_path / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
                rows = list(csv.reader(handle))
            assert tuple(rows[0]) == engine.table("gold", table).columns
            assert len(rows) - 1 == engine.count("gold", table) == report.tables[f"{table}.csv"]
    with (tmp_path / "fact_sales.csv").open(newline="", encoding="utf-8") as handle:
        prices = [r["price"] for r in csv.DictReader(handle) if r["price"]]
    assert prices and all(len(p.split(".")[1]) == 2 for p in prices)  # money as 2-place text


def test_a_failed_export_leaves_the_folder_as_it_was(
    warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export_tables(warehouse, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    written: list[str] = []
    original = DuckDBEngine.write_file

    def fail_third(self: DuckDBEngine, expr, path: Path, file_format: str) -> None:  # type: ignore[no-untyped-def]
        written.append(path.name)
        if len(written) == 3:
            raise OSError("disk full")
        original(self, expr, path, file_format)

    monkeypatch.setattr(DuckDBEngine, "write_file", fail_third)
    with pytest.raises(OSError, match="disk full"):
        export_tables(warehouse, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no temp folder left


def test_export_errors_are_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["export", "--warehouse", str(tmp_path), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: no warehouse at {tmp_path / 'medallion.duckdb'}: run `medallion run` first "
        "or pass --warehouse"
    )
