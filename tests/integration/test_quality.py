"""Severities in real runs: error stops and keeps gold, warn reports, quarantine moves rows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import ibis.expr.types as ir
import pytest
from click.testing import CliRunner

from medallion.cli import main
from medallion.config import Settings
from medallion.errors import ConfigError, ContractError
from medallion.quality import datatests
from medallion.quality.datatests import data_test, load_tests
from medallion.quality.severity import SeverityPolicy
from medallion.runner import RunReport, run
from tests.conftest import AS_OF
from tests.integration.test_ingest import CUSTOMERS, write
from tests.warehouses import table_differences

SALES_HEADER = (
    "sls_ord_num,sls_prd_key,sls_cust_id,sls_order_dt,sls_ship_dt,sls_due_dt,"
    "sls_sales,sls_quantity,sls_price\n"
)
GOOD_SALES = SALES_HEADER + "SO1,BK-1,1,20130101,20130108,20130113,10,1,10\n"
# SO2's second line has quantity 0: it cannot be valued.
BAD_SALES = (
    SALES_HEADER
    + "SO2,BK-1,2,20130201,20130208,20130213,20,2,10\n"
    + "SO2,BK-2,2,20130201,20130208,20130213,5,0,5\n"
)
QUANTITY = "silver.crm_sales.quantity.greater_than"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def first_run(tmp_path: Path, policy: SeverityPolicy | None = None) -> Settings:
    landing = tmp_path / "landing"
    settings = Settings(
        landing=landing, warehouse=tmp_path / "wh", as_of=AS_OF, severity=policy or SeverityPolicy()
    )
    write(landing, "crm/cust_info/data/a.csv", CUSTOMERS)
    write(landing, "crm/sales_details/data/a.csv", GOOD_SALES)
    assert run(settings).ok
    return settings


def query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.database), read_only=True) as con:
        return con.sql(sql).fetchall()


def record(settings: Settings) -> dict:
    return json.loads((settings.warehouse / "run_results.json").read_text())


def check_of(settings: Settings, check_id: str) -> dict:
    return next(c for c in record(settings)["checks"] if c["id"] == check_id)


def test_error_stops_the_run_names_the_check_and_keeps_the_previous_gold(tmp_path: Path) -> None:
    settings = first_run(tmp_path, SeverityPolicy(((f"{QUANTITY}", "error"),)))
    before = tmp_path / "before.duckdb"
    before.write_bytes(settings.database.read_bytes())
    write(settings.landing, "crm/sales_details/data/b.csv", BAD_SALES)  # type: ignore[arg-type]
    (tmp_path / "medallion.toml").write_text(f'[severity]\n"{QUANTITY}" = "error"\n')

    code, out = invoke(
        "run",
        "--landing",
        str(settings.landing),
        "--warehouse",
        str(settings.warehouse),
        "--as-of",
        AS_OF.isoformat(),
        "--config",
        str(tmp_path / "medallion.toml"),
    )

    assert code == 1
    error = out.strip().splitlines()[-1]
    assert error.startswith("Error: silver.crm_sales not published, the previous version is kept")
    assert "column quantity: greater_than(0) failed on 1 row" in error
    assert "'order_number': 'SO2'" in error
    assert table_differences(before, settings.database) == {}
    assert check_of(settings, QUANTITY)["status"] == "fail"
    assert record(settings)["status"] == "error"


def test_warn_reports_and_lets_the_row_through(tmp_path: Path) -> None:
    settings = first_run(tmp_path, SeverityPolicy(((QUANTITY, "warn"),)))
    write(settings.landing, "crm/sales_details/data/b.csv", BAD_SALES)  # type: ignore[arg-type]

    report = run(settings)

    assert report.ok
    warned = [c for c in report.checks if c.status == "warn"]
    assert [(c.id, c.failures) for c in warned] == [(QUANTITY, 1)]
    assert warned[0].sample[0]["product_number"] == "BK-2"
    assert query(settings, "select count(*) from gold.fact_sales where quantity = 0") == [(1,)]
    assert check_of(settings, QUANTITY) | {"seconds": 0} == warned[0].to_json() | {"seconds": 0}


def test_quarantine_moves_exactly_the_bad_rows_and_releases_them_when_fixed(
    tmp_path: Path,
) -> None:
    settings = first_run(tmp_path, SeverityPolicy(((QUANTITY, "quarantine"),)))
    write(settings.landing, "crm/sales_details/data/b.csv", BAD_SALES)  # type: ignore[arg-type]

    report = run(settings)

    assert report.ok
    assert [(c.id, c.status, c.failures) for c in report.checks if c.status != "pass"] == [
        (QUANTITY, "quarantined", 1)
    ]
    quarantined = query(
        settings,
        "select order_number, product_number, quantity, _failed_checks, _quarantined_run "
        "from silver.crm_sales_quarantine",
    )
    assert quarantined == [("SO2", "BK-2", 0, QUANTITY, 2)]
    assert query(settings, "select order_number, product_number from silver.crm_sales") == [
        ("SO1", "BK-1"),
        ("SO2", "BK-1"),
    ]
    # Gold never sees the row; totals still reconcile from silver to both facts.
    assert query(settings, "select count(*), sum(sales_amount) from gold.fact_sales") == [(2, 30)]
    assert query(
        settings, "select line_count from gold.fact_orders where order_number = 'SO2'"
    ) == [(1,)]

    # The source re-delivers the line with a quantity: it leaves quarantine for silver.
    fixed = SALES_HEADER + "SO2,BK-2,2,20130201,20130208,20130213,10,2,5\n"
    write(settings.landing, "crm/sales_details/data/c.csv", fixed)  # type: ignore[arg-type]
    assert run(settings).ok
    assert query(settings, "select count(*) from silver.crm_sales_quarantine") == [(0,)]
    assert query(settings, "select count(*) from gold.fact_sales") == [(3,)]


def test_quarantine_after_incremental_runs_equals_a_full_refresh(tmp_path: Path) -> None:
    policy = SeverityPolicy(((QUANTITY, "quarantine"),))
    settings = first_run(tmp_path, policy)
    write(settings.landing, "crm/sales_details/data/b.csv", BAD_SALES)  # type: ignore[arg-type]
    assert run(settings).ok
    full = Settings(
        landing=settings.landing, warehouse=tmp_path / "full", as_of=AS_OF, severity=policy
    )
    full.warehouse.mkdir()
    full.database.write_bytes(settings.database.read_bytes())  # the same bronze
    assert run(full, full_refresh=True).ok
    assert table_differences(settings.database, full.database, ignore=("_quarantined_run",)) == {}
    assert query(full, "select count(*) from silver.crm_sales_quarantine") == [(1,)]


def test_a_quarantined_version_still_competes_with_later_deliveries(tmp_path: Path) -> None:
    """A silver merge reads only new bronze rows; the versions it holds compete with them,
    quarantined ones included: customer -5's quarantined version has the later create date,
    so it stays the latest when an older version arrives, as in a full refresh."""
    check = "silver.crm_customers.customer_id.greater_than"
    policy = SeverityPolicy(((check, "quarantine"),))
    landing = tmp_path / "landing"
    settings = Settings(landing=landing, warehouse=tmp_path / "wh", as_of=AS_OF, severity=policy)
    write(landing, "crm/cust_info/data/a.csv", CUSTOMERS + "-5,AW5,May,Lee,S,F,2020-05-01\n")
    assert run(settings).ok
    header = CUSTOMERS.splitlines(keepends=True)[0]
    write(landing, "crm/cust_info/data/b.csv", header + "-5,AW5,Jan,Lee,S,F,2020-01-01\n")
    report = run(settings)

    assert report.ok
    customers = next(m for m in report.models if m.name == "silver.crm_customers")
    assert (customers.mode, customers.rule_counts["dropped_superseded"]) == ("incremental", 1)
    assert query(settings, "select first_name from silver.crm_customers_quarantine") == [("May",)]
    full = Settings(landing=landing, warehouse=tmp_path / "full", as_of=AS_OF, severity=policy)
    full.warehouse.mkdir()
    full.database.write_bytes(settings.database.read_bytes())  # the same bronze
    assert run(full, full_refresh=True).ok
    assert table_differences(settings.database, full.database, ignore=("_quarantined_run",)) == {}


def test_a_silver_table_missing_a_column_its_model_writes_asks_for_a_full_refresh(
    tmp_path: Path,
) -> None:
    """Held rows come from the table as it is: one an older medallion wrote, without a column
    the model writes now, cannot stand in for its earlier versions. Nothing is changed."""
    settings = first_run(tmp_path)
    with duckdb.connect(str(settings.database)) as con:
        con.sql("alter table silver.crm_customers drop column first_name")
    header = CUSTOMERS.splitlines(keepends=True)[0]
    write(settings.landing, "crm/cust_info/data/b.csv", header + "1,AW1,Ann,Lee,M,F,2021-01-01\n")  # type: ignore[arg-type]
    with pytest.raises(
        ConfigError, match=r"silver.crm_customers has no column first_name.*--full-refresh"
    ):
        run(settings)
    assert query(settings, "select customer_id, marital_status from silver.crm_customers") == [
        (1, "Single"),
        (2, "Married"),
    ]


def own_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let a test declare data tests of its own: the registry is restored afterwards."""
    load_tests()
    monkeypatch.setattr(datatests, "TESTS", dict(datatests.TESTS))


def test_a_failing_data_test_stops_the_run_before_gold_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = first_run(tmp_path, SeverityPolicy(((QUANTITY, "warn"),)))
    own_tests(monkeypatch)

    @data_test("gold.fact_orders", rows_of="gold.fact_orders")
    def at_most_one_line_per_order(fact_orders: ir.Table) -> ir.Table:
        """No order has two lines (a test only this test's data breaks)."""
        return fact_orders.filter(fact_orders.line_count > 1)

    write(settings.landing, "crm/sales_details/data/b.csv", BAD_SALES)  # type: ignore[arg-type]
    with pytest.raises(ContractError, match=r"custom:at_most_one_line_per_order"):
        run(settings)
    assert query(settings, "select count(*) from gold.fact_orders") == [(1,)]
    assert query(settings, "select count(*) from silver.crm_sales") == [(1,)]

    monkeypatch.setitem(
        datatests.TESTS,
        "custom:at_most_one_line_per_order",
        datatests.TESTS["custom:at_most_one_line_per_order"].with_policy(
            SeverityPolicy((("custom:*", "warn"),))
        ),
    )
    report = run(settings)
    warned = {c.id for c in report.checks if c.status == "warn"}
    assert {"custom:at_most_one_line_per_order", QUANTITY} <= warned


def test_a_run_audits_the_bronze_tables_new_batches_brought_rows_to(tmp_path: Path) -> None:
    settings = first_run(tmp_path)

    def audited(report: RunReport) -> set[str]:
        return {c.id.split(".")[1] for c in report.checks if c.id.startswith("bronze.")}

    write(settings.landing, "crm/sales_details/data/b.csv", SALES_HEADER)  # an empty file
    assert audited(run(settings)) == set()
    write(settings.landing, "crm/sales_details/data/c.csv", GOOD_SALES.replace("SO1", "SO3"))
    assert audited(run(settings)) == {"crm_sales_details"}
    # A full refresh reads, and so audits, every delivery again.
    assert audited(run(settings, full_refresh=True)) == {"crm_cust_info", "crm_sales_details"}


def test_a_merge_is_tested_as_it_leaves_the_table_and_a_failure_undoes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = first_run(tmp_path)
    own_tests(monkeypatch)

    @data_test("gold.fact_orders")
    def one_order_at_most(fact_orders: ir.Table) -> ir.Table:
        """The whole table has at most one order (a test only a second order breaks)."""
        counted = fact_orders.aggregate(orders=fact_orders.count())
        return counted.filter(counted.orders > 1)

    write(settings.landing, "crm/sales_details/data/b.csv", GOOD_SALES.replace("SO1", "SO3"))  # type: ignore[arg-type]
    # The new order merged beside the old one: two orders, as the table would be published.
    with pytest.raises(ContractError, match=r"custom:one_order_at_most.*'orders': 2"):
        run(settings)
    assert query(settings, "select order_number from gold.fact_orders") == [("SO1",)]
    assert query(settings, "select distinct order_number from gold.fact_sales") == [("SO1",)]


def test_a_per_key_test_checks_the_keys_a_run_changed_and_a_full_refresh_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = first_run(tmp_path)
    own_tests(monkeypatch)

    @data_test("gold.fact_orders", "silver.crm_sales", per=["order_number"], severity="warn")
    def every_order(fact_orders: ir.Table, sales: ir.Table) -> ir.Table:
        """Reports every order it is given, so the report shows which were checked."""
        return fact_orders.semi_join(sales, "order_number")

    def checked(report: RunReport) -> tuple[int, set[str]]:
        (result,) = [c for c in report.checks if c.id == "custom:every_order"]
        return result.failures, {row["order_number"] for row in result.sample}

    write(settings.landing, "crm/sales_details/data/b.csv", GOOD_SALES.replace("SO1", "SO3"))  # type: ignore[arg-type]
    assert checked(run(settings)) == (1, {"SO3"})
    assert checked(run(settings, full_refresh=True)) == (2, {"SO1", "SO3"})


def test_a_narrowed_test_reads_the_checked_rows_orders_only_while_a_run_checks_some(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = first_run(tmp_path)
    own_tests(monkeypatch)

    @data_test(
        "gold.fact_sales",
        "silver.crm_sales",
        "gold.dim_customer",
        rows_of="gold.fact_sales",
        narrow_by=["order_number"],
        severity="warn",
    )
    def every_silver_line(
        fact_sales: ir.Table, sales: ir.Table, dim_customer: ir.Table
    ) -> ir.Table:
        """Reports every silver line it is given, with how many customers it was given."""
        return sales.select("order_number", customers=dim_customer.count().as_scalar())

    def checked(report: RunReport) -> tuple[set[str], set[int]]:
        (result,) = [c for c in report.checks if c.id == "custom:every_silver_line"]
        sample = result.sample
        return {row["order_number"] for row in sample}, {row["customers"] for row in sample}

    customers = query(settings, "select count(*) from gold.dim_customer")[0][0]
    write(settings.landing, "crm/sales_details/data/b.csv", GOOD_SALES.replace("SO1", "SO3"))  # type: ignore[arg-type]
    # The merge staged SO3's fact rows: silver is read for SO3 only, the dimension (no
    # order_number) whole.
    assert checked(run(settings)) == ({"SO3"}, {customers})
    assert checked(run(settings, full_refresh=True)) == ({"SO1", "SO3"}, {customers})


def test_a_model_no_input_changed_is_left_as_it_was_and_its_due_tests_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = first_run(tmp_path)
    own_tests(monkeypatch)

    @data_test("silver.crm_sales", "silver.erp_product_categories", severity="warn")
    def lines_of_so3(sales: ir.Table, categories: ir.Table) -> ir.Table:
        """Reports silver's lines of order SO3; reading the categories makes it due there."""
        return sales.filter(sales.order_number == "SO3")

    write(settings.landing, "crm/sales_details/data/b.csv", GOOD_SALES.replace("SO1", "SO3"))  # type: ignore[arg-type]
    report = run(settings)
    modes = {m.name: m.mode for m in report.models}
    # Nothing new for products and categories: they and the dimensions built only from
    # them stay as they were, and the models downstream still merge (they were told that
    # nothing changed there, not that it is unknown).
    for name in ("crm_products", "erp_product_categories"):
        assert modes[f"silver.{name}"] == "unchanged", modes
    for name in ("dim_product", "dim_location"):
        assert modes[f"gold.{name}"] == "unchanged", modes
    for name in ("dim_customer", "fact_sales", "fact_orders"):
        assert modes[f"gold.{name}"] == "incremental", modes
    # Due at the categories, which did not change, but silver's lines did: it ran.
    (result,) = [c for c in report.checks if c.id == "custom:lines_of_so3"]
    assert (result.failures, result.sample[0]["order_number"]) == (1, "SO3")

    write(
        settings.landing,  # type: ignore[arg-type]
        "crm/prd_info/data/a.csv",
        "prd_id,prd_key,prd_nm,prd_cost,prd_line,prd_start_dt,prd_end_dt\n"
        "1,CO-RF-BK-1,Bike,7,R,2012-01-01,\n",
    )
    modes = {m.name: m.mode for m in run(settings).models}
    assert (modes["silver.crm_products"], modes["gold.dim_product"]) == ("diff", "diff")
    assert modes["silver.erp_product_categories"] == "unchanged"
    assert query(
        settings, "select product_number, cost from gold.dim_product where product_key > 0"
    ) == [("BK-1", 7)]
    refreshed = tmp_path / "refreshed"
    shutil.copytree(settings.warehouse, refreshed)
    run(Settings(landing=settings.landing, warehouse=refreshed, as_of=AS_OF), full_refresh=True)
    assert table_differences(settings.database, refreshed / "medallion.duckdb") == {}


def test_medallion_test_passes_then_fails_on_a_broken_table_with_its_rows(
    tmp_path: Path,
) -> None:
    settings = first_run(tmp_path)
    code, out = invoke("test", "--warehouse", str(settings.warehouse))
    assert code == 0, out
    assert "0 fail" not in out and " pass" in out

    with duckdb.connect(str(settings.database)) as con:
        con.execute("insert into gold.dim_customer select * from gold.dim_customer limit 1")
        con.execute("update gold.fact_sales set product_key = 99")
    code, out = invoke("test", "--warehouse", str(settings.warehouse), "--select", "gold")
    assert code == 1
    assert "fail: gold.dim_customer: unique(customer_key) failed on 2 rows" in out
    assert "relationships:gold.fact_sales.product_key" in out
    assert "'product_key': 99" in out
    assert out.strip().splitlines()[-1].startswith("Error: ")
    assert record(settings)["command"] == "test"


def test_build_runs_then_tests_and_status_shows_the_record(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh"
    write(landing, "crm/cust_info/data/a.csv", CUSTOMERS)
    write(landing, "crm/sales_details/data/a.csv", GOOD_SALES)
    code, out = invoke("build", "--landing", str(landing), "--warehouse", str(warehouse))
    assert code == 0, out
    assert out.count("Checks: ") == 2  # the run's audit, then the test of the warehouse
    runs = sorted((warehouse / "runs").glob("*.json"))
    assert [json.loads(p.read_text())["command"] for p in runs] == ["run", "test"]
    code, out = invoke("status", "--warehouse", str(warehouse))
    assert code == 0 and "Last test:" in out and "success" in out


def test_bad_config_is_a_one_line_error(tmp_path: Path) -> None:
    config = tmp_path / "medallion.toml"
    config.write_text('[severity]\n"gold.*" = "panic"\n')
    code, out = invoke("test", "--warehouse", str(tmp_path), "--config", str(config))
    assert code == 1
    assert out.strip().splitlines() == [
        f"Error: config file {config}, severity of 'gold.*': severity 'panic' is not one of "
        "error, warn, quarantine"
    ]
    config.write_text("[severity\n")
    code, out = invoke("test", "--config", str(config))
    assert code == 1 and out.startswith(f"Error: config file {config} is not valid TOML")


def test_quarantine_is_refused_where_it_cannot_apply() -> None:
    from medallion.quality.checks import contract_checks
    from schemas.silver import CrmSales

    with pytest.raises(ConfigError, match="uniqueness check cannot quarantine"):
        contract_checks(
            "silver.crm_sales",
            CrmSales,
            SeverityPolicy((("silver.crm_sales.unique", "quarantine"),)),
        )
