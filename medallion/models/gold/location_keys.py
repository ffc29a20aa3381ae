"""gold.location_keys: the surrogate key of every country the ERP locations name."""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from medallion.countries import UNKNOWN, country_name
from medallion.kinds import KeyMap
from medallion.models.gold.members import surrogate_keys
from medallion.models.silver.erp_customer_locations import with_customer_number
from medallion.registry import model
from schemas.gold import LocationKeys


def known_country(raw: ir.Value) -> ir.Value:
    """The country a raw spelling names; null for a blank or unknown one (the unknown member)."""
    name = country_name(raw)
    return (name != UNKNOWN).ifelse(name, ibis.null(dt.string))


@model(
    "gold.location_keys",
    inputs=["bronze.erp_loc_a101"],
    grain=["country"],
    kind=KeyMap("country", "location_key"),
    contract=LocationKeys,
)
def location_keys(loc_a101: ir.Table) -> ir.Table:
    """Countries numbered in order of first delivery with a customer number: dim_location's
    keys, kept apart so that an incremental run reads only its new rows."""
    rows = with_customer_number(loc_a101)
    rows = rows.filter(rows.customer_number.notnull())
    return surrogate_keys(rows, "country", "location_key", spelled=("cntry", known_country))
