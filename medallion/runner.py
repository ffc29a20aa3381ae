"""The only orchestration with side effects: ingest, build each model, validate, publish."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from medallion.changes import ModelState, forget_changes, read_state, write_state
from medallion.config import Settings
from medallion.engines import Engine, connect
from medallion.errors import LandingError
from medallion.faults import checkpoint
from medallion.ingest import IngestPolicy, IngestReport, ingest, read_ledger
from medallion.ingest.landing import LandingFile, check_landing
from medallion.lock import warehouse_lock
from medallion.models.bronze import bronze_schema
from medallion.registry import ModelSpec, load_models, select
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

    @property
    def ok(self) -> bool:
        return self.ingest is None or not self.ingest.failed


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
) -> RunReport:
    """Ingest new landing files, then bring the selected silver and gold models up to date.

    The warehouse is locked for the whole run: a second run fails at once naming the holder.

    Merge models recompute only the partitions new data touches; ``full_refresh`` rebuilds
    every selected model from all of bronze instead, and must give the same tables. Silver and
    gold are published in one transaction: a model or contract that fails leaves the
    previously published tables exactly as they were.
    """
    progress = progress or Progress()
    specs = load_models()
    names = preflight(settings, select_)
    report = RunReport(selected=names)
    with warehouse_lock(settings.warehouse) as lock:
        if lock.recovered:
            report.warnings.append(lock.recovered)
        own_engine = engine is None
        engine = engine or connect(settings)
        try:
            _run_locked(engine, settings, specs, names, report, progress, policy, full_refresh)
        finally:
            progress.finished()
            if own_engine:
                engine.close()
    return report


def _run_locked(
    engine: Engine,
    settings: Settings,
    specs: dict[str, ModelSpec],
    names: list[str],
    report: RunReport,
    progress: Progress,
    policy: IngestPolicy | None,
    full_refresh: bool,
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
    ctx = BuildContext(
        engine,
        settings,
        run=max((s.run for s in state.values()), default=0) + 1,
        batch=max((e.batch_id for e in read_ledger(engine)), default=0),
        state=state,
        full_refresh=full_refresh,
    )
    with engine.transaction():
        for index, spec in enumerate(build):
            progress.model_started(spec.name, index, len(build))
            report.models.append(build_model(spec, ctx))
            checkpoint(f"build:{spec.layer}")
        write_state(engine, ctx.state)
        _forget_consumed_changes(engine, specs, ctx.state)
    for layer in ("silver", "gold"):
        report.timings[layer] = sum(
            m.seconds for m in report.models if m.name.startswith(f"{layer}.")
        )


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
