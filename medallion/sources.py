"""The six source tables medallion knows: where they land and which columns they carry."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceTable:
    """One CRM or ERP export, as it appears under ``<landing>/<source>/<table>/data/``.

    ``columns`` are the bronze (snake_cased) names of a well-formed export, in the source's
    order. ``required`` are the ones without which no row of the file can be used (its natural
    key): a file missing one is rejected as a whole; any other missing column is null.
    """

    source: str
    table: str
    columns: tuple[str, ...]
    required: tuple[str, ...]

    @property
    def bronze_name(self) -> str:
        return f"{self.source}_{self.table}"

    @property
    def folder(self) -> str:
        """The table's folder relative to the landing root."""
        return f"{self.source}/{self.table}/data"


SOURCE_TABLES: tuple[SourceTable, ...] = (
    SourceTable(
        "crm",
        "cust_info",
        (
            "cst_id",
            "cst_key",
            "cst_firstname",
            "cst_lastname",
            "cst_marital_status",
            "cst_gndr",
            "cst_create_date",
        ),
        required=("cst_id",),
    ),
    SourceTable(
        "crm",
        "prd_info",
        ("prd_id", "prd_key", "prd_nm", "prd_cost", "prd_line", "prd_start_dt", "prd_end_dt"),
        required=("prd_id", "prd_key"),
    ),
    SourceTable(
        "crm",
        "sales_details",
        (
            "sls_ord_num",
            "sls_prd_key",
            "sls_cust_id",
            "sls_order_dt",
            "sls_ship_dt",
            "sls_due_dt",
            "sls_sales",
            "sls_quantity",
            "sls_price",
        ),
        required=("sls_ord_num", "sls_prd_key"),
    ),
    SourceTable("erp", "cust_az12", ("cid", "bdate", "gen"), required=("cid",)),
    SourceTable("erp", "loc_a101", ("cid", "cntry"), required=("cid",)),
    SourceTable("erp", "px_cat_g1v2", ("id", "cat", "subcat", "maintenance"), required=("id",)),
)

BY_FOLDER: dict[tuple[str, str], SourceTable] = {(t.source, t.table): t for t in SOURCE_TABLES}
BY_BRONZE_NAME: dict[str, SourceTable] = {t.bronze_name: t for t in SOURCE_TABLES}
