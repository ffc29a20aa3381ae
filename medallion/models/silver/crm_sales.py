"""silver.crm_sales: one row per order line, with sales amount and price made consistent."""

from __future__ import annotations

from collections.abc import Sequence

import ibis.expr.types as ir

from medallion import rules
from medallion.kinds import MergeByKey, Restriction
from medallion.partitions import new_keys_of_bronze
from medallion.registry import Built, model
from medallion.versions import versions
from schemas.silver import CrmSales

COLUMNS = (
    "order_number",
    "product_number",
    "customer_id",
    "order_date",
    "ship_date",
    "due_date",
    "quantity",
    "price",
    "sales_amount",
    *rules.LINEAGE,
)


def reconcile_sales_and_price(
    sales: ir.DecimalValue, price: ir.DecimalValue, quantity: ir.IntegerValue
) -> tuple[ir.DecimalValue, ir.DecimalValue]:
    """SPEC 2, literally: sales becomes quantity x |price| when it is missing, not positive or
    inconsistent, but stands when the price is missing; a missing or non-positive price becomes
    the recorded sales / quantity (rounded to cents, half away from zero)."""
    expected = rules.multiply_money(price.abs(), quantity)
    sales_ok = sales.notnull() & (sales > 0) & (sales == expected)
    sales_amount = price.isnull().ifelse(sales, sales_ok.ifelse(sales, expected))
    price_ok = price.notnull() & (price > 0)
    fixed_price = price_ok.ifelse(price, rules.divide_money(sales, quantity))
    return sales_amount, fixed_price


def with_order_number(sales_details: ir.Table) -> ir.Table:
    """Bronze rows with their partition key: all lines of an order are recomputed together."""
    return sales_details.mutate(order_number=rules.clean_text(sales_details.sls_ord_num))


def changed_orders(inputs: Sequence[ir.Table], changes: Sequence[ir.Table]) -> Restriction:
    """Orders with a line delivered (again)."""
    return new_keys_of_bronze(changes[0], with_order_number, ["order_number"])


def crm_sales_rows(sales_details: ir.Table) -> ir.Table:
    """Every bronze row with its cleaned columns beside the raw ones."""
    t = rules.parse_dates(
        with_order_number(sales_details),
        order_date="sls_order_dt",
        ship_date="sls_ship_dt",
        due_date="sls_due_dt",
    )
    # Parsed once, then reconciled from the parsed columns: the view keeps Ibis from inlining
    # each parse into every expression that reads it (price's parse appeared 20 times in the
    # SQL, and DuckDB evaluated it each time: staging 6 million lines took 20 s, now 16 s).
    parsed = t.mutate(
        product_number=rules.clean_text(t.sls_prd_key),
        customer_id=rules.parse_int(t.sls_cust_id),
        quantity=rules.parse_int(t.sls_quantity),
        _recorded_sales=rules.parse_money(t.sls_sales),
        _recorded_price=rules.parse_money(t.sls_price),
    ).view()
    sales_amount, price = reconcile_sales_and_price(
        parsed._recorded_sales, parsed._recorded_price, parsed.quantity
    )
    return parsed.mutate(price=price, sales_amount=sales_amount)


@model(
    "silver.crm_sales",
    inputs=["bronze.crm_sales_details"],
    grain=["order_number", "product_number"],
    kind=MergeByKey(("order_number",), changed_orders),
    contract=CrmSales,
)
def crm_sales(sales_details: ir.Table) -> Built:
    """CRM order lines, one row per (order_number, product_number); a later delivery wins."""
    rows = crm_sales_rows(sales_details)

    def date_nulled(raw: ir.StringValue, parsed: ir.DateValue) -> ir.BooleanValue:
        return raw.notnull() & parsed.isnull()

    kept = versions(
        rows,
        COLUMNS,
        ["order_number", "product_number"],
        unusable=("dropped_blank_key", rows.order_number.isnull() | rows.product_number.isnull()),
        customer_id_nulled=rows.sls_cust_id.notnull() & rows.customer_id.isnull(),
        order_date_nulled=date_nulled(rows.sls_order_dt, rows.order_date),
        ship_date_nulled=date_nulled(rows.sls_ship_dt, rows.ship_date),
        due_date_nulled=date_nulled(rows.sls_due_dt, rows.due_date),
        quantity_nulled=rows.sls_quantity.notnull() & rows.quantity.isnull(),
        sales_amount_recomputed=rules.changed(rows.sales_amount, rows._recorded_sales),
        price_derived=rules.changed(rows.price, rows._recorded_price),
    )
    return kept.built()
