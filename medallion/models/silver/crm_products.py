"""silver.crm_products: one row per product version, with end dates derived from the next one."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from medallion import rules
from medallion.registry import Built, model
from medallion.versions import versions
from schemas.silver import CrmProducts

PRODUCT_LINE = {"M": "Mountain", "R": "Road", "S": "Other Sales", "T": "Touring"}
COLUMNS = (
    "product_id",
    "category_id",
    "product_number",
    "product_name",
    "cost",
    "product_line",
    "start_date",
    "end_date",
    *rules.LINEAGE,
)


def crm_product_rows(prd_info: ir.Table) -> ir.Table:
    """Every bronze row with its cleaned columns beside the raw ones."""
    t = prd_info
    key = rules.clean_text(t.prd_key)
    cost_text = rules.clean_text(t.prd_cost)
    return t.mutate(
        product_id=rules.parse_int(t.prd_id),
        # CO-RF-FR-R92B-58: the first five characters are the ERP category id, the rest the
        # product number (SPEC 2).
        category_id=key.substr(0, 5).replace("-", "_"),
        product_number=rules.clean_text(key.substr(6)),
        product_name=rules.clean_text(t.prd_nm),
        # A blank cost is 0; a cost that is not a number is null (SPEC 6).
        cost=cost_text.isnull().ifelse(
            ibis.literal(0).cast(rules.MONEY), rules.parse_money(cost_text)
        ),
        product_line=rules.map_code(t.prd_line, PRODUCT_LINE),
        start_date=rules.parse_date(t.prd_start_dt),
    )


def with_end_dates(products: ir.Table) -> ir.Table:
    """end_date = the day before the next version's start, per product number (source end
    dates are unreliable). Versions are ordered by (start_date, product_id), null start first."""
    window = ibis.window(
        group_by=products.product_number,
        order_by=[products.start_date.notnull(), products.start_date, products.product_id],
    )
    next_start = products.start_date.lead().over(window)
    return products.mutate(end_date=(next_start - ibis.interval(days=1)).cast("date"))


@model(
    "silver.crm_products",
    inputs=["bronze.crm_prd_info"],
    grain=["product_id"],
    contract=CrmProducts,
)
def crm_products(prd_info: ir.Table) -> Built:
    """CRM product versions, one row per prd_id, with derived end dates."""
    rows = crm_product_rows(prd_info)
    kept = versions(
        rows,
        [c for c in COLUMNS if c != "end_date"],  # derived from the kept versions
        ["product_id"],
        unusable=(
            "dropped_blank_or_invalid_id",
            rows.product_id.isnull() | rows.product_number.isnull(),
        ),
        store=False,
        name_trimmed_or_nulled=rules.changed(rows.product_name, rows.prd_nm),
        blank_cost_to_zero=rules.clean_text(rows.prd_cost).isnull(),
        cost_nulled=rows.cost.isnull(),
        product_line_to_na=rows.product_line == "n/a",
        start_date_nulled=rows.prd_start_dt.notnull() & rows.start_date.isnull(),
        end_date_replaced=rows.prd_end_dt.notnull(),
    )
    return kept.built(with_end_dates(kept.latest).select(*COLUMNS))
