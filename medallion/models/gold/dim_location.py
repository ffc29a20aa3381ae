"""gold.dim_location: one row per country found in the ERP locations."""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from medallion.countries import UNKNOWN, country_code, country_name
from medallion.models.gold.members import surrogate_keys, with_unknown_member
from medallion.models.silver.erp_customer_locations import with_customer_number
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
    rows = with_customer_number(loc_a101)
    rows = rows.filter(rows.customer_number.notnull())

    def known_country(raw: ir.Value) -> ir.Value:
        name = country_name(raw)
        return (name != UNKNOWN).ifelse(name, ibis.null(dt.string))

    keys = surrogate_keys(rows, "country", "location_key", spelled=("cntry", known_country))
    dim = keys.select("location_key", "country", country_code=country_code(keys.country))
    # SPEC 3: country_code is "null if unknown", for the unknown member too.
    return with_unknown_member(dim, "location_key", null_text=("country_code",))
