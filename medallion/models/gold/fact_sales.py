"""gold.fact_sales: one row per order line, keyed to the dimensions, with cost and profit."""

from __future__ import annotations

from collections.abc import Sequence

import ibis.expr.types as ir

from medallion import rules
from medallion.kinds import MergeByKey, Restriction
from medallion.models.gold.members import UNKNOWN_KEY
from medallion.partitions import union_keys
from medallion.registry import model
from schemas.gold import FactSales


def changed_orders(inputs: Sequence[ir.Table], changes: Sequence[ir.Table]) -> Restriction:
    """Orders with a changed line, or a line whose product or customer changed: a late
    customer or product re-points its lines from -1 to the member."""
    sales, dim_product, dim_customer = inputs
    new_sales, new_products, new_customers = changes
    by_product = sales.semi_join(new_products.select("product_number"), "product_number")
    by_customer = sales.semi_join(new_customers.select("customer_id"), "customer_id")
    keys = union_keys("order_number", new_sales, by_product, by_customer)
    return Restriction([sales.semi_join(keys, "order_number"), dim_product, dim_customer], keys)


@model(
    "gold.fact_sales",
    inputs=["silver.crm_sales", "gold.dim_product", "gold.dim_customer"],
    grain=["order_number", "product_key"],
    kind=MergeByKey(("order_number",), changed_orders),
    contract=FactSales,
)
def fact_sales(sales: ir.Table, dim_product: ir.Table, dim_customer: ir.Table) -> ir.Table:
    """Order lines; a customer or product not (yet) known points to the unknown member -1."""
    products = dim_product.filter(dim_product.product_key != UNKNOWN_KEY).select(
        "product_number", "product_key", "cost"
    )
    customers = dim_customer.filter(dim_customer.customer_key != UNKNOWN_KEY).select(
        "customer_id", "customer_key", "location_key"
    )
    s = sales.left_join(products, "product_number").left_join(customers, "customer_id")
    # An unknown product has no cost: cost and profit stay null rather than a guess (SPEC 6).
    cost_amount = rules.multiply_money(s.cost, s.quantity)
    return s.select(
        "order_number",
        product_key=s.product_key.fill_null(UNKNOWN_KEY),
        customer_key=s.customer_key.fill_null(UNKNOWN_KEY),
        location_key=s.location_key.fill_null(UNKNOWN_KEY),
        order_date_key=rules.date_key(s.order_date),
        ship_date_key=rules.date_key(s.ship_date),
        due_date_key=rules.date_key(s.due_date),
        quantity=s.quantity,
        price=s.price,
        sales_amount=s.sales_amount,
        cost_amount=cost_amount,
        profit=(s.sales_amount - cost_amount).cast(rules.MONEY),
    )
