"""The one edge of the metrics layer that touches a warehouse: open it, check that gold is
built, and execute a query on its engine."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyarrow as pa

from medallion.config import Settings
from medallion.engines import Engine, connect
from medallion.errors import ConfigError
from medallion.metrics.query import Filter, query
from medallion.metrics.registry import SEMANTIC_MODELS, MetricError, get_metric


def open_warehouse(settings: Settings) -> Engine:
    """The warehouse's engine; a one-line error when there is no warehouse yet."""
    if not settings.built():
        raise ConfigError(
            f"no warehouse at {settings.where()}: run `medallion run --landing DIR` first "
            "or pass --warehouse"
        )
    return connect(settings)


def require_gold(engine: Engine, metrics: Iterable[str]) -> None:
    """Every gold table the metrics' semantic models read exists, or a one-line error."""
    models = dict.fromkeys(get_metric(name).model for name in metrics)
    needed = dict.fromkeys(t for m in models for t in SEMANTIC_MODELS[m].inputs)
    missing = [t for t in needed if not engine.exists("gold", t)]
    if missing:
        raise MetricError(
            f"gold.{missing[0]} is not built: run `medallion run --landing DIR` first"
        )


def run_query(
    engine: Engine,
    metrics: Sequence[str],
    by: Sequence[str] = (),
    where: Iterable[Filter | str] = (),
) -> pa.Table:
    """``query(...)`` executed on ``engine``: the result rows as Arrow."""
    require_gold(engine, metrics)  # first: reading a missing table is no one-line error
    return engine.to_arrow(query(engine, metrics, by, where))
