"""Rendering run reports and warehouse status for the terminal, and the live progress display."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from medallion.ingest.landing import LandingFile
from medallion.quality.results import CheckResult
from medallion.runner import Progress, RunReport
from medallion.status import WarehouseStatus


class ConsoleProgress(Progress):
    """A transient progress bar over files, then over models."""

    def __init__(self, console: Console) -> None:
        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task: TaskID | None = None
        self._phase = ""

    def _advance(self, phase: str, label: str, index: int, total: int) -> None:
        if self._task is None:
            self._bar.start()
        if phase != self._phase or self._task is None:
            self._phase = phase
            self._task = self._bar.add_task(label, total=total)
        self._bar.update(self._task, completed=index, description=label)

    def file_started(self, file: LandingFile, index: int, total: int) -> None:
        self._advance("ingest", f"ingest {file.path}", index, total)

    def model_started(self, name: str, index: int, total: int) -> None:
        self._advance("build", f"build {name}", index, total)

    def finished(self) -> None:
        self._bar.stop()


def print_plan(console: Console, names: list[str], full_refresh: bool) -> None:
    """What a run is about to do, before it does it."""
    steps = []
    if any(n.startswith("bronze.") for n in names):
        steps.append("ingest new landing files into bronze")
    models = [n for n in names if not n.startswith("bronze.")]
    if models:
        how = "rebuild in full" if full_refresh else "bring up to date"
        steps.append(f"{how} {len(models)} model(s): {', '.join(models)}")
    console.print("Plan: " + "; then ".join(steps or ["nothing selected"]), soft_wrap=True)


def print_run(console: Console, report: RunReport) -> None:
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    ingest = report.ingest
    if ingest is not None:
        for warning in ingest.warnings:
            console.print(f"[yellow]warning:[/] {warning}")
        if ingest.batch_id is None:
            console.print(f"No new files ({ingest.skipped} already ingested).")
        else:
            files = Table(title=f"Ingested batch {ingest.batch_id}", title_justify="left")
            for column in ("file", "table", "status", "rows", "quarantined"):
                files.add_column(
                    column, justify="right" if column in {"rows", "quarantined"} else "left"
                )
            for f in ingest.files:
                style = "red" if f.status == "failed" else None
                files.add_row(
                    f.path, f.table, f.status, f"{f.rows:,}", f"{f.quarantined:,}", style=style
                )
            console.print(files)
            console.print(f"{ingest.skipped} file(s) already ingested were skipped.")
    if report.models:
        models = Table(title="Models", title_justify="left")
        models.add_column("model")
        models.add_column("rows", justify="right")
        models.add_column("seconds", justify="right")
        models.add_column("how")
        for m in report.models:
            models.add_row(m.name, f"{m.rows:,}", f"{m.seconds:.2f}", m.mode)
        console.print(models)
        rules = Table(
            title="Rules applied (values nulled or fixed, rows dropped)", title_justify="left"
        )
        rules.add_column("model")
        rules.add_column("rule")
        rules.add_column("count", justify="right")
        for m in report.models:
            for rule, count in m.rule_counts.items():
                if count:
                    rules.add_row(m.name, rule, f"{count:,}")
        if rules.row_count:
            console.print(rules)
    steps = ", ".join(f"{step} {seconds:.1f}s" for step, seconds in report.timings.items())
    if steps:
        console.print(f"Time per step: {steps}")
    if ingest is not None:
        for f in ingest.failed:
            console.print(f"[red]failed:[/] {f.message}")


def print_status(console: Console, status: WarehouseStatus) -> None:
    console.print(f"Warehouse: {status.database}")
    files = Table(title="Landing files by table", title_justify="left")
    headers = (
        "table",
        "ingested",
        "empty",
        "failed",
        "skipped changed",
        "skipped duplicate",
        "rows",
        "quarantined",
        "last batch",
    )
    for column in headers:
        files.add_column(column, justify="left" if column == "table" else "right")
    for t in status.files:
        files.add_row(
            t.table,
            str(t.ingested),
            str(t.empty),
            str(t.failed),
            str(t.skipped_modified),
            str(t.skipped_duplicate),
            f"{t.rows:,}",
            f"{t.quarantined:,}",
            str(t.last_batch or "-"),
            style="red" if t.failed else None,
        )
    console.print(files)
    tables = Table(title="Tables", title_justify="left")
    tables.add_column("layer")
    tables.add_column("table")
    tables.add_column("rows", justify="right")
    for layer, name, rows in status.tables:
        tables.add_row(layer, name, f"{rows:,}")
    console.print(tables)
    for skip in status.skips:
        console.print(f"[yellow]skipped file:[/] {skip}")
    for failure in status.failures:
        console.print(f"[red]failed file:[/] {failure}")
    if status.last_run is not None:
        print_last_run(console, status.last_run)


def print_last_run(console: Console, record: dict[str, Any]) -> None:
    """The latest run record: when, what, how it ended, and its checks that did not pass."""
    style = "green" if record["status"] == "success" else "red"
    console.print(
        f"Last {record['command']}: {record['run_id']} on {record['backend']}, "
        f"finished {record['finished_at']}: [{style}]{record['status']}[/]",
        soft_wrap=True,
    )
    if record.get("error"):
        console.print(f"[red]error:[/] {record['error']}", soft_wrap=True, markup=False)
    if not record.get("checks_enabled", True):
        console.print("[yellow]checks were skipped (--no-checks)[/]")
    summary = record.get("check_summary") or {}
    if summary:
        console.print(
            "Checks: " + ", ".join(f"{n} {s}" for s, n in sorted(summary.items())), soft_wrap=True
        )
    for check in record.get("checks", []):
        if check["status"] != "pass":
            column = f" column {check['column']}" if check.get("column") else ""
            console.print(
                f"  {check['status']}: {', '.join(check['models'])}{column}: {check['check']} "
                f"failed on {check['failures']:,} rows [{check['id']}]",
                soft_wrap=True,
                markup=False,
            )


STATUS_STYLE = {"fail": "red", "warn": "yellow", "quarantined": "magenta", "pass": "green"}


def print_checks(console: Console, checks: list[CheckResult], *, verbose: bool) -> None:
    """A line of totals; then every check that did not pass, with a few of its rows."""
    if not checks:
        return
    totals: dict[str, int] = {}
    for check in checks:
        totals[check.status] = totals.get(check.status, 0) + 1
    summary = ", ".join(
        f"[{STATUS_STYLE[s]}]{n} {s}[/]" for s, n in sorted(totals.items(), key=lambda i: i[0])
    )
    contracts = sum(1 for c in checks if c.kind == "contract")
    console.print(
        f"Checks: {contracts} contract checks and {len(checks) - contracts} data tests: {summary}"
    )
    for check in checks:
        if check.status == "pass":
            continue
        style = STATUS_STYLE[check.status]
        console.print(f"[{style}]{check.status}:[/] {escape(check.describe())}", soft_wrap=True)
        for row in check.sample[: 3 if verbose else 1]:
            console.print(f"    {row}", soft_wrap=True, markup=False, highlight=False)
