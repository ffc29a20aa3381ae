"""Contracts of the gold star schema (SPEC section 3)."""

from __future__ import annotations

import ibis.expr.datatypes as dt
import pandera.ibis as pa

from schemas._types import GENDERS, MARITAL_STATUSES, PRODUCT_LINES, Money


class DimCustomer(pa.DataFrameModel):
    customer_key: dt.Int64 = pa.Field(ge=-1)
    customer_id: dt.Int64 = pa.Field(nullable=True)
    customer_number: dt.String = pa.Field(nullable=True)
    first_name: dt.String = pa.Field(nullable=True)
    last_name: dt.String = pa.Field(nullable=True)
    gender: dt.String = pa.Field(isin=GENDERS)
    marital_status: dt.String = pa.Field(isin=MARITAL_STATUSES)
    birth_date: dt.Date = pa.Field(nullable=True)
    create_date: dt.Date = pa.Field(nullable=True)
    # Null only on the unknown member, whose non-text attributes are all null (SPEC 6).
    location_key: dt.Int64 = pa.Field(ge=-1, nullable=True)

    class Config:
        strict = True
        unique = ["customer_key"]


class DimLocation(pa.DataFrameModel):
    location_key: dt.Int64 = pa.Field(ge=-1)
    country: dt.String
    country_code: dt.String = pa.Field(nullable=True, str_matches=r"^[A-Z]{2}$")

    class Config:
        strict = True
        unique = ["location_key"]


class DimProduct(pa.DataFrameModel):
    product_key: dt.Int64 = pa.Field(ge=-1)
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

    class Config:
        strict = True
        unique = ["product_key"]


class DimDate(pa.DataFrameModel):
    date_key: dt.Int32 = pa.Field(ge=-1)
    date: dt.Date = pa.Field(nullable=True)
    year: dt.Int32 = pa.Field(nullable=True)
    quarter: dt.Int32 = pa.Field(nullable=True, in_range={"min_value": 1, "max_value": 4})
    month: dt.Int32 = pa.Field(nullable=True, in_range={"min_value": 1, "max_value": 12})
    month_name: dt.String
    day_of_month: dt.Int32 = pa.Field(nullable=True, in_range={"min_value": 1, "max_value": 31})
    day_of_week: dt.Int32 = pa.Field(nullable=True, in_range={"min_value": 1, "max_value": 7})
    day_name: dt.String
    iso_week: dt.Int32 = pa.Field(nullable=True, in_range={"min_value": 1, "max_value": 53})
    year_month: dt.String
    is_weekend: dt.Boolean = pa.Field(nullable=True)

    class Config:
        strict = True
        unique = ["date_key"]


class _SalesMeasures(pa.DataFrameModel):
    customer_key: dt.Int64 = pa.Field(ge=-1)
    location_key: dt.Int64 = pa.Field(ge=-1)
    order_date_key: dt.Int32 = pa.Field(nullable=True)
    ship_date_key: dt.Int32 = pa.Field(nullable=True)
    due_date_key: dt.Int32 = pa.Field(nullable=True)
    quantity: dt.Int64 = pa.Field(nullable=True)
    sales_amount: Money = pa.Field(nullable=True)
    cost_amount: Money = pa.Field(nullable=True)
    profit: Money = pa.Field(nullable=True)


class FactSales(_SalesMeasures):
    order_number: dt.String
    product_key: dt.Int64 = pa.Field(ge=-1)
    price: Money = pa.Field(nullable=True)

    class Config:
        strict = True


class FactOrders(_SalesMeasures):
    order_number: dt.String
    line_count: dt.Int64 = pa.Field(ge=1)
    days_to_ship: dt.Int32 = pa.Field(nullable=True)

    class Config:
        strict = True
        unique = ["order_number"]
