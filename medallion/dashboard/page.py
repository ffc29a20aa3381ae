"""The dashboard page: one self-contained HTML file (plotly.js, CSS and script inlined), so it
opens offline and makes no network request. Pure: figures and values in, text out."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from medallion.dashboard.figures import Drawn
from medallion.dashboard.spec import Chart, Dashboard, Tile
from medallion.metrics import get_metric
from medallion.metrics.display import format_value

UNKNOWN = "unknown"

CSS = """
:root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --bg: #f8fafc; --card: #fff;
  --accent: #2563eb; --warn: #b45309; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
header { background: var(--card); border-bottom: 1px solid var(--line); padding: 16px 28px 0; }
h1 { font-size: 20px; margin: 0 0 4px; }
.context { color: var(--muted); margin: 0 0 12px; }
.context strong { color: var(--ink); font-weight: 600; }
nav { display: flex; gap: 4px; }
nav button { font: inherit; border: 0; background: none; padding: 10px 16px; cursor: pointer;
  color: var(--muted); border-bottom: 3px solid transparent; }
nav button[aria-selected="true"] { color: var(--ink); border-bottom-color: var(--accent);
  font-weight: 600; }
main { padding: 20px 28px 28px; }
section[hidden] { display: none; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px;
  margin-bottom: 16px; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 12px 16px; }
.tile .label { color: var(--muted); font-size: 13px; }
.tile .value { display: block; font-size: 26px; font-weight: 650; margin-top: 2px;
  font-variant-numeric: tabular-nums; }
.tile .definition { color: var(--muted); font-size: 12px; font-family: ui-monospace, monospace; }
.tile.quality { border-left: 4px solid var(--warn); }
.tile.quality .label::after { content: " (data quality)"; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
figure.chart { margin: 0; background: var(--card); border: 1px solid var(--line);
  border-radius: 8px; padding: 12px 12px 4px; min-width: 0; }
figure.chart.wide { grid-column: 1 / -1; }
figure.chart h2 { font-size: 15px; margin: 0 4px 4px; }
figcaption { color: var(--muted); font-size: 12px; margin: 4px 4px 8px; }
footer { color: var(--muted); font-size: 12px; padding: 0 28px 24px; }
code { font-family: ui-monospace, monospace; }
"""

# Tabs without a network: the inactive panel is hidden once its charts are drawn (Plotly sizes
# a chart from its visible container), and resized when shown.
SCRIPT = """
(function () {
  var tabs = document.querySelectorAll("nav [data-tab]");
  function show(key) {
    tabs.forEach(function (tab) {
      var on = tab.getAttribute("data-tab") === key;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      document.getElementById(tab.getAttribute("aria-controls")).hidden = !on;
    });
    document.querySelectorAll("[data-dashboard='" + key + "'] .js-plotly-plot")
      .forEach(function (plot) { Plotly.Plots.resize(plot); });
  }
  tabs.forEach(function (tab) {
    tab.addEventListener("click", function () {
      var key = tab.getAttribute("data-tab");
      history.replaceState(null, "", "#" + key);
      show(key);
    });
  });
  var wanted = location.hash.slice(1);
  var known = Array.prototype.some.call(tabs, function (t) {
    return t.getAttribute("data-tab") === wanted; });
  show(known ? wanted : tabs[0].getAttribute("data-tab"));
})();
"""


@dataclass(frozen=True)
class PageContext:
    """What the page says about the data it shows."""

    as_of: str | None  # the last run's as-of date, None without a run record
    run_id: str | None
    run_finished: str | None
    first_order: Any
    last_order: Any
    backend: str


def render_page(
    dashboards: Sequence[Dashboard],
    tiles: Mapping[str, Mapping[str, Any]],  # dashboard key -> metric -> value
    charts: Mapping[str, Drawn],  # chart key -> drawn figure
    context: PageContext,
    plotly_js: str,
) -> str:
    sections = "\n".join(
        _section(d, tiles[d.key], charts, hidden=i > 0) for i, d in enumerate(dashboards)
    )
    buttons = "".join(
        f'<button type="button" role="tab" data-tab="{d.key}" aria-controls="tab-{d.key}" '
        f'aria-selected="{"true" if i == 0 else "false"}">{escape(d.title)}</button>'
        for i, d in enumerate(dashboards)
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>medallion dashboards</title>
<style>{CSS}</style>
<script>{plotly_js}</script>
</head>
<body>
<header>
<h1>medallion dashboards</h1>
<p class="context">{_context(context)}</p>
<nav role="tablist">{buttons}</nav>
</header>
<main>
{sections}
</main>
<footer>Every figure is a metric of <code>medallion.metrics</code> (docs/metrics.md), computed
on the {escape(context.backend)} warehouse; <code>medallion metrics query</code> gives the same
numbers.</footer>
<script>{SCRIPT}</script>
</body>
</html>
"""


def _moment(timestamp: str) -> str:
    """An ISO timestamp as ``YYYY-MM-DD HH:MM UTC`` (as given when it is not one)."""
    try:
        moment = datetime.datetime.fromisoformat(timestamp)
    except ValueError:
        return timestamp
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _context(context: PageContext) -> str:
    as_of = context.as_of or UNKNOWN
    run = f" (run {escape(context.run_id)}" if context.run_id else ""
    if run:
        run += (
            f", finished {escape(_moment(context.run_finished))})" if context.run_finished else ")"
        )
    first = format_value(context.first_order, "date")
    last = format_value(context.last_order, "date")
    return (
        f'<span data-as-of="{escape(as_of)}">As of <strong>{escape(as_of)}</strong>{run}</span>'
        f" &middot; "
        f'<span data-date-range data-first-order="{escape(first)}" '
        f'data-last-order="{escape(last)}">Orders from <strong>{escape(first)}</strong> to '
        f"<strong>{escape(last)}</strong></span>"
    )


def _section(
    dashboard: Dashboard, values: Mapping[str, Any], charts: Mapping[str, Drawn], *, hidden: bool
) -> str:
    tiles = "\n".join(_tile(t, values.get(t.metric)) for t in dashboard.tiles)
    figures = "\n".join(_chart(c, charts[c.key]) for c in dashboard.charts)
    return (
        f'<section id="tab-{dashboard.key}" role="tabpanel" data-dashboard="{dashboard.key}"'
        f"{' hidden' if hidden else ''}>\n"
        f'<div class="tiles">\n{tiles}\n</div>\n<div class="charts">\n{figures}\n</div>\n'
        "</section>"
    )


def _tile(tile: Tile, value: Any) -> str:
    metric = get_metric(tile.metric)
    raw = "" if value is None else str(value)
    return (
        f'<div class="tile{" quality" if tile.quality else ""}" data-kpi="{metric.name}" '
        f'data-value="{escape(raw)}" data-format="{metric.format}" '
        f'title="{escape(metric.description)}">'
        f'<span class="label">{escape(tile.label)}</span>'
        f'<span class="value">{escape(format_value(value, metric.format))}</span>'
        f'<span class="definition">{escape(metric.definition)}</span></div>'
    )


def _chart(chart: Chart, drawn: Drawn) -> str:
    plot = drawn.figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{chart.key}",
        config={"displaylogo": False, "responsive": True},
    )
    text = " ".join(t for t in (chart.caption, drawn.note) if t)
    attributes = "".join(f' {name}="{escape(v)}"' for name, v in drawn.attributes.items())
    return (
        f'<figure class="chart{" wide" if chart.wide else ""}" data-chart="{chart.key}"'
        f"{attributes}><h2>{escape(chart.title)}</h2>{plot}"
        + (f"<figcaption>{escape(text)}</figcaption>" if text else "")
        + "</figure>"
    )
