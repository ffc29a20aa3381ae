"""Plotly figures from metric query results (rows as dicts). Pure: no engine, no file.

The only arithmetic here is the Pareto's ordering and running total; every value plotted is a
metric as ``medallion.metrics`` computed it. Hover texts show the exact, formatted values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate
from typing import Any

import plotly.graph_objects as go

from medallion.dashboard.spec import PARETO_TOP, Chart
from medallion.metrics import AGE_BANDS, get_metric
from medallion.metrics.display import format_value
from medallion.models.gold.members import UNKNOWN_KEY, UNKNOWN_TEXT

Rows = Sequence[dict[str, Any]]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
COLORS = {
    "revenue": "#2563eb",
    "profit": "#16a34a",
    "customers": "#7c3aed",
    "buying_customers": "#c084fc",
    "revenue_share": "#f59e0b",
}
DEFAULT_COLOR = "#0ea5e9"
# Dimensions whose values have a natural order; others are sorted by the first metric.
VALUE_ORDER = {"age_band": AGE_BANDS}


@dataclass
class Drawn:
    """A chart's figure, plus what the page states about it (caption, data attributes)."""

    figure: go.Figure
    note: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


def draw(chart: Chart, rows: Rows, inner: Rows = ()) -> Drawn:
    if chart.kind == "bars":
        return Drawn(bars(chart, rows))
    if chart.kind == "line":
        return Drawn(line(chart, rows))
    if chart.kind == "sunburst":
        return Drawn(sunburst(chart, rows, inner))
    return pareto(chart, rows)


def title_of(metric: str) -> str:
    return metric.replace("_", " ").capitalize()


def number(value: Any) -> float | None:
    """A value to plot (exact values are in the hover text)."""
    return None if value is None else float(value)


def label(value: Any) -> str:
    return UNKNOWN_TEXT if value is None else str(value)


def ordered(rows: Rows, dimension: str, metric: str) -> list[dict[str, Any]]:
    """In the dimension's natural order, else by the metric, largest first; n/a last."""
    if dimension in VALUE_ORDER:
        order = {v: i for i, v in enumerate(VALUE_ORDER[dimension])}
        return sorted(rows, key=lambda r: order.get(r[dimension], len(order)))
    return sorted(
        rows,
        key=lambda r: (label(r[dimension]) == UNKNOWN_TEXT, -(number(r[metric]) or 0.0)),
    )


def _hover(metric: str, values: list[Any]) -> list[str]:
    fmt = get_metric(metric).format
    return [format_value(v, fmt) for v in values]


def _layout(figure: go.Figure, **extra: Any) -> go.Figure:
    """The house look; ``extra`` overrides it."""
    layout: dict[str, Any] = {
        "template": "plotly_white",
        "font": {"family": FONT, "size": 13},
        "height": 380,
        "margin": {"l": 60, "r": 30, "t": 30, "b": 60},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "hoverlabel": {"font": {"family": FONT}},
    }
    figure.update_layout(layout | extra)
    return figure


def bars(chart: Chart, rows: Rows) -> go.Figure:
    """One group of bars per value of the first dimension, one bar per metric."""
    dimension, metrics = chart.request.by[0], chart.request.metrics
    rows = ordered(rows, dimension, metrics[0])
    x = [label(r[dimension]) for r in rows]
    figure = go.Figure()
    for metric in metrics:
        values = [r[metric] for r in rows]
        figure.add_bar(
            name=title_of(metric),
            x=x,
            y=[number(v) for v in values],
            customdata=_hover(metric, values),
            hovertemplate=f"%{{x}}<br>{title_of(metric)}: %{{customdata}}<extra></extra>",
            marker_color=COLORS.get(metric, DEFAULT_COLOR),
        )
    return _layout(
        figure,
        barmode="group",
        showlegend=len(metrics) > 1,
        xaxis={"type": "category"},
        yaxis={"title": {"text": title_of(metrics[0]) if len(metrics) == 1 else ""}},
    )


def line(chart: Chart, rows: Rows) -> go.Figure:
    """The first metric over the first dimension (a month, YYYY-MM)."""
    dimension, metric = chart.request.by[0], chart.request.metrics[0]
    rows = sorted(rows, key=lambda r: label(r[dimension]))
    values = [r[metric] for r in rows]
    figure = go.Figure(
        go.Scatter(
            x=[label(r[dimension]) for r in rows],
            y=[number(v) for v in values],
            mode="lines+markers",
            name=title_of(metric),
            customdata=_hover(metric, values),
            hovertemplate=f"%{{x|%Y-%m}}<br>{title_of(metric)}: %{{customdata}}<extra></extra>",
            line={"color": COLORS.get(metric, DEFAULT_COLOR), "width": 2},
        )
    )
    return _layout(
        figure,
        showlegend=False,
        xaxis={"type": "date", "tickformat": "%Y-%m"},
        yaxis={"title": {"text": title_of(metric)}},
    )


def sunburst(chart: Chart, rows: Rows, inner: Rows) -> go.Figure:
    """Inner ring from ``inner`` (by the first dimension), outer ring from ``rows`` (by both);
    sectors sized by the second metric, labelled with the first (a share)."""
    outer_dim, inner_dim = chart.request.by[1], chart.request.by[0]
    share, size = chart.request.metrics
    # Plotly sizes a parent as the sum of its sectors ("remainder" with parents at 0).
    leaves = [r for r in rows if (number(r[size]) or 0.0) > 0]
    parents = [r for r in inner if any(r[inner_dim] == leaf[inner_dim] for leaf in leaves)]
    share_text = _hover(share, [r[share] for r in parents] + [r[share] for r in leaves])
    size_text = _hover(size, [r[size] for r in parents] + [r[size] for r in leaves])
    figure = go.Figure(
        go.Sunburst(
            ids=[f"{label(r[inner_dim])}" for r in parents]
            + [f"{label(r[inner_dim])}/{label(r[outer_dim])}" for r in leaves],
            labels=[label(r[inner_dim]) for r in parents] + [label(r[outer_dim]) for r in leaves],
            parents=[""] * len(parents) + [label(r[inner_dim]) for r in leaves],
            values=[0.0] * len(parents) + [number(r[size]) for r in leaves],
            branchvalues="remainder",
            customdata=list(zip(share_text, size_text, strict=True)),
            texttemplate="%{label}<br>%{customdata[0]}",
            hovertemplate=f"%{{label}}<br>{title_of(share)}: %{{customdata[0]}}<br>"
            f"{title_of(size)}: %{{customdata[1]}}<extra></extra>",
            insidetextorientation="radial",
            sort=False,
        )
    )
    return _layout(figure, margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=420)


def pareto(chart: Chart, rows: Rows) -> Drawn:
    """The known customers with the most revenue, bars largest first, and the running share of
    all revenue they hold on a second axis."""
    revenue, share = chart.request.metrics
    known = [r for r in rows if r.get("customer_key") != UNKNOWN_KEY]
    ranked = sorted(known, key=lambda r: (-(number(r[revenue]) or 0.0), r["customer_key"]))
    top = ranked[:PARETO_TOP]
    shares = [Decimal(str(r[share] or 0)) for r in top]
    cumulative = list(accumulate(shares))
    held = cumulative[-1] if cumulative else Decimal(0)
    names = [label(r["customer"]) for r in top]
    values = [r[revenue] for r in top]
    figure = go.Figure()
    figure.add_bar(
        name=title_of(revenue),
        x=names,
        y=[number(v) for v in values],
        customdata=_hover(revenue, values),
        hovertemplate=f"%{{x}}<br>{title_of(revenue)}: %{{customdata}}<extra></extra>",
        marker_color=COLORS[revenue],
    )
    figure.add_scatter(
        name="Cumulative share of revenue",
        x=names,
        y=[float(c) for c in cumulative],
        yaxis="y2",
        mode="lines+markers",
        customdata=[format_value(c, "percent") for c in cumulative],
        hovertemplate="%{x}<br>Cumulative share: %{customdata}<extra></extra>",
        line={"color": COLORS[share], "width": 2},
    )
    _layout(
        figure,
        height=460,
        margin={"l": 60, "r": 60, "t": 30, "b": 160},
        xaxis={"type": "category", "tickangle": -45},
        yaxis={"title": {"text": title_of(revenue)}},
        yaxis2={
            "title": {"text": "Cumulative share"},
            "overlaying": "y",
            "side": "right",
            "tickformat": ".0%",
            "rangemode": "tozero",
            "showgrid": False,
        },
    )
    note = (
        f"The top {len(top)} of {len(known):,} buying customers hold "
        f"{format_value(held, 'percent')} of revenue."
    )
    return Drawn(figure, note, {"data-top-share": str(held), "data-top-count": str(len(top))})
