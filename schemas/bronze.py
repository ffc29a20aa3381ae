"""Contracts of the bronze tables: every source column as nullable text, plus ingestion metadata.

Bronze is the source as landed, so its text columns carry no rules; what bronze promises is
its lineage (SPEC 1). ``strict = False``: a later file may add a column (schema evolution),
and the ``rescue`` ingest mode adds ``_rescued_data``.
"""

from __future__ import annotations

import ibis.expr.datatypes as dt
import pandera.ibis as pa

from schemas._types import UtcTimestamp, source_file_of


class _Ingested(pa.DataFrameModel):
    """What ingestion adds to every row: file, 1-based line, batch and time (UTC)."""

    # Pandera skips attributes that start with "_", hence the aliases.
    source_file: dt.String = pa.Field(alias="_source_file")
    source_row: dt.Int64 = pa.Field(alias="_source_row", ge=1)
    batch_id: dt.Int64 = pa.Field(alias="_batch_id", ge=1)
    ingested_at: UtcTimestamp = pa.Field(alias="_ingested_at")

    class Config:
        strict = False
        # A file is ingested once: a line of a file is one row, never two.
        unique = ["_source_file", "_source_row"]


class CrmCustInfo(_Ingested):
    cst_id: dt.String = pa.Field(nullable=True)
    cst_key: dt.String = pa.Field(nullable=True)
    cst_firstname: dt.String = pa.Field(nullable=True)
    cst_lastname: dt.String = pa.Field(nullable=True)
    cst_marital_status: dt.String = pa.Field(nullable=True)
    cst_gndr: dt.String = pa.Field(nullable=True)
    cst_create_date: dt.String = pa.Field(nullable=True)
    source_file: dt.String = pa.Field(
        alias="_source_file", str_matches=source_file_of("crm_cust_info")
    )


class CrmPrdInfo(_Ingested):
    prd_id: dt.String = pa.Field(nullable=True)
    prd_key: dt.String = pa.Field(nullable=True)
    prd_nm: dt.String = pa.Field(nullable=True)
    prd_cost: dt.String = pa.Field(nullable=True)
    prd_line: dt.String = pa.Field(nullable=True)
    prd_start_dt: dt.String = pa.Field(nullable=True)
    prd_end_dt: dt.String = pa.Field(nullable=True)
    source_file: dt.String = pa.Field(
        alias="_source_file", str_matches=source_file_of("crm_prd_info")
    )


class CrmSalesDetails(_Ingested):
    sls_ord_num: dt.String = pa.Field(nullable=True)
    sls_prd_key: dt.String = pa.Field(nullable=True)
    sls_cust_id: dt.String = pa.Field(nullable=True)
    sls_order_dt: dt.String = pa.Field(nullable=True)
    sls_ship_dt: dt.String = pa.Field(nullable=True)
    sls_due_dt: dt.String = pa.Field(nullable=True)
    sls_sales: dt.String = pa.Field(nullable=True)
    sls_quantity: dt.String = pa.Field(nullable=True)
    sls_price: dt.String = pa.Field(nullable=True)
    source_file: dt.String = pa.Field(
        alias="_source_file", str_matches=source_file_of("crm_sales_details")
    )


class ErpCustAz12(_Ingested):
    cid: dt.String = pa.Field(nullable=True)
    bdate: dt.String = pa.Field(nullable=True)
    gen: dt.String = pa.Field(nullable=True)
    source_file: dt.String = pa.Field(
        alias="_source_file", str_matches=source_file_of("erp_cust_az12")
    )


class ErpLocA101(_Ingested):
    cid: dt.String = pa.Field(nullable=True)
    cntry: dt.String = pa.Field(nullable=True)
    source_file: dt.String = pa.Field(
        alias="_source_file", str_matches=source_file_of("erp_loc_a101")
    )


class ErpPxCatG1v2(_Ingested):
    id: dt.String = pa.Field(nullable=True)
    cat: dt.String = pa.Field(nullable=True)
    subcat: dt.String = pa.Field(nullable=True)
    maintenance: dt.String = pa.Field(nullable=True)
    source_file: dt.String = pa.Field(
        alias="_source_file", str_matches=source_file_of("erp_px_cat_g1v2")
    )
