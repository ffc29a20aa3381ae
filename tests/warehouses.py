"""Comparing two warehouses table by table: the check behind every invariant test."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from medallion.engines.base import Engine

LAYERS = ("silver", "gold")


def table_differences(
    first: Path,
    second: Path,
    layers: tuple[str, ...] = LAYERS,
    ignore: tuple[str, ...] = (),
) -> dict[str, str]:
    """For every table of ``layers`` in either warehouse, a description of how it differs
    (rows only in one, as multisets, over all columns but ``ignore``); equal tables are left
    out."""
    con = duckdb.connect()
    con.execute(f"attach '{first}' as a (read_only)")
    con.execute(f"attach '{second}' as b (read_only)")
    schemas = ", ".join(f"'{layer}'" for layer in layers)
    listed = (
        "select schema_name, table_name from duckdb_tables() where database_name = ? "
        f"and schema_name in ({schemas}) and not starts_with(table_name, '_')"
    )
    tables_a = set(con.execute(listed, ["a"]).fetchall())
    tables_b = set(con.execute(listed, ["b"]).fetchall())
    found: dict[str, str] = {}
    for schema, table in sorted(tables_a ^ tables_b):
        found[f"{schema}.{table}"] = "present in only one warehouse"
    for schema, table in sorted(tables_a & tables_b):
        name = f"{schema}.{table}"
        columns = ", ".join(
            f'"{c}"'
            for (c,) in con.execute(
                "select column_name from duckdb_columns() where database_name = 'a' "
                "and schema_name = ? and table_name = ? order by column_index",
                [schema, table],
            ).fetchall()
            if c not in ignore
        )
        difference = _multiset_difference(con, f"a.{name}", f"b.{name}", columns)
        if difference:
            found[name] = difference
    con.close()
    return found


def engine_differences(
    first: Engine,
    second: Engine,
    layers: tuple[str, ...] = LAYERS,
    ignore: tuple[str, ...] = (),
) -> dict[str, str]:
    """``table_differences`` across engines (DuckDB and Spark): every table of ``layers`` is
    fetched as Arrow, so column types count too (decimal(18,2) is not decimal(19,2), int64 is
    not int32), then its rows are compared as multisets."""
    con = duckdb.connect()
    found: dict[str, str] = {}
    for layer in layers:
        names_a = {t for t in first.list_tables(layer) if not t.startswith("_")}
        names_b = {t for t in second.list_tables(layer) if not t.startswith("_")}
        for table in sorted(names_a ^ names_b):
            found[f"{layer}.{table}"] = "present in only one warehouse"
        for table in sorted(names_a & names_b):
            name = f"{layer}.{table}"
            a, b = (_fetch(e, layer, table, ignore) for e in (first, second))
            if a.schema != b.schema:
                found[name] = f"schemas differ: {a.schema} versus {b.schema}"
                continue
            con.register("arrow_a", a)
            con.register("arrow_b", b)
            columns = ", ".join(f'"{c}"' for c in a.column_names)
            difference = _multiset_difference(con, "arrow_a", "arrow_b", columns)
            if difference:
                found[name] = difference
    con.close()
    return found


def _fetch(engine: Engine, layer: str, table: str, ignore: tuple[str, ...]) -> pa.Table:
    found = engine.table(layer, table)
    return engine.to_arrow(found.drop(*(c for c in ignore if c in found.columns)))


def _multiset_difference(
    con: duckdb.DuckDBPyConnection, first: str, second: str, columns: str
) -> str | None:
    only_a = con.execute(
        f"select {columns} from {first} except all select {columns} from {second}"
    ).fetchall()
    only_b = con.execute(
        f"select {columns} from {second} except all select {columns} from {first}"
    ).fetchall()
    if not (only_a or only_b):
        return None
    return (
        f"{len(only_a)} rows only in first (e.g. {only_a[:2]}), "
        f"{len(only_b)} only in second (e.g. {only_b[:2]})"
    )
