"""The command line: thin click commands over the Python API, with one error handler."""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from medallion.commands.common import console, handle_errors, settings_from, warehouse_options
from medallion.commands.dashboard import dashboard as dashboard_command
from medallion.commands.docs import docs as docs_command
from medallion.commands.metrics import metrics as metrics_command
from medallion.config import Settings
from medallion.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])


config_option = click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help='medallion.toml with check severities ([severity] "<check id>" = "warn"). '
    "Default: ./medallion.toml if present, or $MEDALLION_CONFIG.",
)


@click.group()
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="medallion")
def main(debug: bool) -> None:
    """medallion: CRM and ERP landing files to a tested star schema."""


def pipeline_options(func: F) -> F:
    """The options of every command that runs the pipeline (run, watch)."""
    options = [
        click.option(
            "--landing",
            type=click.Path(path_type=Path),
            default=None,
            help="Landing folder (<source>/<table>/data/*.csv). Default: $MEDALLION_LANDING.",
        ),
        warehouse_options,
        click.option(
            "--full-refresh",
            is_flag=True,
            help="Rebuild silver and gold from all of bronze instead of merging what changed "
            "(bronze itself is never rewritten).",
        ),
        click.option(
            "--select",
            "selectors",
            multiple=True,
            help="Layer or model to run, e.g. silver, gold.fact_sales, +fact_sales, "
            "crm_customers+. Repeatable. Default: everything.",
        ),
        click.option("--as-of", default=None, help="As-of date YYYY-MM-DD (default: today)."),
        click.option(
            "--on-modified",
            type=click.Choice(["skip", "reingest"]),
            default="skip",
            show_default=True,
            help="A file changed since it was ingested: report and skip it, or ingest the new "
            "version as a new delivery.",
        ),
        click.option(
            "--on-duplicate",
            type=click.Choice(["skip", "ingest"]),
            default="skip",
            show_default=True,
            help="A file byte-identical to one already ingested, under another name.",
        ),
        click.option(
            "--schema-evolution",
            "evolution",
            multiple=True,
            metavar="TABLE=MODE",
            help="Per bronze table (e.g. crm_cust_info=rescue): add_new_columns (default), "
            "rescue, fail_on_new_columns or none. Repeatable.",
        ),
        config_option,
        click.option(
            "--no-checks",
            is_flag=True,
            help="Skip contracts and data tests (benchmarks and emergencies only: unchecked "
            "rows are published).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def ingest_policy(on_modified: str, on_duplicate: str, evolution: tuple[str, ...]) -> Any:
    from medallion.ingest import IngestPolicy

    modes: dict[str, str] = {}
    for item in evolution:
        table, sep, mode = item.partition("=")
        if not sep:
            raise ConfigError(
                f"--schema-evolution {item!r}: write TABLE=MODE, e.g. crm_cust_info=rescue"
            )
        modes[table.strip()] = mode.strip()
    policy = IngestPolicy(
        on_modified=on_modified,  # type: ignore[arg-type]
        on_duplicate=on_duplicate,  # type: ignore[arg-type]
        schema_evolution=modes,
    )
    for table in modes:
        policy.mode(table)  # a one-line ConfigError for an unknown table or mode
    return policy


@dataclass(frozen=True)
class PipelineRequest:
    """What the pipeline options of run, build and watch ask for."""

    settings: Callable[[], Settings]  # called again per run: "today" moves on in a watch
    selectors: tuple[str, ...]
    full_refresh: bool
    policy: Any
    checks: bool

    def run_once(self) -> bool:
        return run_once(
            self.settings(), self.selectors, self.full_refresh, self.policy, checks=self.checks
        )


def pipeline_request(options: dict[str, Any]) -> PipelineRequest:
    def settings() -> Settings:
        return settings_from(
            options["target"],
            landing=options["landing"],
            as_of=options["as_of"],
            config=options["config"],
        )

    settings()  # bad settings fail now, in one line, before anything runs
    return PipelineRequest(
        settings,
        options["selectors"],
        options["full_refresh"],
        ingest_policy(options["on_modified"], options["on_duplicate"], options["evolution"]),
        not options["no_checks"],
    )


@main.command()
@pipeline_options
@handle_errors
def run(**options: Any) -> None:
    """Ingest new landing files and bring bronze, silver and gold up to date.

    Every model's new rows meet its contract and data tests before they are published.
    """
    if not pipeline_request(options).run_once():
        sys.exit(1)


@main.command()
@pipeline_options
@handle_errors
def build(**options: Any) -> None:
    """Run, then test the whole warehouse (or the selected models): `medallion run` + `test`."""
    request = pipeline_request(options)
    ran = request.run_once()
    tested = test_once(request.settings(), request.selectors)
    if not (ran and tested):
        sys.exit(1)


@main.command()
@warehouse_options
@click.option(
    "--select",
    "selectors",
    multiple=True,
    help="Layer or model whose contracts and tests to run (repeatable). Default: all.",
)
@config_option
@handle_errors
def test(target: dict[str, Any], selectors: tuple[str, ...], config: Path | None) -> None:
    """Check contracts and data tests on the built warehouse; exit 1 if an error-level one
    fails, printing each failing check with a few of its rows."""
    settings = settings_from(target, config=config)
    if not test_once(settings, selectors):
        sys.exit(1)


def test_once(settings: Settings, selectors: tuple[str, ...]) -> bool:
    from medallion.report import ConsoleProgress, print_checks
    from medallion.runner import audit_warehouse

    report = audit_warehouse(settings, select_=selectors, progress=ConsoleProgress(console))
    print_checks(console, report.checks, verbose=True)
    failed = [c for c in report.checks if c.stops_run]
    if failed:
        click.secho(f"Error: {len(failed)} check(s) failed (listed above).", fg="red", err=True)
    return not failed


def run_once(
    settings: Settings,
    selectors: tuple[str, ...],
    full_refresh: bool,
    policy: Any,
    *,
    checks: bool = True,
) -> bool:
    """One pipeline run with its plan and summary printed; False when a file failed."""
    from medallion.report import ConsoleProgress, print_checks, print_plan, print_run
    from medallion.runner import preflight
    from medallion.runner import run as run_pipeline

    print_plan(console, preflight(settings, selectors), full_refresh)
    report = run_pipeline(
        settings,
        select_=selectors,
        full_refresh=full_refresh,
        policy=policy,
        progress=ConsoleProgress(console),
        checks=checks,
    )
    print_run(console, report)
    print_checks(console, report.checks, verbose=False)
    console.print(f"Warehouse: {settings.where()}", soft_wrap=True)
    if not report.ok:
        click.secho(
            f"Error: {len(report.ingest.failed) if report.ingest else 0} file(s) failed to "
            "ingest (listed above); the other files were processed.",
            fg="red",
            err=True,
        )
    return report.ok


@main.command()
@pipeline_options
@click.option(
    "--interval",
    type=float,
    metavar="SECONDS",
    default=5.0,
    show_default=True,
    help="Seconds between two looks at the landing zone.",
)
@click.option(
    "--settle",
    type=float,
    metavar="SECONDS",
    default=10.0,
    show_default=True,
    help="Seconds a new file's size and mtime must stay unchanged before it is ingested.",
)
@click.option("--max-runs", type=int, default=None, hidden=True, help="Stop after N runs (tests).")
@handle_errors
def watch(interval: float, settle: float, max_runs: int | None, **options: Any) -> None:
    """Run the pipeline whenever new landing files have settled, until Ctrl-C or SIGTERM.

    The first signal stops at once when idle, or once the run in progress has finished; a
    second one aborts that run (its open transaction rolls back) and exits 130.
    """
    from medallion.watch import watch as watch_landing

    request = pipeline_request(options)

    summary = watch_landing(
        request.settings(),
        interval=interval,
        settle=settle,
        selectors=request.selectors,
        full_refresh=request.full_refresh,
        policy=request.policy,
        run_once=request.run_once,
        echo=lambda line: console.print(line, soft_wrap=True, markup=False),
        warn=lambda line: click.secho(line, fg="yellow", err=True),
        max_runs=max_runs,
    )
    sys.exit(summary.exit_code)


@main.command()
@click.option("--scale", type=float, default=1.0, show_default=True, help="1 = reference size.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Landing folder.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--batches", type=int, default=1, show_default=True, help="Files per table.")
@handle_errors
def generate(scale: float, out: Path, seed: int, batches: int) -> None:
    """Write a synthetic landing zone with the reference extract's columns and dirt."""
    report = _generate(out, scale=scale, seed=seed, batches=batches)
    total = sum(report.rows.values())
    console.print(f"Wrote {len(report.files)} files, {total:,} rows, to {out}")


def _generate(out: Path, *, scale: float, seed: int, batches: int) -> Any:
    from rich.progress import Progress as RichProgress

    from medallion.generate import generate_landing

    started = time.perf_counter()
    # Started on the first rows, so that a rejected argument prints nothing but the error.
    bar = RichProgress(console=console, transient=True)
    tasks: dict[str, Any] = {}

    def progress(table: str, rows: int) -> None:
        if not tasks:
            bar.start()
        if table not in tasks:
            tasks[table] = bar.add_task(f"generate {table}", total=None)
        bar.update(tasks[table], completed=rows, description=f"generate {table}: {rows:,}")

    try:
        report = generate_landing(out, scale=scale, seed=seed, batches=batches, progress=progress)
    except ValueError as exc:  # the generator's word on bad arguments
        raise ConfigError(str(exc)) from None
    finally:
        if tasks:
            bar.stop()
    console.print(f"Generated in {time.perf_counter() - started:.1f}s")
    return report


@main.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where to put landing/ and warehouse/. Default: a new temporary folder (kept).",
)
@click.option("--scale", type=float, default=0.1, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--batches", type=int, default=2, show_default=True)
@handle_errors
def demo(directory: Path | None, scale: float, seed: int, batches: int) -> None:
    """Generate a small landing zone, run the whole pipeline on DuckDB, print a summary."""
    from medallion.report import ConsoleProgress, print_checks, print_run
    from medallion.runner import run as run_pipeline
    from medallion.status import gold_headline

    root = directory or Path(tempfile.mkdtemp(prefix="medallion-demo-"))
    landing, warehouse = root / "landing", root / "warehouse"
    _generate(landing, scale=scale, seed=seed, batches=batches)
    settings = Settings.from_env(landing=landing, warehouse=warehouse, backend="duckdb")
    report = run_pipeline(settings, progress=ConsoleProgress(console))
    print_run(console, report)
    print_checks(console, report.checks, verbose=False)
    head = gold_headline(settings)
    console.print(
        f"\nGold: {head.customers:,} customers, {head.orders:,} orders from "
        f"{head.first_order} to {head.last_order}, revenue {head.revenue:,}, "
        f"profit {head.profit:,}"
    )
    console.print(f"Demo warehouse: {settings.database}", soft_wrap=True)
    console.print(
        f"Query it:  python3 -c \"import duckdb; print(duckdb.connect('{settings.database}', "
        "read_only=True).sql('from gold.fact_orders limit 5'))\"",
        soft_wrap=True,
    )
    console.print(f"Status:    medallion status --warehouse {warehouse}", soft_wrap=True)
    console.print(f"Test it:   medallion test --warehouse {warehouse}", soft_wrap=True)


@main.command()
@warehouse_options
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["parquet", "csv"]),
    default="parquet",
    show_default=True,
    help="File format: Parquet keeps types (decimals, dates); CSV is for tools without it.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder to write <table>.<format> and manifest.json into.",
)
@click.option("--layer", type=click.Choice(["gold", "silver"]), default="gold", show_default=True)
@handle_errors
def export(target: dict[str, Any], file_format: str, out: Path, layer: str) -> None:
    """Write the gold tables as files for Power BI or any other tool."""
    from medallion.export import export_tables

    settings = settings_from(target)
    report = export_tables(settings, out, file_format=file_format, layer=layer)
    for file_name, rows in report.tables.items():
        console.print(f"{out / file_name}: {rows:,} rows", soft_wrap=True)
    console.print(f"Manifest: {out / 'manifest.json'}", soft_wrap=True)


@main.command()
@warehouse_options
@handle_errors
def status(target: dict[str, Any]) -> None:
    """Files ingested per table and row counts per layer and table."""
    from medallion.report import print_status
    from medallion.status import warehouse_status

    print_status(console, warehouse_status(settings_from(target)))


main.add_command(docs_command)
main.add_command(metrics_command)
main.add_command(dashboard_command)
