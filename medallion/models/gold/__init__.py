"""Gold: the star schema, one module per dimension or fact (SPEC section 3)."""

from __future__ import annotations

from medallion.models.gold import (  # noqa: F401
    customer_keys,
    dim_customer,
    dim_date,
    dim_location,
    dim_product,
    fact_orders,
    fact_sales,
    location_keys,
)
