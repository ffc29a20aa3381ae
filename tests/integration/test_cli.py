"""The command line as a user meets it: summaries, exit codes, one-line errors."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from medallion.cli import main
from medallion.config import DEFAULT_MEMORY_LIMIT, Settings
from medallion.engines import connect
from medallion.engines.duckdb import DuckDBEngine
from tests.integration.test_duckdb_engine import storage_version
from tests.integration.test_ingest import CUSTOMERS, write


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_run_prints_files_models_rules_and_timings(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write(landing, "crm/cust_info/data/a.csv", CUSTOMERS + ",AW9,No,Id,S,F,2020-01-01\n")
    code, out = invoke(
        "run",
        "--landing",
        str(landing),
        "--warehouse",
        str(tmp_path / "wh"),
        "--as-of",
        "2026-11-26",
    )
    assert code == 0, out
    assert "Ingested batch 1" in out and "crm_cust_info" in out
    assert "silver.crm_customers" in out and "gold.fact_orders" in out
    assert "dropped_blank_or_invalid_id" in out  # the row without cst_id
    assert "Time per step: ingest" in out
    code, out = invoke("run", "--landing", str(landing), "--warehouse", str(tmp_path / "wh"))
    assert code == 0 and "No new files (1 already ingested)" in out


def test_missing_landing_is_one_line_error(tmp_path: Path) -> None:
    code, out = invoke("run", "--landing", str(tmp_path / "missing"), "--warehouse", str(tmp_path))
    assert code == 1
    assert out.strip().splitlines() == [
        f"Error: landing folder {tmp_path / 'missing'} does not exist: pass --landing DIR"
    ]


def test_failed_file_makes_the_run_exit_1_after_the_others(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write(landing, "crm/cust_info/data/a.csv", CUSTOMERS)
    write(landing, "crm/cust_info/data/b.csv", "cst_key\nAW1\n")
    code, out = invoke("run", "--landing", str(landing), "--warehouse", str(tmp_path / "wh"))
    assert code == 1
    assert "crm/cust_info/data/b.csv: missing required column(s) cst_id" in out
    assert "gold.dim_customer" in out  # the good file was still built


def test_unknown_select_and_bad_as_of_are_one_line_errors(tmp_path: Path) -> None:
    code, out = invoke("run", "--landing", str(tmp_path), "--select", "gold.nope")
    assert code == 1 and out.startswith("Error: --select 'gold.nope' matches no layer or model")
    code, out = invoke("run", "--landing", str(tmp_path), "--as-of", "yesterday")
    assert (
        code == 1 and out.strip() == "Error: as-of date 'yesterday' is not a date: use YYYY-MM-DD"
    )


def test_status_lists_files_and_tables(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh"
    write(landing, "crm/cust_info/data/a.csv", CUSTOMERS)
    assert invoke("run", "--landing", str(landing), "--warehouse", str(warehouse))[0] == 0
    code, out = invoke("status", "--warehouse", str(warehouse))
    assert code == 0
    assert "crm_cust_info" in out and "crm_customers" in out and "fact_sales" in out


def test_status_without_warehouse_says_what_to_do(tmp_path: Path) -> None:
    code, out = invoke("status", "--warehouse", str(tmp_path / "none"))
    assert code == 1 and "run `medallion run --landing DIR` first" in out


def test_demo_generates_runs_and_reports_gold(tmp_path: Path) -> None:
    code, out = invoke("demo", "--dir", str(tmp_path), "--scale", "0.02")
    assert code == 0, out
    assert (tmp_path / "landing" / "crm" / "sales_details" / "data").is_dir()
    assert (tmp_path / "warehouse" / "medallion.duckdb").is_file()
    assert "Gold: " in out and " customers, " in out and "revenue" in out


def test_generate_writes_a_landing_zone_and_rejects_bad_arguments(tmp_path: Path) -> None:
    out_dir = tmp_path / "landing"
    code, out = invoke("generate", "--scale", "0.01", "--out", str(out_dir), "--batches", "2")
    assert code == 0, out
    assert len(list((out_dir / "crm" / "cust_info" / "data").glob("*.csv"))) == 2
    code, out = invoke("generate", "--scale", "0", "--out", str(tmp_path / "x"))
    assert code == 1 and out.startswith("Error: ") and len(out.strip().splitlines()) == 1


def test_memory_limit_reaches_duckdb_and_a_bad_one_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh"
    write(landing, "crm/cust_info/data/a.csv", CUSTOMERS)
    code, out = invoke("run", "--landing", str(landing), "--memory-limit", "lots")
    assert code == 1
    assert out.strip() == "Error: memory limit 'lots' is not a size: use e.g. 1GB, 512MB or 4GiB"
    monkeypatch.setenv("MEDALLION_MEMORY_LIMIT", "300MB")
    settings = Settings.from_env(landing=landing, warehouse=warehouse)
    with connect(settings) as engine:
        assert isinstance(engine, DuckDBEngine)
        [(value,)] = engine.con.con.execute("SELECT current_setting('memory_limit')").fetchall()
    assert value.replace(" ", "") == "286.1MiB"  # 300 MB, as DuckDB shows it
    assert Settings.from_env(landing=landing).memory_limit == "300MB"
    monkeypatch.delenv("MEDALLION_MEMORY_LIMIT")
    assert Settings.from_env(landing=landing).memory_limit == DEFAULT_MEMORY_LIMIT


def test_duckdb_storage_reaches_a_new_warehouse_and_a_bad_one_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    write(landing, "crm/cust_info/data/a.csv", CUSTOMERS)
    monkeypatch.setenv("MEDALLION_DUCKDB_STORAGE", "newest")
    code, out = invoke("run", "--landing", str(landing), "--warehouse", str(tmp_path / "a"))
    assert code == 1
    assert out.strip() == (
        "Error: DuckDB storage 'newest' is not known: choose one of compatible, latest"
    )
    monkeypatch.delenv("MEDALLION_DUCKDB_STORAGE")
    for name, option in (("compatible", []), ("latest", ["--duckdb-storage", "latest"])):
        warehouse = tmp_path / name
        code, out = invoke("run", "--landing", str(landing), "--warehouse", str(warehouse), *option)
        assert code == 0, out
    formats = {
        name: storage_version(tmp_path / name / "medallion.duckdb")
        for name in ("compatible", "latest")
    }
    assert formats["latest"] != formats["compatible"]
    assert formats["latest"].startswith("v" + ".".join(duckdb.__version__.split(".")[:2]))
