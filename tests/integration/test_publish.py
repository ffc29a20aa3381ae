"""Silver and gold are published together or not at all."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import ibis.expr.datatypes as dt
import pandera.ibis as pa
import pytest

from medallion.config import Settings
from medallion.errors import ContractError
from medallion.registry import REGISTRY, load_models
from medallion.runner import run
from tests.conftest import AS_OF
from tests.integration.test_ingest import CUSTOMERS, write


class NoOrders(pa.DataFrameModel):
    """A contract no real fact_orders meets: it must have no rows over one line."""

    line_count: dt.Int64 = pa.Field(lt=1)


@pytest.mark.parametrize("full_refresh", [False, True], ids=["incremental", "full-refresh"])
def test_failed_contract_leaves_previous_silver_and_gold_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, full_refresh: bool
) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh"
    settings = Settings(landing=landing, warehouse=warehouse, as_of=AS_OF)
    write(landing, "crm/cust_info/data/a.csv", CUSTOMERS)
    run(settings)
    write(landing, "crm/cust_info/data/b.csv", CUSTOMERS.replace("1,AW1", "3,AW3"))
    write(landing, "crm/sales_details/data/s.csv", SALES)
    load_models()
    spec = REGISTRY["gold.fact_orders"]
    monkeypatch.setitem(REGISTRY, spec.name, dataclasses.replace(spec, contract=NoOrders))

    with pytest.raises(
        ContractError,
        match=r"gold.fact_orders not published.*column line_count: less_than\(1\) failed on 1 row",
    ):
        run(settings, full_refresh=full_refresh)

    with duckdb.connect(str(warehouse / "medallion.duckdb"), read_only=True) as con:
        # Bronze took the new files (ingestion commits per file) ...
        assert con.sql("select count(*) from bronze.crm_cust_info").fetchall() == [(4,)]
        # ... but silver and gold are exactly as the first run published them.
        assert con.sql("select count(*) from silver.crm_customers").fetchall() == [(2,)]
        assert con.sql("select count(*) from silver.crm_sales").fetchall() == [(0,)]
        assert con.sql("select count(*) from gold.dim_customer").fetchall() == [(3,)]
        assert con.sql("select count(*) from gold.fact_sales").fetchall() == [(0,)]
        # The models staged before the failure left nothing behind.
        staged = "select count(*) from duckdb_tables() where starts_with(table_name, '_staging_')"
        assert con.sql(staged).fetchall() == [(0,)]


SALES = (
    "sls_ord_num,sls_prd_key,sls_cust_id,sls_order_dt,sls_ship_dt,sls_due_dt,"
    "sls_sales,sls_quantity,sls_price\n"
    "SO1,BK-1,1,20130101,20130108,20130113,10,1,10\n"
)
