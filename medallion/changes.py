"""Bookkeeping for incremental runs: what each model has taken in, and the change log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from medallion.engines.base import META, Engine

STATE_TABLE = "model_state"
STATE_SCHEMA = pa.schema(
    [
        ("model", pa.string()),
        ("batch", pa.int64()),
        ("run", pa.int64()),
        ("full_run", pa.int64()),
        ("as_of", pa.date32()),
    ]
)


@dataclass(frozen=True)
class ModelState:
    """A model's watermark: the last bronze batch and run it has taken into account, the last
    run that rebuilt it in full (its consumers must then rebuild too), and the as-of date it
    was built with (a different one invalidates models that read it)."""

    batch: int
    run: int
    full_run: int
    as_of: dt.date | None = None


def change_table(model: str) -> str:
    """``silver.crm_sales`` -> ``changes__silver__crm_sales`` (in the meta schema)."""
    return "changes__" + model.replace(".", "__")


def read_state(engine: Engine) -> dict[str, ModelState]:
    if not engine.exists(META, STATE_TABLE):
        return {}
    rows = engine.to_arrow(engine.table(META, STATE_TABLE)).to_pylist()
    return {r["model"]: ModelState(r["batch"], r["run"], r["full_run"], r["as_of"]) for r in rows}


def write_state(engine: Engine, state: dict[str, ModelState]) -> None:
    table = pa.Table.from_pylist(
        [
            {"model": m, "batch": s.batch, "run": s.run, "full_run": s.full_run, "as_of": s.as_of}
            for m, s in sorted(state.items())
        ],
        schema=STATE_SCHEMA,
    )
    engine.replace(META, STATE_TABLE, ibis.memtable(table))


def changes_since(
    engine: Engine, model: str, consumer: ModelState, producer: ModelState | None
) -> ir.Table | None:
    """What ``model`` changed since ``consumer`` last ran; None when that is not on record
    (the producer was rebuilt in full since, or never logged), and the consumer must rebuild.

    For bronze, the rows of newer batches; for a model, the rows its change log holds for
    later runs (partition keys of a merge model, changed rows of a rebuilt one).
    """
    layer, name = model.split(".", 1)
    if layer == "bronze":
        bronze = engine.table(layer, name)
        return bronze.filter(bronze._batch_id > consumer.batch)
    log_name = change_table(model)
    if producer is None or producer.full_run > consumer.run or not engine.exists(META, log_name):
        return None
    log = engine.table(META, log_name)
    return log.filter(log._run > consumer.run).drop("_run")


def record_changes(engine: Engine, model: str, changed: ir.Table, run: int) -> None:
    engine.append(META, change_table(model), changed.mutate(_run=ibis.literal(run, "int64")))


def forget_changes(engine: Engine, model: str, through_run: int) -> None:
    """Drop the records every consumer has already taken in."""
    if engine.exists(META, change_table(model)):
        engine.delete_where(META, change_table(model), f"_run <= {int(through_run)}")
