"""The DuckDB engine: one database file holds every layer, so any DuckDB client can open it.

A transaction here opens lazily. DuckDB scans a table created inside an open transaction
about 1.7x slower than a committed one, and a run builds every model inside one. So until
something changes a published table, staged tables are committed under their staging names,
where no reader looks, and publishing them (a rename) and dropping published tables wait in a
list; reads of a name waiting to be published resolve to its staged table. The first change
that cannot wait (a merge, an append, a delete) begins the transaction; the end of the
outermost one begins it if need be, applies the waiting steps in order and commits. A merge
begins it before it stages (``begin_now``): its staged tables are small, and committed on
their own they went to the log, and a checkpoint wrote them to the file only for the run to
drop them. On failure the transaction rolls back and the staged tables committed meanwhile
are dropped: the published tables are exactly as they were, as with one transaction from
the start.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb
import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa
import sqlglot as sg
import sqlglot.expressions as sge

from medallion.engines.base import LAYERS, META, Engine, staging_name
from medallion.errors import ConfigError


class DuckDBEngine(Engine):
    name = "duckdb"
    supports_merge = True
    private_until_commit = True

    def __init__(
        self, database: Path, *, memory_limit: str | None = None, storage: str = "compatible"
    ) -> None:
        database.parent.mkdir(parents=True, exist_ok=True)
        # Read when DuckDB creates the file; a file keeps the format it was created with.
        config = {"storage_compatibility_version": "latest"} if storage == "latest" else {}
        try:
            self.con = ibis.duckdb.connect(str(database), **config)
        except Exception as exc:  # duckdb raises IOException for a locked or corrupt file
            raise ConfigError(f"cannot open warehouse {database}: {exc}") from None
        if memory_limit:
            try:
                self.con.con.execute(f"SET memory_limit = '{memory_limit}'")
            except Exception as exc:  # an unparseable size
                self.con.disconnect()
                raise ConfigError(f"memory limit {memory_limit!r}: {exc}") from None
        self.database = database
        self._in_transaction = False  # inside ``transaction()``, begun or not
        self._begun = False  # BEGIN issued: every statement is now part of it
        self._waiting: list[tuple[str, str, str]] = []  # ("publish" | "drop", layer, name)
        self._staged: set[tuple[str, str]] = set()  # committed early, dropped on failure
        # Table handles by (layer, stored name). Ibis asks DuckDB for the schema of every
        # handle it makes (3 ms); a run makes a few hundred handles of a few dozen tables.
        # Every change of a table's columns here forgets its handle.
        self._handles: dict[tuple[str, str], ir.Table] = {}
        for layer in (*LAYERS, META):
            self.con.raw_sql(f'CREATE SCHEMA IF NOT EXISTS "{layer}"')
        self._drop_leftovers()

    def _drop_leftovers(self) -> None:
        """Drop staged tables a process that died mid-run committed. DuckDB lets one process
        at a time open the file for writing, so no run of another can still be using them."""
        found = self.con.con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables()"
            " WHERE database_name = current_database() AND starts_with(table_name, ?)",
            [staging_name("")],
        ).fetchall()
        for layer, name in found:
            self._drop_now(layer, name)

    def table(self, layer: str, name: str) -> ir.Table:
        if self._waiting_step(layer, name) == "publish":
            name = staging_name(name)
        handle = self._handles.get((layer, name))
        if handle is None:
            handle = self._handles[(layer, name)] = self.con.table(name, database=layer)
        return handle

    def _forget(self, layer: str, name: str) -> None:
        self._handles.pop((layer, name), None)

    def exists(self, layer: str, name: str) -> bool:
        step = self._waiting_step(layer, name)
        if step is not None:
            return step == "publish"
        return self._columns(layer, name) is not None

    def _waiting_step(self, layer: str, name: str) -> str | None:
        """The last step waiting on ``layer.name``, which decides what a reader sees."""
        for step, at, waiting in reversed(self._waiting):
            if (at, waiting) == (layer, name):
                return step
        return None

    def _columns(self, layer: str, name: str) -> list[str] | None:
        """A table's columns, or None if there is no such table. A relation on the table is a
        catalog lookup: far cheaper than Ibis' ``get_schema``, or than querying
        ``duckdb_columns()`` (13 ms, and a run asks a few hundred times)."""
        try:
            return list(self.con.con.table(f'"{layer}"."{name}"').columns)
        except duckdb.CatalogException:
            return None

    def list_tables(self, layer: str) -> list[str]:
        return sorted(self.con.list_tables(database=layer))

    def replace(self, layer: str, name: str, expr: ir.Table) -> None:
        with self.transaction():
            self.stage(layer, name, expr)
            self.publish(layer, name)

    def stage(self, layer: str, name: str, expr: ir.Table) -> ir.Table:
        # Built under a second name first: ``expr`` may read the staged table it replaces.
        self._apply_waiting(layer, name)  # its staged table is about to be rebuilt
        staging, building = staging_name(name), staging_name(f"{name}__next")
        if self._deferring:
            self._staged.update([(layer, staging), (layer, building)])
        self.con._run_pre_execute_hooks(expr)  # registers the in-memory tables it reads
        dialect = self.con.dialect
        target = sg.table(building, db=layer, quoted=True)
        # Declared with the expression's types, as Ibis' create_table does, then filled; the
        # five statements commit once. Through Ibis, each committed on its own, and it made
        # two more lookups; a run stages about 50 tables.
        columns = [sg.to_identifier(c, quoted=True) for c in expr.columns]
        # Not copied: the compiled query is used once (copying crm_sales' parse takes 17 ms).
        insert = sge.insert(
            self.con.compiler.to_sqlglot(expr), into=target, columns=columns, copy=False
        )
        self._together(
            [
                f'DROP TABLE IF EXISTS "{layer}"."{building}"',
                self._create_sql(layer, building, expr.schema()),
                insert.sql(dialect),
                f'DROP TABLE IF EXISTS "{layer}"."{staging}"',
                f'ALTER TABLE "{layer}"."{building}" RENAME TO "{staging}"',
            ]
        )
        self._forget(layer, building)
        # Its old handle went with the drop above. The new one takes the schema the table was
        # created with: asking DuckDB again costs a query per staged table.
        handle = ops.DatabaseTable(
            staging,
            schema=expr.schema(),
            source=self.con,
            namespace=ops.Namespace(database=layer),
        ).to_expr()
        self._handles[(layer, staging)] = handle
        return handle

    def _create_sql(self, layer: str, name: str, schema: ibis.Schema) -> str:
        """CREATE TABLE with the columns and types of ``schema``, as Ibis' create_table does."""
        dialect = self.con.dialect
        target = sg.table(name, db=layer, quoted=True)
        columns = schema.to_sqlglot_column_defs(dialect)
        return sge.Create(kind="TABLE", this=sge.Schema(this=target, expressions=columns)).sql(
            dialect
        )

    @contextmanager
    def _unordered(self) -> Iterator[None]:
        """Inserts free to write their rows in any order (rows carry their lineage): DuckDB
        then inserts in parallel."""
        raw = self.con.con
        raw.execute("SET preserve_insertion_order = false")
        try:
            yield
        except BaseException:
            # In an aborted transaction even RESET fails; the error to see is the first one.
            with suppress(duckdb.Error):
                raw.execute("RESET preserve_insertion_order")
            raise
        raw.execute("RESET preserve_insertion_order")

    def _together(self, statements: list[str]) -> None:
        """Run ``statements`` in the open transaction, or else in one of their own."""
        raw = self.con.con
        if self._begun:
            for statement in statements:
                raw.execute(statement)
            return
        raw.execute("BEGIN TRANSACTION")
        try:
            for statement in statements:
                raw.execute(statement)
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        raw.execute("COMMIT")

    def publish(self, layer: str, name: str) -> None:
        if self._deferring:
            self._waiting.append(("publish", layer, name))
            return
        with self.transaction():
            self._publish(layer, name)

    def _publish(self, layer: str, name: str) -> None:
        self._drop_now(layer, name)
        self.con.raw_sql(f'ALTER TABLE "{layer}"."{staging_name(name)}" RENAME TO "{name}"')
        self._forget(layer, staging_name(name))

    def merge(self, layer: str, name: str, on: tuple[str, ...], *, keep: bool = False) -> None:
        rows, keys = staging_name(name), staging_name(f"{name}_keys")
        match = " AND ".join(f't."{c}" = k."{c}"' for c in on)
        with self.transaction():
            self._changing(layer, name)
            self.con.raw_sql(
                f'DELETE FROM "{layer}"."{name}" AS t USING "{layer}"."{keys}" AS k WHERE {match}'
            )
            self.con.raw_sql(
                f'INSERT INTO "{layer}"."{name}" BY NAME SELECT * FROM "{layer}"."{rows}"'
            )
            if not keep:
                self.drop(layer, rows)
                self.drop(layer, keys)

    def delete_where(self, layer: str, name: str, predicate: str) -> None:
        with self.transaction():
            self._changing(layer, name)
            self.con.raw_sql(f'DELETE FROM "{layer}"."{name}" WHERE {predicate}')

    def drop(self, layer: str, name: str) -> None:
        if self._deferring and not _is_staging(name):
            self._waiting.append(("drop", layer, name))
            return
        self._drop_now(layer, name)

    def _drop_now(self, layer: str, name: str) -> None:
        self.con.raw_sql(f'DROP TABLE IF EXISTS "{layer}"."{name}"')
        self._forget(layer, name)

    def append(self, layer: str, name: str, rows: pa.Table | ir.Table) -> None:
        schema = rows.schema if isinstance(rows, pa.Table) else rows.schema().to_pyarrow()
        with self.transaction():
            self._changing(layer, name)
            self._forget(layer, name)  # its columns may be about to grow
            have = self._columns(layer, name)
            if have is None:
                self.con.raw_sql(self._create_sql(layer, name, ibis.Schema.from_pyarrow(schema)))
                have = list(schema.names)
            for field in schema:
                if field.name not in have:
                    sql_type = ibis.dtype(field.type).copy(nullable=True)
                    type_sql = self.con.compiler.type_mapper.from_ibis(sql_type).sql("duckdb")
                    self.con.raw_sql(
                        f'ALTER TABLE "{layer}"."{name}" ADD COLUMN "{field.name}" {type_sql}'
                    )
            if isinstance(rows, pa.Table):  # straight from Arrow, matched by column name
                # A third faster on a group of landing files.
                raw = self.con.con
                raw.register("_medallion_rows", rows)
                try:
                    with self._unordered():
                        raw.execute(
                            f'INSERT INTO "{layer}"."{name}" BY NAME SELECT * FROM _medallion_rows'
                        )
                finally:
                    raw.unregister("_medallion_rows")
            else:
                # Compiled here, as stage does: Ibis' create_table and insert each asked DuckDB
                # for the table's columns (a change log took 6.6 ms to record, now about 4 ms).
                self.con._run_pre_execute_hooks(rows)
                select = self.con.compile(rows)
                self.con.raw_sql(f'INSERT INTO "{layer}"."{name}" BY NAME {select}')

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
        self._in_transaction = True
        try:
            yield
            self._begin()
            for step in self._waiting:
                self._apply(*step)
        except BaseException:
            self._abandon()
            raise
        else:
            self.con.raw_sql("COMMIT")
        finally:
            self._in_transaction = self._begun = False
            self._waiting.clear()
            self._staged.clear()

    def _abandon(self) -> None:
        """Roll back, and drop what was staged and committed before the transaction began."""
        if self._begun:
            self.con.raw_sql("ROLLBACK")
        self._begun = False
        self._handles.clear()  # the rollback may have restored other columns
        for layer, staging in sorted(self._staged):
            self._drop_now(layer, staging)

    @property
    def _deferring(self) -> bool:
        """Inside a transaction that has not begun: publishing and drops wait."""
        return self._in_transaction and not self._begun

    def begin_now(self) -> None:
        self._begin()

    def _begin(self) -> None:
        if self._deferring:
            self.con.raw_sql("BEGIN TRANSACTION")
            self._begun = True

    def _changing(self, layer: str, name: str) -> None:
        """Before a change that cannot wait: begin, and apply what waits on ``layer.name``
        first, so the steps on one table keep their order."""
        self._begin()
        self._apply_waiting(layer, name)

    def _apply_waiting(self, layer: str, name: str) -> None:
        mine = [step for step in self._waiting if step[1:] == (layer, name)]
        if not mine:
            return
        self._begin()
        self._waiting = [step for step in self._waiting if step[1:] != (layer, name)]
        for step in mine:
            self._apply(*step)

    def _apply(self, step: str, layer: str, name: str) -> None:
        if step == "publish":
            self._publish(layer, name)
        else:
            self._drop_now(layer, name)

    def close(self) -> None:
        self.con.disconnect()


def _is_staging(name: str) -> bool:
    return name.startswith(staging_name(""))
