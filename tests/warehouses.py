"""Comparing two warehouses table by table: the check behind every invariant test."""

from __future__ import annotations

from pathlib import Path

import duckdb

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
        only_a = con.execute(
            f"select {columns} from a.{name} except all select {columns} from b.{name}"
        ).fetchall()
        only_b = con.execute(
            f"select {columns} from b.{name} except all select {columns} from a.{name}"
        ).fetchall()
        if only_a or only_b:
            found[name] = (
                f"{len(only_a)} rows only in first (e.g. {only_a[:2]}), "
                f"{len(only_b)} only in second (e.g. {only_b[:2]})"
            )
    con.close()
    return found
