"""The gold star schema (SPEC 3 and 6) built through the real silver models from tiny bronze."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

import ibis
import ibis.expr.types as ir
import pytest

from medallion.models.gold.customer_keys import customer_keys
from medallion.models.gold.dim_customer import dim_customer
from medallion.models.gold.dim_date import dim_date
from medallion.models.gold.dim_location import dim_location
from medallion.models.gold.dim_product import dim_product
from medallion.models.gold.fact_orders import fact_orders
from medallion.models.gold.fact_sales import fact_sales
from medallion.models.gold.location_keys import location_keys
from medallion.models.silver.crm_customers import crm_customers
from medallion.models.silver.crm_products import crm_products
from medallion.models.silver.crm_sales import crm_sales
from medallion.models.silver.erp_customer_demographics import erp_customer_demographics
from medallion.models.silver.erp_customer_locations import erp_customer_locations
from medallion.models.silver.erp_product_categories import erp_product_categories
from tests.bronze import bronze_table
from tests.conftest import AS_OF

Row = dict[str, Any]
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass
class Landing:
    """Bronze rows of the six source tables (each row may set batch, file and line)."""

    cust_info: list[Row] = field(default_factory=list)
    prd_info: list[Row] = field(default_factory=list)
    sales_details: list[Row] = field(default_factory=list)
    cust_az12: list[Row] = field(default_factory=list)
    loc_a101: list[Row] = field(default_factory=list)
    px_cat_g1v2: list[Row] = field(default_factory=list)

    def plus(self, later: Landing) -> Landing:
        """This landing and a later delivery on top of it (bronze is append-only)."""
        return Landing(
            **{name: [*getattr(self, name), *getattr(later, name)] for name in self.__dict__}
        )


class Star:
    """The gold tables of a landing, built through the silver models as the runner does: each
    model's output is stored (here: in memory) before the next reads it. Built on demand."""

    def __init__(self, con: ibis.BaseBackend, landing: Landing) -> None:
        self.con = con
        self.landing = landing

    def __getitem__(self, name: str) -> ir.Table:
        return getattr(self, name)

    def stored(self, table: ir.Table) -> ir.Table:
        return ibis.memtable(self.con.to_pyarrow(table))

    def bronze(self, table: str) -> ir.Table:
        return bronze_table(table, getattr(self.landing, table.split("_", 1)[1]))

    @cached_property
    def sales(self) -> ir.Table:
        return self.stored(crm_sales(self.bronze("crm_sales_details")).table)

    @cached_property
    def dim_location(self) -> ir.Table:
        return self.stored(dim_location(location_keys(self.bronze("erp_loc_a101"))))

    @cached_property
    def dim_customer(self) -> ir.Table:
        cust_info = self.bronze("crm_cust_info")
        customers = self.stored(crm_customers(cust_info).table)
        az12 = self.bronze("erp_cust_az12")
        demographics = self.stored(erp_customer_demographics(az12, as_of=AS_OF).table)
        locations = self.stored(erp_customer_locations(self.bronze("erp_loc_a101")).table)
        return self.stored(
            dim_customer(
                customers, demographics, locations, self.dim_location, customer_keys(cust_info)
            )
        )

    @cached_property
    def dim_product(self) -> ir.Table:
        prd_info = self.bronze("crm_prd_info")
        products = self.stored(crm_products(prd_info).table)
        categories = self.stored(erp_product_categories(self.bronze("erp_px_cat_g1v2")).table)
        return self.stored(dim_product(products, categories, prd_info))

    @cached_property
    def dim_date(self) -> ir.Table:
        return self.stored(dim_date(self.sales))

    @cached_property
    def fact_sales(self) -> ir.Table:
        return self.stored(fact_sales(self.sales, self.dim_product, self.dim_customer))

    @cached_property
    def fact_orders(self) -> ir.Table:
        return self.stored(fact_orders(self.fact_sales, self.dim_customer))


@pytest.fixture(scope="module")
def run(duck: ibis.BaseBackend) -> Callable[[ir.Table], list[Row]]:
    """Rows as dicts through Arrow: exact decimals, dates as datetime.date (the pandas path of
    the `evaluate` fixture raises Pandas4Warning with pandas 3.1 + ibis 12)."""

    def rows(table: ir.Table) -> list[Row]:
        return duck.to_pyarrow(table).to_pylist()

    return rows


@pytest.fixture(scope="module")
def build(duck: ibis.BaseBackend) -> Callable[[Landing], Star]:
    """The star of a landing; tests given an equal landing share its (lazily built) tables."""
    built: dict[str, Star] = {}

    def star_of(landing: Landing) -> Star:
        return built.setdefault(repr(landing), Star(duck, landing))

    return star_of


def by(rows: list[Row], key: str) -> dict[Any, Row]:
    out = {r[key]: r for r in rows}
    assert len(out) == len(rows), f"{key} is not unique"
    return out


def keys(run, table: ir.Table, natural: str, key: str) -> dict[Any, int]:
    """natural key -> surrogate key, without the unknown member."""
    return {r[natural]: r[key] for r in run(table) if r[key] != -1}


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


M = Decimal


def customer(cst_id: int, key: str, **fields: Any) -> Row:
    return {"cst_id": str(cst_id), "cst_key": key, **fields}


def product(prd_id: int, key: str, cost: str | None = "10", **fields: Any) -> Row:
    return {"prd_id": str(prd_id), "prd_key": key, "prd_cost": cost, **fields}


def sale(order: str, product_number: str, cust_id: int | str | None, **fields: Any) -> Row:
    row = {
        "sls_ord_num": order,
        "sls_prd_key": product_number,
        "sls_quantity": "1",
        "sls_price": "10",
        "sls_sales": "10",
        "sls_order_dt": "20130105",
    }
    return {**row, "sls_cust_id": None if cust_id is None else str(cust_id), **fields}


# --- unknown members -------------------------------------------------------------------------


SMALL_WORLD = Landing(
    cust_info=[customer(1, "AW1", cst_gndr="F")],
    prd_info=[product(1, "CO-RF-FR-1", prd_start_dt="2012-01-01")],
    sales_details=[sale("SO1", "FR-1", 1)],
    cust_az12=[{"cid": "AW1", "bdate": "1970-01-01", "gen": "F"}],
    loc_a101=[{"cid": "AW-1", "cntry": "DE"}],
    px_cat_g1v2=[
        {"id": "CO_RF", "cat": "Components", "subcat": "Road Frames", "maintenance": "No"}
    ],
)

UNKNOWN_MEMBERS: dict[str, tuple[str, Row]] = {
    "dim_customer": (
        "customer_key",
        {
            "customer_id": None,
            "customer_number": "n/a",
            "first_name": "n/a",
            "last_name": "n/a",
            "gender": "n/a",
            "marital_status": "n/a",
            "birth_date": None,
            "create_date": None,
            "location_key": None,
        },
    ),
    "dim_product": (
        "product_key",
        {
            "product_id": None,
            "product_number": "n/a",
            "product_name": "n/a",
            "category_id": "n/a",
            "category": "n/a",
            "subcategory": "n/a",
            "maintenance_required": None,
            "product_line": "n/a",
            "cost": None,
            "start_date": None,
        },
    ),
    "dim_location": ("location_key", {"country": "n/a", "country_code": None}),
    "dim_date": (
        "date_key",
        {
            "date": None,
            "year": None,
            "quarter": None,
            "month": None,
            "month_name": "n/a",
            "day_of_month": None,
            "day_of_week": None,
            "day_name": "n/a",
            "iso_week": None,
            "year_month": "n/a",
            "is_weekend": None,
        },
    ),
}


@pytest.fixture(scope="module", params=[SMALL_WORLD, Landing()], ids=["with-data", "empty"])
def any_world(request: pytest.FixtureRequest, build) -> Star:
    return build(request.param)


@pytest.mark.parametrize("dimension", sorted(UNKNOWN_MEMBERS))
def test_every_dimension_has_one_unknown_member_with_text_na_and_other_attributes_null(
    any_world: Star, run, dimension: str
) -> None:
    key, attributes = UNKNOWN_MEMBERS[dimension]
    table = any_world[dimension]
    assert set(table.columns) == {key, *attributes}
    unknown = [r for r in run(table) if r[key] == -1]
    assert unknown == [{key: -1, **attributes}]


def test_dimensions_of_an_empty_landing_hold_only_the_unknown_member(build, run) -> None:
    gold = build(Landing())
    for dimension, (key, _) in UNKNOWN_MEMBERS.items():
        assert [r[key] for r in run(gold[dimension])] == [-1], dimension
    assert run(gold["fact_sales"]) == []
    assert run(gold["fact_orders"]) == []


# --- surrogate keys --------------------------------------------------------------------------


def test_surrogate_keys_follow_first_delivery_order(build, run) -> None:
    gold = build(
        Landing(
            cust_info=[
                customer(30, "AW30", _source_file="b.csv", _source_row=1),
                customer(10, "AW10", _source_file="b.csv", _source_row=2),
                customer(20, "AW20", _source_file="a.csv", _source_row=7, _batch_id=2),
                customer(10, "AW10", _source_file="a.csv", _source_row=1, _batch_id=2),
            ],
            loc_a101=[{"cid": "AW10", "cntry": "US"}, {"cid": "AW20", "cntry": "DE"}],
            prd_info=[product(1, "CO-RF-ZZ"), product(2, "CO-RF-AA"), product(3, "CO-RF-ZZ")],
        )
    )
    customer_keys = keys(run, gold["dim_customer"], "customer_id", "customer_key")
    assert 0 < customer_keys[30] < customer_keys[10] < customer_keys[20]
    countries = keys(run, gold["dim_location"], "country", "location_key")
    assert 0 < countries["United States"] < countries["Germany"]
    products = keys(run, gold["dim_product"], "product_number", "product_key")
    assert 0 < products["ZZ"] < products["AA"]


def test_a_country_is_keyed_by_the_first_delivery_of_any_of_its_spellings(build, run) -> None:
    rows = [
        # A blank customer number does not make its country a member, nor does "n/a".
        {"cid": " - ", "cntry": "France", "_source_row": 1},
        {"cid": "AW1", "cntry": "", "_source_row": 2},
        {"cid": "AW2", "cntry": "Germany", "_source_row": 3},
        {"cid": "AW3", "cntry": "USA", "_source_row": 4},
        {"cid": "AW4", "cntry": " DE ", "_source_row": 5},
        {"cid": "AW5", "cntry": "FR", "_source_file": "g.csv", "_source_row": 1},
        {"cid": "AW6", "cntry": "US", "_batch_id": 2, "_source_file": "a.csv"},
    ]
    countries = keys(run, build(Landing(loc_a101=rows))["dim_location"], "country", "location_key")
    assert countries == {"Germany": 1, "United States": 2, "France": 3}


BATCH_1 = Landing(
    cust_info=[
        customer(30, "AW30", cst_create_date="2012-01-01"),
        customer(10, "AW10", cst_create_date="2012-01-01"),
        customer(20, "AW20", cst_create_date="2012-01-01"),
    ],
    prd_info=[
        product(1, "CO-RF-FR-B", prd_start_dt="2011-01-01"),
        product(2, "CO-RF-FR-A", prd_start_dt="2011-01-01"),
    ],
    loc_a101=[
        {"cid": "AW-30", "cntry": "US"},
        {"cid": "AW-10", "cntry": "DE"},
        {"cid": "AW-20", "cntry": "US"},
    ],
    sales_details=[sale("SO1", "FR-B", 30)],
)
# Smaller ids, earlier file names and new versions of existing members, all in batch 2.
BATCH_2 = Landing(
    cust_info=[
        customer(5, "AW5", _batch_id=2, _source_file="a.csv"),
        customer(10, "AW10", cst_create_date="2013-01-01", _batch_id=2, _source_file="a.csv"),
        customer(25, "AW25", _batch_id=2, _source_file="a.csv"),
    ],
    prd_info=[
        product(3, "AC-HE-AA-0", _batch_id=2, _source_file="a.csv"),
        product(4, "CO-RF-FR-B", prd_start_dt="2013-01-01", _batch_id=2, _source_file="a.csv"),
    ],
    loc_a101=[
        {"cid": "AW5", "cntry": "AU", "_batch_id": 2, "_source_file": "a.csv"},
        {"cid": "AW10", "cntry": "US", "_batch_id": 2, "_source_file": "a.csv"},
    ],
)


@pytest.mark.parametrize(
    ("dimension", "natural", "key", "new_members"),
    [
        ("dim_customer", "customer_id", "customer_key", {5, 25}),
        ("dim_product", "product_number", "product_key", {"AA-0"}),
        ("dim_location", "country", "location_key", {"Australia"}),
    ],
)
def test_surrogate_keys_do_not_change_when_a_later_batch_adds_members(
    build, run, dimension: str, natural: str, key: str, new_members: set[Any]
) -> None:
    before = keys(run, build(BATCH_1)[dimension], natural, key)
    after = keys(run, build(BATCH_1.plus(BATCH_2))[dimension], natural, key)
    assert {k: after[k] for k in before} == before
    assert set(after) - set(before) == new_members
    assert len(set(after.values())) == len(after)
    assert min(after[k] for k in new_members) > max(before.values())


# --- dim_customer ----------------------------------------------------------------------------


def test_customer_gender_falls_back_to_erp_when_crm_is_na(build, run) -> None:
    gold = build(
        Landing(
            cust_info=[
                customer(1, "AW1", cst_gndr=""),
                customer(2, "AW2", cst_gndr="M"),
                customer(3, "AW3", cst_gndr=None),
                customer(4, "AW4", cst_gndr="x"),
                customer(5, "AW5", cst_gndr=None),
            ],
            cust_az12=[
                {"cid": "NASAW1", "gen": "Female"},
                {"cid": "AW2", "gen": "F"},
                {"cid": "AW4", "gen": "?"},
                {"cid": "nasAW5", "gen": "male"},
            ],
        )
    )
    genders = {r["customer_id"]: r["gender"] for r in run(gold["dim_customer"])}
    assert genders == {1: "Female", 2: "Male", 3: "n/a", 4: "n/a", 5: "Male", None: "n/a"}


def test_customer_attributes_come_from_crm_and_erp(build, run) -> None:
    gold = build(
        Landing(
            cust_info=[
                customer(
                    1,
                    " AW1 ",
                    cst_firstname=" Jon",
                    cst_lastname="Yang ",
                    cst_marital_status="m",
                    cst_create_date="20130105",
                ),
            ],
            cust_az12=[{"cid": "NASAW1", "bdate": "1970-01-02"}],
            loc_a101=[{"cid": "AW-1", "cntry": "DE"}],
        )
    )
    [germany] = [r["location_key"] for r in run(gold["dim_location"]) if r["country"] == "Germany"]
    [row] = [r for r in run(gold["dim_customer"]) if r["customer_key"] != -1]
    del row["customer_key"]
    assert row == {
        "customer_id": 1,
        "customer_number": "AW1",
        "first_name": "Jon",
        "last_name": "Yang",
        "gender": "n/a",
        "marital_status": "Married",
        "birth_date": d("1970-01-02"),
        "create_date": d("2013-01-05"),
        "location_key": germany,
    }


def test_customer_location_key_is_unknown_without_a_country(build, run) -> None:
    gold = build(
        Landing(
            cust_info=[customer(1, "AW1"), customer(2, "AW2"), customer(3, "AW3")],
            loc_a101=[{"cid": "AW1", "cntry": "  "}, {"cid": "AW3", "cntry": "Atlantis"}],
        )
    )
    places = keys(run, gold["dim_location"], "country", "location_key")
    assert set(places) == {"Atlantis"}
    located = {r["customer_id"]: r["location_key"] for r in run(gold["dim_customer"])}
    assert located == {1: -1, 2: -1, 3: places["Atlantis"], None: None}


def test_crm_and_erp_customer_numbers_join_exactly_after_trimming(build, run) -> None:
    gold = build(
        Landing(
            cust_info=[customer(1, "AW1"), customer(2, "AW2 ")],
            cust_az12=[{"cid": "aw1", "gen": "F"}, {"cid": " NASAW2\t", "gen": "F"}],
        )
    )
    genders = {r["customer_id"]: r["gender"] for r in run(gold["dim_customer"])}
    assert genders == {1: "n/a", 2: "Female", None: "n/a"}


def test_dim_customer_has_one_row_per_crm_customer_only(build, run) -> None:
    gold = build(
        Landing(
            cust_info=[customer(1, "AW1"), customer(1, "AW1", cst_create_date="2013-01-01")],
            cust_az12=[{"cid": "AW1"}, {"cid": "AW9"}],
            loc_a101=[{"cid": "AW1", "cntry": "DE"}, {"cid": "AW9", "cntry": "US"}],
        )
    )
    rows = run(gold["dim_customer"])
    assert Counter(r["customer_id"] for r in rows) == {1: 1, None: 1}  # None: the unknown member


# --- dim_location ----------------------------------------------------------------------------


def test_dim_location_holds_every_erp_country_with_its_iso_code(build, run) -> None:
    gold = build(
        Landing(
            loc_a101=[
                {"cid": "AW1", "cntry": "DE"},
                {"cid": "AW2", "cntry": "USA"},
                {"cid": "AW3", "cntry": "US"},
                {"cid": "AW4", "cntry": " United States "},
                {"cid": "AW5", "cntry": "Atlantis"},
                {"cid": "AW6", "cntry": ""},
            ]
        )
    )
    codes = {r["country"]: r["country_code"] for r in run(gold["dim_location"])}
    assert codes == {"Germany": "DE", "United States": "US", "Atlantis": None, "n/a": None}


# --- dim_product -----------------------------------------------------------------------------


def test_dim_product_is_the_current_version_with_the_latest_start_date(build, run) -> None:
    gold = build(
        Landing(
            prd_info=[
                product(1, "CO-RF-FR-1", "100", prd_nm="v1", prd_start_dt="2011-01-01"),
                product(3, "CO-RF-FR-1", "130", prd_nm="v3", prd_start_dt="2013-01-01"),
                product(2, "CO-RF-FR-1", "120", prd_nm="v2", prd_start_dt="2012-01-01"),
                product(5, "CO-RF-FR-2", "50", prd_nm="dated", prd_start_dt="2010-01-01"),
                product(6, "CO-RF-FR-2", "60", prd_nm="undated", prd_start_dt=None),
            ]
        )
    )
    rows = by([r for r in run(gold["dim_product"]) if r["product_key"] != -1], "product_number")
    assert set(rows) == {"FR-1", "FR-2"}
    current = {
        n: (r["product_id"], r["product_name"], r["cost"], r["start_date"]) for n, r in rows.items()
    }
    assert current == {
        "FR-1": (3, "v3", M("130.00"), d("2013-01-01")),
        "FR-2": (5, "dated", M("50.00"), d("2010-01-01")),
    }


def test_current_version_with_tied_start_dates_is_the_last_in_end_date_order(build, run) -> None:
    # Versions are ordered by (start_date, prd_id): of two equal starts the larger prd_id is
    # the last one, the one whose end_date is null.
    gold = build(
        Landing(
            prd_info=[
                product(5, "CO-RF-FR-1", "50", prd_start_dt="2012-01-01"),
                product(4, "CO-RF-FR-1", "40", prd_start_dt="2012-01-01"),
                product(3, "CO-RF-FR-1", "30", prd_start_dt="2011-01-01"),
                product(7, "CO-RF-FR-2", "70", prd_start_dt=None),
                product(6, "CO-RF-FR-2", "60", prd_start_dt=None),
            ]
        )
    )
    current = {r["product_number"]: (r["product_id"], r["cost"]) for r in run(gold["dim_product"])}
    assert current == {"FR-1": (5, M("50.00")), "FR-2": (7, M("70.00")), "n/a": (None, None)}


def test_dim_product_takes_categories_from_erp_or_na(build, run) -> None:
    gold = build(
        Landing(
            prd_info=[product(1, "CO-RF-FR-1", prd_line="R"), product(2, "XX-YY-FR-2")],
            px_cat_g1v2=[
                {"id": "CO_RF", "cat": "Components", "subcat": "Road Frames", "maintenance": "No"}
            ],
        )
    )
    rows = by([r for r in run(gold["dim_product"]) if r["product_key"] != -1], "product_number")
    got = {
        n: (
            r["category_id"],
            r["category"],
            r["subcategory"],
            r["maintenance_required"],
            r["product_line"],
        )
        for n, r in rows.items()
    }
    assert got == {
        "FR-1": ("CO_RF", "Components", "Road Frames", False, "Road"),
        "FR-2": ("XX_YY", "n/a", "n/a", None, "n/a"),
    }


# --- fact_sales ------------------------------------------------------------------------------


FACT_WORLD = Landing(
    cust_info=[customer(10, "AW10"), customer(20, "AW20")],
    loc_a101=[{"cid": "AW-10", "cntry": "DE"}],
    prd_info=[
        product(1, "CO-RF-FR-1", "100", prd_start_dt="2011-01-01"),
        product(2, "CO-RF-FR-1", "120", prd_start_dt="2013-01-01"),
        product(3, "CO-RF-FR-2", "abc", prd_start_dt="2011-01-01"),
    ],
    sales_details=[
        sale(
            "SO1",
            "FR-1",
            10,
            sls_quantity="2",
            sls_price="300",
            sls_sales="600",
            sls_order_dt="20130105",
            sls_ship_dt="20130112",
            sls_due_dt="20130117",
        ),
        sale("SO1", "ZZ-9", 10, sls_quantity="1", sls_price="50", sls_sales="50"),
        sale(
            "SO2",
            "FR-1",
            99,
            sls_quantity="1",
            sls_price="300",
            sls_sales="300",
            sls_order_dt="0",
            sls_ship_dt="2013-02-30",
            sls_due_dt=None,
        ),
        sale("SO3", "FR-1", 20, sls_quantity="1", sls_price="300", sls_sales="300"),
        sale("SO4", "FR-2", 10, sls_quantity="1", sls_price="300", sls_sales="300"),
        sale("SO5", "FR-1", "abc", sls_quantity="1", sls_price="300", sls_sales="300"),
    ],
)


@pytest.fixture(scope="module")
def fact_world(build, run) -> dict[str, Any]:
    gold = build(FACT_WORLD)
    return {
        "lines": {(r["order_number"], r["product_key"]): r for r in run(gold["fact_sales"])},
        "customers": keys(run, gold["dim_customer"], "customer_id", "customer_key"),
        "products": keys(run, gold["dim_product"], "product_number", "product_key"),
        "places": keys(run, gold["dim_location"], "country", "location_key"),
        "date_keys": {r["date_key"] for r in run(gold["dim_date"])},
    }


def test_fact_sales_has_one_row_per_silver_order_line(fact_world) -> None:
    assert sorted(o for o, _ in fact_world["lines"]) == ["SO1", "SO1", "SO2", "SO3", "SO4", "SO5"]


def test_fact_sales_line_points_to_its_product_customer_and_location(fact_world) -> None:
    fr1 = fact_world["products"]["FR-1"]
    row = fact_world["lines"]["SO1", fr1]
    assert (row["customer_key"], row["location_key"]) == (
        fact_world["customers"][10],
        fact_world["places"]["Germany"],
    )
    assert (row["quantity"], row["price"], row["sales_amount"]) == (2, M("300"), M("600"))


def test_cost_amount_is_current_cost_times_quantity_and_profit_is_sales_minus_cost(
    fact_world,
) -> None:
    row = fact_world["lines"]["SO1", fact_world["products"]["FR-1"]]
    assert (row["cost_amount"], row["profit"]) == (M("240.00"), M("360.00"))


def test_unknown_product_points_to_minus_one_with_null_cost_and_profit(fact_world) -> None:
    row = fact_world["lines"]["SO1", -1]
    assert (row["product_key"], row["cost_amount"], row["profit"]) == (-1, None, None)
    assert (row["sales_amount"], row["customer_key"]) == (M("50"), fact_world["customers"][10])


def test_product_without_a_cost_has_null_cost_and_profit(fact_world) -> None:
    row = fact_world["lines"]["SO4", fact_world["products"]["FR-2"]]
    assert (row["cost_amount"], row["profit"], row["sales_amount"]) == (None, None, M("300"))


@pytest.mark.parametrize("order", ["SO2", "SO5"], ids=["unknown-id", "invalid-id"])
def test_unknown_customer_points_to_minus_one_customer_and_location(fact_world, order: str) -> None:
    row = fact_world["lines"][order, fact_world["products"]["FR-1"]]
    assert (row["customer_key"], row["location_key"]) == (-1, -1)


def test_known_customer_without_a_country_has_unknown_location(fact_world) -> None:
    row = fact_world["lines"]["SO3", fact_world["products"]["FR-1"]]
    assert (row["customer_key"], row["location_key"]) == (fact_world["customers"][20], -1)


def test_fact_date_keys_are_yyyymmdd_and_null_for_unknown_dates(fact_world) -> None:
    fr1 = fact_world["products"]["FR-1"]
    known = fact_world["lines"]["SO1", fr1]
    unknown = fact_world["lines"]["SO2", fr1]
    assert (known["order_date_key"], known["ship_date_key"], known["due_date_key"]) == (
        20130105,
        20130112,
        20130117,
    )
    assert (unknown["order_date_key"], unknown["ship_date_key"], unknown["due_date_key"]) == (
        None,
        None,
        None,
    )


def test_every_fact_date_key_is_in_dim_date(fact_world) -> None:
    used = {
        r[c]
        for r in fact_world["lines"].values()
        for c in ("order_date_key", "ship_date_key", "due_date_key")
    } - {None}
    assert used and used <= fact_world["date_keys"]


def test_late_arriving_members_are_repointed_after_they_arrive(build, run) -> None:
    early = Landing(
        cust_info=[customer(10, "AW10")],
        prd_info=[product(1, "CO-RF-FR-1", "100")],
        sales_details=[sale("SO1", "FR-9", 77, sls_quantity="2", sls_price="50", sls_sales="100")],
    )
    late = Landing(
        cust_info=[customer(77, "AW77", _batch_id=2)],
        prd_info=[product(9, "CO-RF-FR-9", "30", _batch_id=2)],
        loc_a101=[{"cid": "AW-77", "cntry": "DE", "_batch_id": 2}],
    )
    [before] = run(build(early)["fact_sales"])
    assert (before["customer_key"], before["location_key"], before["product_key"]) == (-1, -1, -1)
    assert before["cost_amount"] is None

    gold = build(early.plus(late))
    [after] = run(gold["fact_sales"])
    customer_key = keys(run, gold["dim_customer"], "customer_id", "customer_key")[77]
    product_key = keys(run, gold["dim_product"], "product_number", "product_key")["FR-9"]
    germany = keys(run, gold["dim_location"], "country", "location_key")["Germany"]
    assert (after["customer_key"], after["location_key"], after["product_key"]) == (
        customer_key,
        germany,
        product_key,
    )
    assert (after["cost_amount"], after["profit"]) == (M("60.00"), M("40.00"))


# --- fact_orders -----------------------------------------------------------------------------


ORDER_WORLD = Landing(
    cust_info=[customer(10, "AW10"), customer(20, "AW20")],
    loc_a101=[{"cid": "AW10", "cntry": "DE"}, {"cid": "AW20", "cntry": "US"}],
    prd_info=[product(1, "CO-RF-FR-1", "100"), product(3, "CO-RF-FR-3", "10")],
    sales_details=[
        sale(
            "SO1",
            "FR-1",
            20,
            sls_quantity="1",
            sls_price="300",
            sls_sales="300",
            sls_order_dt="20130110",
            sls_ship_dt="20130115",
            sls_due_dt="20130118",
        ),
        sale(
            "SO1",
            "ZZ-1",
            10,
            sls_quantity="2",
            sls_price="50",
            sls_sales="100",
            sls_order_dt="20130105",
            sls_ship_dt="20130120",
            sls_due_dt="20130125",
        ),
        sale(
            "SO1",
            "FR-3",
            5,
            sls_quantity="3",
            sls_price="20",
            sls_sales="60",
            sls_order_dt="0",
            sls_ship_dt=None,
            sls_due_dt="20130130",
        ),
        sale(
            "SO2",
            "FR-1",
            99,
            sls_quantity="1",
            sls_price="100",
            sls_sales="100",
            sls_order_dt="20131230",
            sls_ship_dt="20140102",
            sls_due_dt="20140105",
        ),
        sale("SO3", "FR-1", 20, sls_order_dt="0", sls_ship_dt=None, sls_due_dt=None),
    ],
)


@pytest.fixture(scope="module")
def order_world(build, run) -> dict[str, Any]:
    gold = build(ORDER_WORLD)
    return {
        "orders": by(run(gold["fact_orders"]), "order_number"),
        "customers": keys(run, gold["dim_customer"], "customer_id", "customer_key"),
        "places": keys(run, gold["dim_location"], "country", "location_key"),
    }


def test_fact_orders_has_one_row_per_order(order_world) -> None:
    assert set(order_world["orders"]) == {"SO1", "SO2", "SO3"}


def test_order_customer_is_the_known_customer_with_the_smallest_id(order_world) -> None:
    # Customer 5 is smaller but unknown; 10 is the smallest known one, in Germany.
    order = order_world["orders"]["SO1"]
    assert (order["customer_key"], order["location_key"]) == (
        order_world["customers"][10],
        order_world["places"]["Germany"],
    )


def test_order_without_a_known_customer_points_to_minus_one(order_world) -> None:
    order = order_world["orders"]["SO2"]
    assert (order["customer_key"], order["location_key"]) == (-1, -1)


def test_order_dates_are_earliest_order_and_latest_ship_and_due(order_world) -> None:
    order = order_world["orders"]["SO1"]
    assert (order["order_date_key"], order["ship_date_key"], order["due_date_key"]) == (
        20130105,
        20130120,
        20130130,
    )


def test_days_to_ship_is_latest_ship_minus_earliest_order(order_world) -> None:
    orders = order_world["orders"]
    assert orders["SO1"]["days_to_ship"] == 15
    assert orders["SO2"]["days_to_ship"] == 3  # 2013-12-30 -> 2014-01-02
    assert orders["SO3"]["days_to_ship"] is None
    assert (orders["SO3"]["order_date_key"], orders["SO3"]["ship_date_key"]) == (None, None)


def test_line_count_counts_every_line(order_world) -> None:
    orders = order_world["orders"]
    assert (orders["SO1"]["line_count"], orders["SO2"]["line_count"]) == (3, 1)


def test_order_totals_ignore_nulls(order_world) -> None:
    # Lines: FR-1 300 - 1 x 100; unknown ZZ-1 100 (no cost); FR-3 60 - 3 x 10.
    order = order_world["orders"]["SO1"]
    assert (order["quantity"], order["sales_amount"], order["cost_amount"], order["profit"]) == (
        6,
        M("460.00"),
        M("130.00"),
        M("230.00"),
    )


# --- dim_date --------------------------------------------------------------------------------


def calendar_of(build, run, *dates: tuple[str | None, str | None, str | None]) -> dict[int, Row]:
    landing = Landing(
        sales_details=[
            sale(f"SO{i}", "P", 1, sls_order_dt=o, sls_ship_dt=s, sls_due_dt=u)
            for i, (o, s, u) in enumerate(dates)
        ]
    )
    return by(run(build(landing)["dim_date"]), "date_key")


def test_dim_date_covers_whole_years_from_the_first_to_the_last_sales_date(build, run) -> None:
    days = calendar_of(build, run, ("20120615", "0", None), (None, None, "2014-03-01"))
    dates = sorted(r["date"] for k, r in days.items() if k != -1)
    assert dates[0] == d("2012-01-01")
    assert dates[-1] == d("2014-12-31")
    assert len(dates) == 366 + 365 + 365  # every day once, 2012 a leap year
    assert all(b - a == dt.timedelta(days=1) for a, b in itertools.pairwise(dates))


def test_dim_date_of_sales_without_dates_is_only_the_unknown_member(build, run) -> None:
    assert list(calendar_of(build, run, ("0", None, "2013-02-30"))) == [-1]


def test_dim_date_monday_is_one_and_iso_weeks(build, run) -> None:
    days = calendar_of(build, run, ("20130105", None, None))
    assert days[20131230] == {
        "date_key": 20131230,
        "date": d("2013-12-30"),
        "year": 2013,
        "quarter": 4,
        "month": 12,
        "month_name": "December",
        "day_of_month": 30,
        "day_of_week": 1,
        "day_name": "Monday",
        "iso_week": 1,
        "year_month": "2013-12",
        "is_weekend": False,
    }
    saturday, sunday = days[20130105], days[20130106]
    assert (saturday["day_of_week"], saturday["day_name"], saturday["is_weekend"]) == (
        6,
        "Saturday",
        True,
    )
    assert (sunday["day_of_week"], sunday["day_name"], sunday["is_weekend"]) == (7, "Sunday", True)
    assert (days[20130101]["iso_week"], days[20130101]["day_name"]) == (1, "Tuesday")
    assert (days[20130401]["quarter"], days[20130401]["year_month"]) == (2, "2013-04")


def test_dim_date_iso_week_53_belongs_to_the_previous_iso_year(build, run) -> None:
    days = calendar_of(build, run, ("2010/01/03", None, None))
    assert (days[20100103]["iso_week"], days[20100103]["day_name"]) == (53, "Sunday")
    assert days[20100104]["iso_week"] == 1


def test_dim_date_agrees_with_the_python_calendar_on_every_day(build, run) -> None:
    days = calendar_of(build, run, ("20120101", None, "20131231"))
    for key, row in days.items():
        if key == -1:
            continue
        day: dt.date = row["date"]
        iso = day.isocalendar()
        assert row == {
            "date_key": day.year * 10000 + day.month * 100 + day.day,
            "date": day,
            "year": day.year,
            "quarter": (day.month - 1) // 3 + 1,
            "month": day.month,
            "month_name": MONTH_NAMES[day.month - 1],
            "day_of_month": day.day,
            "day_of_week": iso.weekday,
            "day_name": DAY_NAMES[iso.weekday - 1],
            "iso_week": iso.week,
            "year_month": f"{day.year:04d}-{day.month:02d}",
            "is_weekend": iso.weekday >= 6,
        }, key
