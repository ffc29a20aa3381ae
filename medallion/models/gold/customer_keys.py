"""gold.customer_keys: the surrogate key of every customer_id ever delivered."""

from __future__ import annotations

import ibis.expr.types as ir

from medallion.kinds import KeyMap
from medallion.models.gold.members import surrogate_keys
from medallion.models.silver.crm_customers import with_customer_id
from medallion.registry import model
from schemas.gold import CustomerKeys


@model(
    "gold.customer_keys",
    inputs=["bronze.crm_cust_info"],
    grain=["customer_id"],
    kind=KeyMap("customer_id", "customer_key"),
    contract=CustomerKeys,
)
def customer_keys(cust_info: ir.Table) -> ir.Table:
    """Customer ids numbered in order of first delivery: dim_customer's keys, kept apart so
    that an incremental run numbers only the ids its new rows bring."""
    # The id with silver's very rule, and nothing else of silver's cleaning.
    return surrogate_keys(with_customer_id(cust_info), "customer_id", "customer_key")
