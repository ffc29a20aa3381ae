"""gold.dim_customer: one row per CRM customer, enriched with ERP demographics and location."""

from __future__ import annotations

from collections.abc import Sequence

import ibis.expr.types as ir

from medallion.kinds import MergeByKey, Restriction
from medallion.models.gold.members import (
    UNKNOWN_KEY,
    UNKNOWN_TEXT,
    with_unknown_member,
)
from medallion.partitions import union_keys
from medallion.registry import model
from schemas.gold import DimCustomer


def changed_customers(inputs: Sequence[ir.Table], changes: Sequence[ir.Table]) -> Restriction:
    """Customers whose CRM version, ERP demographics or ERP location changed.

    Keys are stable and countries only ever gain members, so nothing else moves a row.
    """
    customers, demographics, locations, dim_location, customer_keys = inputs
    new_customers, new_demographics, new_locations = changes[:3]
    numbers = union_keys("customer_number", new_demographics, new_locations)
    via_erp = customers.semi_join(numbers, "customer_number")
    keys = union_keys("customer_id", new_customers, via_erp, changes[4])
    # A table, not an open join: the ERP inputs are then made from it (a join's select would
    # make a join of their own), and a run reads their numbers from its stored rows.
    touched = customers.semi_join(keys, "customer_id").select(customers.columns)
    their_numbers = touched.select("customer_number")
    return Restriction(
        [
            touched,
            demographics.semi_join(their_numbers, "customer_number"),
            locations.semi_join(their_numbers, "customer_number"),
            dim_location,
            customer_keys.semi_join(keys, "customer_id"),
        ],
        keys,
    )


@model(
    "gold.dim_customer",
    inputs=[
        "silver.crm_customers",
        "silver.erp_customer_demographics",
        "silver.erp_customer_locations",
        "gold.dim_location",
        "gold.customer_keys",
    ],
    grain=["customer_key"],
    kind=MergeByKey(("customer_id",), changed_customers),
    contract=DimCustomer,
)
def dim_customer(
    customers: ir.Table,
    demographics: ir.Table,
    locations: ir.Table,
    dim_location: ir.Table,
    customer_keys: ir.Table,
) -> ir.Table:
    """CRM customers with ERP birth date, gender fallback and country; keyed by first delivery."""
    c = customers
    demo = demographics.select(
        "customer_number", erp_gender=demographics.gender, birth_date=demographics.birth_date
    )
    loc = locations.select("customer_number", "country")
    places = dim_location.filter(dim_location.location_key != UNKNOWN_KEY).select(
        "country", "location_key"
    )
    joined = (
        c.join(customer_keys, "customer_id")
        .left_join(demo, "customer_number")
        .left_join(loc, "customer_number")
        .left_join(places, "country")
    )
    dim = joined.select(
        "customer_key",
        "customer_id",
        "customer_number",
        "first_name",
        "last_name",
        # The CRM is the master for gender; the ERP fills in where the CRM does not know.
        gender=(joined.gender != UNKNOWN_TEXT).ifelse(
            joined.gender, joined.erp_gender.fill_null(UNKNOWN_TEXT)
        ),
        marital_status=joined.marital_status,
        birth_date=joined.birth_date,
        create_date=joined.create_date,
        location_key=joined.location_key.fill_null(UNKNOWN_KEY),
    )
    return with_unknown_member(dim, "customer_key")
