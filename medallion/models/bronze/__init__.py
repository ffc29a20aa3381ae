"""Bronze tables: one per source table, filled by ingestion (see medallion.ingest)."""

from __future__ import annotations

import pyarrow as pa

from medallion.registry import source
from medallion.sources import SOURCE_TABLES
from schemas import bronze as contracts

CONTRACTS: dict[str, type] = {
    "crm_cust_info": contracts.CrmCustInfo,
    "crm_prd_info": contracts.CrmPrdInfo,
    "crm_sales_details": contracts.CrmSalesDetails,
    "erp_cust_az12": contracts.ErpCustAz12,
    "erp_loc_a101": contracts.ErpLocA101,
    "erp_px_cat_g1v2": contracts.ErpPxCatG1v2,
}

METADATA_SCHEMA = pa.schema(
    [
        ("_source_file", pa.string()),
        ("_source_row", pa.int64()),
        ("_batch_id", pa.int64()),
        ("_ingested_at", pa.timestamp("us", tz="UTC")),
    ]
)


def bronze_schema(columns: tuple[str, ...] | list[str]) -> pa.Schema:
    """Source columns as text, then the metadata every bronze row carries (SPEC 1)."""
    return pa.schema([pa.field(c, pa.string()) for c in columns] + list(METADATA_SCHEMA))


for _table in SOURCE_TABLES:
    source(
        f"bronze.{_table.bronze_name}",
        description=f"{_table.source.upper()} {_table.table} as landed: every column as text, "
        "plus file, line, batch and ingestion time.",
        grain=("_source_file", "_source_row"),
        contract=CONTRACTS[_table.bronze_name],
    )
