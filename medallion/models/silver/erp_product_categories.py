"""silver.erp_product_categories: category, subcategory and maintenance flag per category id."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from medallion import rules
from medallion.registry import Built, model
from medallion.versions import versions
from schemas.silver import ErpProductCategories

COLUMNS = ("category_id", "category", "subcategory", "maintenance_required", *rules.LINEAGE)


@model(
    "silver.erp_product_categories",
    inputs=["bronze.erp_px_cat_g1v2"],
    grain=["category_id"],
    contract=ErpProductCategories,
)
def erp_product_categories(px_cat_g1v2: ir.Table) -> Built:
    """ERP product categories, one row per category id; a later delivery wins."""
    t = px_cat_g1v2
    flag = rules.code(t.maintenance)
    rows = t.mutate(
        category_id=rules.clean_text(t.id),
        category=rules.clean_text(t.cat),
        subcategory=rules.clean_text(t.subcat),
        maintenance_required=flag.cases(("YES", True), ("NO", False), else_=ibis.null("boolean")),
    )
    kept = versions(
        rows,
        COLUMNS,
        ["category_id"],
        unusable=("dropped_blank_id", rows.category_id.isnull()),
        store=False,
        text_trimmed_or_nulled=rules.changed(rows.category, rows.cat)
        | rules.changed(rows.subcategory, rows.subcat),
        maintenance_nulled=rows.maintenance_required.isnull(),
    )
    return kept.built()
