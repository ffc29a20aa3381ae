"""The DuckDB engine's transaction: staged tables are committed early under staging names, but
what readers see changes all at once at the end, or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import ibis
import pyarrow as pa
import pytest

from medallion.engines.base import staging_name
from medallion.engines.duckdb import DuckDBEngine


class Boom(Exception):
    pass


def numbers(*values: int) -> pa.Table:
    return pa.table({"k": pa.array([v % 3 for v in values], pa.int64()), "v": list(values)})


def rows(con: duckdb.DuckDBPyConnection | DuckDBEngine, name: str) -> list[tuple[int, int]]:
    if isinstance(con, DuckDBEngine):
        found = con.to_arrow(con.table("silver", name)).to_pylist()
        return sorted((r["k"], r["v"]) for r in found)
    return sorted(con.sql(f'select k, v from silver."{name}"').fetchall())


def staging_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    found = con.sql(
        "select table_name from duckdb_tables() where starts_with(table_name, $1)",
        params=[staging_name("")],
    ).fetchall()
    return sorted(name for (name,) in found)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[DuckDBEngine]:
    """An engine with tables ``appended``, ``replaced``, ``dropped`` and ``merged``."""
    found = DuckDBEngine(tmp_path / "warehouse.duckdb")
    for name in ("appended", "replaced", "dropped", "merged"):
        found.append("silver", name, numbers(1, 2, 3))
    yield found
    found.close()


def replace_and_drop(engine: DuckDBEngine) -> None:
    """The steps that wait for the end: the transaction has not begun after them."""
    engine.replace("silver", "replaced", ibis.memtable(numbers(7, 8)))
    engine.drop("silver", "dropped")
    engine.stage("silver", "merged", ibis.memtable(numbers(9)))
    engine.stage("silver", "merged_keys", ibis.memtable(numbers(9)).select("k"))


def change_the_rest(engine: DuckDBEngine) -> None:
    """Steps that begin the transaction."""
    engine.merge("silver", "merged", ("k",))
    engine.append("silver", "appended", numbers(4))


def other_connection(engine: DuckDBEngine) -> duckdb.DuckDBPyConnection:
    """A second connection to the same database: it sees only what was committed."""
    return engine.con.con.cursor()


@pytest.mark.parametrize("begun", [False, True], ids=["waiting", "begun"])
def test_readers_see_the_changes_only_when_the_transaction_commits(
    engine: DuckDBEngine, begun: bool
) -> None:
    other = other_connection(engine)
    with engine.transaction():
        replace_and_drop(engine)
        if begun:
            change_the_rest(engine)
        # Inside, the run reads what it changed ...
        assert rows(engine, "replaced") == [(1, 7), (2, 8)]
        assert not engine.exists("silver", "dropped")
        # ... outside, nothing has changed yet.
        assert rows(other, "replaced") == [(0, 3), (1, 1), (2, 2)]
        assert rows(other, "dropped") == [(0, 3), (1, 1), (2, 2)]
        assert rows(other, "appended") == [(0, 3), (1, 1), (2, 2)]
    assert rows(other, "replaced") == [(1, 7), (2, 8)]
    assert not engine.exists("silver", "dropped")
    if begun:
        assert rows(other, "merged") == [(0, 9), (1, 1), (2, 2)]  # key 0 replaced
        assert rows(other, "appended") == [(0, 3), (1, 1), (1, 4), (2, 2)]
    else:  # the staged rows and keys of a merge not done stay staged, as before
        assert staging_tables(other) == [staging_name("merged"), staging_name("merged_keys")]


@pytest.mark.parametrize("begun", [False, True], ids=["waiting", "begun"])
def test_a_failed_transaction_leaves_every_table_as_it_was_and_no_staged_table(
    engine: DuckDBEngine, begun: bool
) -> None:
    with pytest.raises(Boom), engine.transaction():
        replace_and_drop(engine)
        if begun:
            change_the_rest(engine)
        raise Boom
    other = other_connection(engine)
    for name in ("appended", "replaced", "dropped", "merged"):
        assert rows(other, name) == [(0, 3), (1, 1), (2, 2)], name
    assert staging_tables(other) == []


@pytest.mark.parametrize("now", [False, True], ids=["lazily", "begun now"])
def test_tables_staged_after_begin_now_are_never_committed_on_their_own(
    engine: DuckDBEngine, now: bool
) -> None:
    other = other_connection(engine)
    with engine.transaction():
        if now:
            engine.begin_now()
        engine.stage("silver", "merged", ibis.memtable(numbers(9)))
        engine.stage("silver", "merged_keys", ibis.memtable(numbers(9)).select("k"))
        # Lazily, a staged table commits as it is built; begun now, it is the run's own.
        committed = [staging_name("merged"), staging_name("merged_keys")]
        assert staging_tables(other) == ([] if now else committed)
        engine.merge("silver", "merged", ("k",))
    assert rows(other, "merged") == [(0, 9), (1, 1), (2, 2)]
    assert staging_tables(other) == []


def test_staged_tables_a_killed_process_committed_are_dropped_on_the_next_open(
    tmp_path: Path,
) -> None:
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:  # as a run killed after staging leaves it
        con.sql("create schema gold")
        con.sql(f'create table gold."{staging_name("fact_sales")}" as select 1 as k')
        con.sql("create table gold.fact_sales as select 2 as k")
    DuckDBEngine(database).close()
    with duckdb.connect(str(database), read_only=True) as con:
        assert staging_tables(con) == []
        assert con.sql("select k from gold.fact_sales").fetchall() == [(2,)]


def test_a_stage_that_fails_leaves_the_staged_version_it_had_and_nothing_half_built(
    engine: DuckDBEngine,
) -> None:
    engine.stage("silver", "s", ibis.memtable(numbers(1)))
    unreadable = ibis.memtable(numbers(2)).mutate(v=ibis.literal("x").cast("int64"))
    with pytest.raises(duckdb.ConversionException):
        engine.stage("silver", "s", unreadable)
    other = other_connection(engine)
    assert staging_tables(other) == [staging_name("s")]
    assert rows(other, staging_name("s")) == [(1, 1)]


def test_a_staged_tables_handle_has_the_schema_duckdb_stored(engine: DuckDBEngine) -> None:
    # The engine makes the handle from the expression's schema instead of asking DuckDB.
    source = ibis.memtable(
        pa.table(
            {
                "text": pa.array(["a", None]),
                "small": pa.array([1, None], pa.int16()),
                "money": pa.array([None, None], pa.decimal128(18, 2)),
                "day": pa.array([None, None], pa.date32()),
                "at": pa.array([None, None], pa.timestamp("us", tz="UTC")),
                "flag": pa.array([True, None]),
            }
        )
    )
    expr = source.mutate(
        total=source.small.sum().over(),
        known=source.text.notnull(),
        cents=(source.money * 100).cast("int64"),
        one=ibis.literal(1),
    )
    staged = engine.stage("silver", "typed", expr)
    stored = engine.con.get_schema(staging_name("typed"), database="silver")
    assert staged.schema() == stored
    assert engine.table("silver", staging_name("typed")).schema() == stored
    assert engine.to_arrow(staged.select("text", "one").order_by("text")).to_pylist() == [
        {"text": "a", "one": 1},
        {"text": None, "one": 1},
    ]


def storage_version(database: Path) -> str:
    with duckdb.connect(str(database), read_only=True) as con:
        found = con.sql(
            "select tags['storage_version'] from duckdb_databases()"
            " where database_name = current_database()"
        ).fetchone()
    assert found is not None
    return str(found[0])


def test_latest_storage_is_the_format_of_a_new_warehouse_and_an_existing_one_keeps_its_own(
    tmp_path: Path,
) -> None:
    compatible, latest = tmp_path / "compatible.duckdb", tmp_path / "latest.duckdb"
    for database, storage in ((compatible, "compatible"), (latest, "latest")):
        engine = DuckDBEngine(database, storage=storage)
        engine.append("silver", "t", numbers(1, 2))
        engine.close()
    assert storage_version(compatible) != storage_version(latest)
    major, minor = duckdb.__version__.split(".")[:2]
    assert storage_version(latest).startswith(f"v{major}.{minor}")
    before = storage_version(compatible)

    engine = DuckDBEngine(compatible, storage="latest")
    engine.append("silver", "t", numbers(3))
    engine.close()

    assert storage_version(compatible) == before
    with duckdb.connect(str(compatible), read_only=True) as con:
        assert rows(con, "t") == [(0, 3), (1, 1), (2, 2)]


def test_a_failing_append_in_a_transaction_raises_its_own_error(engine: DuckDBEngine) -> None:
    bad = pa.table({"k": ["not a number"], "v": [1]})
    with pytest.raises(duckdb.ConversionException, match="not a number"), engine.transaction():
        engine.append("silver", "appended", bad)
    assert rows(engine, "appended") == [(0, 3), (1, 1), (2, 2)]


def test_appending_a_query_matches_columns_by_name_and_adds_the_missing_ones(
    engine: DuckDBEngine,
) -> None:
    source = ibis.memtable(numbers(4, 5))
    engine.append("meta", "log", source.select("v", "k"))  # created with the query's columns
    engine.append("meta", "log", source.select(v=source.v + 10))  # no k: null
    engine.append("meta", "log", source.select("k", "v", run=ibis.literal(2, "int64")))
    found = engine.to_arrow(engine.table("meta", "log")).to_pylist()
    assert sorted(found, key=lambda r: (r["v"], r["run"] or 0)) == [
        {"v": 4, "k": 1, "run": None},
        {"v": 4, "k": 1, "run": 2},
        {"v": 5, "k": 2, "run": None},
        {"v": 5, "k": 2, "run": 2},
        {"v": 14, "k": None, "run": None},
        {"v": 15, "k": None, "run": None},
    ]
