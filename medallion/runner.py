"""The only orchestration with side effects: ingest, build each model, validate, publish."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import ibis.expr.types as ir
import pandera.errors
from pandera.config import ValidationDepth, config_context

from medallion.config import Settings
from medallion.engines import Engine, connect
from medallion.errors import ContractError, LandingError
from medallion.ingest import IngestReport, ingest
from medallion.ingest.landing import LandingFile
from medallion.models.bronze import bronze_schema
from medallion.registry import ModelSpec, load_models, select
from medallion.sources import BY_BRONZE_NAME


@dataclass
class ModelResult:
    name: str
    rows: int
    seconds: float
    rule_counts: dict[str, int] = field(default_factory=dict)


@dataclass
class RunReport:
    """What a run did; the CLI prints it, jobs log it, tests assert on it."""

    selected: list[str]
    ingest: IngestReport | None = None
    models: list[ModelResult] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

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


def run(
    settings: Settings,
    *,
    select_: Iterable[str] = (),
    progress: Progress | None = None,
    engine: Engine | None = None,
) -> RunReport:
    """Ingest new landing files, then rebuild the selected silver and gold models.

    Silver and gold are published in one transaction: a model or contract that fails leaves
    the previously published tables exactly as they were.
    """
    progress = progress or Progress()
    specs = load_models()
    names = select(specs, select_)
    report = RunReport(selected=names)
    own_engine = engine is None
    engine = engine or connect(settings)
    try:
        ensure_bronze_tables(engine)
        if any(specs[n].layer == "bronze" for n in names):
            if settings.landing is None:
                raise LandingError("no landing folder given: pass --landing DIR")
            started = time.perf_counter()
            report.ingest = ingest(engine, settings.landing, on_file=progress.file_started)
            report.timings["ingest"] = time.perf_counter() - started
        build = [specs[n] for n in names if specs[n].func is not None]
        with engine.transaction():
            for index, spec in enumerate(build):
                progress.model_started(spec.name, index, len(build))
                report.models.append(_build_model(engine, spec, settings))
        for layer in ("silver", "gold"):
            report.timings[layer] = sum(
                m.seconds for m in report.models if m.name.startswith(f"{layer}.")
            )
    finally:
        progress.finished()
        if own_engine:
            engine.close()
    return report


def _build_model(engine: Engine, spec: ModelSpec, settings: Settings) -> ModelResult:
    started = time.perf_counter()
    inputs = [engine.table(*name.split(".", 1)) for name in spec.inputs]
    built = spec.build(inputs, as_of=settings.as_of)
    engine.replace(spec.layer, spec.table, built.table)
    stored = engine.table(spec.layer, spec.table)
    rows = engine.count(spec.layer, spec.table)
    if spec.contract is not None:
        validate(spec, stored, empty=rows == 0)
    counts = _rule_counts(engine, built.rule_counts)
    return ModelResult(spec.name, rows, time.perf_counter() - started, counts)


def _rule_counts(engine: Engine, counts: ir.Table | None) -> dict[str, int]:
    if counts is None:
        return {}
    row = engine.to_arrow(counts).to_pylist()[0]
    return {name: int(value or 0) for name, value in row.items()}


def validate(spec: ModelSpec, table: ir.Table, *, empty: bool = False) -> None:
    """Check the stored table against its contract on the engine; every failure in one error.

    An empty table is checked for columns and types only: pandera's ibis backend reports
    nulls in an empty column (its aggregates return null over no rows).
    """
    assert spec.contract is not None
    depth = ValidationDepth.SCHEMA_ONLY if empty else ValidationDepth.SCHEMA_AND_DATA
    try:
        with config_context(validation_depth=depth):
            spec.contract.validate(table, lazy=True)  # type: ignore[attr-defined]
    except pandera.errors.SchemaErrors as exc:
        raise ContractError(
            f"{spec.name} failed its contract {spec.contract.__name__}: "
            + "; ".join(_describe_failures(exc))
        ) from None


def _describe_failures(exc: pandera.errors.SchemaErrors) -> list[str]:
    found = []
    for category in exc.message.values():
        for failures in category.values():
            for failure in failures:
                found.append(f"column {failure['column']}: {failure['check']} ({failure['error']})")
    return found[:10]
