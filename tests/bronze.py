"""Hand-written bronze tables for unit tests: text columns plus the metadata ingestion adds."""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from medallion.models.bronze import bronze_schema
from medallion.sources import BY_BRONZE_NAME


def bronze_table(
    table: str, rows: Sequence[dict[str, str | None]], *, batch: int = 1, file: str = "f.csv"
) -> ir.Table:
    """A bronze table of ``table`` (e.g. "crm_cust_info"); each row may set ``_batch_id``,
    ``_source_file`` and ``_source_row``, else batch 1, the given file, and its position."""
    columns = BY_BRONZE_NAME[table].columns
    schema = bronze_schema(columns)
    records = []
    for index, row in enumerate(rows, start=1):
        unknown = set(row) - set(schema.names)
        assert not unknown, f"not a column of {table}: {unknown}"
        record: dict[str, object] = {c: row.get(c) for c in columns}
        record["_source_file"] = row.get("_source_file", file)
        record["_source_row"] = row.get("_source_row", index)
        record["_batch_id"] = row.get("_batch_id", batch)
        record["_ingested_at"] = None
        records.append(record)
    return ibis.memtable(pa.Table.from_pylist(records, schema=schema))
