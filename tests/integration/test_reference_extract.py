"""The whole pipeline on the real CRM+ERP extract: gold sizes and SPEC rules on real rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import ibis
import pytest

from medallion.config import Settings
from medallion.registry import load_models
from medallion.runner import RunReport, run
from tests.conftest import AS_OF

pytestmark = [pytest.mark.reference, pytest.mark.slow]


@pytest.fixture(scope="module")
def built(
    reference_extract: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[RunReport, Path]:
    warehouse = tmp_path_factory.mktemp("warehouse")
    report = run(Settings(landing=reference_extract, warehouse=warehouse, as_of=AS_OF))
    return report, warehouse / "medallion.duckdb"


def query(database: Path, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_gold_holds_every_customer_and_order_line(built: tuple[RunReport, Path]) -> None:
    report, db = built
    assert report.ok
    assert query(db, "select count(*) from gold.dim_customer where customer_key <> -1") == [
        (18484,)
    ]
    assert query(db, "select count(*) from gold.dim_customer where customer_key = -1") == [(1,)]
    assert query(db, "select count(*) from gold.fact_sales") == [(60398,)]


def test_every_source_row_is_in_bronze(
    built: tuple[RunReport, Path], reference_extract: Path
) -> None:
    _, db = built
    for csv in reference_extract.rglob("*.csv"):
        with csv.open("rb") as handle:
            data_lines = sum(1 for line in handle if line.strip()) - 1
        rel = csv.relative_to(reference_extract).as_posix()
        table = "_".join(rel.split("/")[:2])
        landed = query(db, f"select count(*) from bronze.{table} where _source_file = ?", rel)
        assert landed == [(data_lines,)], rel


def test_duplicate_customer_versions_collapse_to_the_latest(built: tuple[RunReport, Path]) -> None:
    _, db = built
    # cst_id 29466 arrives three times; only the 2026-01-27 version is complete.
    rows = query(
        db,
        "select first_name, last_name, marital_status, gender, create_date, _source_row "
        "from silver.crm_customers where customer_id = 29466",
    )
    assert rows == [("Lance", "Jimenez", "Married", "Male", dt.date(2026, 1, 27), 18472)]


def test_nas_prefixed_erp_id_joins_the_crm_customer(built: tuple[RunReport, Path]) -> None:
    _, db = built
    raw = query(db, "select bdate from bronze.erp_cust_az12 where cid = 'NASAW00011000'")
    assert raw == [("1971-10-06",)]
    assert query(db, "select birth_date from gold.dim_customer where customer_id = 11000") == [
        (dt.date(1971, 10, 6),)
    ]


def test_inconsistent_sales_amount_is_recomputed(built: tuple[RunReport, Path]) -> None:
    _, db = built
    # Recorded sales 40 for 1 unit at price 2: sales becomes quantity x |price|.
    raw = query(
        db,
        "select sls_sales, sls_quantity, sls_price from bronze.crm_sales_details "
        "where sls_ord_num = 'SO67993' and sls_prd_key = 'PK-7098'",
    )
    assert raw == [("40", "1", "2")]
    assert query(
        db,
        "select sales_amount, price from silver.crm_sales "
        "where order_number = 'SO67993' and product_number = 'PK-7098'",
    ) == [(Decimal("2.00"), Decimal("2.00"))]


def test_missing_price_is_derived_from_sales(built: tuple[RunReport, Path]) -> None:
    _, db = built
    assert query(
        db,
        "select s.sls_price, v.price, v.sales_amount from bronze.crm_sales_details s "
        "join silver.crm_sales v on v.order_number = s.sls_ord_num "
        "and v.product_number = s.sls_prd_key "
        "where s.sls_ord_num = 'SO51259' and s.sls_prd_key = 'WB-H098'",
    ) == [(None, Decimal("5.00"), Decimal("10.00"))]


def test_product_end_date_is_the_day_before_the_next_version(built: tuple[RunReport, Path]) -> None:
    _, db = built
    rows = query(
        db,
        "select product_id, start_date, end_date from silver.crm_products "
        "where product_number = 'HL-U509-R' order by start_date",
    )
    assert rows == [
        (212, dt.date(2011, 7, 1), dt.date(2012, 6, 30)),
        (213, dt.date(2012, 7, 1), dt.date(2013, 6, 30)),
        (214, dt.date(2013, 7, 1), None),
    ]
    # dim_product holds only the current version.
    assert query(
        db, "select product_id from gold.dim_product where product_number = 'HL-U509-R'"
    ) == [(214,)]


def test_country_aliases_are_conformed(built: tuple[RunReport, Path]) -> None:
    _, db = built
    countries = {c for (c,) in query(db, "select country from gold.dim_location")}
    assert countries == {
        "n/a", "Australia", "United States", "Canada", "Germany", "United Kingdom", "France"
    }  # fmt: skip
    assert query(db, "select country_code from gold.dim_location where country = 'Germany'") == [
        ("DE",)
    ]


def test_future_birth_dates_are_nulled(built: tuple[RunReport, Path]) -> None:
    _, db = built
    assert query(
        db, "select count(*) from silver.erp_customer_demographics where birth_date > ?", AS_OF
    ) == [(0,)]
    future = query(
        db, "select count(*) from bronze.erp_cust_az12 where try_cast(bdate as date) > ?", AS_OF
    )
    assert future[0][0] > 0


def test_invalid_order_dates_become_null_keys(built: tuple[RunReport, Path]) -> None:
    report, db = built
    crm_sales = next(m for m in report.models if m.name == "silver.crm_sales")
    # 17 lines with order date 0, and the garbage values 5489 and 32154.
    assert crm_sales.rule_counts["order_date_nulled"] == 19
    assert query(db, "select count(*) from gold.fact_sales where order_date_key is null") == [(19,)]


def test_fact_sales_totals_reconcile_with_silver(built: tuple[RunReport, Path]) -> None:
    _, db = built
    silver = query(db, "select sum(sales_amount), sum(quantity) from silver.crm_sales")
    gold = query(db, "select sum(sales_amount), sum(quantity) from gold.fact_sales")
    orders = query(db, "select sum(sales_amount), sum(quantity) from gold.fact_orders")
    assert silver == gold == orders


def test_every_contract_and_data_test_passes_on_the_real_extract(
    built: tuple[RunReport, Path],
) -> None:
    report, db = built
    by_kind = {kind: [c for c in report.checks if c.kind == kind] for kind in ("contract", "test")}
    # Every table's contract and every gold data test was audited in the run ...
    audited = {model for c in by_kind["contract"] for model in c.models}
    assert {"bronze.crm_sales_details", "silver.crm_sales", "gold.fact_orders"} <= audited
    assert len(audited) == 20
    assert any(c.id == "custom:orders_reconcile" for c in by_kind["test"])
    assert any(c.id == "custom:totals_reconcile" for c in by_kind["test"])
    # ... and the real extract breaks none of them, not even a warning.
    assert [(c.id, c.failures) for c in report.checks if c.status != "pass"] == []
    assert not query(
        db, "select table_name from duckdb_tables() where table_name like '%_quarantine'"
    )


def test_run_reports_the_rule_counts_the_models_define(built: tuple[RunReport, Path]) -> None:
    """The run counts superseded rows from the rows it staged rather than computing the
    model's output again; the figures must be those of the model's own counting query."""
    report, db = built
    specs = load_models()
    con = ibis.duckdb.connect(str(db), read_only=True)
    try:
        checked = 0
        for result in report.models:
            spec = specs[result.name]
            inputs = [con.table(n.split(".")[1], database=n.split(".")[0]) for n in spec.inputs]
            counts = spec.build(inputs, as_of=AS_OF).rule_counts
            if counts is None:
                continue
            [expected] = con.to_pyarrow(counts).to_pylist()
            assert result.rule_counts == expected, result.name
            checked += 1
    finally:
        con.disconnect()
    assert checked == 6
    assert all(m.rule_counts["dropped_superseded"] >= 0 for m in report.models if m.rule_counts)
    customers = next(m for m in report.models if m.name == "silver.crm_customers")
    assert customers.rule_counts["dropped_superseded"] > 0
