"""Contracts of the silver tables: what every consumer of silver may rely on."""

from __future__ import annotations

import ibis.expr.datatypes as dt
import pandera.ibis as pa

from schemas._types import GENDERS, MARITAL_STATUSES, PRODUCT_LINES, Money


class _Lineage(pa.DataFrameModel):
    """Where the winning version of each row came from."""

    # Pandera skips attributes that start with "_", hence the aliases.
    batch_id: dt.Int64 = pa.Field(alias="_batch_id", ge=1)
    source_file: dt.String = pa.Field(alias="_source_file")
    source_row: dt.Int64 = pa.Field(alias="_source_row", ge=1)


class CrmCustomers(_Lineage):
    customer_id: dt.Int64
    customer_number: dt.String = pa.Field(nullable=True)
    first_name: dt.String = pa.Field(nullable=True)
    last_name: dt.String = pa.Field(nullable=True)
    marital_status: dt.String = pa.Field(isin=MARITAL_STATUSES)
    gender: dt.String = pa.Field(isin=GENDERS)
    create_date: dt.Date = pa.Field(nullable=True)

    class Config:
        strict = True
        unique = ["customer_id"]


class CrmProducts(_Lineage):
    product_id: dt.Int64
    category_id: dt.String = pa.Field(nullable=True)
    product_number: dt.String
    product_name: dt.String = pa.Field(nullable=True)
    cost: Money = pa.Field(nullable=True)
    product_line: dt.String = pa.Field(isin=PRODUCT_LINES)
    start_date: dt.Date = pa.Field(nullable=True)
    end_date: dt.Date = pa.Field(nullable=True)

    class Config:
        strict = True
        unique = ["product_id"]


class CrmSales(_Lineage):
    order_number: dt.String
    product_number: dt.String
    customer_id: dt.Int64 = pa.Field(nullable=True)
    order_date: dt.Date = pa.Field(nullable=True)
    ship_date: dt.Date = pa.Field(nullable=True)
    due_date: dt.Date = pa.Field(nullable=True)
    quantity: dt.Int64 = pa.Field(nullable=True)
    price: Money = pa.Field(nullable=True)
    sales_amount: Money = pa.Field(nullable=True)

    class Config:
        strict = True
        unique = ["order_number", "product_number"]


class ErpCustomerDemographics(_Lineage):
    customer_number: dt.String
    birth_date: dt.Date = pa.Field(nullable=True)
    gender: dt.String = pa.Field(isin=GENDERS)

    class Config:
        strict = True
        unique = ["customer_number"]


class ErpCustomerLocations(_Lineage):
    customer_number: dt.String
    country: dt.String

    class Config:
        strict = True
        unique = ["customer_number"]


class ErpProductCategories(_Lineage):
    category_id: dt.String
    category: dt.String = pa.Field(nullable=True)
    subcategory: dt.String = pa.Field(nullable=True)
    maintenance_required: dt.Boolean = pa.Field(nullable=True)

    class Config:
        strict = True
        unique = ["category_id"]
