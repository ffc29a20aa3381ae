"""Column-level lineage, derived from the models' own Ibis expressions (docs/lineage.md)."""

from __future__ import annotations

from medallion.lineage.columns import (
    GENERATED,
    ColumnLineage,
    LandingColumn,
    LineageGraph,
    Trace,
    build_lineage_graph,
    column_lineage,
    lineage_graph,
    trace_to_landing,
)
from medallion.lineage.dashboards import DASHBOARD_INPUTS, dashboard_inputs
from medallion.lineage.export import lineage_json
from medallion.lineage.walker import Lineage, UntraceableExpression, expression_lineage

__all__ = [
    "DASHBOARD_INPUTS",
    "GENERATED",
    "ColumnLineage",
    "LandingColumn",
    "Lineage",
    "LineageGraph",
    "Trace",
    "UntraceableExpression",
    "build_lineage_graph",
    "column_lineage",
    "dashboard_inputs",
    "expression_lineage",
    "lineage_graph",
    "lineage_json",
    "trace_to_landing",
]
