"""``medallion dashboard``: write the Sales performance and Customer insights page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from medallion.commands.common import console, handle_errors, settings_from, warehouse_options


@click.command()
@warehouse_options
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="HTML file to write. Default: <warehouse>/dashboard.html.",
)
@handle_errors
def dashboard(target: dict[str, Any], out: Path | None) -> None:
    """Write the dashboards (SPEC 5) as one HTML file that works offline: KPI tiles and charts,
    every number a metric of `medallion metrics`, with the as-of date and the data's range."""
    from medallion.dashboard import write_dashboard
    from medallion.metrics.display import format_value

    settings = settings_from(target)
    report = write_dashboard(settings, out)
    console.print(
        f"Wrote {report.tiles} tiles and {report.charts} charts: orders from "
        f"{format_value(report.first_order, 'date')} to {format_value(report.last_order, 'date')}, "
        f"as of {report.as_of or 'unknown'}",
        soft_wrap=True,
    )
    console.print(f"Open: {report.path}", soft_wrap=True)
