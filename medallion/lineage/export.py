"""``lineage.json``: the column lineage, machine-readable (format in docs/lineage.md)."""

from __future__ import annotations

from typing import Any

from medallion.lineage.columns import GENERATED, LineageGraph, lineage_graph
from medallion.lineage.dashboards import dashboard_inputs
from medallion.registry import load_models

FORMAT = "medallion.lineage/1"


def lineage_json(graph: LineageGraph | None = None) -> dict[str, Any]:
    """Every landing column, model and column with its one-step inputs and its full trace to
    the landing files, plus the dashboards and the gold tables they read."""
    graph = graph or lineage_graph()
    specs = load_models()
    return {
        "format": FORMAT,
        "landing": {
            key: {
                "folder": landing.source.folder,
                "bronze": f"bronze.{landing.source.bronze_name}",
                "column": landing.column,
                "origin": landing.origin,
                "description": landing.description,
            }
            for key, landing in graph.landing.items()
        },
        "models": {
            name: {
                "layer": spec.layer,
                "inputs": list(spec.inputs),
                "columns": [c.column for c in graph.model_columns(name)],
                "traced": name not in graph.untraced,
                "error": graph.untraced.get(name),
            }
            for name, spec in specs.items()
        },
        "columns": {
            key: {
                "model": column.model,
                "column": column.column,
                "type": column.dtype,
                "direct": list(column.direct),
                "via": list(column.via),
                "landing": {
                    "direct": list(graph.trace(key).direct),
                    "via": list(graph.trace(key).via),
                },
                "generated": GENERATED.get(key),
            }
            for key, column in graph.columns.items()
        },
        "dashboards": {title: list(tables) for title, tables in dashboard_inputs(specs).items()},
    }
