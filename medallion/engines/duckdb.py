"""The DuckDB engine: one database file holds every layer, so any DuckDB client can open it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from medallion.engines.base import LAYERS, META, Engine, staging_name
from medallion.errors import ConfigError


class DuckDBEngine(Engine):
    name = "duckdb"
    supports_merge = True

    def __init__(self, database: Path, *, memory_limit: str | None = None) -> None:
        database.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = ibis.duckdb.connect(str(database))
        except Exception as exc:  # duckdb raises IOException for a locked or corrupt file
            raise ConfigError(f"cannot open warehouse {database}: {exc}") from None
        if memory_limit:
            try:
                self.con.con.execute(f"SET memory_limit = '{memory_limit}'")
            except Exception as exc:  # an unparseable size
                self.con.disconnect()
                raise ConfigError(f"memory limit {memory_limit!r}: {exc}") from None
        self.database = database
        self._in_transaction = False
        for layer in (*LAYERS, META):
            self.con.raw_sql(f'CREATE SCHEMA IF NOT EXISTS "{layer}"')

    def table(self, layer: str, name: str) -> ir.Table:
        return self.con.table(name, database=layer)

    def exists(self, layer: str, name: str) -> bool:
        return self._columns(layer, name) is not None

    def _columns(self, layer: str, name: str) -> list[str] | None:
        """A table's columns from DuckDB's catalog, or None: cheaper than Ibis' ``get_schema``
        for the many small appends of an ingestion."""
        found = self.con.con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?"
            " ORDER BY column_index",
            [layer, name],
        ).fetchall()
        return [c for (c,) in found] or None

    def list_tables(self, layer: str) -> list[str]:
        return sorted(self.con.list_tables(database=layer))

    def replace(self, layer: str, name: str, expr: ir.Table) -> None:
        with self.transaction():
            self.stage(layer, name, expr)
            self.publish(layer, name)

    def stage(self, layer: str, name: str, expr: ir.Table) -> ir.Table:
        # Built under a second name first: ``expr`` may read the staged table it replaces.
        staging, building = staging_name(name), staging_name(f"{name}__next")
        self.con.raw_sql(f'DROP TABLE IF EXISTS "{layer}"."{building}"')
        self.con.create_table(building, expr, database=layer)
        self.con.raw_sql(f'DROP TABLE IF EXISTS "{layer}"."{staging}"')
        self.con.raw_sql(f'ALTER TABLE "{layer}"."{building}" RENAME TO "{staging}"')
        return self.table(layer, staging)

    def publish(self, layer: str, name: str) -> None:
        with self.transaction():
            self.con.raw_sql(f'DROP TABLE IF EXISTS "{layer}"."{name}"')
            self.con.raw_sql(f'ALTER TABLE "{layer}"."{staging_name(name)}" RENAME TO "{name}"')

    def merge(self, layer: str, name: str, on: tuple[str, ...]) -> None:
        rows, keys = staging_name(name), staging_name(f"{name}_keys")
        match = " AND ".join(f't."{c}" = k."{c}"' for c in on)
        with self.transaction():
            self.con.raw_sql(
                f'DELETE FROM "{layer}"."{name}" AS t USING "{layer}"."{keys}" AS k WHERE {match}'
            )
            self.con.raw_sql(
                f'INSERT INTO "{layer}"."{name}" BY NAME SELECT * FROM "{layer}"."{rows}"'
            )
            self.drop(layer, rows)
            self.drop(layer, keys)

    def delete_where(self, layer: str, name: str, predicate: str) -> None:
        self.con.raw_sql(f'DELETE FROM "{layer}"."{name}" WHERE {predicate}')

    def drop(self, layer: str, name: str) -> None:
        self.con.raw_sql(f'DROP TABLE IF EXISTS "{layer}"."{name}"')

    def append(self, layer: str, name: str, rows: pa.Table | ir.Table) -> None:
        schema = rows.schema if isinstance(rows, pa.Table) else rows.schema().to_pyarrow()
        with self.transaction():
            have = self._columns(layer, name)
            if have is None:
                self.con.create_table(name, schema=ibis.Schema.from_pyarrow(schema), database=layer)
                have = list(schema.names)
            for field in schema:
                if field.name not in have:
                    sql_type = ibis.dtype(field.type).copy(nullable=True)
                    type_sql = self.con.compiler.type_mapper.from_ibis(sql_type).sql("duckdb")
                    self.con.raw_sql(
                        f'ALTER TABLE "{layer}"."{name}" ADD COLUMN "{field.name}" {type_sql}'
                    )
            if isinstance(rows, pa.Table):  # straight from Arrow, matched by column name
                # Rows carry their lineage, so their order is free: DuckDB then inserts in
                # parallel (a third faster on a group of landing files).
                raw = self.con.con
                raw.register("_medallion_rows", rows)
                raw.execute("SET preserve_insertion_order = false")
                try:
                    raw.execute(
                        f'INSERT INTO "{layer}"."{name}" BY NAME SELECT * FROM _medallion_rows'
                    )
                finally:
                    raw.execute("RESET preserve_insertion_order")
                    raw.unregister("_medallion_rows")
            else:
                self.con.insert(name, rows, database=layer)

    def write_file(self, expr: ir.Table, path: Path, file_format: str) -> None:
        if file_format == "parquet":
            self.con.to_parquet(expr, path)
        elif file_format == "csv":
            self.con.to_csv(expr, path, header=True)
        else:
            raise ValueError(f"unknown file format {file_format!r}")

    def to_arrow(self, expr: ir.Expr) -> pa.Table:
        result = self.con.to_pyarrow(expr)
        return result if isinstance(result, pa.Table) else pa.table({"value": [result]})

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._in_transaction:  # nested: the outer transaction decides
            yield
            return
        self.con.raw_sql("BEGIN TRANSACTION")
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self.con.raw_sql("ROLLBACK")
            raise
        else:
            self.con.raw_sql("COMMIT")
        finally:
            self._in_transaction = False

    def close(self) -> None:
        self.con.disconnect()
