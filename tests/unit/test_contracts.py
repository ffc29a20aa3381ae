"""Every contract passes on a valid table, and each of its kinds of checks fails on a broken one.

Each contract gets a few valid rows; a test breaks one value and asserts that exactly the
expected check fails on exactly the broken rows, as the runner's audit counts them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from medallion.engines.duckdb import DuckDBEngine
from medallion.models.bronze import bronze_schema
from medallion.quality.audit import FAILED_CHECKS, QUARANTINED_RUN, audit, check_schema
from medallion.quality.checks import contract_checks
from medallion.quality.severity import SeverityPolicy
from medallion.sources import BY_BRONZE_NAME, SOURCE_TABLES
from schemas import bronze, gold, silver
from schemas._types import DAY_NAMES, MONTH_NAMES

CONTRACTS: dict[str, type] = {
    "bronze.crm_cust_info": bronze.CrmCustInfo,
    "bronze.crm_prd_info": bronze.CrmPrdInfo,
    "bronze.crm_sales_details": bronze.CrmSalesDetails,
    "bronze.erp_cust_az12": bronze.ErpCustAz12,
    "bronze.erp_loc_a101": bronze.ErpLocA101,
    "bronze.erp_px_cat_g1v2": bronze.ErpPxCatG1v2,
    "silver.crm_customers": silver.CrmCustomers,
    "silver.crm_products": silver.CrmProducts,
    "silver.crm_sales": silver.CrmSales,
    "silver.erp_customer_demographics": silver.ErpCustomerDemographics,
    "silver.erp_customer_locations": silver.ErpCustomerLocations,
    "silver.erp_product_categories": silver.ErpProductCategories,
    "gold.dim_customer": gold.DimCustomer,
    "gold.dim_location": gold.DimLocation,
    "gold.dim_product": gold.DimProduct,
    "gold.dim_date": gold.DimDate,
    "gold.fact_sales": gold.FactSales,
    "gold.fact_orders": gold.FactOrders,
}

# medallion.quality.audit sums every check's failures in one aggregate, and DuckDB refuses a
# window function inside an aggregate ("aggregate function calls cannot contain window
# function calls"): contracts with a window check (version overlap, natural keys, whole
# years) cannot be audited until the flags are projected before they are summed.

UTC_NOON = dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)
JAN_1 = dt.date(2013, 1, 1)
DROP = object()  # an override that removes the row


def lineage(bronze_table: str, row: int = 1) -> dict[str, Any]:
    return {
        "_batch_id": 1,
        "_source_file": f"{BY_BRONZE_NAME[bronze_table].folder}/a.csv",
        "_source_row": row,
    }


def bronze_rows(table: str) -> list[dict[str, Any]]:
    source = BY_BRONZE_NAME[table]
    return [
        {c: "x" for c in source.columns} | lineage(table, row) | {"_ingested_at": UTC_NOON}
        for row in (1, 2)
    ]


def calendar_rows(year: int) -> list[dict[str, Any]]:
    """dim_date's rows of one year, computed in Python (ISO weeks, Monday = 1)."""
    rows = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        weekday, week = day.isoweekday(), day.isocalendar().week
        rows.append(
            {
                "date_key": year * 10000 + day.month * 100 + day.day,
                "date": day,
                "year": year,
                "quarter": (day.month - 1) // 3 + 1,
                "month": day.month,
                "month_name": MONTH_NAMES[day.month - 1],
                "day_of_month": day.day,
                "day_of_week": weekday,
                "day_name": DAY_NAMES[weekday - 1],
                "iso_week": week,
                "year_month": f"{year}-{day.month:02d}",
                "is_weekend": weekday >= 6,
            }
        )
        day += dt.timedelta(days=1)
    return rows


def unknown_member(contract: type, key: str) -> dict[str, Any]:
    """Key -1, text attributes n/a, every other attribute null (SPEC 6)."""
    columns = contract.to_schema().columns  # type: ignore[attr-defined]
    return {
        name: -1 if name == key else "n/a" if column.dtype.type.is_string() else None
        for name, column in columns.items()
    }


CUSTOMER = {
    "customer_id": 1,
    "customer_number": "AW00000001",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "marital_status": "Single",
    "gender": "Female",
    "create_date": JAN_1,
}
PRODUCT = {
    "product_id": 1,
    "category_id": "BI_RB",
    "product_number": "BK-R1",
    "product_name": "Road-150",
    "cost": Decimal("8.00"),
    "product_line": "Road",
    "start_date": JAN_1,
}
SALE = {
    "order_number": "SO1",
    "product_number": "BK-R1",
    "customer_id": 1,
    "order_date": JAN_1,
    "ship_date": dt.date(2013, 1, 8),
    "due_date": dt.date(2013, 1, 13),
    "quantity": 2,
    "price": Decimal("10.00"),
    "sales_amount": Decimal("20.00"),
}
DATE_KEYS = {"order_date_key": 20130101, "ship_date_key": 20130108, "due_date_key": 20130113}


def valid_rows(model: str) -> list[dict[str, Any]]:
    """A few rows that meet every check of the model's contract; the first two are known
    members (or lines) that differ in every key, so that a duplicate can be made of them."""
    layer, table = model.split(".")
    if layer == "bronze":
        return bronze_rows(table)
    if model == "silver.crm_customers":
        second = {"customer_id": 2, "customer_number": "AW00000002", "gender": "n/a"}
        return [
            CUSTOMER | lineage("crm_cust_info"),
            CUSTOMER | second | lineage("crm_cust_info", 2),
        ]
    if model == "silver.crm_products":
        # Two versions of one product: the first ends the day before the second starts.
        return [
            PRODUCT | {"end_date": dt.date(2013, 6, 30)} | lineage("crm_prd_info"),
            PRODUCT
            | {"product_id": 2, "start_date": dt.date(2013, 7, 1), "end_date": None}
            | lineage("crm_prd_info", 2),
        ]
    if model == "silver.crm_sales":
        return [
            SALE | lineage("crm_sales_details"),
            SALE
            | {"product_number": "BK-R2", "quantity": 1, "price": Decimal("5.00")}
            | {"sales_amount": Decimal("5.00")}
            | lineage("crm_sales_details", 2),
        ]
    if model == "silver.erp_customer_demographics":
        row = {"customer_number": "AW00000001", "birth_date": dt.date(1970, 5, 17)}
        return [
            row | {"gender": "Male"} | lineage("erp_cust_az12"),
            row | {"customer_number": "AW00000002", "gender": "n/a"} | lineage("erp_cust_az12", 2),
        ]
    if model == "silver.erp_customer_locations":
        return [
            {"customer_number": "AW00000001", "country": "Germany"} | lineage("erp_loc_a101"),
            {"customer_number": "AW00000002", "country": "n/a"} | lineage("erp_loc_a101", 2),
        ]
    if model == "silver.erp_product_categories":
        row = {"category": "Bikes", "subcategory": "Road Bikes", "maintenance_required": True}
        return [
            row | {"category_id": "BI_RB"} | lineage("erp_px_cat_g1v2"),
            row
            | {"category_id": "BI_MB", "maintenance_required": None}
            | lineage("erp_px_cat_g1v2", 2),
        ]
    if model == "gold.dim_customer":
        known = CUSTOMER | {"customer_key": 1, "birth_date": None, "location_key": 1}
        return [
            known,
            known | {"customer_key": 2, "customer_id": 2, "location_key": -1},
            unknown_member(gold.DimCustomer, "customer_key"),
        ]
    if model == "gold.dim_location":
        return [
            {"location_key": 1, "country": "Germany", "country_code": "DE"},
            {"location_key": 2, "country": "Atlantis", "country_code": None},
            unknown_member(gold.DimLocation, "location_key") | {"country_code": None},
        ]
    if model == "gold.dim_product":
        known = {k: v for k, v in PRODUCT.items()} | {
            "product_key": 1,
            "category": "Bikes",
            "subcategory": "Road Bikes",
            "maintenance_required": True,
        }
        return [
            known,
            known | {"product_key": 2, "product_id": 3, "product_number": "BK-R2"},
            unknown_member(gold.DimProduct, "product_key"),
        ]
    if model == "gold.dim_date":
        # A leap year, and the unknown member first (the duplicate is made of it).
        return [unknown_member(gold.DimDate, "date_key"), *calendar_rows(2012)]
    line = {
        "order_number": "SO1",
        "product_key": 1,
        "customer_key": 1,
        "location_key": 1,
        **DATE_KEYS,
        "quantity": 2,
        "price": Decimal("10.00"),
        "sales_amount": Decimal("20.00"),
        "cost_amount": Decimal("8.00"),
        "profit": Decimal("12.00"),
    }
    unknowns = {"customer_key": -1, "location_key": -1}
    if model == "gold.fact_sales":
        unknown_product = {"product_key": -1, "cost_amount": None, "profit": None}
        one = {"quantity": 1, "sales_amount": Decimal("10.00")}
        return [line, line | one | unknown_product, line | unknowns]
    assert model == "gold.fact_orders"
    order = {k: v for k, v in line.items() if k not in ("product_key", "price")}
    no_dates = {k: None for k in DATE_KEYS}
    return [
        # Sums ignore nulls: a line of an unknown product adds sales but no cost or profit,
        # so an order's profit need not be its sales minus its cost.
        order | {"line_count": 2, "sales_amount": Decimal("25.00"), "days_to_ship": 7},
        order | {"order_number": "SO2", "line_count": 1, "days_to_ship": 7} | unknowns,
        order | {"order_number": "SO3", "line_count": 1, "days_to_ship": None} | no_dates,
    ]


def table_of(contract: type, rows: list[dict[str, Any]]) -> ir.Table:
    """The rows as a table with exactly the contract's column types."""
    columns = contract.to_schema().columns  # type: ignore[attr-defined]
    schema = pa.schema([(n, c.dtype.type.to_pyarrow()) for n, c in columns.items()])
    return ibis.memtable(pa.Table.from_pylist(rows, schema=schema))


def broken(model: str, changes: dict[int, Any]) -> ir.Table:
    """The model's valid rows with some rows changed (``{index: overrides}``) or dropped."""
    rows: list[dict[str, Any] | None] = list(valid_rows(model))
    for index, change in changes.items():
        row = rows[index]
        assert row is not None
        rows[index] = None if change is DROP else row | change
    return table_of(CONTRACTS[model], [r for r in rows if r is not None])


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDBEngine]:
    with DuckDBEngine(tmp_path_factory.mktemp("contracts") / "w.duckdb") as engine:
        yield engine


def failures(
    engine: DuckDBEngine, model: str, table: ir.Table, policy: SeverityPolicy | None = None
) -> dict[str, int]:
    checks = contract_checks(model, CONTRACTS[model], policy or SeverityPolicy())
    return {r.id: r.failures for r in audit(engine, checks, table).results if r.failures}


def param(model: str, *values: Any, id: str | None = None) -> Any:
    return pytest.param(model, *values, id=id)


@pytest.mark.parametrize("model", [param(m, id=m) for m in CONTRACTS])
def test_valid_rows_pass_every_check(engine: DuckDBEngine, model: str) -> None:
    assert failures(engine, model, table_of(CONTRACTS[model], valid_rows(model))) == {}


@pytest.mark.parametrize(
    "model",
    [
        param(m, id=m)
        for m, contract in CONTRACTS.items()
        if contract.to_schema().unique  # type: ignore[attr-defined]
    ],
)
def test_each_uniqueness_check_fails_on_a_duplicated_key(engine: DuckDBEngine, model: str) -> None:
    rows = valid_rows(model)
    key = CONTRACTS[model].to_schema().unique  # type: ignore[attr-defined]
    if model == "gold.dim_date":
        rows.append(rows[0])  # a day is its own key: the unknown member, twice
    else:
        rows[1] |= {c: rows[0][c] for c in key}  # the second row takes the first one's key
    table = table_of(CONTRACTS[model], rows)
    assert failures(engine, model, table) == {f"{model}.unique": 2}


def test_a_merge_key_check_finds_a_clash_with_rows_the_merge_keeps(engine: DuckDBEngine) -> None:
    model = "gold.customer_keys"  # merged by customer_id, unique by customer_key
    checks = contract_checks(model, gold.CustomerKeys, SeverityPolicy())

    def table(*rows: tuple[int, int | None]) -> ir.Table:
        return table_of(gold.CustomerKeys, [{"customer_id": i, "customer_key": k} for i, k in rows])

    # (customer_id, customer_key): the merge replaces customer 4's row.
    old = table((1, 1), (2, 2), (4, 4), (5, 7), (6, 7), (7, None))
    new = table((3, 2), (4, 4), (8, None))  # customer 3 takes the key customer 2 keeps
    keys = ibis.memtable({"customer_id": [3, 4, 8]})
    found = audit(engine, checks, new, old=old, keys=keys, partition=("customer_id",))
    unique = {r.id: r.failures for r in found.results}[f"{model}.unique"]
    # Key 2 twice, and the null key twice (a null is one key, as in a GROUP BY). Key 4 is not
    # a clash: customer 4's old row goes. Key 7 is repeated among kept rows only: the run
    # that wrote them checked it.
    assert unique == 4


def test_contracts_with_a_key_are_exactly_these() -> None:
    keyed = {m for m, c in CONTRACTS.items() if c.to_schema().unique}  # type: ignore[attr-defined]
    assert keyed == set(CONTRACTS) - {"gold.fact_sales"}  # its grain allows repeated -1 keys


S, G = "silver", "gold"
VIOLATIONS = [
    # (model, {row index: overrides}, {check id: failures})
    # not_null
    (f"{S}.crm_customers", {0: {"customer_id": None}}, {"customer_id.not_null": 1}),
    (f"{S}.crm_sales", {1: {"quantity": None}}, {"quantity.not_null": 1}),
    (f"{S}.erp_customer_locations", {0: {"country": None}}, {"country.not_null": 1}),
    (f"{G}.dim_product", {0: {"category": None}}, {"category.not_null": 1}),
    (f"{G}.fact_orders", {0: {"order_number": None}}, {"order_number.not_null": 1}),
    # isin
    (f"{S}.crm_customers", {0: {"marital_status": "S"}}, {"marital_status.isin": 1}),
    (f"{S}.crm_products", {0: {"product_line": "R"}}, {"product_line.isin": 1}),
    (f"{S}.erp_customer_demographics", {0: {"gender": "MALE"}}, {"gender.isin": 1}),
    (f"{G}.dim_customer", {1: {"gender": "F"}}, {"gender.isin": 1}),
    (f"{G}.dim_date", {1: {"month_name": "Jan"}}, {"month_name.isin": 1}),
    (f"{G}.dim_date", {1: {"day_name": "Sun"}}, {"day_name.isin": 1}),
    # ranges
    (f"{S}.crm_customers", {1: {"customer_id": 0}}, {"customer_id.greater_than": 1}),
    (f"{S}.crm_products", {0: {"cost": Decimal("-0.01")}}, {"cost.greater_than_or_equal_to": 1}),
    (
        f"{S}.crm_sales",
        {1: {"quantity": 0, "sales_amount": Decimal("0.00")}},
        {"quantity.greater_than": 1},
    ),
    # A price that is not positive comes with a sales amount that is not positive either.
    (
        f"{S}.crm_sales",
        {0: {"price": Decimal("0.00"), "sales_amount": Decimal("0.00")}},
        {"price.greater_than": 1, "sales_amount_positive": 1},
    ),
    (
        f"{S}.erp_customer_demographics",
        {0: {"birth_date": dt.date(1899, 12, 31)}},
        {"birth_date.greater_than_or_equal_to": 1},
    ),
    (
        f"{S}.erp_product_categories",
        {0: {"_batch_id": 0}},
        {"_batch_id.greater_than_or_equal_to": 1},
    ),
    (
        "bronze.crm_sales_details",
        {1: {"_source_row": 0}},
        {"_source_row.greater_than_or_equal_to": 1},
    ),
    (f"{G}.fact_orders", {1: {"line_count": 0}}, {"line_count.greater_than_or_equal_to": 1}),
    (f"{G}.dim_date", {0: {"quarter": 5}}, {"quarter.in_range": 1}),  # the unknown member
    (
        f"{G}.fact_orders",
        {0: {"ship_date_key": 20121231, "days_to_ship": -1}},
        {"days_to_ship.greater_than_or_equal_to": 1},
    ),
    # str_matches
    (
        "bronze.erp_loc_a101",
        {0: {"_source_file": "erp/cust_az12/data/a.csv"}},
        {"_source_file.str_matches": 1},
    ),
    (f"{S}.crm_sales", {1: {"_source_file": "a.csv"}}, {"_source_file.str_matches": 1}),
    (f"{S}.crm_products", {1: {"category_id": "BI-RB"}}, {"category_id.str_matches": 1}),
    (
        f"{S}.erp_customer_locations",
        {1: {"customer_number": "AW-2"}},
        {"customer_number.str_matches": 1},
    ),
    (f"{G}.dim_location", {0: {"country_code": "de"}}, {"country_code.str_matches": 1}),
    (f"{G}.dim_date", {2: {"year_month": "2012-1"}}, {"year_month.str_matches": 1}),
    # custom column checks
    (f"{S}.crm_customers", {0: {"last_name": "Lovelace\r"}}, {"last_name.trimmed": 1}),
    (f"{S}.crm_sales", {0: {"order_number": " SO1"}}, {"order_number.trimmed": 1}),
    (f"{S}.erp_product_categories", {1: {"subcategory": ""}}, {"subcategory.trimmed": 1}),
    (f"{G}.dim_customer", {1: {"location_key": 0}}, {"location_key.surrogate_key": 1}),
    (f"{G}.fact_sales", {1: {"product_key": -2}}, {"product_key.surrogate_key": 1}),
    # dataframe checks
    (f"{S}.crm_products", {0: {"end_date": dt.date(2013, 7, 1)}}, {"versions_do_not_overlap": 1}),
    (f"{S}.crm_products", {1: {"end_date": dt.date(2014, 1, 1)}}, {"versions_do_not_overlap": 1}),
    (
        f"{S}.crm_products",
        {0: {"end_date": dt.date(2012, 12, 31)}},
        {"end_date_not_before_start_date": 1},
    ),
    (
        f"{S}.crm_sales",
        {0: {"ship_date": dt.date(2012, 12, 31)}},
        {"ship_date_not_before_order_date": 1},
    ),
    (
        f"{S}.crm_sales",
        {1: {"due_date": dt.date(2012, 12, 31)}},
        {"due_date_not_before_order_date": 1},
    ),
    (
        f"{S}.crm_sales",
        {0: {"sales_amount": Decimal("20.01")}},
        {"sales_amount_is_quantity_times_price": 1},
    ),
    # A missing price: the recorded sales stands, even negative or missing (SPEC 6).
    (
        f"{S}.crm_sales",
        {1: {"price": None, "sales_amount": Decimal("-5.00")}},
        {"sales_amount_positive": 1},
    ),
    (f"{S}.crm_sales", {1: {"price": None, "sales_amount": None}}, {"sales_amount_positive": 1}),
    (f"{G}.dim_customer", {0: {"customer_id": None}}, {"known_members_have_customer_id": 1}),
    (f"{G}.dim_customer", {1: {"location_key": None}}, {"known_members_have_location": 1}),
    (f"{G}.dim_customer", {1: {"customer_id": 1}}, {"one_row_per_customer_id": 2}),
    (f"{G}.dim_location", {2: {"country": "Spain"}}, {"unknown_country_is_the_unknown_member": 1}),
    (f"{G}.dim_location", {1: {"country": "Germany"}}, {"one_row_per_country": 2}),
    (f"{G}.dim_product", {1: {"product_id": None}}, {"known_members_have_product_number": 1}),
    (f"{G}.dim_product", {1: {"product_number": "BK-R1"}}, {"one_row_per_product_number": 2}),
    (f"{G}.dim_date", {1: {"date_key": 2012011}}, {"date_key_is_yyyymmdd": 1}),
    (f"{G}.dim_date", {0: {"date_key": 0}}, {"date_key_is_yyyymmdd": 1}),
    (f"{G}.dim_date", {3: {"iso_week": 2}}, {"calendar_matches_date": 1}),  # 2012-01-03
    (f"{G}.dim_date", {1: {"is_weekend": False}}, {"weekend_is_saturday_and_sunday": 1}),
    (f"{G}.dim_date", {60: DROP}, {"whole_years": 365}),  # no 29 February in a leap year
    (f"{G}.fact_sales", {0: {"profit": Decimal("12.01")}}, {"profit_is_sales_minus_cost": 1}),
    (f"{G}.fact_sales", {1: {"profit": Decimal("0.00")}}, {"profit_is_sales_minus_cost": 1}),
    (
        f"{G}.fact_sales",
        {1: {"cost_amount": Decimal("1.00"), "profit": Decimal("9.00")}},
        {"unknown_product_has_no_cost": 1},
    ),
    (f"{G}.fact_sales", {2: {"location_key": 1}}, {"unknown_customer_has_unknown_location": 1}),
    (f"{G}.fact_orders", {1: {"location_key": 2}}, {"unknown_customer_has_unknown_location": 1}),
    (f"{G}.fact_orders", {0: {"days_to_ship": 6}}, {"days_to_ship_matches_date_keys": 1}),
    (f"{G}.fact_orders", {2: {"days_to_ship": 0}}, {"days_to_ship_matches_date_keys": 1}),
    (
        f"{G}.fact_orders",
        {0: {"due_date_key": 20121231}},
        {"due_date_not_before_order_date": 1},
    ),
]


@pytest.mark.parametrize(
    ("model", "changes", "expected"),
    [
        param(model, changes, expected, id=f"{model}:{'+'.join(expected)}")
        for model, changes, expected in VIOLATIONS
    ],
)
def test_each_kind_of_check_fails_on_exactly_the_broken_rows(
    engine: DuckDBEngine, model: str, changes: dict[int, Any], expected: dict[str, int]
) -> None:
    found = failures(engine, model, broken(model, changes))
    assert found == {f"{model}.{check}": count for check, count in expected.items()}


def test_every_dataframe_check_is_shown_to_fail() -> None:
    shown = {f"{m}.{c}" for m, _, expected in VIOLATIONS for c in expected}
    declared = {
        f"{model}.{check.name}"
        for model, contract in CONTRACTS.items()
        for check in contract.to_schema().checks  # type: ignore[attr-defined]
    }
    assert declared - shown == set()


def test_bronze_contracts_hold_every_source_column_as_text_and_ingestion_metadata() -> None:
    for source in SOURCE_TABLES:
        contract = CONTRACTS[f"bronze.{source.bronze_name}"]
        table = ibis.memtable(bronze_schema(source.columns).empty_table())
        declared = contract.to_schema().columns  # type: ignore[attr-defined]
        assert set(declared) == {*bronze_schema(()).names, *source.columns}
        assert table.schema() == ibis.schema({c: declared[c].dtype.type for c in table.columns})
        assert all(declared[c].nullable for c in source.columns)


def test_bronze_contracts_accept_new_and_rescued_columns(engine: DuckDBEngine) -> None:
    rows = [r | {"new_column": "y", "_rescued_data": None} for r in bronze_rows("erp_loc_a101")]
    schema = bronze_schema((*BY_BRONZE_NAME["erp_loc_a101"].columns, "new_column", "_rescued_data"))
    table = ibis.memtable(pa.Table.from_pylist(rows, schema=schema))
    checks = contract_checks("bronze.erp_loc_a101", bronze.ErpLocA101, SeverityPolicy())
    check_schema(checks, table)
    assert failures(engine, "bronze.erp_loc_a101", table) == {}


def non_error_defaults() -> dict[str, str]:
    return {
        check.id: check.severity
        for model, contract in CONTRACTS.items()
        for check in contract_checks(model, contract, SeverityPolicy())
        if check.severity != "error"
    }


def test_default_severities_warn_on_source_facts_and_quarantine_unvaluable_lines() -> None:
    assert non_error_defaults() == {
        "silver.crm_customers.customer_id.greater_than": "warn",
        "silver.crm_products.product_id.greater_than": "warn",
        "silver.crm_products.cost.greater_than_or_equal_to": "warn",
        "silver.crm_products.end_date_not_before_start_date": "warn",
        "silver.crm_sales.customer_id.greater_than": "warn",
        "silver.crm_sales.quantity.not_null": "quarantine",
        "silver.crm_sales.quantity.greater_than": "quarantine",
        "silver.crm_sales.price.greater_than": "warn",
        "silver.crm_sales.ship_date_not_before_order_date": "warn",
        "silver.crm_sales.due_date_not_before_order_date": "warn",
        "silver.crm_sales.sales_amount_is_quantity_times_price": "warn",
        "silver.crm_sales.sales_amount_positive": "warn",
        "silver.erp_customer_demographics.birth_date.greater_than_or_equal_to": "warn",
        "gold.fact_orders.days_to_ship.greater_than_or_equal_to": "warn",
        "gold.fact_orders.due_date_not_before_order_date": "warn",
    }


def test_a_policy_overrides_the_contracts_default() -> None:
    checks = contract_checks(
        "silver.crm_sales",
        silver.CrmSales,
        SeverityPolicy((("silver.crm_sales.quantity.*", "warn"),)),
    )
    quantity = {c.id: c.severity for c in checks if c.id.startswith("silver.crm_sales.quantity.")}
    assert quantity == {
        "silver.crm_sales.quantity.not_null": "warn",
        "silver.crm_sales.quantity.greater_than": "warn",
    }


def test_quarantine_takes_out_exactly_the_lines_without_a_positive_quantity(
    engine: DuckDBEngine,
) -> None:
    model = "silver.crm_sales"
    rows = valid_rows(model)
    zero = rows[1] | {"order_number": "SO2", "quantity": 0, "sales_amount": Decimal("0.00")}
    unknown = rows[1] | {"order_number": "SO3", "quantity": None}
    table = table_of(silver.CrmSales, [*rows, zero, unknown])

    found = audit(engine, contract_checks(model, silver.CrmSales, SeverityPolicy()), table, run=7)

    assert {r.id: (r.status, r.failures) for r in found.results if r.failures} == {
        "silver.crm_sales.quantity.greater_than": ("quarantined", 1),
        "silver.crm_sales.quantity.not_null": ("quarantined", 1),
    }
    assert found.quarantined is not None and found.kept is not None
    out = engine.to_arrow(
        found.quarantined.select("order_number", "quantity", FAILED_CHECKS, QUARANTINED_RUN)
    )
    assert sorted(out.to_pylist(), key=lambda r: r["order_number"]) == [
        {
            "order_number": "SO2",
            "quantity": 0,
            FAILED_CHECKS: "silver.crm_sales.quantity.greater_than",
            QUARANTINED_RUN: 7,
        },
        {
            "order_number": "SO3",
            "quantity": None,
            FAILED_CHECKS: "silver.crm_sales.quantity.not_null",
            QUARANTINED_RUN: 7,
        },
    ]
    kept = engine.to_arrow(found.kept.select("order_number", "product_number"))
    assert sorted(kept.to_pylist(), key=str) == sorted(
        ({"order_number": r["order_number"], "product_number": r["product_number"]} for r in rows),
        key=str,
    )


def test_a_warned_quantity_reports_and_keeps_the_line(engine: DuckDBEngine) -> None:
    policy = SeverityPolicy((("silver.crm_sales.quantity.*", "warn"),))
    checks = contract_checks("silver.crm_sales", silver.CrmSales, policy)
    table = broken("silver.crm_sales", {1: {"quantity": 0, "sales_amount": Decimal("0.00")}})
    found = audit(engine, checks, table)
    assert [(r.id, r.status) for r in found.results if r.failures] == [
        ("silver.crm_sales.quantity.greater_than", "warn")
    ]
    assert found.quarantined is None and found.kept is None
