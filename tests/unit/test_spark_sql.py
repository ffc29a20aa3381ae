"""The Spark engine's SQL, checked without a Spark runtime: the Delta MERGE that incremental
models use on Databricks (no Delta here) and the rewrite Parquet tables get instead.

Both are parsed as Databricks SQL and, transpiled by sqlglot, run on DuckDB (which has MERGE
since 1.4), where their result must be the merge contract of ``Engine.merge``: every row of a
touched partition replaced by the staged rows."""

from __future__ import annotations

from collections import Counter

import duckdb
import ibis
import sqlglot
from hypothesis import given
from hypothesis import strategies as st
from sqlglot import exp

from medallion.engines.spark_sql import (
    add_columns_sql,
    create_sql,
    delta_merge_sql,
    rewrite_merge_sql,
)

TARGET, ROWS, KEYS = (
    "`cat`.`silver`.`sales`",
    "`cat`.`silver`.`_staging_sales`",
    "`cat`.`silver`.`_staging_sales_keys`",
)


def test_delta_merge_deletes_touched_partitions_then_inserts_the_new_rows() -> None:
    merge, insert = delta_merge_sql(TARGET, ROWS, KEYS, ("order_number",), ["order_number", "line"])
    assert merge == (
        "MERGE INTO `cat`.`silver`.`sales` AS t USING (SELECT DISTINCT `order_number` FROM "
        "`cat`.`silver`.`_staging_sales_keys`) AS k ON t.`order_number` = k.`order_number` "
        "WHEN MATCHED THEN DELETE"
    )
    assert insert == (
        "INSERT INTO `cat`.`silver`.`sales` (`order_number`, `line`) SELECT `order_number`, "
        "`line` FROM `cat`.`silver`.`_staging_sales`"
    )
    parsed = sqlglot.parse_one(merge, read="databricks")
    assert isinstance(parsed, exp.Merge)
    assert parsed.this.sql("databricks") == "`cat`.`silver`.`sales` AS t"
    (action,) = parsed.args["whens"].expressions
    assert action.args["matched"] and action.args["then"].sql().upper() == "DELETE"
    assert isinstance(sqlglot.parse_one(insert, read="databricks"), exp.Insert)


def test_ddl_declares_ibis_types_and_the_table_format() -> None:
    schema = ibis.schema(
        {"key": "int64", "amount": "decimal(18, 2)", "at": "timestamp('UTC')", "day": "date"}
    )
    assert create_sql("`s`.`t`", schema, "delta") == (
        "CREATE TABLE `s`.`t` (`key` bigint, `amount` decimal(18,2), `at` timestamp, "
        "`day` date) USING DELTA"
    )
    assert add_columns_sql("`s`.`t`", {"note": ibis.dtype("string")}) == (
        "ALTER TABLE `s`.`t` ADD COLUMNS (`note` string)"
    )
    for statement in (create_sql("`s`.`t`", schema, "parquet"), add_columns_sql("`s`.`t`", {})):
        sqlglot.parse_one(statement, read="databricks")


rows_st = st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 4)), st.integers(0, 9)))


@given(table=rows_st, staged=rows_st, extra_keys=st.lists(st.integers(0, 4)))
def test_both_merge_forms_replace_exactly_the_touched_partitions(
    table: list[tuple[int | None, int]], staged: list[tuple[int | None, int]], extra_keys: list[int]
) -> None:
    # The contract: staged rows all match a staged key; keys may name emptied partitions.
    staged = [(k, v) for k, v in staged if k is not None]
    keys = sorted({k for k, _ in staged} | set(extra_keys))
    expected = Counter([r for r in table if r[0] not in keys] + staged)

    con = duckdb.connect()
    for name, values in (("sales", table), ("staged", staged)):
        con.execute(f"create table {name} (k integer, v integer)")
        if values:
            con.executemany(f"insert into {name} values (?, ?)", values)
    con.execute("create table keys (k integer)")
    if keys:
        con.executemany("insert into keys values (?)", [(k,) for k in keys])

    rewritten = con.execute(
        _duckdb(rewrite_merge_sql("sales", "staged", "keys", ("k",), ["k", "v"]))
    ).fetchall()
    assert Counter(rewritten) == expected

    for statement in delta_merge_sql("sales", "staged", "keys", ("k",), ["k", "v"]):
        con.execute(_duckdb(statement))
    assert Counter(con.execute("select k, v from sales").fetchall()) == expected


def _duckdb(statement: str) -> str:
    return sqlglot.transpile(statement, read="databricks", write="duckdb")[0]
