"""Column lineage derived from the models' Ibis expressions: the walker on small expressions,
and real traces of the registered models from gold down to the landing CSV columns."""

from __future__ import annotations

import json
import sys
import types

import ibis
import pytest

from medallion.lineage import (
    DASHBOARD_INPUTS,
    GENERATED,
    build_lineage_graph,
    column_lineage,
    dashboard_inputs,
    expression_lineage,
    lineage_graph,
    lineage_json,
    trace_to_landing,
)
from medallion.lineage.columns import INGESTION_COLUMNS
from medallion.registry import ModelSpec, load_models
from medallion.sources import SOURCE_TABLES

SALES = "landing.crm/sales_details"
CUSTOMERS = "landing.crm/cust_info"
PRODUCTS = "landing.crm/prd_info"
DEMOGRAPHICS = "landing.erp/cust_az12"
LOCATIONS = "landing.erp/loc_a101"


def landing(table: str, *columns: str) -> set[str]:
    return {f"{table}.{c}" for c in columns}


def csv_columns(keys: list[str]) -> set[str]:
    return {k for k in keys if lineage_graph().landing[k].origin == "csv"}


# -- the walker on hand-written expressions -------------------------------------------------


def t(name: str, **columns: str) -> ibis.Table:
    layer, table = name.split(".")
    return ibis.table(columns, name=table, database=layer)


def test_values_are_direct_and_filters_are_via() -> None:
    orders = t("silver.orders", id="int64", amount="int64", status="string")
    out = orders.filter(orders.status == "open").select(
        "id", double=orders.amount * 2, flag=ibis.literal(True)
    )
    found = expression_lineage(out)
    assert found["double"].direct == {("silver.orders", "amount")}
    assert found["double"].via == {("silver.orders", "status")}
    assert found["flag"].direct == frozenset()  # a literal reads no column


def test_left_join_is_a_lookup_but_inner_join_keys_choose_rows() -> None:
    facts = t("gold.facts", id="int64", product="string", qty="int64")
    dims = t("gold.dims", product="string", cost="int64", current="boolean")
    live = dims.filter(dims.current)
    looked_up = expression_lineage(facts.left_join(live, "product").select("qty", "cost"))
    assert looked_up["qty"].via == frozenset()  # the lookup does not choose the fact's rows
    assert looked_up["cost"].direct == {("gold.dims", "cost")}
    assert looked_up["cost"].via == {
        ("gold.facts", "product"),
        ("gold.dims", "product"),
        ("gold.dims", "current"),
    }
    matched = expression_lineage(facts.join(live, "product").select("qty"))
    assert matched["qty"].via == {
        ("gold.facts", "product"),
        ("gold.dims", "product"),
        ("gold.dims", "current"),
    }


def test_aggregates_windows_unions_and_memtables() -> None:
    lines = t("gold.lines", order="string", amount="int64", batch="int64")
    totals = lines.group_by("order").aggregate(total=lines.amount.sum(), n=lines.count())
    found = expression_lineage(totals)
    assert found["total"].direct == {("gold.lines", "amount")}
    assert found["total"].via == {("gold.lines", "order")}
    assert found["n"].direct == frozenset() and found["n"].via == {("gold.lines", "order")}

    ranked = lines.mutate(
        rank=ibis.row_number().over(group_by=lines.order, order_by=lines.batch),
        running=lines.amount.sum().over(group_by=lines.order, order_by=lines.batch),
    )
    found = expression_lineage(ranked)
    assert found["rank"].direct == {("gold.lines", "batch")}  # a rank is its order
    assert found["rank"].via == {("gold.lines", "order")}
    assert found["running"].direct == {("gold.lines", "amount")}
    assert found["running"].via == {("gold.lines", "order"), ("gold.lines", "batch")}

    unknown = ibis.memtable({"order": ["n/a"], "amount": [0], "batch": [0]})
    found = expression_lineage(lines.union(unknown))
    assert found["amount"].direct == {("gold.lines", "amount")}  # the memtable is a literal


# -- real models ----------------------------------------------------------------------------


def test_every_model_is_traced_with_the_columns_its_contract_declares() -> None:
    graph = lineage_graph()
    assert graph.untraced == {}
    for name, spec in load_models().items():
        columns = {c.column for c in graph.model_columns(name)}
        assert columns, name
        if spec.layer != "bronze" and spec.contract is not None:
            declared = set(spec.contract.to_schema().columns)  # type: ignore[attr-defined]
            assert columns == declared, name


def test_sales_amount_traces_through_silver_to_the_sales_csv() -> None:
    lineage = column_lineage()
    assert lineage["gold.fact_sales.sales_amount"]["direct"] == ["silver.crm_sales.sales_amount"]
    assert set(lineage["silver.crm_sales.sales_amount"]["direct"]) == {
        "bronze.crm_sales_details.sls_sales",
        "bronze.crm_sales_details.sls_quantity",
        "bronze.crm_sales_details.sls_price",
    }
    assert lineage["bronze.crm_sales_details.sls_sales"]["direct"] == [f"{SALES}.sls_sales"]
    trace = trace_to_landing("gold.fact_sales.sales_amount")
    assert set(trace["direct"]) == landing(SALES, "sls_sales", "sls_quantity", "sls_price")
    # Rows: the latest delivery of each (order, product) line.
    assert landing(SALES, "sls_ord_num", "sls_prd_key", "_batch_id") <= set(trace["via"])


def test_gender_comes_from_the_crm_and_the_erp() -> None:
    lineage = column_lineage()["gold.dim_customer.gender"]
    assert set(lineage["direct"]) == {
        "silver.crm_customers.gender",
        "silver.erp_customer_demographics.gender",
    }
    trace = trace_to_landing("gold.dim_customer.gender")
    assert set(trace["direct"]) == {f"{CUSTOMERS}.cst_gndr", f"{DEMOGRAPHICS}.gen"}
    # The ERP row is found by customer number: cst_key = cid without NAS.
    assert {f"{CUSTOMERS}.cst_key", f"{DEMOGRAPHICS}.cid"} <= set(trace["via"])


def test_birth_date_comes_from_the_erp_demographics() -> None:
    trace = trace_to_landing("gold.dim_customer.birth_date")
    assert trace["direct"] == [f"{DEMOGRAPHICS}.bdate"]
    # The as-of date that nulls future birth dates is a literal, not a source.
    silver = trace_to_landing("silver.erp_customer_demographics.birth_date")
    assert silver["direct"] == [f"{DEMOGRAPHICS}.bdate"]


def test_profit_comes_from_sales_and_the_product_cost() -> None:
    assert set(column_lineage()["gold.fact_sales.profit"]["direct"]) == {
        "silver.crm_sales.sales_amount",
        "silver.crm_sales.quantity",
        "gold.dim_product.cost",
    }
    trace = trace_to_landing("gold.fact_sales.profit")
    assert set(trace["direct"]) == landing(SALES, "sls_sales", "sls_quantity", "sls_price") | {
        f"{PRODUCTS}.prd_cost"
    }
    # The product is looked up by its number: the key of the line and of the product.
    assert {f"{SALES}.sls_prd_key", f"{PRODUCTS}.prd_key"} <= set(trace["via"])
    orders = trace_to_landing("gold.fact_orders.profit")
    assert set(orders["direct"]) == set(trace["direct"])


def test_every_gold_column_traces_to_the_landing_csvs() -> None:
    graph = lineage_graph()
    gold = [k for k, c in graph.columns.items() if c.model.startswith("gold.")]
    # SPEC 3: the six tables of the star schema; and the key maps of two dimensions.
    assert len(gold) == 60 + 4
    without_csv_values = set()
    for key in gold:
        trace = trace_to_landing(key)
        assert csv_columns(trace["direct"] + trace["via"]), key
        if not csv_columns(trace["direct"]):
            without_csv_values.add(key)
    # Exactly the documented generated columns take their values from no CSV column ...
    assert without_csv_values == set(GENERATED)
    # ... and surrogate keys still trace to the natural keys they number.
    natural = {
        "gold.dim_customer.customer_key": f"{CUSTOMERS}.cst_id",
        "gold.dim_product.product_key": f"{PRODUCTS}.prd_key",
        "gold.dim_location.location_key": f"{LOCATIONS}.cntry",
        "gold.fact_sales.customer_key": f"{SALES}.sls_cust_id",
        "gold.fact_sales.product_key": f"{SALES}.sls_prd_key",
        "gold.fact_orders.line_count": f"{SALES}.sls_ord_num",
    }
    for key, natural_key in natural.items():
        assert natural_key in trace_to_landing(key)["via"], key
    # Their values: the delivery order of the rows (batch, file, line).
    assert set(trace_to_landing("gold.dim_customer.customer_key")["direct"]) == landing(
        CUSTOMERS, "_batch_id", "_source_file", "_source_row"
    )


def test_the_calendar_derives_from_the_dates_of_sales() -> None:
    dates = landing(SALES, "sls_order_dt", "sls_ship_dt", "sls_due_dt")
    columns = [c for c in lineage_graph().model_columns("gold.dim_date")]
    assert len(columns) == 12
    for column in columns:
        assert set(trace_to_landing(column.key)["direct"]) == dates, column.key


def test_bronze_columns_come_from_csv_headers_and_ingestion() -> None:
    graph = lineage_graph()
    for source in SOURCE_TABLES:
        for column in source.columns:
            key = f"bronze.{source.bronze_name}.{column}"
            target = f"landing.{source.source}/{source.table}.{column}"
            assert column_lineage()[key] == {"direct": [target], "via": []}
            assert graph.landing[target].origin == "csv"
        for column in INGESTION_COLUMNS:
            target = f"landing.{source.source}/{source.table}.{column}"
            assert graph.landing[target].origin == "ingestion"
    # Silver keeps the winning row's delivery: lineage columns come from ingestion.
    assert trace_to_landing("silver.crm_sales._source_row")["direct"] == [f"{SALES}._source_row"]


def test_unknown_columns_are_refused() -> None:
    with pytest.raises(KeyError, match="no column"):
        trace_to_landing("gold.fact_sales.nope")


def test_lineage_json_covers_every_column() -> None:
    data = json.loads(json.dumps(lineage_json()))
    assert data["format"] == "medallion.lineage/1"
    assert set(data["columns"]) == set(column_lineage())
    assert data["models"]["gold.fact_sales"]["traced"] is True
    entry = data["columns"]["gold.fact_sales.profit"]
    assert entry["type"] == "decimal(18, 2)" and entry["generated"] is None
    assert f"{PRODUCTS}.prd_cost" in entry["landing"]["direct"]
    assert data["landing"][f"{SALES}.sls_sales"]["folder"] == "crm/sales_details/data"
    assert data["dashboards"] == {k: list(v) for k, v in dashboard_inputs().items()}


def test_a_model_that_cannot_be_built_is_reported_not_fatal() -> None:
    specs = load_models()

    def broken(sales: ibis.Table) -> ibis.Table:
        raise RuntimeError("no expression today")

    spec = specs["gold.dim_date"]
    patched = dict(specs)
    patched["gold.dim_date"] = ModelSpec(
        spec.name, spec.inputs, spec.kind, spec.grain, spec.description, spec.contract, broken
    )
    graph = build_lineage_graph(patched)
    assert graph.untraced == {"gold.dim_date": "RuntimeError: no expression today"}
    assert "gold.dim_date.date" not in graph.columns
    assert "date_key" in graph.schemas["gold.dim_date"]  # from the contract
    assert "gold.fact_sales.profit" in graph.columns


def test_dashboard_inputs_prefers_a_usable_declaration(monkeypatch: pytest.MonkeyPatch) -> None:
    models = list(load_models())
    module = types.ModuleType("medallion.dashboard")
    monkeypatch.setitem(sys.modules, "medallion.dashboard", module)
    assert dashboard_inputs(models) == DASHBOARD_INPUTS  # no INPUTS declared
    module.INPUTS = {"Sales": ["gold.fact_sales", "gold.dim_date"]}  # type: ignore[attr-defined]
    assert dashboard_inputs(models) == {"Sales": ("gold.fact_sales", "gold.dim_date")}
    module.INPUTS = {"Sales": ["gold.nope"]}  # type: ignore[attr-defined]
    assert dashboard_inputs(models) == DASHBOARD_INPUTS
    module.INPUTS = ["gold.fact_sales"]  # type: ignore[attr-defined]
    assert dashboard_inputs(models) == DASHBOARD_INPUTS
