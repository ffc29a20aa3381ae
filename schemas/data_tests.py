"""Data tests of the gold star schema: what the tables promise together (SPEC sections 3, 4).

Generic tests cover every relationship of the star; the custom ones below check what no
generic tool knows: unknown members used only where the source key is missing, and sales
totals that reconcile from silver to both facts, per order and overall.
Severities can be overridden in medallion.toml by test id (``relationships:gold.*`` ...).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from medallion import rules
from medallion.quality.datatests import accepted_values, data_test, not_null, relationships
from medallion.quality.star import UNKNOWN_KEY, grain, reconcile, unknown_member
from medallion.registry import load_models
from schemas._types import GENDERS, MARITAL_STATUSES, PRODUCT_LINES

MEASURES = ("quantity", "sales_amount")
DATE_KEYS = ("order_date_key", "ship_date_key", "due_date_key")

# Grain: one row per declared key, for every gold table; where its contract already declares
# that key unique (Config.unique), the contract's check is the grain check, not run twice.
for _spec in load_models().values():
    _unique = _spec.contract.to_schema().unique if _spec.contract else None  # type: ignore[attr-defined]
    if _spec.layer == "gold" and set(_unique or ()) != set(_spec.grain):
        grain(_spec.name, _spec.grain)

# Unknown members (SPEC 3, 6): a country code of the unknown location is null, not "n/a".
unknown_member("gold.dim_customer", "customer_key")
unknown_member("gold.dim_product", "product_key")
unknown_member("gold.dim_location", "location_key", codes=("country_code",))
unknown_member("gold.dim_date", "date_key")

# Relationships: every fact key is in its dimension, every fact date inside dim_date.
for _fact in ("gold.fact_sales", "gold.fact_orders"):
    relationships(_fact, "customer_key", to="gold.dim_customer.customer_key")
    relationships(_fact, "location_key", to="gold.dim_location.location_key")
    for _date in DATE_KEYS:
        relationships(_fact, _date, to="gold.dim_date.date_key")
relationships("gold.fact_sales", "product_key", to="gold.dim_product.product_key")
relationships("gold.dim_customer", "location_key", to="gold.dim_location.location_key")
# order_number between fact_sales, fact_orders and silver crm_sales: orders_reconcile below
# requires the same orders in all three, which is each relationship both ways (three anti
# joins of 6 million lines, 5 s at scale 100, folded into the join it makes anyway). With
# equal totals per order, totals reconcile for any grouping of orders, batches included.

# Conformed values and keys, as dbt would declare them.
accepted_values("gold.dim_customer", "gender", GENDERS)
accepted_values("gold.dim_customer", "marital_status", MARITAL_STATUSES)
accepted_values("gold.dim_product", "product_line", PRODUCT_LINES)
not_null("gold.fact_sales", "order_number")
not_null("gold.fact_orders", "order_number")


@data_test(
    "gold.fact_sales",
    "silver.crm_sales",
    "gold.dim_customer",
    "gold.dim_product",
    rows_of="gold.fact_sales",
    narrow_by=["order_number"],
)
def unknown_members_only_where_missing(
    fact_sales: ir.Table, sales: ir.Table, dim_customer: ir.Table, dim_product: ir.Table
) -> ir.Table:
    """Per order, lines point to a customer (a product) exactly as often as their customer_id
    (product_number) is in the dimension."""
    # Membership by left join, not ``isin``: DuckDB builds an IN's hash table on the dimension
    # (1.8 million customers) however few lines a run checks; a join builds on the smaller
    # side. The contracts keep one row per customer_id and product_number: no line doubles.
    customers = dim_customer.filter(dim_customer.customer_key != UNKNOWN_KEY).select(
        "customer_id", known_customer=ibis.literal(True)
    )
    products = dim_product.filter(dim_product.product_key != UNKNOWN_KEY).select(
        "product_number", known_product=ibis.literal(True)
    )

    def per_order(lines: ir.Table, customer: ir.BooleanValue, product: ir.BooleanValue) -> ir.Table:
        return lines.group_by("order_number").aggregate(
            known_customers=ibis.ifelse(customer, 1, 0).sum(),
            known_products=ibis.ifelse(product, 1, 0).sum(),
        )

    # Customers and products in one aggregate per side: grouping 6 million lines by order is
    # what this test costs, so it is done once for both (two tests took 7 s at scale 100,
    # this one under 5 s).
    gold = per_order(
        fact_sales,
        fact_sales.customer_key != UNKNOWN_KEY,
        fact_sales.product_key != UNKNOWN_KEY,
    )
    # A run that checks only its new fact rows passes silver's lines of their orders only
    # (narrow_by); a full run passes all of them, and does not pay for a semi join of 6
    # million lines that would keep every one (1.2 s at scale 100).
    lines = sales.left_join(customers, "customer_id").left_join(products, "product_number")
    silver = per_order(lines, lines.known_customer.notnull(), lines.known_product.notnull())
    joined = gold.left_join(silver, "order_number")
    return joined.filter(
        ~joined.known_customers.identical_to(joined.known_customers_right)
        | ~joined.known_products.identical_to(joined.known_products_right)
    )


@data_test("gold.fact_orders", "gold.fact_sales", "silver.crm_sales", per=["order_number"])
def orders_reconcile(fact_orders: ir.Table, fact_sales: ir.Table, sales: ir.Table) -> ir.Table:
    """Per order: the same orders in fact_orders, fact_sales and silver crm_sales, with the
    same quantity and sales."""
    return reconcile(
        {"fact_orders": fact_orders, "fact_sales": fact_sales, "silver": sales},
        MEASURES,
        by=["order_number"],
        one_per_key=["fact_orders"],
    )


@data_test("silver.crm_sales", "gold.fact_sales", "gold.fact_orders")
def totals_reconcile(sales: ir.Table, fact_sales: ir.Table, fact_orders: ir.Table) -> ir.Table:
    """Overall: silver sales total = fact_sales total = fact_orders total (and quantities)."""
    return reconcile(
        {"silver": sales, "fact_sales": fact_sales, "fact_orders": fact_orders}, MEASURES
    )


@data_test("gold.fact_sales", "gold.dim_product", rows_of="gold.fact_sales")
def cost_is_current_product_cost(fact_sales: ir.Table, dim_product: ir.Table) -> ir.Table:
    """cost_amount = the product's current cost x quantity (the money rule: null when it does
    not fit); null for an unknown product."""
    lines = fact_sales.left_join(dim_product.select("product_key", "cost"), "product_key")
    cost = rules.multiply_money(lines.cost, lines.quantity)
    expected = ibis.ifelse(lines.product_key == UNKNOWN_KEY, ibis.null(), cost)
    return lines.filter(~lines.cost_amount.identical_to(expected.cast(lines.cost_amount.type())))
