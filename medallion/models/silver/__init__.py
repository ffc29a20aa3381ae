"""Silver: cleaned, typed, conformed tables, one module per table (SPEC section 2)."""

from __future__ import annotations

from medallion.models.silver import (  # noqa: F401
    crm_customers,
    crm_products,
    crm_sales,
    erp_customer_demographics,
    erp_customer_locations,
    erp_product_categories,
)
