"""``medallion metrics``: list the metrics and query them from the warehouse, by dimension."""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import click
from rich.table import Table

from medallion.commands.common import console, handle_errors, settings_from, warehouse_options

OUTPUT_FORMATS = ("table", "csv", "json")

output_option = click.option(
    "--format",
    "output",
    type=click.Choice(OUTPUT_FORMATS),
    default="table",
    show_default=True,
    help="A table to read, or CSV / JSON (unformatted values) for other programs.",
)


@click.group()
def metrics() -> None:
    """The KPIs, each defined once (docs/metrics.md): list them, or query them by dimension."""


@metrics.command("list")
@output_option
@handle_errors
def list_command(output: str) -> None:
    """Every metric: its definition, format, semantic model and the dimensions it slices by."""
    from medallion.metrics import SEMANTIC_MODELS, list_metrics

    if output != "table":
        columns = ["name", "description", "definition", "format", "model", "dimensions"]
        rows = [
            [m.name, m.description, m.definition, m.format, m.model, ",".join(m.dimensions)]
            for m in list_metrics()
        ]
        write_rows(columns, rows, output, formats={})
        return
    # On a terminal, dimensions shared by a whole semantic model are listed once, below.
    columns = ["name", "description", "definition", "format", "dimensions"]
    rows = [
        [
            m.name,
            m.description,
            m.definition,
            m.format,
            f"all of {m.model}"
            if m.dimensions == SEMANTIC_MODELS[m.model].dimensions
            else ", ".join(m.dimensions),
        ]
        for m in list_metrics()
    ]
    write_rows(columns, rows, output, formats={})
    for model in SEMANTIC_MODELS.values():
        console.print(
            f"Dimensions of {model.name}: {', '.join(model.dimensions)}",
            soft_wrap=True,
        )


@metrics.command("query")
@click.argument("names", nargs=-1, required=True, metavar="METRIC...")
@click.option(
    "--by",
    multiple=True,
    metavar="DIMENSION",
    help="Dimension to group by (repeatable, or comma-separated), e.g. --by country,year.",
)
@click.option(
    "--where",
    multiple=True,
    metavar="FILTER",
    help="DIMENSION OP VALUE with OP one of = != >= <= > < (repeatable, all must hold), "
    "e.g. --where year=2013 --where country!=n/a.",
)
@output_option
@warehouse_options
@handle_errors
def query_command(
    names: tuple[str, ...],
    by: tuple[str, ...],
    where: tuple[str, ...],
    output: str,
    target: dict[str, Any],
) -> None:
    """Compute METRIC... from the warehouse's gold tables, e.g.

    medallion metrics query revenue profit --by country --where year=2013
    """
    from medallion.metrics import get_metric, parse_filter
    from medallion.metrics.execute import open_warehouse, run_query

    dimensions = [d.strip() for item in by for d in item.split(",") if d.strip()]
    filters = [parse_filter(text) for text in where]  # bad input fails before the warehouse
    formats = {name: get_metric(name).format for name in names}
    settings = settings_from(target)
    with open_warehouse(settings) as engine:
        result = run_query(engine, names, dimensions, filters)
    write_rows(result.column_names, [list(r.values()) for r in result.to_pylist()], output, formats)


def write_rows(
    columns: Sequence[str], rows: list[list[Any]], output: str, formats: dict[str, Any]
) -> None:
    """Rows to stdout: a rich table with formatted values, or CSV/JSON with raw ones."""
    if output == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_plain(v) for v in row] for row in rows])
        click.echo(buffer.getvalue(), nl=False)
    elif output == "json":
        records = [dict(zip(columns, [_json(v) for v in row], strict=True)) for row in rows]
        click.echo(json.dumps(records, indent=2))
    else:
        from medallion.metrics.display import format_value

        table = Table(show_lines=False)
        for column in columns:
            # Names and values are never cut short: long text folds onto the next line.
            table.add_column(
                column,
                justify="right" if column in formats else "left",
                overflow="fold",
                no_wrap=column == columns[0],
            )
        for row in rows:
            table.add_row(
                *(
                    format_value(v, formats[c]) if c in formats else _plain(v)
                    for c, v in zip(columns, row, strict=True)
                )
            )
        console.print(table)


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _json(value: Any) -> Any:
    # Money has at most 15 significant digits here: the float prints as the exact decimal.
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
