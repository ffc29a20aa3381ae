"""The only orchestration with side effects: ingest, build each model, validate, publish."""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from medallion.changes import ModelState, forget_changes, read_state, write_state
from medallion.config import Settings
from medallion.engines import Engine, connect
from medallion.errors import LandingError, LockError
from medallion.faults import checkpoint
from medallion.ingest import IngestPolicy, IngestReport, ingest, read_ledger
from medallion.ingest.landing import LandingFile, check_landing
from medallion.ingest.ledger import LedgerEntry
from medallion.lock import warehouse_lock
from medallion.models.bronze import bronze_schema
from medallion.quality.datatests import DataTest, tests_for
from medallion.quality.evaluate import check_warehouse
from medallion.quality.gate import Gate
from medallion.quality.results import CheckResult
from medallion.registry import ModelSpec, load_models, select
from medallion.run_record import FORMAT, new_run_id, write_record
from medallion.sources import BY_BRONZE_NAME
from medallion.strategies import BuildContext, ModelResult, build_model


@dataclass
class RunReport:
    """What a run did; the CLI prints it, jobs log it, tests assert on it."""

    selected: list[str]
    ingest: IngestReport | None = None
    models: list[ModelResult] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    run_id: str = field(default_factory=new_run_id)
    command: str = "run"
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    finished_at: dt.datetime | None = None
    error: str | None = None
    checks_enabled: bool = True

    @property
    def ok(self) -> bool:
        """No file failed, no error stopped the run, no error-severity check failed."""
        files_ok = self.ingest is None or not self.ingest.failed
        return files_ok and self.error is None and not any(c.stops_run for c in self.checks)

    def to_record(self, settings: Settings) -> dict[str, Any]:
        """The run as plain JSON (docs/run-results.md describes every field)."""
        ingest = self.ingest
        tables: dict[str, dict[str, int]] = {}
        for f in ingest.files if ingest else []:
            entry = tables.setdefault(f.table, {"files": 0, "rows": 0, "quarantined": 0})
            entry["files"] += 1
            entry["rows"] += f.rows
            entry["quarantined"] += f.quarantined
        statuses = [c.status for c in self.checks]
        return {
            "format": FORMAT,
            "run_id": self.run_id,
            "command": self.command,
            "status": "success" if self.ok else "error",
            "error": self.error,
            "backend": settings.backend,
            "warehouse": str(settings.warehouse),
            "landing": str(settings.landing) if settings.landing else None,
            "as_of": settings.as_of.isoformat(),
            "started_at": self.started_at.isoformat(),
            "finished_at": (self.finished_at or dt.datetime.now(dt.UTC)).isoformat(),
            "selected": self.selected,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "ingest": None
            if ingest is None
            else {
                "batch_id": ingest.batch_id,
                "files_skipped": ingest.skipped,
                "tables": tables,
                "files": [
                    {
                        "path": f.path,
                        "table": f.table,
                        "status": f.status,
                        "rows": f.rows,
                        "quarantined": f.quarantined,
                        "message": f.message,
                    }
                    for f in [*ingest.files, *ingest.skipped_files]
                ],
            },
            "models": [
                {
                    "name": m.name,
                    "rows": m.rows,
                    "mode": m.mode,
                    "seconds": round(m.seconds, 3),
                    "rule_counts": m.rule_counts,
                }
                for m in self.models
            ],
            "checks_enabled": self.checks_enabled,
            "check_summary": {s: statuses.count(s) for s in sorted(set(statuses))},
            "checks": [c.to_json() for c in self.checks],
            "warnings": self.warnings,
        }


class Progress:
    """Hooks for a progress display; the default shows nothing."""

    def file_started(self, file: LandingFile, index: int, total: int) -> None: ...

    def model_started(self, name: str, index: int, total: int) -> None: ...

    def finished(self) -> None: ...


def ensure_bronze_tables(engine: Engine) -> None:
    """Create every known bronze table, empty, so models can run before all exports landed."""
    for spec in BY_BRONZE_NAME.values():
        if not engine.exists("bronze", spec.bronze_name):
            engine.append("bronze", spec.bronze_name, bronze_schema(spec.columns).empty_table())


def preflight(settings: Settings, select_: Iterable[str] = ()) -> list[str]:
    """The models a run would build, after checking what can be checked before it starts."""
    names = select(load_models(), select_)
    if any(n.startswith("bronze.") for n in names):
        if settings.landing is None:
            raise LandingError("no landing folder given: pass --landing DIR")
        if settings.backend == "duckdb":  # Spark's store checks its root when it lists it
            check_landing(settings.landing)
    return names


def run(
    settings: Settings,
    *,
    select_: Iterable[str] = (),
    full_refresh: bool = False,
    policy: IngestPolicy | None = None,
    progress: Progress | None = None,
    engine: Engine | None = None,
    checks: bool = True,
) -> RunReport:
    """Ingest new landing files, then bring the selected silver and gold models up to date.

    The warehouse is locked for the whole run: a second run fails at once naming the holder.

    Merge models recompute only the partitions new data touches; ``full_refresh`` rebuilds
    every selected model from all of bronze instead, and must give the same tables. Silver and
    gold are published in one transaction: a model or contract that fails leaves the
    previously published tables exactly as they were.

    Every model's new rows pass its contract and data tests before they are published
    (``checks=False`` skips them: for benchmarks and emergencies). The run's record is written
    to ``<warehouse>/run_results.json`` whether it succeeds or fails.
    """
    progress = progress or Progress()
    specs = load_models()
    names = preflight(settings, select_)
    report = RunReport(selected=names, checks_enabled=checks)
    with (
        _fewer_collections(),
        _recorded(settings, report),
        warehouse_lock(settings.warehouse) as lock,
    ):
        if lock.recovered:
            report.warnings.append(lock.recovered)
        own_engine = engine is None
        engine = engine or connect(settings)
        gate = Gate(engine, settings.severity, run=0, enabled=checks)
        try:
            _run_locked(
                engine, settings, specs, names, report, progress, policy, full_refresh, gate
            )
        finally:
            report.checks = gate.results
            progress.finished()
            if own_engine:
                engine.close()
    return report


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cyclic garbage collector at a fourteenth of its usual rate, for the run.

    A run builds and compiles some 150 Ibis expressions: millions of small objects, very few
    of them garbage cycles. At the default threshold (700 new objects) the collector ran about
    400 times in an incremental run at scale 100, 0.25 s of its 5 s; at 10,000, about 20
    times, 0.06 s. The process's own setting (a test session's, a notebook's) comes back after.
    """
    before = gc.get_threshold()
    gc.set_threshold(10_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def audit_warehouse(
    settings: Settings, *, select_: Iterable[str] = (), progress: Progress | None = None
) -> RunReport:
    """Check every contract and data test of the selected models on the published warehouse;
    the results go to the run record like a run's."""
    progress = progress or Progress()
    specs = load_models()
    names = select(specs, select_)
    if not settings.built():
        raise LandingError(
            f"no warehouse at {settings.where()}: run `medallion run` first (or pass --warehouse)"
        )
    report = RunReport(selected=names, command="test")
    with (
        _fewer_collections(),
        _recorded(settings, report),
        warehouse_lock(settings.warehouse),
        connect(settings) as engine,
    ):
        started = time.perf_counter()
        done = 0

        def on_check(label: str) -> None:
            nonlocal done
            done += 1
            progress.model_started(label, done, done + 1)

        try:
            report.checks = check_warehouse(
                engine, specs, names, settings.severity, on_check=on_check
            )
        finally:
            progress.finished()
        report.timings["checks"] = time.perf_counter() - started
    return report


@contextmanager
def _recorded(settings: Settings, report: RunReport) -> Iterator[None]:
    """Write the report's run record however the work inside ends, failures included; but not
    when another run holds the warehouse: it is not this run's record to write."""
    try:
        yield
    except LockError:
        raise
    except BaseException as exc:
        report.error = str(exc) or type(exc).__name__
        report.finished_at = dt.datetime.now(dt.UTC)
        _write_record(settings, report)
        raise
    report.finished_at = dt.datetime.now(dt.UTC)
    _write_record(settings, report)


def _write_record(settings: Settings, report: RunReport) -> None:
    if settings.warehouse.is_dir():
        write_record(settings.warehouse, report.to_record(settings))


def _run_locked(
    engine: Engine,
    settings: Settings,
    specs: dict[str, ModelSpec],
    names: list[str],
    report: RunReport,
    progress: Progress,
    policy: IngestPolicy | None,
    full_refresh: bool,
    gate: Gate,
) -> None:
    ensure_bronze_tables(engine)
    if any(specs[n].layer == "bronze" for n in names):
        assert settings.landing is not None  # preflight checked it
        started = time.perf_counter()
        report.ingest = ingest(
            engine, settings.landing, policy=policy, on_file=progress.file_started
        )
        report.timings["ingest"] = time.perf_counter() - started
    build = [specs[n] for n in names if specs[n].func is not None]
    state = read_state(engine)
    ledger = read_ledger(engine)
    ctx = BuildContext(
        engine,
        settings,
        run=max((s.run for s in state.values()), default=0) + 1,
        batch=max((e.batch_id for e in ledger), default=0),
        state=state,
        gate=gate,
        full_refresh=full_refresh,
    )
    gate.run = ctx.run
    gate.tests_at = _tests_at(build, settings)
    with engine.transaction():
        started = time.perf_counter()
        _check_bronze(specs, build, ctx, ledger)
        report.timings["bronze checks"] = time.perf_counter() - started
        for index, spec in enumerate(build):
            progress.model_started(spec.name, index, len(build))
            report.models.append(build_model(spec, ctx))
            checkpoint(f"build:{spec.layer}")
        ctx.cuts.release()
        write_state(engine, ctx.state)
        _forget_consumed_changes(engine, specs, ctx.state)
    for layer in ("silver", "gold"):
        report.timings[layer] = sum(
            m.seconds for m in report.models if m.name.startswith(f"{layer}.")
        )
    report.timings["checks"] = sum(gate.seconds.values())


def _tests_at(build: list[ModelSpec], settings: Settings) -> dict[str, list[DataTest]]:
    """Each data test runs once, when the last of the models it reads that this run builds
    is staged: by then the others are final for this run."""
    order = {spec.name: i for i, spec in enumerate(build)}
    at: dict[str, list[DataTest]] = {}
    for test in tests_for(order, settings.severity):
        last = max((m for m in test.models if m in order), key=order.__getitem__)
        at.setdefault(last, []).append(test)
    return at


def _check_bronze(
    specs: dict[str, ModelSpec],
    build: list[ModelSpec],
    ctx: BuildContext,
    ledger: list[LedgerEntry],
) -> None:
    """Audit the bronze rows this run's models are about to read for the first time. A table
    the ledger records no such rows for has none to audit: a delivery often brings an empty
    file for a table, or none (about 20 ms a table to check nothing, at any scale)."""
    read = {name for spec in build for name in spec.inputs if name.startswith("bronze.")}
    for name in sorted(read):
        previous = ctx.state.get(name)
        since = 0 if previous is None or ctx.full_refresh else previous.batch
        if _delivered(ledger, name.split(".", 1)[1], since):
            ctx.gate.check_bronze(specs[name], since)
        ctx.state[name] = ModelState(ctx.batch, ctx.run, previous.full_run if previous else ctx.run)


def _delivered(ledger: list[LedgerEntry], table: str, since: int) -> bool:
    """Whether batches after ``since`` may have added rows to bronze ``table`` (an entry
    from before the ledger recorded tables and rows may have)."""
    return any(e.batch_id > since and e.table_name in (table, None) and e.rows != 0 for e in ledger)


def _forget_consumed_changes(
    engine: Engine, specs: dict[str, ModelSpec], state: dict[str, ModelState]
) -> None:
    """Keep each change log only as long as a consumer has not taken it in (a model nothing
    reads keeps none)."""
    for name in specs:
        if name not in state:
            continue
        consumers = [c for c, spec in specs.items() if name in spec.inputs]
        runs = [state[c].run for c in consumers if c in state]
        if len(runs) == len(consumers):
            forget_changes(engine, name, min(runs, default=state[name].run))
