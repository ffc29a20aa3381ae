"""The Spark engine: the same expressions as DuckDB, compiled by Ibis to Spark SQL.

Tables live in ``<catalog>.<schema>_<layer>``: Delta where the runtime has it (Databricks),
Parquet otherwise. Spark has no multi-table transaction, so ``transaction`` keeps an undo
journal: every destructive step first records how to reverse it (a Delta version to RESTORE,
a table renamed aside instead of dropped, the data files a Parquet table had before an
append). A failure rolls the steps back in reverse; a crash leaves the journal in the
warehouse folder and the next connection rolls back from it. Either way readers end up with
the tables exactly as the last committed run left them.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.schema as sch
import ibis.expr.types as ir
import pyarrow as pa

from medallion.engines.base import LAYERS, META, Engine, staging_name
from medallion.engines.spark_sql import (
    add_columns_sql,
    create_sql,
    delta_merge_sql,
    quote,
    rewrite_merge_sql,
    spark_type,
)
from medallion.errors import ConfigError

JOURNAL = "spark-transaction.json"
ROLLBACK_PREFIX = "_rollback_"
FORMATS = ("delta", "parquet")


class SparkEngine(Engine):
    name = "spark"
    supports_merge = True

    def __init__(
        self,
        session: Any,
        warehouse: Path,
        *,
        catalog: str | None = None,
        schema: str | None = None,
        table_format: str | None = None,
    ) -> None:
        from ibis.backends.pyspark.datatypes import PySparkType
        from pyspark.sql.types import TimestampType

        self._timestamp_type, self._to_ibis = TimestampType, PySparkType.to_ibis
        self.session = session
        self.con = ibis.pyspark.connect(session)
        # Memtables through Arrow, not pandas: pandas loses nulls of int64 and decimals.
        self.con._register_in_memory_table = self._register_memtable
        self.warehouse = warehouse
        self.catalog = catalog or session.sql("SELECT current_catalog()").collect()[0][0]
        self.prefix = f"{schema}_" if schema else ""
        self.format = table_format or detect_format(session)
        if self.format not in FORMATS:
            raise ConfigError(f"table format {self.format!r}: choose one of {', '.join(FORMATS)}")
        self._undo: list[dict[str, Any]] | None = None  # the open transaction's journal
        self._touched: set[tuple[str, str]] = set()
        warehouse.mkdir(parents=True, exist_ok=True)
        for layer in (*LAYERS, META):
            self.sql(f"CREATE SCHEMA IF NOT EXISTS {self._schema(layer)}")
        self.recovered = self._recover()

    # -- names -----------------------------------------------------------------------------

    def database(self, layer: str) -> str:
        return f"{self.prefix}{layer}"

    def _schema(self, layer: str) -> str:
        return f"{quote(self.catalog)}.{quote(self.database(layer))}"

    def qualified(self, layer: str, name: str) -> str:
        return f"{self._schema(layer)}.{quote(name)}"

    def sql(self, statement: str) -> Any:
        return self.session.sql(statement)

    # -- reading ---------------------------------------------------------------------------

    def table(self, layer: str, name: str) -> ir.Table:
        spark_schema = self.session.table(self.qualified(layer, name)).schema
        fields = {}
        for field in spark_schema.fields:
            dtype = self._to_ibis(field.dataType)
            if isinstance(field.dataType, self._timestamp_type):
                # Spark's TIMESTAMP is an instant shown in the session's zone, UTC: the same
                # values as DuckDB's TIMESTAMPTZ, so it gets the same Ibis type.
                dtype = dt.Timestamp(timezone="UTC", scale=6)
            fields[field.name] = dtype.copy(nullable=True)
        namespace = ops.Namespace(catalog=self.catalog, database=self.database(layer))
        return ops.DatabaseTable(
            name, schema=sch.Schema(fields), source=self.con, namespace=namespace
        ).to_expr()

    def exists(self, layer: str, name: str) -> bool:
        return bool(
            self.session.catalog.tableExists(f"{self.catalog}.{self.database(layer)}.{name}")
        )

    def list_tables(self, layer: str) -> list[str]:
        rows = self.sql(f"SHOW TABLES IN {self._schema(layer)}").collect()
        return sorted(r.tableName for r in rows if not r.isTemporary)

    def to_arrow(self, expr: ir.Expr) -> pa.Table:
        if not isinstance(expr, ir.Table):
            expr = expr.as_table()
        self.con._run_pre_execute_hooks(expr)
        return self.sql(self.con.compile(expr)).toArrow()

    def _register_memtable(self, op: ops.InMemoryTable) -> None:
        # With its schema: Spark Connect cannot infer one from an empty Arrow table.
        from ibis.backends.pyspark.datatypes import PySparkSchema

        rows = op.data.to_pyarrow(op.schema)
        frame = self.session.createDataFrame(rows, schema=PySparkSchema.from_ibis(op.schema))
        frame.createOrReplaceTempView(op.name)

    def landing(self, root: Path) -> Any:
        from medallion.ingest.spark_landing import SparkLanding

        return SparkLanding(self.session, root)

    # -- writing ---------------------------------------------------------------------------

    def _select_sql(self, expr: ir.Table) -> str:
        self.con._run_pre_execute_hooks(expr)
        return str(self.con.compile(expr))

    def _create(self, layer: str, name: str, schema: sch.Schema) -> None:
        """An empty table typed by Ibis, so both engines declare the same column types
        (Ibis elides a cast to a type it already infers, which Spark computes wider)."""
        self.sql(create_sql(self.qualified(layer, name), schema, self.format))

    def stage(self, layer: str, name: str, expr: ir.Table) -> ir.Table:
        select = self._select_sql(expr)
        columns = ", ".join(quote(c) for c in expr.columns)

        def fill(building: str) -> None:
            self._create(layer, building, expr.schema())
            self.sql(
                f"INSERT INTO {self.qualified(layer, building)} SELECT {columns} FROM ({select})"
            )

        self._build_staging(layer, name, fill)
        return self.table(layer, staging_name(name))

    def publish(self, layer: str, name: str) -> None:
        staging = staging_name(name)
        if self.format == "delta":
            # One atomic replace that keeps the table's history, grants and lineage.
            self._guard(layer, name)
            self.sql(
                f"CREATE OR REPLACE TABLE {self.qualified(layer, name)} USING DELTA "
                f"AS SELECT * FROM {self.qualified(layer, staging)}"
            )
            self.drop(layer, staging)
            return
        self._set_aside(layer, name)
        self._rename(layer, staging, name)

    def replace(self, layer: str, name: str, expr: ir.Table) -> None:
        with self.transaction():
            self.stage(layer, name, expr)
            self.publish(layer, name)

    def merge(self, layer: str, name: str, on: tuple[str, ...], *, keep: bool = False) -> None:
        rows, keys = staging_name(name), staging_name(f"{name}_keys")
        columns = self.table(layer, name).columns
        with self.transaction():
            if self.format == "delta":
                self._guard(layer, name)
                for statement in delta_merge_sql(
                    self.qualified(layer, name),
                    self.qualified(layer, rows),
                    self.qualified(layer, keys),
                    on,
                    columns,
                ):
                    self.sql(statement)
            else:  # Parquet cannot delete rows: the table is rewritten, then swapped in
                select = rewrite_merge_sql(
                    self.qualified(layer, name),
                    self.qualified(layer, rows),
                    self.qualified(layer, keys),
                    on,
                    columns,
                )
                # Under a name of its own, so the staged rows stay for ``keep``.
                rewritten = f"{name}__rewritten"
                self._stage_sql(layer, rewritten, select)
                self._set_aside(layer, name)
                self._rename(layer, staging_name(rewritten), name)
            if not keep:
                self.drop(layer, rows)
                self.drop(layer, keys)

    def delete_where(self, layer: str, name: str, predicate: str) -> None:
        target = self.qualified(layer, name)
        with self.transaction():
            if self.format == "delta":
                self._guard(layer, name)
                self.sql(f"DELETE FROM {target} WHERE {predicate}")
            else:
                self._stage_sql(
                    layer, name, f"SELECT * FROM {target} WHERE NOT coalesce(({predicate}), false)"
                )
                self.publish(layer, name)

    def _stage_sql(self, layer: str, name: str, select: str) -> None:
        """Stage the rows of a Spark SQL query (the columns keep the types they have)."""
        self._build_staging(
            layer,
            name,
            lambda building: self.sql(
                f"CREATE TABLE {self.qualified(layer, building)} USING {self.format} AS {select}"
            ),
        )

    def _build_staging(self, layer: str, name: str, fill: Callable[[str], object]) -> None:
        """``fill`` the table it is named, then make it ``name``'s staged version.
        Built under a second name: the rows may read the staged table they replace."""
        staging, building = staging_name(name), staging_name(f"{name}__next")
        self.drop(layer, building)
        fill(building)
        self.drop(layer, staging)
        self._rename(layer, building, staging)

    def drop(self, layer: str, name: str) -> None:
        if self._undo is not None and not _scratch(name) and self.exists(layer, name):
            self._set_aside(layer, name)
        else:
            self.sql(f"DROP TABLE IF EXISTS {self.qualified(layer, name)}")

    def append(self, layer: str, name: str, rows: pa.Table | ir.Table) -> None:
        schema = (
            sch.Schema.from_pyarrow(rows.schema) if isinstance(rows, pa.Table) else rows.schema()
        )
        with self.transaction():
            if not self.exists(layer, name):
                self._guard(layer, name)
                self._create(layer, name, schema)
            have = self.table(layer, name).schema()
            new = {c: t for c, t in schema.items() if c not in have}
            if new and self.format == "delta":
                self._guard(layer, name)
                self.sql(add_columns_sql(self.qualified(layer, name), new))
            elif new:  # Parquet: rewrite with the new columns, so a rollback drops them too
                added = ", ".join(
                    f"CAST(NULL AS {spark_type(t)}) AS {quote(c)}" for c, t in new.items()
                )
                self._stage_sql(
                    layer, name, f"SELECT *, {added} FROM {self.qualified(layer, name)}"
                )
                self.publish(layer, name)
            target = self.table(layer, name).schema()
            if isinstance(rows, pa.Table):
                if rows.num_rows == 0:
                    return
                view = f"_rows_{secrets.token_hex(6)}"
                self.session.createDataFrame(rows).createOrReplaceTempView(view)
                source = quote(view)
            else:
                view, source = None, f"({self._select_sql(rows)})"
            values = ", ".join(
                quote(c) if c in schema else f"CAST(NULL AS {spark_type(t)})"
                for c, t in target.items()
            )
            self._guard(layer, name)
            self.sql(f"INSERT INTO {self.qualified(layer, name)} SELECT {values} FROM {source}")
            if view:
                self.session.catalog.dropTempView(view)

    def write_file(self, expr: ir.Table, path: Path, file_format: str) -> None:
        """One file, written on the driver: exports are gold tables, small by design."""
        rows = self.to_arrow(expr)
        if file_format == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(rows, path)
        elif file_format == "csv":
            import pyarrow.csv as pcsv

            pcsv.write_csv(rows, path)
        else:
            raise ValueError(f"unknown file format {file_format!r}")

    def close(self) -> None:
        """The session stays up: it may be the job's own (Databricks) or shared."""

    # -- the undo journal ------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._undo is not None:  # nested: the outer transaction decides
            yield
            return
        self._undo, self._touched = [], set()
        try:
            yield
        except GeneratorExit:  # abandoned, never exited: like a crash, the journal stays
            raise
        except BaseException:
            steps, self._undo = self._undo, None
            self._roll_back(steps)
            raise
        else:
            steps, self._undo = self._undo, None
            self._commit(steps)

    def _guard(self, layer: str, name: str) -> None:
        """Before the first change to ``layer.name`` in a transaction, note how to undo it."""
        if self._undo is None or _scratch(name) or (layer, name) in self._touched:
            return
        self._touched.add((layer, name))
        if not self.exists(layer, name):
            self._log({"undo": "drop", "layer": layer, "name": name})
        elif self.format == "delta":
            version = self.sql(f"DESCRIBE HISTORY {self.qualified(layer, name)} LIMIT 1").collect()
            self._log(
                {"undo": "restore", "layer": layer, "name": name, "version": version[0].version}
            )
        else:
            self._log(
                {
                    "undo": "delete_new_files",
                    "layer": layer,
                    "name": name,
                    "files": sorted(os.listdir(self._location(layer, name))),
                }
            )

    def _set_aside(self, layer: str, name: str) -> None:
        """Replace or drop a table by renaming it aside: undone by renaming it back."""
        if not self.exists(layer, name):
            self._guard(layer, name)
            return
        if self._undo is None:
            self.sql(f"DROP TABLE {self.qualified(layer, name)}")
            return
        aside = f"{ROLLBACK_PREFIX}{secrets.token_hex(4)}_{name}"
        self._log({"undo": "rename_back", "layer": layer, "name": name, "aside": aside})
        self._rename(layer, name, aside)
        self._touched.add((layer, name))

    def _log(self, step: dict[str, Any]) -> None:
        assert self._undo is not None
        self._undo.append(step)
        self._write_journal(self._undo)

    def _commit(self, steps: list[dict[str, Any]]) -> None:
        self._clear_journal()
        for step in steps:
            if step["undo"] == "rename_back":
                self.sql(f"DROP TABLE IF EXISTS {self.qualified(step['layer'], step['aside'])}")

    def _roll_back(self, steps: list[dict[str, Any]]) -> None:
        """Undo ``steps`` newest first; each step may be undone twice (a crash during a
        rollback leaves the journal, and the next connection starts it over)."""
        for step in reversed(steps):
            layer, name = step["layer"], step["name"]
            target = self.qualified(layer, name)
            if step["undo"] == "drop":
                self.sql(f"DROP TABLE IF EXISTS {target}")
            elif step["undo"] == "rename_back" and self.exists(layer, step["aside"]):
                self.sql(f"DROP TABLE IF EXISTS {target}")
                self._rename(layer, step["aside"], name)
            elif step["undo"] == "restore":
                self.sql(f"RESTORE TABLE {target} TO VERSION AS OF {int(step['version'])}")
            elif step["undo"] == "delete_new_files" and self.exists(layer, name):
                location = self._location(layer, name)
                keep = set(step["files"])
                for file in os.listdir(location):
                    if file not in keep:
                        _remove(location / file)
                self.sql(f"REFRESH TABLE {target}")
        self._clear_journal()

    def _recover(self) -> str | None:
        """Roll back what a crashed run left half done; a message for the run's warnings."""
        path = self.warehouse / JOURNAL
        if not path.exists():
            return None
        steps = json.loads(path.read_text())
        self._roll_back(steps)
        return f"rolled back {len(steps)} step(s) of an interrupted Spark transaction ({path})"

    def _write_journal(self, steps: list[dict[str, Any]]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.warehouse, prefix=".journal-")
        with os.fdopen(fd, "w") as out:
            json.dump(steps, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.warehouse / JOURNAL)

    def _clear_journal(self) -> None:
        (self.warehouse / JOURNAL).unlink(missing_ok=True)

    # -- helpers ---------------------------------------------------------------------------

    def _rename(self, layer: str, old: str, new: str) -> None:
        # The session catalog takes the new name without its catalog.
        self.sql(
            f"ALTER TABLE {self.qualified(layer, old)} "
            f"RENAME TO {quote(self.database(layer))}.{quote(new)}"
        )

    def _location(self, layer: str, name: str) -> Path:
        rows = self.sql(f"DESCRIBE TABLE EXTENDED {self.qualified(layer, name)}").collect()
        url = next(r.data_type for r in rows if r.col_name == "Location")
        parsed = urlparse(url)
        if parsed.scheme not in ("", "file"):
            raise ConfigError(
                f"Parquet table {layer}.{name} is at {url}: rollback of Parquet tables needs a "
                "local warehouse; use Delta on a cluster"
            )
        return Path(unquote(parsed.path))


def detect_format(session: Any) -> str:
    """Delta where the runtime ships it (Databricks, or Delta's extension configured)."""
    if os.environ.get("DATABRICKS_RUNTIME_VERSION"):
        return "delta"
    try:
        extensions = session.conf.get("spark.sql.extensions", "") or ""
    except Exception:  # Spark Connect may refuse to read some settings
        extensions = ""
    return "delta" if "delta" in extensions.lower() else "parquet"


def _scratch(name: str) -> bool:
    """Staging and set-aside tables: scratch space no rollback needs to restore."""
    return name.startswith(("_staging_", ROLLBACK_PREFIX))


def _remove(path: Path) -> None:
    if path.is_dir():
        import shutil

        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
