"""``medallion docs``: write the browsable docs site (tables, checks, column lineage)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from medallion.commands.common import console, handle_errors, settings_from, warehouse_options


@click.command()
@warehouse_options
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder to write the site into. Default: <warehouse>/docs.",
)
@handle_errors
def docs(target: dict[str, Any], out: Path | None) -> None:
    """Generate the docs site: the lineage graph from landing files to dashboards, a page per
    table (columns, checks, tests, row counts, column lineage), lineage.json and catalog.json.

    It works offline, and without a warehouse (counts and results then say "not built yet").
    """
    from medallion.docs import build_docs

    settings = settings_from(target)
    report = build_docs(settings, out)
    for model, reason in report.untraced.items():
        click.secho(f"Warning: lineage of {model} not traced: {reason}", fg="yellow", err=True)
    if not report.built:
        console.print(
            f"No warehouse at {settings.where()} yet: row counts and check results say "
            "'not built yet'.",
            soft_wrap=True,
        )
    console.print(f"Wrote {len(report.pages)} pages, lineage.json and catalog.json", soft_wrap=True)
    console.print(f"Open: {report.index}", soft_wrap=True)
