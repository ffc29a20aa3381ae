"""A run's cuts: a read of a table for keys a stored cut covers reads the cut's rows; any
other read reads the table; and the run drops what the cuts kept when it is done."""

from __future__ import annotations

from pathlib import Path

import ibis
import pyarrow as pa

from medallion.cuts import Cuts
from medallion.engines.base import staging_name
from medallion.engines.duckdb import DuckDBEngine


def pairs(engine: DuckDBEngine, table: ibis.Table) -> list[tuple[int, int]]:
    return sorted((r["k"], r["v"]) for r in engine.to_arrow(table).to_pylist())


def test_a_read_for_keys_a_cut_covers_reads_its_rows_and_others_read_the_table(
    tmp_path: Path,
) -> None:
    engine = DuckDBEngine(tmp_path / "warehouse.duckdb")
    engine.append("silver", "t", pa.table({"k": [1, 2, 3, 4], "v": [10, 20, 30, 40]}))
    table = engine.table("silver", "t")
    keys = engine.stage("silver", "t_keys", ibis.memtable({"k": [1, 2]}))
    cuts = Cuts(engine)
    cuts.add("silver.t", ["k"], keys, engine.stage("silver", "t_cut", table.semi_join(keys, "k")))
    for name in ("t_keys", "t_cut"):
        cuts.keep("silver", staging_name(name))
    # Changed behind the cut's back, which a run never does: it shows which rows are read.
    engine.con.raw_sql("UPDATE silver.t SET v = v + 1")

    covered = cuts.semi_join("silver.t", table, ibis.memtable({"k": [2]}), ["k"])
    assert pairs(engine, covered) == [(2, 20)]
    assert pairs(engine, cuts.semi_join("silver.t", table, keys, ["k"])) == [(1, 10), (2, 20)]
    partly = cuts.semi_join("silver.t", table, ibis.memtable({"k": [2, 3]}), ["k"])
    assert pairs(engine, partly) == [(2, 21), (3, 31)]
    other = cuts.semi_join("silver.u", table, ibis.memtable({"k": [2]}), ["k"])
    assert pairs(engine, other) == [(2, 21)]

    cuts.release()
    assert not engine.exists("silver", staging_name("t_cut"))
    assert not engine.exists("silver", staging_name("t_keys"))
    engine.close()
