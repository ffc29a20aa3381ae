"""The Spark SQL the Spark engine sends, built by pure functions: tested without a runtime
(there is no Delta locally) and read in one place."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import ibis.expr.datatypes as dt
import ibis.expr.schema as sch


def quote(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


def spark_type(dtype: dt.DataType) -> str:
    """The Spark SQL type of an Ibis type (UTC timestamps are Spark's TIMESTAMP)."""
    from ibis.backends.pyspark.datatypes import PySparkType

    return str(PySparkType.from_ibis(dtype).simpleString())


def create_sql(table: str, schema: sch.Schema, table_format: str) -> str:
    """An empty table with the Ibis schema's types; every column nullable, as in DuckDB's
    tables, so a contract (not the storage) decides what may be null."""
    columns = ", ".join(f"{quote(name)} {spark_type(dtype)}" for name, dtype in schema.items())
    return f"CREATE TABLE {table} ({columns}) USING {table_format.upper()}"


def add_columns_sql(table: str, columns: Mapping[str, dt.DataType]) -> str:
    added = ", ".join(f"{quote(name)} {spark_type(dtype)}" for name, dtype in columns.items())
    return f"ALTER TABLE {table} ADD COLUMNS ({added})"


def _match(on: Iterable[str], left: str, right: str) -> str:
    # Plain equality, as in DuckDB's merge: a null partition key matches nothing.
    return " AND ".join(f"{left}.{quote(c)} = {right}.{quote(c)}" for c in on)


def delta_merge_sql(
    target: str, rows: str, keys: str, on: tuple[str, ...], columns: list[str]
) -> list[str]:
    """Replace the target's partitions named in ``keys`` by ``rows``: a MERGE deletes every
    row of a touched partition, then the new rows are inserted. Partitions hold many rows
    (an order's lines), so a row-by-row ``WHEN MATCHED THEN UPDATE`` cannot express it."""
    names = ", ".join(quote(c) for c in columns)
    return [
        f"MERGE INTO {target} AS t USING (SELECT DISTINCT {', '.join(quote(c) for c in on)} "
        f"FROM {keys}) AS k ON {_match(on, 't', 'k')} WHEN MATCHED THEN DELETE",
        f"INSERT INTO {target} ({names}) SELECT {names} FROM {rows}",
    ]


def rewrite_merge_sql(
    target: str, rows: str, keys: str, on: tuple[str, ...], columns: list[str]
) -> str:
    """The same merge for formats without row deletes: the untouched partitions plus the
    new rows, to be written as the table's next version."""
    names = ", ".join(quote(c) for c in columns)
    kept = ", ".join(f"t.{quote(c)}" for c in columns)
    return (
        f"SELECT {kept} FROM {target} AS t LEFT ANTI JOIN {keys} AS k ON {_match(on, 't', 'k')} "
        f"UNION ALL SELECT {names} FROM {rows}"
    )
