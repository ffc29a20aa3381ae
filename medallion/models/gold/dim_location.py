"""gold.dim_location: one row per country found in the ERP locations."""

from __future__ import annotations

import ibis.expr.types as ir

from medallion.countries import UNKNOWN, country_code
from medallion.models.gold.members import surrogate_keys, with_unknown_member
from medallion.models.silver.erp_customer_locations import erp_location_rows
from medallion.registry import model
from schemas.gold import DimLocation


@model(
    "gold.dim_location",
    inputs=["bronze.erp_loc_a101"],
    grain=["location_key"],
    contract=DimLocation,
)
def dim_location(loc_a101: ir.Table) -> ir.Table:
    """Countries of the ERP customer locations, with ISO codes; n/a is the unknown member."""
    rows = erp_location_rows(loc_a101)
    rows = rows.filter(rows.customer_number.notnull() & (rows.country != UNKNOWN))
    keys = surrogate_keys(rows, "country", "location_key")
    dim = keys.select("location_key", "country", country_code=country_code(keys.country))
    # SPEC 3: country_code is "null if unknown", for the unknown member too.
    return with_unknown_member(dim, "location_key", null_text=("country_code",))
