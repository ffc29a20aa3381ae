"""How metric values read: one formatter per metric format, and the docs' metric table."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from medallion.metrics.registry import DIMENSIONS, SEMANTIC_MODELS, Format, list_metrics

MISSING = "-"


def format_value(value: Any, fmt: Format) -> str:
    """``1,234.56`` (money), ``1,234`` (count), ``12.34%`` (percent), ISO dates; ``-`` for null."""
    if value is None:
        return MISSING
    if fmt == "money":
        return f"{Decimal(value):,.2f}"
    if fmt == "count":
        return f"{int(value):,}"
    if fmt == "percent":
        return f"{float(value):.2%}"
    if fmt == "date" and isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def metrics_markdown() -> str:
    """The tables of every metric and dimension in docs/metrics.md (a test keeps them equal)."""
    lines = [
        "| metric | definition | format | semantic model | dimensions | description |",
        "|---|---|---|---|---|---|",
    ]
    for m in list_metrics():
        every = m.dimensions == SEMANTIC_MODELS[m.model].dimensions
        dims = f"all of `{m.model}`" if every else ", ".join(m.dimensions)
        lines.append(
            f"| `{m.name}` | `{m.definition}` | {m.format} | `{m.model}` | {dims} | "
            f"{m.description} |"
        )
    lines += ["", "| dimension | type | semantic models | values |", "|---|---|---|---|"]
    for d in DIMENSIONS.values():
        models = ", ".join(
            f"`{m.name}`" for m in SEMANTIC_MODELS.values() if d.name in m.dimensions
        )
        keys = f" (grouped with `{'`, `'.join(d.keys)}`)" if d.keys else ""
        lines.append(f"| `{d.name}` | {d.type} | {models} | {d.description}{keys} |")
    return "\n".join(lines) + "\n"
