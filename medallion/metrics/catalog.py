"""Every metric, defined once: the one place a KPI's formula lives.

Base metrics aggregate a column of a semantic model; derived ones (margin, average order value,
shares) are built from the base metrics' expressions, never written out again. A team that
needs a new KPI adds it here, and the CLI, the dashboard and the docs pick it up.
"""

from __future__ import annotations

from medallion.metrics import models as _models  # noqa: F401  (registers the semantic models)
from medallion.metrics.registry import filtered, money_per, ratio, share_of_total, simple
from medallion.models.gold.members import UNKNOWN_KEY, UNKNOWN_TEXT

revenue = simple(
    "revenue",
    model="sales",
    agg="sum",
    column="sales_amount",
    format="money",
    description="Sales amount of the order lines.",
)
cost = simple(
    "cost",
    model="sales",
    agg="sum",
    column="cost_amount",
    format="money",
    description="Current product cost x quantity; lines of unknown products have no cost.",
)
profit = simple(
    "profit",
    model="sales",
    agg="sum",
    column="profit",
    format="money",
    description="Sales amount - cost amount, over the lines whose product (and so cost) is known.",
)
orders = simple(
    "orders",
    model="sales",
    agg="count_distinct",
    column="order_number",
    format="count",
    description="Distinct orders (order numbers).",
)
units = simple(
    "units",
    model="sales",
    agg="sum",
    column="quantity",
    format="count",
    description="Units sold (sum of quantity).",
)
buying_customers = simple(
    "buying_customers",
    model="sales",
    agg="count_distinct",
    column="customer_key",
    rows=lambda t: t.customer_key != UNKNOWN_KEY,
    rows_definition=f"customer_key != {UNKNOWN_KEY}",
    format="count",
    description="Distinct known customers with at least one order line.",
)
first_order_date = simple(
    "first_order_date",
    model="sales",
    agg="min",
    column="order_date",
    format="date",
    description="Earliest known order date.",
)
last_order_date = simple(
    "last_order_date",
    model="sales",
    agg="max",
    column="order_date",
    format="date",
    description="Latest known order date (the date ages are computed at).",
)
margin = ratio(
    "margin",
    profit,
    revenue,
    format="percent",
    description="Profit as a share of revenue.",
)
average_order_value = money_per(
    "average_order_value",
    revenue,
    orders,
    description="Revenue per order, rounded to cents half away from zero.",
)
revenue_share = share_of_total(
    "revenue_share",
    revenue,
    description="A group's share of the revenue of every row the filters keep (for Paretos "
    "and category mixes).",
)
customers = simple(
    "customers",
    model="customers",
    agg="count_distinct",
    column="customer_key",
    format="count",
    description="Known customers (dim_customer without the unknown member), buyers or not.",
)
unknown_gender_customers = filtered(
    "unknown_gender_customers",
    customers,
    lambda t: t.gender == UNKNOWN_TEXT,
    f"gender = '{UNKNOWN_TEXT}'",
    description="Known customers whose gender neither the CRM nor the ERP knows.",
)
unknown_gender_share = ratio(
    "unknown_gender_share",
    unknown_gender_customers,
    customers,
    format="percent",
    description="Share of known customers with unknown gender (a data-quality figure).",
)
