"""gold.dim_product: one row per product number, its current version, with ERP categories."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from medallion import rules
from medallion.models.gold.members import UNKNOWN_TEXT, surrogate_keys, with_unknown_member
from medallion.models.silver.crm_products import crm_product_rows
from medallion.registry import model
from schemas.gold import DimProduct


def current_versions(products: ir.Table) -> ir.Table:
    """The version with the latest start date per product number (null start = earliest)."""
    return rules.latest_per_key(
        products,
        ["product_number"],
        order_by=[
            ibis.desc(products.start_date.notnull()),
            ibis.desc(products.start_date),
            ibis.desc(products.product_id),
        ],
    )


@model(
    "gold.dim_product",
    inputs=["silver.crm_products", "silver.erp_product_categories", "bronze.crm_prd_info"],
    grain=["product_key"],
    contract=DimProduct,
)
def dim_product(products: ir.Table, categories: ir.Table, prd_info: ir.Table) -> ir.Table:
    """Current product versions with category, subcategory and maintenance flag."""
    rows = crm_product_rows(prd_info)
    keys = surrogate_keys(rows.filter(rows.product_id.notnull()), "product_number", "product_key")
    cats = categories.select("category_id", "category", "subcategory", "maintenance_required")
    joined = current_versions(products).join(keys, "product_number").left_join(cats, "category_id")
    dim = joined.select(
        "product_key",
        "product_id",
        "product_number",
        "product_name",
        "category_id",
        category=joined.category.fill_null(UNKNOWN_TEXT),
        subcategory=joined.subcategory.fill_null(UNKNOWN_TEXT),
        maintenance_required=joined.maintenance_required,
        product_line=joined.product_line,
        cost=joined.cost,
        start_date=joined.start_date,
    )
    return with_unknown_member(dim, "product_key")
