"""Ingestion from a landing folder: exactly once, bad input reported, nothing lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from medallion.config import Settings
from medallion.engines.duckdb import DuckDBEngine
from medallion.errors import LandingError
from medallion.generate import generate_landing
from medallion.ingest import ingest, load
from medallion.runner import run
from tests.conftest import AS_OF
from tests.warehouses import table_differences

CUSTOMERS = (
    "cst_id,cst_key,cst_firstname,cst_lastname,cst_marital_status,cst_gndr,cst_create_date\n"
    "1,AW1,Ann,Lee,S,F,2020-01-01\n"
    "2,AW2,Bob,Ray,M,M,2020-01-02\n"
)


def write(landing: Path, rel: str, text: str | bytes) -> Path:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def ingest_only(landing: Path, warehouse: Path):
    return run(
        Settings(landing=landing, warehouse=warehouse, as_of=AS_OF), select_=["bronze"]
    ).ingest


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse / "medallion.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_missing_landing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LandingError, match="does not exist"):
        ingest_only(tmp_path / "nope", tmp_path / "wh")


def test_second_run_skips_ingested_files(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh"
    write(landing, "crm/cust_info/data/a.csv", CUSTOMERS)
    first = ingest_only(landing, warehouse)
    assert first.batch_id == 1 and [f.rows for f in first.files] == [2]
    second = ingest_only(landing, warehouse)
    assert second.batch_id is None and second.skipped == 1 and not second.files
    assert rows(warehouse, "select count(*) from bronze.crm_cust_info") == [(2,)]
    # Other bytes than a.csv: a byte-identical copy would be skipped as a duplicate.
    write(landing, "crm/cust_info/data/b.csv", CUSTOMERS.replace("Ann", "Anne"))
    third = ingest_only(landing, warehouse)
    assert third.batch_id == 2 and [f.path for f in third.files] == ["crm/cust_info/data/b.csv"]
    assert rows(
        warehouse, "select _batch_id, count(*) from bronze.crm_cust_info group by 1 order by 1"
    ) == [(1, 2), (2, 2)]


def test_bronze_rows_carry_file_row_and_batch(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh"
    write(landing, "crm/cust_info/data/a.csv", CUSTOMERS)
    ingest_only(landing, warehouse)
    assert rows(
        warehouse,
        "select cst_id, cst_firstname, _source_file, _source_row, _batch_id "
        "from bronze.crm_cust_info order by _source_row",
    ) == [
        ("1", "Ann", "crm/cust_info/data/a.csv", 1, 1),
        ("2", "Bob", "crm/cust_info/data/a.csv", 2, 1),
    ]


def test_unknown_table_folder_is_ignored_with_a_warning(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh"
    write(landing, "crm/cust_info/data/a.csv", CUSTOMERS)
    write(landing, "crm/invoices/data/x.csv", "id\n1\n")
    report = ingest_only(landing, warehouse)
    assert [f.path for f in report.files] == ["crm/cust_info/data/a.csv"]
    assert any("crm/invoices/data/x.csv" in w and "ignored" in w for w in report.warnings)


def test_missing_required_column_fails_that_file_only(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh"
    write(landing, "crm/cust_info/data/a.csv", CUSTOMERS)
    write(landing, "crm/cust_info/data/b.csv", "cst_key,cst_firstname\nAW9,Zed\n")
    write(landing, "erp/loc_a101/data/loc.csv", "CID,CNTRY\nAW-1,DE\n")
    report = run(Settings(landing=landing, warehouse=warehouse, as_of=AS_OF))
    assert not report.ok
    [failed] = report.ingest.failed
    assert failed.path == "crm/cust_info/data/b.csv"
    assert "crm/cust_info/data/b.csv" in failed.message and "cst_id" in failed.message
    assert rows(warehouse, "select count(*) from bronze.crm_cust_info") == [(2,)]
    assert rows(warehouse, "select count(*) from bronze.erp_loc_a101") == [(1,)]
    # The good files still reached gold.
    assert rows(warehouse, "select count(*) from gold.dim_customer where customer_key > 0") == [
        (2,)
    ]
    assert rows(warehouse, "select status from meta.file_ledger where path like '%b.csv'") == [
        ("failed",)
    ]


def test_missing_optional_column_is_null_and_new_column_is_added(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh"
    write(landing, "erp/loc_a101/data/1.csv", "CID,CNTRY\nAW-1,DE\n")
    write(landing, "erp/loc_a101/data/2.csv", "CntryCode,CID,Region\nUS,AW-2,West\n")
    report = ingest_only(landing, warehouse)
    assert "cntry" in (report.files[1].message or "") and "region" in (
        report.files[1].message or ""
    )
    assert rows(
        warehouse, "select cid, cntry, cntry_code, region from bronze.erp_loc_a101 order by cid"
    ) == [("AW-1", "DE", None, None), ("AW-2", None, "US", "West")]


def test_bad_rows_are_quarantined_and_every_row_is_accounted_for(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh"
    text = (
        b"CID,CNTRY\n"
        b"AW-1,DE\n"
        b"\n"  # blank line: skipped, but numbered
        b"AW-2,US,extra\n"  # wrong field count
        b"AW-3,\xff\xfe\n"  # undecodable bytes
        b"AW-4,FR\r\n"
    )
    write(landing, "erp/loc_a101/data/loc.csv", text)
    [outcome] = ingest_only(landing, warehouse).files
    assert (outcome.rows, outcome.quarantined) == (2, 2)
    assert rows(warehouse, "select cid, _source_row from bronze.erp_loc_a101 order by 2") == [
        ("AW-1", 1),
        ("AW-4", 5),
    ]
    quarantined = rows(
        warehouse,
        "select table_name, _source_file, _source_row, raw_text, reason from bronze.quarantine "
        "order by _source_row",
    )
    assert [(q[0], q[1], q[2]) for q in quarantined] == [
        ("erp_loc_a101", "erp/loc_a101/data/loc.csv", 3),
        ("erp_loc_a101", "erp/loc_a101/data/loc.csv", 4),
    ]
    assert (
        quarantined[0][3] == "AW-2,US,extra" and "expected 2 fields, found 3" in quarantined[0][4]
    )
    assert "undecodable" in quarantined[1][4]
    data_rows = 5 - 1  # five data lines, one blank
    assert outcome.rows + outcome.quarantined == data_rows
    assert rows(warehouse, "select blank_lines from meta.file_ledger") == [(1,)]


def test_empty_and_header_only_files_are_recorded(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh"
    write(landing, "erp/loc_a101/data/empty.csv", "")
    write(landing, "erp/loc_a101/data/header.csv", "CID,CNTRY\n")
    report = ingest_only(landing, warehouse)
    assert sorted((f.path.rsplit("/", 1)[1], f.status, f.rows) for f in report.files) == [
        ("empty.csv", "empty", 0),
        ("header.csv", "ingested", 0),
    ]
    assert ingest_only(landing, warehouse).skipped == 2


def test_header_that_is_not_utf8_rejects_the_file(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh"
    write(landing, "erp/loc_a101/data/bad.csv", b"C\xffID,CNTRY\nAW-1,DE\n")
    [outcome] = ingest_only(landing, warehouse).files
    assert outcome.status == "failed" and "UTF-8" in (outcome.message or "")


def test_changed_file_is_reported_not_mixed_in(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh"
    path = write(landing, "crm/cust_info/data/a.csv", CUSTOMERS)
    ingest_only(landing, warehouse)
    path.write_text(CUSTOMERS + "3,AW3,Cy,Day,S,M,2020-01-03\n", encoding="utf-8")
    report = ingest_only(landing, warehouse)
    assert report.batch_id is None
    assert any("a.csv" in w and "changed" in w for w in report.warnings)
    assert rows(warehouse, "select count(*) from bronze.crm_cust_info") == [(2,)]


def test_failed_file_fixed_in_place_is_ingested(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh"
    path = write(landing, "crm/cust_info/data/a.csv", "cst_key\nAW1\n")
    [failed] = ingest_only(landing, warehouse).files
    assert failed.status == "failed"
    assert ingest_only(landing, warehouse).batch_id is None  # unchanged: not retried
    path.write_text(CUSTOMERS, encoding="utf-8")
    [fixed] = ingest_only(landing, warehouse).files
    assert (fixed.status, fixed.rows) == ("ingested", 2)


def test_grouped_writes_equal_file_by_file_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are read, held and written in groups (``load.Delivery``); a small memory budget
    writes more, smaller groups and streams the biggest files alone. Bronze, quarantine and
    ledger must not depend on how the files were grouped."""
    landing = tmp_path / "landing"
    generate_landing(landing, scale=0.05, seed=11, batches=3)
    write(landing, "erp/loc_a101/data/batch-0002a.csv", "CntryCode,CID,Region\nUS,AW-2,West\n")
    write(landing, "erp/loc_a101/data/batch-0002b.csv", b"CID,CNTRY\nAW-9,DE\nAW-8,US,x\n\xff,FR\n")
    write(landing, "erp/loc_a101/data/batch-0002c.csv", "CID,CNTRY\n")
    write(landing, "crm/prd_info/data/batch-0002d.csv", "")

    def ingest_with(budget: int, warehouse: Path) -> tuple[int, int]:
        monkeypatch.setattr(load, "FLUSH_BYTES", budget)
        calls = {"flush": 0, "streamed": 0}
        flush, stream = load.Delivery.flush, load.ingest_file

        def counted_flush(self: load.Delivery) -> None:
            calls["flush"] += bool(self._ledger)
            flush(self)

        def counted_stream(*args: Any) -> load.FileOutcome:
            calls["streamed"] += 1
            return stream(*args)

        monkeypatch.setattr(load.Delivery, "flush", counted_flush)
        monkeypatch.setattr(load, "ingest_file", counted_stream)
        with DuckDBEngine(warehouse / "medallion.duckdb") as engine:
            report = ingest(engine, landing)
        assert not report.failed
        return calls["flush"], calls["streamed"]

    assert ingest_with(load.FLUSH_BYTES, tmp_path / "one") == (1, 0)
    flushes, streamed = ingest_with(40_000, tmp_path / "many")
    assert flushes > 3 and streamed > 0
    ignore = ("_ingested_at", "ingested_at")
    assert (
        table_differences(
            tmp_path / "one" / "medallion.duckdb",
            tmp_path / "many" / "medallion.duckdb",
            ("bronze", "meta"),
            ignore,
        )
        == {}
    )
    assert rows(tmp_path / "many", "select count(*) from bronze.quarantine") == [(2,)]
