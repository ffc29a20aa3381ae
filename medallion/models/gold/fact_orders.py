"""gold.fact_orders: one row per order, aggregated from its lines."""

from __future__ import annotations

from collections.abc import Sequence

import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from medallion import rules
from medallion.kinds import MergeByKey, Restriction
from medallion.models.gold.members import UNKNOWN_KEY
from medallion.partitions import union_keys
from medallion.registry import model
from schemas.gold import FactOrders


def changed_orders(inputs: Sequence[ir.Table], changes: Sequence[ir.Table]) -> Restriction:
    """Orders with a changed line. A customer's change reaches an order only through its
    lines (fact_sales re-points them), so the line changes cover it."""
    fact_sales, dim_customer = inputs
    keys = union_keys("order_number", changes[0])
    return Restriction([fact_sales.semi_join(keys, "order_number"), dim_customer], keys)


@model(
    "gold.fact_orders",
    inputs=["gold.fact_sales", "gold.dim_customer"],
    grain=["order_number"],
    kind=MergeByKey(("order_number",), changed_orders),
    contract=FactOrders,
)
def fact_orders(fact_sales: ir.Table, dim_customer: ir.Table) -> ir.Table:
    """Orders: earliest order date, latest ship and due dates, totals over every line."""
    # A fresh view: fact_sales may itself be an expression over dim_customer (when models are
    # composed without being stored), and Ibis joins need distinct relations.
    fact_sales = fact_sales.view()
    customers = dim_customer.filter(dim_customer.customer_key != UNKNOWN_KEY).select(
        "customer_key", "customer_id", "location_key"
    )
    lines = fact_sales.left_join(customers, "customer_key")
    orders = lines.group_by("order_number").aggregate(
        # The order's customer: the known one with the smallest customer_id (SPEC 6).
        customer_id=lines.customer_id.min(),
        order_date_key=lines.order_date_key.min(),
        ship_date_key=lines.ship_date_key.max(),
        due_date_key=lines.due_date_key.max(),
        line_count=lines.count(),
        quantity=lines.quantity.sum(),
        sales_amount=lines.sales_amount.sum().cast(rules.MONEY),
        cost_amount=lines.cost_amount.sum().cast(rules.MONEY),
        profit=lines.profit.sum().cast(rules.MONEY),
    )
    o = orders.left_join(customers, "customer_id")
    order_date = rules.key_date(o.order_date_key)
    ship_date = rules.key_date(o.ship_date_key)
    return o.select(
        "order_number",
        customer_key=o.customer_key.fill_null(UNKNOWN_KEY),
        location_key=o.location_key.fill_null(UNKNOWN_KEY),
        order_date_key=o.order_date_key,
        ship_date_key=o.ship_date_key,
        due_date_key=o.due_date_key,
        line_count=o.line_count.cast(dt.int64),
        quantity=o.quantity.cast(dt.int64),
        sales_amount=o.sales_amount,
        cost_amount=o.cost_amount,
        profit=o.profit,
        days_to_ship=ship_date.delta(order_date, unit="day").cast(dt.int32),
    )
