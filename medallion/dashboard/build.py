"""Building the dashboard page: the metric queries run on the engine here, and only here."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medallion.config import Settings
from medallion.dashboard.spec import DASHBOARDS, DATE_RANGE, Dashboard, Request
from medallion.engines import Engine
from medallion.errors import ConfigError
from medallion.metrics.execute import open_warehouse, run_query
from medallion.run_record import read_latest

PAGE_NAME = "dashboard.html"
Results = dict[Request, list[dict[str, Any]]]


@dataclass(frozen=True)
class DashboardReport:
    path: Path
    as_of: str | None
    first_order: Any
    last_order: Any
    charts: int
    tiles: int


def fetch(engine: Engine, dashboards: tuple[Dashboard, ...] = DASHBOARDS) -> Results:
    """Every metric query the dashboards ask, executed once each; rows as dicts."""
    requests = [DATE_RANGE] + [r for d in dashboards for r in d.requests()]
    return {
        r: run_query(engine, r.metrics, r.by, r.where).to_pylist() for r in dict.fromkeys(requests)
    }


def render(
    results: Results,
    record: dict[str, Any] | None,
    backend: str,
    dashboards: tuple[Dashboard, ...] = DASHBOARDS,
) -> str:
    """The page from query results and the last run record, if any (no engine)."""
    from plotly.offline import get_plotlyjs

    from medallion.dashboard.figures import draw
    from medallion.dashboard.page import PageContext, render_page

    record = record or {}
    dates = results[DATE_RANGE][0]
    context = PageContext(
        as_of=record.get("as_of"),
        run_id=record.get("run_id"),
        run_finished=record.get("finished_at"),
        first_order=dates["first_order_date"],
        last_order=dates["last_order_date"],
        backend=backend,
    )
    tiles = {d.key: results[d.tile_request][0] for d in dashboards}
    charts = {
        c.key: draw(c, results[c.request], results[c.inner] if c.inner else ())
        for d in dashboards
        for c in d.charts
    }
    return render_page(dashboards, tiles, charts, context, get_plotlyjs())


def write_dashboard(settings: Settings, out: Path | None = None) -> DashboardReport:
    """Query the warehouse and write the page to ``out`` (default ``<warehouse>/dashboard.html``)
    whole or not at all: a reader never opens half a page."""
    out = out or settings.warehouse / PAGE_NAME
    if out.is_dir():
        raise ConfigError(f"--out {out} is a folder: give the HTML file to write")
    with open_warehouse(settings) as engine:
        results = fetch(engine)
    record = read_latest(settings.warehouse)
    page = render(results, record, settings.backend)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(page)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the page is for everyone to open
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dates = results[DATE_RANGE][0]
    return DashboardReport(
        out,
        (record or {}).get("as_of"),
        dates["first_order_date"],
        dates["last_order_date"],
        charts=sum(len(d.charts) for d in DASHBOARDS),
        tiles=sum(len(d.tiles) for d in DASHBOARDS),
    )
