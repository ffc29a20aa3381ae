"""Contracts of the silver tables: what every consumer of silver may rely on.

Severities: what the pipeline itself guarantees (keys, conformed values, trimmed text, lineage,
derived end dates) is an ``error``; facts about the source that may legitimately be dirty
(dates out of order, prices, implausible birth dates) ``warn``; an order line that cannot be
valued (no positive quantity) is quarantined.
"""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pandera.ibis as pa

from schemas._types import (
    EARLIEST_BIRTH_DATE,
    GENDERS,
    MARITAL_STATUSES,
    PRODUCT_LINES,
    Money,
    is_trimmed,
    source_file_of,
)

TRIMMED = "text is trimmed and not blank"


class _Lineage(pa.DataFrameModel):
    """Where the winning version of each row came from."""

    # Pandera skips attributes that start with "_", hence the aliases.
    batch_id: dt.Int64 = pa.Field(alias="_batch_id", ge=1)
    source_file: dt.String = pa.Field(alias="_source_file")
    source_row: dt.Int64 = pa.Field(alias="_source_row", ge=1)


class CrmCustomers(_Lineage):
    customer_id: dt.Int64 = pa.Field(gt=0, metadata={"severity": {"greater_than": "warn"}})
    customer_number: dt.String = pa.Field(nullable=True)
    first_name: dt.String = pa.Field(nullable=True)
    last_name: dt.String = pa.Field(nullable=True)
    marital_status: dt.String = pa.Field(isin=MARITAL_STATUSES)
    gender: dt.String = pa.Field(isin=GENDERS)
    create_date: dt.Date = pa.Field(nullable=True)
    source_file: dt.String = pa.Field(
        alias="_source_file", str_matches=source_file_of("crm_cust_info")
    )

    @pa.check("customer_number", "first_name", "last_name", error=TRIMMED)
    def trimmed(cls, data: pa.IbisData) -> ir.BooleanValue:
        return is_trimmed(data.table[data.key])

    class Config:
        strict = True
        unique = ["customer_id"]


class CrmProducts(_Lineage):
    product_id: dt.Int64 = pa.Field(gt=0, metadata={"severity": {"greater_than": "warn"}})
    # The first five characters of a key long enough to hold a product number, "-" -> "_".
    category_id: dt.String = pa.Field(str_matches=r"^[^-]{5}$")
    product_number: dt.String
    product_name: dt.String = pa.Field(nullable=True)
    cost: Money = pa.Field(nullable=True, ge=0, metadata={"severity": "warn"})
    product_line: dt.String = pa.Field(isin=PRODUCT_LINES)
    start_date: dt.Date = pa.Field(nullable=True)
    end_date: dt.Date = pa.Field(nullable=True)
    source_file: dt.String = pa.Field(
        alias="_source_file", str_matches=source_file_of("crm_prd_info")
    )

    @pa.check("product_number", "product_name", error=TRIMMED)
    def trimmed(cls, data: pa.IbisData) -> ir.BooleanValue:
        return is_trimmed(data.table[data.key])

    @pa.dataframe_check(
        description="end_date is null or before the next version's start_date, ordered by "
        "(start_date, product_id) per product_number; the latest version has no end_date"
    )
    def versions_do_not_overlap(cls, data: pa.IbisData) -> ir.BooleanValue:
        t = data.table
        # The model's order (SPEC 6): a null start date counts as the earliest.
        versions = ibis.window(
            group_by=t.product_number,
            order_by=[t.start_date.notnull(), t.start_date, t.product_id],
        )
        next_start = t.start_date.lead().over(versions)
        has_next = t.product_id.lead().over(versions).notnull()
        # Spelled out so that a null comparison cannot pass: the latest version is open.
        return t.end_date.isnull() | (has_next & (t.end_date < next_start).fill_null(False))

    @pa.dataframe_check(description="end_date is not before start_date")
    def end_date_not_before_start_date(cls, data: pa.IbisData) -> ir.BooleanValue:
        return data.table.end_date >= data.table.start_date

    class Config:
        strict = True
        unique = ["product_id"]
        metadata = {"severity": {"end_date_not_before_start_date": "warn"}}


class CrmSales(_Lineage):
    order_number: dt.String
    product_number: dt.String
    customer_id: dt.Int64 = pa.Field(
        nullable=True, gt=0, metadata={"severity": {"greater_than": "warn"}}
    )
    order_date: dt.Date = pa.Field(nullable=True)
    ship_date: dt.Date = pa.Field(nullable=True)
    due_date: dt.Date = pa.Field(nullable=True)
    # A line without a positive quantity cannot be valued: it waits in quarantine until the
    # source delivers it again.
    quantity: dt.Int64 = pa.Field(
        gt=0, metadata={"severity": {"not_null": "quarantine", "greater_than": "quarantine"}}
    )
    price: Money = pa.Field(nullable=True, gt=0, metadata={"severity": "warn"})
    sales_amount: Money = pa.Field(nullable=True)
    source_file: dt.String = pa.Field(
        alias="_source_file", str_matches=source_file_of("crm_sales_details")
    )

    @pa.check("order_number", "product_number", error=TRIMMED)
    def trimmed(cls, data: pa.IbisData) -> ir.BooleanValue:
        return is_trimmed(data.table[data.key])

    @pa.dataframe_check(description="ship_date is not before order_date")
    def ship_date_not_before_order_date(cls, data: pa.IbisData) -> ir.BooleanValue:
        return data.table.ship_date >= data.table.order_date

    @pa.dataframe_check(description="due_date is not before order_date")
    def due_date_not_before_order_date(cls, data: pa.IbisData) -> ir.BooleanValue:
        return data.table.due_date >= data.table.order_date

    @pa.dataframe_check(
        description="sales_amount = quantity x price where the price is known (a price derived "
        "as recorded sales / quantity is rounded to cents, so this can differ by rounding)"
    )
    def sales_amount_is_quantity_times_price(cls, data: pa.IbisData) -> ir.BooleanValue:
        t = data.table
        return t.sales_amount == t.quantity * t.price

    @pa.dataframe_check(description="sales_amount is known and > 0 where quantity > 0")
    def sales_amount_positive(cls, data: pa.IbisData) -> ir.BooleanValue:
        # A line without a positive quantity is the quantity checks' finding, not this one's.
        t = data.table
        return (t.quantity <= 0) | (t.sales_amount > 0).fill_null(False)

    class Config:
        strict = True
        unique = ["order_number", "product_number"]
        metadata = {
            "severity": {
                "ship_date_not_before_order_date": "warn",
                "due_date_not_before_order_date": "warn",
                "sales_amount_is_quantity_times_price": "warn",
                "sales_amount_positive": "warn",
            }
        }


class ErpCustomerDemographics(_Lineage):
    customer_number: dt.String
    birth_date: dt.Date = pa.Field(
        nullable=True, ge=EARLIEST_BIRTH_DATE, metadata={"severity": "warn"}
    )
    gender: dt.String = pa.Field(isin=GENDERS)
    source_file: dt.String = pa.Field(
        alias="_source_file", str_matches=source_file_of("erp_cust_az12")
    )

    @pa.check("customer_number", error=TRIMMED)
    def trimmed(cls, data: pa.IbisData) -> ir.BooleanValue:
        return is_trimmed(data.table[data.key])

    class Config:
        strict = True
        unique = ["customer_number"]


class ErpCustomerLocations(_Lineage):
    # Every "-" of the ERP id is removed (SPEC 2).
    customer_number: dt.String = pa.Field(str_matches=r"^[^-]+$")
    country: dt.String
    source_file: dt.String = pa.Field(
        alias="_source_file", str_matches=source_file_of("erp_loc_a101")
    )

    @pa.check("customer_number", "country", error=TRIMMED)
    def trimmed(cls, data: pa.IbisData) -> ir.BooleanValue:
        return is_trimmed(data.table[data.key])

    class Config:
        strict = True
        unique = ["customer_number"]


class ErpProductCategories(_Lineage):
    category_id: dt.String
    category: dt.String = pa.Field(nullable=True)
    subcategory: dt.String = pa.Field(nullable=True)
    maintenance_required: dt.Boolean = pa.Field(nullable=True)
    source_file: dt.String = pa.Field(
        alias="_source_file", str_matches=source_file_of("erp_px_cat_g1v2")
    )

    @pa.check("category_id", "category", "subcategory", error=TRIMMED)
    def trimmed(cls, data: pa.IbisData) -> ir.BooleanValue:
        return is_trimmed(data.table[data.key])

    class Config:
        strict = True
        unique = ["category_id"]
