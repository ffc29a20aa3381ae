"""The Spark engine's own promises: a transaction commits whole or leaves every table as it
was, even after a crash; and on Delta, merges are a MERGE whose rollback is a RESTORE."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

from medallion.engines.base import staging_name
from medallion.engines.spark import JOURNAL, SparkEngine
from tests.spark.conftest import spark_engine, spark_settings


class Boom(Exception):
    pass


def rows(engine: SparkEngine, name: str) -> list[tuple]:
    table = engine.to_arrow(engine.table("silver", name))
    return sorted(tuple(r.values()) for r in table.to_pylist())


def numbers(*values: int) -> pa.Table:
    return pa.table({"k": pa.array([v % 3 for v in values], pa.int64()), "v": list(values)})


@pytest.fixture
def engine(spark: Any, tmp_path: Path) -> Iterator[SparkEngine]:
    """An engine with tables ``appended``, ``replaced``, ``dropped`` and ``merged``."""
    found = spark_engine(spark, spark_settings(spark, tmp_path / "warehouse"))
    for name in ("appended", "replaced", "dropped", "merged"):
        found.append("silver", name, numbers(1, 2, 3))
    yield found


def change_everything(engine: SparkEngine) -> None:
    engine.append("silver", "appended", numbers(4))
    engine.replace("silver", "replaced", ibis.memtable(numbers(7, 8)))
    engine.drop("silver", "dropped")
    engine.append("silver", "created", numbers(5))
    engine.stage("silver", "merged", ibis.memtable(numbers(9)))
    engine.stage("silver", "merged_keys", ibis.memtable(numbers(9)).select("k"))
    engine.merge("silver", "merged", ("k",))
    engine.append("silver", "appended", pa.table({"k": [6], "v": [6], "note": ["new column"]}))


def snapshot(engine: SparkEngine) -> dict[str, list[tuple]]:
    return {name: rows(engine, name) for name in engine.list_tables("silver")}


def test_a_failed_transaction_leaves_every_table_as_it_was(engine: SparkEngine) -> None:
    before = snapshot(engine)
    with pytest.raises(Boom), engine.transaction():
        change_everything(engine)
        assert rows(engine, "replaced") == [(1, 7), (2, 8)]  # visible inside the transaction
        raise Boom
    assert snapshot(engine) == before
    assert engine.table("silver", "appended").columns == ("k", "v")
    assert not (engine.warehouse / JOURNAL).exists()


def test_a_committed_transaction_keeps_every_change_and_no_scratch(engine: SparkEngine) -> None:
    with engine.transaction():
        change_everything(engine)
    assert snapshot(engine) == {
        "appended": [(0, 3, None), (1, 1, None), (1, 4, None), (2, 2, None), (6, 6, "new column")],
        "created": [(2, 5)],
        "merged": [(0, 9), (1, 1), (2, 2)],
        "replaced": [(1, 7), (2, 8)],
    }
    assert not (engine.warehouse / JOURNAL).exists()


def test_after_a_crash_the_next_connection_rolls_back(spark: Any, engine: SparkEngine) -> None:
    before = snapshot(engine)
    transaction = engine.transaction()
    transaction.__enter__()
    change_everything(engine)  # ... and the process dies here: no commit, no rollback
    assert (engine.warehouse / JOURNAL).exists()

    again = SparkEngine(spark, engine.warehouse, schema=engine.prefix.rstrip("_"))
    assert again.recovered and "rolled back" in again.recovered
    assert snapshot(again) == before
    assert not (engine.warehouse / JOURNAL).exists()


class DeltaStandIn:
    """Runs a Delta engine's statements on Parquet, recording those only Delta can run."""

    def __init__(self, spark: Any) -> None:
        self.spark, self.recorded = spark, []

    def __call__(self, statement: str) -> Any:
        head = statement.split(" ", 2)[:2]
        if head[0] in ("MERGE", "RESTORE", "DELETE") or head == ["DESCRIBE", "HISTORY"]:
            self.recorded.append(statement)
            return self.spark.sql("SELECT 7 AS version")
        return self.spark.sql(statement.replace("USING DELTA", "USING PARQUET"))


def test_delta_merges_with_merge_and_rolls_back_with_restore(spark: Any, tmp_path: Path) -> None:
    settings = spark_settings(spark, tmp_path / "warehouse")
    engine = SparkEngine(
        spark, settings.warehouse, schema=settings.spark.schema, table_format="delta"
    )
    stand_in = DeltaStandIn(spark)
    engine.sql = stand_in  # type: ignore[method-assign]
    engine.append("silver", "merged", numbers(1, 2))
    engine.stage("silver", "merged", ibis.memtable(numbers(4)))
    engine.stage("silver", "merged_keys", ibis.memtable(numbers(4)).select("k"))
    with pytest.raises(Boom), engine.transaction():
        engine.merge("silver", "merged", ("k",))
        raise Boom
    target = engine.qualified("silver", "merged")
    assert stand_in.recorded == [
        f"DESCRIBE HISTORY {target} LIMIT 1",
        f"MERGE INTO {target} AS t USING (SELECT DISTINCT `k` FROM "
        f"{engine.qualified('silver', staging_name('merged_keys'))}) AS k ON t.`k` = k.`k` "
        "WHEN MATCHED THEN DELETE",
        f"RESTORE TABLE {target} TO VERSION AS OF 7",
    ]
