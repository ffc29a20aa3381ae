"""gold.dim_location: one row per country found in the ERP locations."""

from __future__ import annotations

import ibis.expr.types as ir

from medallion.countries import country_code
from medallion.models.gold.members import with_unknown_member
from medallion.registry import model
from schemas.gold import DimLocation


@model(
    "gold.dim_location",
    inputs=["gold.location_keys"],
    grain=["location_key"],
    contract=DimLocation,
)
def dim_location(location_keys: ir.Table) -> ir.Table:
    """Countries of the ERP customer locations, with ISO codes; n/a is the unknown member."""
    dim = location_keys.select(
        "location_key", "country", country_code=country_code(location_keys.country)
    )
    # SPEC 3: country_code is "null if unknown", for the unknown member too.
    return with_unknown_member(dim, "location_key", null_text=("country_code",))
