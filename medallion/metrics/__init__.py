"""The metrics layer: every KPI defined once, over semantic models of gold, queried by name.

    from medallion.metrics import query
    expr = query(engine, ["revenue", "margin"], by=["country"], where=["year=2013"])
    engine.to_arrow(expr)

Definitions live in ``catalog.py``, semantic models and dimensions in ``models.py``; the CLI
(``medallion metrics``), the dashboard and docs/metrics.md all read them from here.
"""

from __future__ import annotations

from medallion.metrics import catalog as _catalog  # noqa: F401  (registers every metric)
from medallion.metrics.models import AGE_BANDS
from medallion.metrics.query import Filter, gold_tables, parse_filter, query
from medallion.metrics.registry import (
    DIMENSIONS,
    METRICS,
    SEMANTIC_MODELS,
    Dimension,
    Metric,
    MetricError,
    SemanticModel,
    get_dimension,
    get_metric,
    list_metrics,
)

__all__ = [
    "AGE_BANDS",
    "DIMENSIONS",
    "METRICS",
    "SEMANTIC_MODELS",
    "Dimension",
    "Filter",
    "Metric",
    "MetricError",
    "SemanticModel",
    "get_dimension",
    "get_metric",
    "gold_tables",
    "list_metrics",
    "parse_filter",
    "query",
]
