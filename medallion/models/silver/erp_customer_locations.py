"""silver.erp_customer_locations: the country of each ERP customer number."""

from __future__ import annotations

from collections.abc import Sequence

import ibis.expr.types as ir

from medallion import rules
from medallion.countries import country_name
from medallion.kinds import MergeByKey, Restriction
from medallion.partitions import new_keys_of_bronze
from medallion.registry import Built, model
from medallion.versions import versions
from schemas.silver import ErpCustomerLocations

COLUMNS = ("customer_number", "country", *rules.LINEAGE)


def with_customer_number(loc_a101: ir.Table) -> ir.Table:
    """Bronze rows with their partition key: the CRM customer number, dashes removed."""
    return loc_a101.mutate(customer_number=rules.clean_text(loc_a101.cid.replace("-", "")))


def changed_locations(inputs: Sequence[ir.Table], changes: Sequence[ir.Table]) -> Restriction:
    """Customer numbers with a location delivered (again)."""
    return new_keys_of_bronze(changes[0], with_customer_number, ["customer_number"])


def erp_location_rows(loc_a101: ir.Table) -> ir.Table:
    """Every bronze row with its cleaned columns beside the raw ones."""
    t = with_customer_number(loc_a101)
    return t.mutate(country=country_name(t.cntry))


@model(
    "silver.erp_customer_locations",
    inputs=["bronze.erp_loc_a101"],
    grain=["customer_number"],
    kind=MergeByKey(("customer_number",), changed_locations),
    contract=ErpCustomerLocations,
)
def erp_customer_locations(loc_a101: ir.Table) -> Built:
    """ERP customer countries, one row per customer number; a later delivery wins."""
    rows = erp_location_rows(loc_a101)
    kept = versions(
        rows,
        COLUMNS,
        ["customer_number"],
        unusable=("dropped_blank_id", rows.customer_number.isnull()),
        dash_removed=rows.cid.contains("-"),
        country_alias_resolved=rules.changed(rows.country, rules.trim(rows.cntry))
        & rules.clean_text(rows.cntry).notnull(),
        blank_country_to_na=rules.clean_text(rows.cntry).isnull(),
    )
    return kept.built()
