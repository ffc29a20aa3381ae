"""Contracts of the gold star schema (SPEC section 3).

Gold checks what gold computes: keys, unknown members, the calendar, cost and profit. Facts
about the source (prices, dates out of order) are checked once, in silver, where they arise;
the few that only gold can see (an order's dates, days to ship) warn here. Relationships,
grain and the unknown members' attributes are data tests (schemas/data_tests.py).
"""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pandera.ibis as pa

from medallion import rules
from schemas._types import (
    DAY_NAMES,
    GENDERS,
    MARITAL_STATUSES,
    MONTH_NAMES,
    PRODUCT_LINES,
    UNKNOWN_KEY,
    UNKNOWN_TEXT,
    Money,
    is_surrogate_key,
)

SURROGATE_KEY = "a surrogate key: 1, 2, ... or -1 for the unknown member"


def _one_row_per(t: ir.Table, column: str) -> ir.BooleanValue:
    """No other row has this row's (non-null) value of ``column``: a natural key."""
    value = t[column]
    return value.isnull() | (value.count().over(ibis.window(group_by=value)) == 1)


class CustomerKeys(pa.DataFrameModel):
    """The key map behind dim_customer: one key per customer_id (its grain test checks that)."""

    customer_id: dt.Int64
    customer_key: dt.Int64 = pa.Field(ge=1)

    class Config:
        strict = True
        unique = ["customer_key"]  # a merge checks its new keys against the whole map


class LocationKeys(pa.DataFrameModel):
    """The key map behind dim_location: one key per country (its grain test checks that)."""

    country: dt.String
    location_key: dt.Int64 = pa.Field(ge=1)

    class Config:
        strict = True
        unique = ["location_key"]


class DimCustomer(pa.DataFrameModel):
    customer_key: dt.Int64
    customer_id: dt.Int64 = pa.Field(nullable=True)
    customer_number: dt.String = pa.Field(nullable=True)
    first_name: dt.String = pa.Field(nullable=True)
    last_name: dt.String = pa.Field(nullable=True)
    gender: dt.String = pa.Field(isin=GENDERS)
    marital_status: dt.String = pa.Field(isin=MARITAL_STATUSES)
    birth_date: dt.Date = pa.Field(nullable=True)
    create_date: dt.Date = pa.Field(nullable=True)
    # Null only on the unknown member, whose non-text attributes are all null (SPEC 6).
    location_key: dt.Int64 = pa.Field(nullable=True)

    @pa.check("customer_key", "location_key", error=SURROGATE_KEY)
    def surrogate_key(cls, data: pa.IbisData) -> ir.BooleanValue:
        return is_surrogate_key(data.table[data.key])

    @pa.dataframe_check(description="every customer but the unknown one has a customer_id")
    def known_members_have_customer_id(cls, data: pa.IbisData) -> ir.BooleanValue:
        t = data.table
        return (t.customer_key == UNKNOWN_KEY) | t.customer_id.notnull()

    @pa.dataframe_check(description="every customer but the unknown one has a location_key")
    def known_members_have_location(cls, data: pa.IbisData) -> ir.BooleanValue:
        t = data.table
        return (t.customer_key == UNKNOWN_KEY) | t.location_key.notnull()

    @pa.dataframe_check(description="one row per customer_id")
    def one_row_per_customer_id(cls, data: pa.IbisData) -> ir.BooleanValue:
        return _one_row_per(data.table, "customer_id")

    class Config:
        strict = True
        unique = ["customer_key"]


class DimLocation(pa.DataFrameModel):
    location_key: dt.Int64
    country: dt.String
    country_code: dt.String = pa.Field(nullable=True, str_matches=r"^[A-Z]{2}$")

    @pa.check("location_key", error=SURROGATE_KEY)
    def surrogate_key(cls, data: pa.IbisData) -> ir.BooleanValue:
        return is_surrogate_key(data.table[data.key])

    @pa.dataframe_check(description="country is n/a exactly on the unknown member")
    def unknown_country_is_the_unknown_member(cls, data: pa.IbisData) -> ir.BooleanValue:
        t = data.table
        return (t.location_key == UNKNOWN_KEY) == (t.country == UNKNOWN_TEXT)

    @pa.dataframe_check(description="one row per country")
    def one_row_per_country(cls, data: pa.IbisData) -> ir.BooleanValue:
        return _one_row_per(data.table, "country")

    class Config:
        strict = True
        unique = ["location_key"]


class DimProduct(pa.DataFrameModel):
    product_key: dt.Int64
    product_id: dt.Int64 = pa.Field(nullable=True)
    product_number: dt.String = pa.Field(nullable=True)
    product_name: dt.String = pa.Field(nullable=True)
    category_id: dt.String = pa.Field(nullable=True)
    category: dt.String
    subcategory: dt.String
    maintenance_required: dt.Boolean = pa.Field(nullable=True)
    product_line: dt.String = pa.Field(isin=PRODUCT_LINES)
    cost: Money = pa.Field(nullable=True)
    start_date: dt.Date = pa.Field(nullable=True)

    @pa.check("product_key", error=SURROGATE_KEY)
    def surrogate_key(cls, data: pa.IbisData) -> ir.BooleanValue:
        return is_surrogate_key(data.table[data.key])

    @pa.dataframe_check(
        description="every product but the unknown one has a product_number and product_id"
    )
    def known_members_have_product_number(cls, data: pa.IbisData) -> ir.BooleanValue:
        t = data.table
        return (t.product_key == UNKNOWN_KEY) | (
            t.product_number.notnull() & t.product_id.notnull()
        )

    @pa.dataframe_check(description="one row per product_number: its current version")
    def one_row_per_product_number(cls, data: pa.IbisData) -> ir.BooleanValue:
        return _one_row_per(data.table, "product_number")

    class Config:
        strict = True
        unique = ["product_key"]


class DimDate(pa.DataFrameModel):
    date_key: dt.Int32
    date: dt.Date = pa.Field(nullable=True)
    year: dt.Int32 = pa.Field(nullable=True)
    quarter: dt.Int32 = pa.Field(nullable=True, in_range={"min_value": 1, "max_value": 4})
    month: dt.Int32 = pa.Field(nullable=True, in_range={"min_value": 1, "max_value": 12})
    month_name: dt.String = pa.Field(isin=[*MONTH_NAMES, UNKNOWN_TEXT])
    day_of_month: dt.Int32 = pa.Field(nullable=True, in_range={"min_value": 1, "max_value": 31})
    day_of_week: dt.Int32 = pa.Field(nullable=True, in_range={"min_value": 1, "max_value": 7})
    day_name: dt.String = pa.Field(isin=[*DAY_NAMES, UNKNOWN_TEXT])
    iso_week: dt.Int32 = pa.Field(nullable=True, in_range={"min_value": 1, "max_value": 53})
    year_month: dt.String = pa.Field(str_matches=r"^([0-9]{4}-[0-9]{2}|n/a)$")
    is_weekend: dt.Boolean = pa.Field(nullable=True)

    @pa.dataframe_check(
        description="date_key = year x 10000 + month x 100 + day_of_month; -1 when date is null"
    )
    def date_key_is_yyyymmdd(cls, data: pa.IbisData) -> ir.BooleanValue:
        t = data.table
        yyyymmdd = t.year * 10000 + t.month * 100 + t.day_of_month
        return t.date.isnull().ifelse(t.date_key == UNKNOWN_KEY, t.date_key == yyyymmdd)

    @pa.dataframe_check(
        description="year, quarter, month, day_of_month, day_of_week (1 = Monday) and iso_week "
        "are those of date"
    )
    def calendar_matches_date(cls, data: pa.IbisData) -> ir.BooleanValue:
        t, d = data.table, data.table.date
        return (
            (t.year == d.year())
            & (t.quarter == d.quarter())
            & (t.month == d.month())
            & (t.day_of_month == d.day())
            & (t.day_of_week == d.day_of_week.index() + 1)
            & (t.iso_week == d.week_of_year())
        )

    @pa.dataframe_check(description="is_weekend exactly on Saturdays and Sundays")
    def weekend_is_saturday_and_sunday(cls, data: pa.IbisData) -> ir.BooleanValue:
        t = data.table
        return t.is_weekend == (t.day_of_week >= 6)

    @pa.dataframe_check(description="whole years: 365 rows a year, 366 in a leap year")
    def whole_years(cls, data: pa.IbisData) -> ir.BooleanValue:
        t = data.table
        leap = ((t.year % 4 == 0) & (t.year % 100 != 0)) | (t.year % 400 == 0)
        days = t.date.count().over(ibis.window(group_by=t.year))
        return t.year.isnull() | (days == leap.ifelse(366, 365))

    class Config:
        strict = True
        unique = ["date_key"]


class _SalesMeasures(pa.DataFrameModel):
    customer_key: dt.Int64
    location_key: dt.Int64
    order_date_key: dt.Int32 = pa.Field(nullable=True)
    ship_date_key: dt.Int32 = pa.Field(nullable=True)
    due_date_key: dt.Int32 = pa.Field(nullable=True)
    quantity: dt.Int64 = pa.Field(nullable=True)
    sales_amount: Money = pa.Field(nullable=True)
    cost_amount: Money = pa.Field(nullable=True)
    profit: Money = pa.Field(nullable=True)

    @pa.dataframe_check(description="an unknown customer has the unknown location (SPEC 6)")
    def unknown_customer_has_unknown_location(cls, data: pa.IbisData) -> ir.BooleanValue:
        t = data.table
        return (t.customer_key != UNKNOWN_KEY) | (t.location_key == UNKNOWN_KEY)


class FactSales(_SalesMeasures):
    order_number: dt.String
    product_key: dt.Int64
    price: Money = pa.Field(nullable=True)

    @pa.check("product_key", "customer_key", "location_key", error=SURROGATE_KEY)
    def surrogate_key(cls, data: pa.IbisData) -> ir.BooleanValue:
        return is_surrogate_key(data.table[data.key])

    @pa.dataframe_check(
        description="profit = sales_amount - cost_amount, null when either is unknown"
    )
    def profit_is_sales_minus_cost(cls, data: pa.IbisData) -> ir.BooleanValue:
        t = data.table
        return t.profit.identical_to(t.sales_amount - t.cost_amount)

    @pa.dataframe_check(description="a line of an unknown product has no cost (SPEC 6)")
    def unknown_product_has_no_cost(cls, data: pa.IbisData) -> ir.BooleanValue:
        t = data.table
        return (t.product_key != UNKNOWN_KEY) | t.cost_amount.isnull()

    class Config:
        strict = True


class FactOrders(_SalesMeasures):
    order_number: dt.String
    line_count: dt.Int64 = pa.Field(ge=1)
    # Negative when the source ships before it orders: the order/ship ordering check.
    days_to_ship: dt.Int32 = pa.Field(nullable=True, ge=0, metadata={"severity": "warn"})

    @pa.check("customer_key", "location_key", error=SURROGATE_KEY)
    def surrogate_key(cls, data: pa.IbisData) -> ir.BooleanValue:
        return is_surrogate_key(data.table[data.key])

    @pa.dataframe_check(description="days_to_ship = ship date - order date of the date keys")
    def days_to_ship_matches_date_keys(cls, data: pa.IbisData) -> ir.BooleanValue:
        t = data.table
        days = rules.key_date(t.ship_date_key).delta(rules.key_date(t.order_date_key), unit="day")
        return t.days_to_ship.identical_to(days.cast(dt.int32))

    @pa.dataframe_check(description="the latest due date is not before the earliest order date")
    def due_date_not_before_order_date(cls, data: pa.IbisData) -> ir.BooleanValue:
        return data.table.due_date_key >= data.table.order_date_key

    class Config:
        strict = True
        unique = ["order_number"]
        metadata = {"severity": {"due_date_not_before_order_date": "warn"}}
