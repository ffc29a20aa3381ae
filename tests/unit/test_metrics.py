"""The metrics layer on a hand-built star: every metric's value worked out by hand, slicing,
filters (good and bad), derived metrics built from base ones, and age bands at their edges."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from medallion.metrics import (
    AGE_BANDS,
    METRICS,
    Filter,
    MetricError,
    get_metric,
    list_metrics,
    parse_filter,
    query,
)
from medallion.metrics.display import format_value, metrics_markdown
from medallion.metrics.models import age_band
from medallion.metrics.registry import divide
from schemas import gold as contracts
from tests.conftest import REPO

D = Decimal
NA = "n/a"


def gold_table(contract: Any, rows: list[dict[str, Any]]) -> ir.Table:
    """A memtable with exactly the gold contract's columns and types; absent values null."""
    schema = ibis.schema({n: c.dtype.type for n, c in contract.to_schema().columns.items()})
    arrow = schema.to_pyarrow()
    return ibis.memtable(
        pa.Table.from_pylist([{n: r.get(n) for n in arrow.names} for r in rows], arrow)
    )


def date_row(day: dt.date) -> dict[str, Any]:
    return {
        "date_key": int(day.strftime("%Y%m%d")),
        "date": day,
        "year": day.year,
        "quarter": (day.month - 1) // 3 + 1,
        "month": day.month,
        "month_name": day.strftime("%B"),
        "day_of_month": day.day,
        "day_of_week": day.isoweekday(),
        "day_name": day.strftime("%A"),
        "iso_week": day.isocalendar().week,
        "year_month": day.strftime("%Y-%m"),
        "is_weekend": day.isoweekday() >= 6,
    }


def line(order: str, product: int, customer: int, location: int, date_key: int | None, **m: Any):
    return {
        "order_number": order,
        "product_key": product,
        "customer_key": customer,
        "location_key": location,
        "order_date_key": date_key,
        **m,
    }


# Four known customers and the unknown member. The latest order date is 2014-01-28: Ann turns
# 30 that day, Bob turns 30 the day after, Dee turns 80 that day, Cy has no birth date.
GOLD = {
    "dim_location": gold_table(
        contracts.DimLocation,
        [
            {"location_key": -1, "country": NA},
            {"location_key": 1, "country": "Germany", "country_code": "DE"},
            {"location_key": 2, "country": "United States", "country_code": "US"},
        ],
    ),
    "dim_customer": gold_table(
        contracts.DimCustomer,
        [
            {
                "customer_key": -1,
                "customer_number": NA,
                "first_name": NA,
                "last_name": NA,
                "gender": NA,
                "marital_status": NA,
            },
            {
                "customer_key": 1,
                "customer_id": 11,
                "customer_number": "AW1",
                "first_name": "Ann",
                "last_name": "Lee",
                "gender": "Female",
                "marital_status": "Married",
                "birth_date": dt.date(1984, 1, 28),
                "location_key": 1,
            },
            {
                "customer_key": 2,
                "customer_id": 12,
                "customer_number": "AW2",
                "first_name": "Bob",
                "last_name": "Ray",
                "gender": "Male",
                "marital_status": "Single",
                "birth_date": dt.date(1984, 1, 29),
                "location_key": 2,
            },
            {
                "customer_key": 3,
                "customer_id": 13,
                "customer_number": "AW3",
                "first_name": "Cy",
                "gender": NA,
                "marital_status": NA,
                "location_key": 2,
            },
            {
                "customer_key": 4,
                "customer_id": 14,
                "customer_number": "AW4",
                "first_name": "Dee",
                "last_name": "Fox",
                "gender": "Female",
                "marital_status": "Single",
                "birth_date": dt.date(1934, 1, 28),
                "location_key": -1,
            },
        ],
    ),
    "dim_product": gold_table(
        contracts.DimProduct,
        [
            {
                "product_key": -1,
                "product_number": NA,
                "product_name": NA,
                "category_id": NA,
                "category": NA,
                "subcategory": NA,
                "product_line": NA,
            },
            {
                "product_key": 1,
                "product_id": 101,
                "product_number": "BK-R150",
                "product_name": "Road-150",
                "category_id": "BI_RB",
                "category": "Bikes",
                "subcategory": "Road Bikes",
                "product_line": "Road",
                "cost": D("100.00"),
            },
            {
                "product_key": 2,
                "product_id": 102,
                "product_number": "HL-1",
                "product_name": "Helmet",
                "category_id": "AC_HE",
                "category": "Accessories",
                "subcategory": "Helmets",
                "product_line": "Other Sales",
                "cost": D("10.00"),
            },
        ],
    ),
    "dim_date": gold_table(
        contracts.DimDate,
        [
            {"date_key": -1, "month_name": NA, "day_name": NA, "year_month": NA},
            *(date_row(d) for d in (dt.date(2012, 6, 1), dt.date(2013, 12, 30))),
            date_row(dt.date(2014, 1, 28)),
        ],
    ),
    "fact_sales": gold_table(
        contracts.FactSales,
        [
            line("SO1", 1, 1, 1, 20131230, quantity=1, sales_amount=D(300), cost_amount=D(100),
                 profit=D(200)),
            line("SO1", 2, 1, 1, 20131230, quantity=2, sales_amount=D(40), cost_amount=D(20),
                 profit=D(20)),
            line("SO2", 1, 2, 2, 20140128, quantity=1, sales_amount=D(300), cost_amount=D(100),
                 profit=D(200)),
            # An unknown product: no cost, no profit (SPEC 6).
            line("SO3", -1, 2, 2, 20120601, quantity=1, sales_amount=D(50)),
            # An unknown customer and an unknown order date.
            line("SO4", 2, -1, -1, None, quantity=3, sales_amount=D(60), cost_amount=D(30),
                 profit=D(30)),
        ],
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def run():
    con = ibis.duckdb.connect()

    def execute(
        metrics: list[str], by: Sequence[str] = (), where: Sequence[Any] = ()
    ) -> list[dict[str, Any]]:
        return con.to_pyarrow(query(GOLD, metrics, by, where)).to_pylist()

    return execute


def test_every_metric_over_everything(run) -> None:
    sales = [m.name for m in list_metrics() if m.model == "sales"]
    customers = [m.name for m in list_metrics() if m.model == "customers"]
    assert run(sales) == [
        {
            "revenue": D("750.00"),
            "cost": D("250.00"),  # the unknown product's null cost is ignored
            "profit": D("450.00"),
            "orders": 4,
            "units": 8,
            "buying_customers": 2,  # the unknown customer is nobody
            "first_order_date": dt.date(2012, 6, 1),
            "last_order_date": dt.date(2014, 1, 28),
            "margin": 0.6,
            "average_order_value": D("187.50"),
            "revenue_share": 1.0,
        }
    ]
    assert run(customers) == [
        {"customers": 4, "unknown_gender_customers": 1, "unknown_gender_share": 0.25}
    ]
    assert set(sales + customers) == set(METRICS)


def test_sliced_by_country_with_shares_and_the_unknown_member_as_na(run) -> None:
    assert run(["revenue", "profit", "revenue_share", "orders"], by=["country"]) == [
        {"country": "Germany", "revenue": D(340), "profit": D(220), "revenue_share": 340 / 750,
         "orders": 1},
        {"country": "United States", "revenue": D(350), "profit": D(200),
         "revenue_share": 350 / 750, "orders": 2},
        {"country": NA, "revenue": D(60), "profit": D(30), "revenue_share": 60 / 750,
         "orders": 1},
    ]  # fmt: skip


def test_sliced_by_two_dimensions_and_by_products(run) -> None:
    rows = run(["revenue", "units"], by=["category", "subcategory"])
    assert {(r["category"], r["subcategory"]): (r["revenue"], r["units"]) for r in rows} == {
        ("Accessories", "Helmets"): (D(100), 5),
        ("Bikes", "Road Bikes"): (D(600), 2),
        (NA, NA): (D(50), 1),
    }
    rows = run(["profit"], by=["product"])
    assert [(r["product_key"], r["product"], r["profit"]) for r in rows] == [
        (-1, NA, None),  # totals ignore nulls: no known profit at all is null, not 0
        (1, "Road-150 (BK-R150)", D(400)),
        (2, "Helmet (HL-1)", D(50)),
    ]


def test_sliced_by_customer_keeps_the_key_and_a_readable_label(run) -> None:
    rows = run(["revenue", "average_order_value"], by=["customer"])
    assert rows == [
        {"customer_key": -1, "customer": NA, "revenue": D(60), "average_order_value": D(60)},
        {"customer_key": 1, "customer": "Ann Lee (AW1)", "revenue": D(340),
         "average_order_value": D(340)},
        {"customer_key": 2, "customer": "Bob Ray (AW2)", "revenue": D(350),
         "average_order_value": D(175)},
    ]  # fmt: skip
    assert [r["customer"] for r in run(["customers"], by=["customer"])] == [
        "Ann Lee (AW1)",
        "Bob Ray (AW2)",
        "Cy (AW3)",  # no last name
        "Dee Fox (AW4)",
    ]


def test_calendar_dimensions_meet_dim_date_and_an_unknown_date_is_null(run) -> None:
    assert run(["revenue"], by=["year"]) == [
        {"year": 2012, "revenue": D(50)},
        {"year": 2013, "revenue": D(340)},
        {"year": 2014, "revenue": D(300)},
        {"year": None, "revenue": D(60)},
    ]
    assert run(["orders"], by=["month"]) == [
        {"month": "2012-06", "orders": 1},
        {"month": "2013-12", "orders": 1},
        {"month": "2014-01", "orders": 1},
        {"month": NA, "orders": 1},  # dim_date's unknown member
    ]


def test_age_bands_are_ages_at_the_latest_order_date(run) -> None:
    assert run(["customers", "unknown_gender_share"], by=["age_band"]) == [
        {"age_band": "30-39", "customers": 1, "unknown_gender_share": 0.0},  # Ann, 30 that day
        {"age_band": "80+", "customers": 1, "unknown_gender_share": 0.0},  # Dee, 80 that day
        {"age_band": "<30", "customers": 1, "unknown_gender_share": 0.0},  # Bob, 30 the day after
        {"age_band": "unknown", "customers": 1, "unknown_gender_share": 1.0},  # Cy
    ]
    # On the sales model too: spend by the buyer's age band.
    assert run(["revenue"], by=["age_band"], where=["age_band!=unknown"]) == [
        {"age_band": "30-39", "revenue": D(340)},
        {"age_band": "<30", "revenue": D(350)},
    ]


@pytest.mark.parametrize(
    ("birth", "on", "band"),
    [
        (dt.date(1984, 1, 28), dt.date(2014, 1, 28), "30-39"),  # 30th birthday
        (dt.date(1984, 1, 29), dt.date(2014, 1, 28), "<30"),  # the day before it
        (dt.date(1974, 1, 29), dt.date(2014, 1, 28), "30-39"),  # 39 and 364 days
        (dt.date(1974, 1, 28), dt.date(2014, 1, 28), "40-49"),
        (dt.date(1954, 1, 28), dt.date(2014, 1, 28), "60-69"),
        (dt.date(1944, 1, 28), dt.date(2014, 1, 28), "70-79"),
        (dt.date(1934, 1, 29), dt.date(2014, 1, 28), "70-79"),  # 79 and 364 days
        (dt.date(1934, 1, 28), dt.date(2014, 1, 28), "80+"),
        (dt.date(1992, 2, 29), dt.date(2022, 2, 28), "<30"),  # a leap-day birthday: 1 March
        (dt.date(1992, 2, 29), dt.date(2022, 3, 1), "30-39"),
        (dt.date(1963, 12, 31), dt.date(2013, 12, 31), "50-59"),
        (dt.date(2015, 1, 1), dt.date(2014, 1, 28), "<30"),  # born after the data's "now"
        (None, dt.date(2014, 1, 28), "unknown"),
        (dt.date(1984, 1, 28), None, "unknown"),  # no order date at all
    ],
)
def test_age_band_boundaries(
    duck: ibis.BaseBackend, birth: dt.date | None, on: dt.date | None, band: str
) -> None:
    t = ibis.memtable(
        pa.table({"birth": pa.array([birth], pa.date32()), "on": pa.array([on], pa.date32())})
    )
    assert duck.to_pyarrow(t.select(band=age_band(t.birth, t.on))).to_pylist() == [{"band": band}]
    assert band in AGE_BANDS


def test_metrics_of_both_models_join_on_the_shared_dimensions(run) -> None:
    assert run(["customers", "revenue", "buying_customers"], by=["country"]) == [
        {"country": "Germany", "customers": 1, "revenue": D(340), "buying_customers": 1},
        {"country": "United States", "customers": 2, "revenue": D(350), "buying_customers": 1},
        {"country": NA, "customers": 1, "revenue": D(60), "buying_customers": 0},
    ]
    assert run(["revenue", "customers"]) == [{"revenue": D(750), "customers": 4}]


@pytest.mark.parametrize(
    ("where", "revenue"),
    [
        (["year=2013"], D(340)),
        (["year!=2013"], D(410)),  # != keeps the unknown year: it is not 2013
        (["year>=2013"], D(640)),
        (["year<2014", "year>2012"], D(340)),
        (["year=n/a"], D(60)),
        (["year!=n/a"], D(690)),
        (["month>=2013-12"], D(640)),  # n/a is no month, not the text after '2013'
        (["month!=n/a"], D(690)),
        (["country!=n/a"], D(690)),
        (["country='United States'"], D(350)),
        (["order_date<2014-01-01"], D(390)),
        (["customer=Ann Lee (AW1)"], D(340)),
        (["gender=Female", "marital_status=Married"], D(340)),
        ([Filter("year", "<=", 2012)], D(50)),
    ],
)
def test_where_filters(run, where: list[Any], revenue: Decimal) -> None:
    assert run(["revenue"], where=where) == [{"revenue": revenue}]


def test_revenue_share_is_of_the_filtered_total(run) -> None:
    rows = run(["revenue_share"], by=["country"], where=["country!=n/a"])
    assert rows == [
        {"country": "Germany", "revenue_share": 340 / 690},
        {"country": "United States", "revenue_share": 350 / 690},
    ]


def test_parse_filter_casts_to_the_dimension_type() -> None:
    assert parse_filter("year=2013") == Filter("year", "=", 2013)
    assert parse_filter(" year == 2013 ") == Filter("year", "=", 2013)
    assert parse_filter("country != n/a") == Filter("country", "!=", "n/a")
    assert parse_filter("order_date>=2013-07-01") == Filter("order_date", ">=", dt.date(2013, 7, 1))
    assert parse_filter("month<2013-07") == Filter("month", "<", "2013-07")
    assert parse_filter('country="United States"') == Filter("country", "=", "United States")
    assert parse_filter("year!=n/a") == Filter("year", "!=", None)
    assert str(parse_filter("year>=2012")) == "year>=2012"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("year", "filter 'year' is not DIMENSION OP VALUE with OP one of = != >= <= > <"),
        ("year=", "filter 'year=' is not DIMENSION OP VALUE"),
        ("=2013", "filter '=2013' is not DIMENSION OP VALUE"),
        ("year~2013", "filter 'year~2013' is not DIMENSION OP VALUE"),
        ("yeer=2013", "unknown dimension 'yeer': choose one of age_band, category, country,"),
        ("year=abc", "filter 'year=abc': year is a whole number, not 'abc' (e.g. year=2013)"),
        ("year=2013.5", "filter 'year=2013.5': year is a whole number"),
        ("order_date=2014-13-01", "filter 'order_date=2014-13-01': order_date is a date"),
        ("year>n/a", "filter 'year>n/a': n/a only goes with = or !="),
    ],
)
def test_bad_filters_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(MetricError) as caught:
        parse_filter(text)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("metrics", "by", "where", "message"),
    [
        (["revnue"], [], [], "unknown metric 'revnue': choose one of average_order_value, "),
        (["revenue"], ["contry"], [], "unknown dimension 'contry': choose one of age_band, "),
        (
            ["customers"],
            ["year"],
            [],
            "metric 'customers' cannot be sliced by 'year': its dimensions are country, gender, "
            "marital_status, age_band, customer",
        ),
        (
            ["revenue", "customers"],
            ["country"],
            ["category=Bikes"],
            "metric 'customers' cannot be filtered by 'category': its dimensions are",
        ),
        ([], [], [], "name at least one metric"),
    ],
)
def test_bad_queries_are_one_line_errors(
    metrics: list[str], by: list[str], where: list[str], message: str
) -> None:
    with pytest.raises(MetricError) as caught:
        query(GOLD, metrics, by, where)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_tables_come_from_an_engine_a_function_or_a_dict() -> None:
    prefixed = {f"gold.{name}": table for name, table in GOLD.items()}
    by_function = query(lambda layer, name: GOLD[name], ["revenue"], ["country"])
    assert query(prefixed, ["revenue"], ["country"]).equals(by_function)
    with pytest.raises(MetricError, match="gold table 'dim_date' is missing from the tables"):
        query({k: v for k, v in GOLD.items() if k != "dim_date"}, ["revenue"])


def test_derived_metrics_are_built_from_the_base_expressions() -> None:
    t = ibis.table({"sales_amount": "decimal(18,2)", "profit": "decimal(18,2)"}, name="t")
    revenue, profit = get_metric("revenue"), get_metric("profit")
    assert (
        get_metric("margin").aggregate(t).equals(divide(profit.aggregate(t), revenue.aggregate(t)))
    )
    assert get_metric("margin").built_from == ("profit", "revenue")
    assert get_metric("average_order_value").built_from == ("revenue", "orders")
    assert get_metric("revenue_share").share_of is revenue
    c = ibis.table({"customer_key": "int64", "gender": "string"}, name="c")
    customers = get_metric("customers")
    assert (
        get_metric("unknown_gender_share")
        .aggregate(c)
        .equals(divide(customers.aggregate(c, c.gender == NA), customers.aggregate(c)))
    )
    for metric in list_metrics():
        assert all(base in METRICS for base in metric.built_from), metric.name
    with pytest.raises(MetricError, match="revenue_share' is a share of a total"):
        get_metric("revenue_share").aggregate(t)


def test_values_format_by_their_metric_format() -> None:
    assert format_value(D("1234567.5"), "money") == "1,234,567.50"
    assert format_value(1234, "count") == "1,234"
    assert format_value(0.39889, "percent") == "39.89%"
    assert format_value(dt.date(2014, 1, 28), "date") == "2014-01-28"
    assert format_value(None, "money") == "-"


def test_docs_list_every_metric_as_the_registry_defines_it() -> None:
    doc = (REPO / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert metrics_markdown() in doc, (
        "docs/metrics.md is out of date: paste the output of "
        "python -c 'from medallion.metrics.display import metrics_markdown as m; print(m())'"
    )
    for metric in list_metrics():
        assert f"`{metric.name}`" in doc
