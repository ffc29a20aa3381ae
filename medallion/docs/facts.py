"""What the warehouse says about each table: row counts, quarantined rows, last check results.

Read-only, and optional: without a warehouse the docs still build and say "not built yet".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medallion.config import Settings
from medallion.engines import Engine, connect
from medallion.ingest.load import QUARANTINE_TABLE
from medallion.quality.gate import quarantine_table
from medallion.registry import ModelSpec
from medallion.run_record import FORMAT, HISTORY, LATEST


@dataclass(frozen=True)
class CheckOutcome:
    """The latest recorded result of one check: which run, what it did, how many rows."""

    status: str
    failures: int | None
    run_id: str
    command: str
    finished_at: str | None


@dataclass
class WarehouseFacts:
    built: bool
    database: Path
    rows: dict[str, int] = field(default_factory=dict)  # model -> rows (tables that exist)
    quarantined: dict[str, int] = field(default_factory=dict)  # model -> rows held back
    results: dict[str, CheckOutcome] = field(default_factory=dict)  # check id -> latest
    last_run: dict[str, Any] | None = None

    def rows_of(self, model: str) -> int | None:
        return self.rows.get(model)


def warehouse_facts(settings: Settings, specs: dict[str, ModelSpec]) -> WarehouseFacts:
    """Row counts of every registered table and the last result of every check, when a
    warehouse exists; an empty record (``built`` false) otherwise. Never creates a warehouse."""
    facts = WarehouseFacts(built=settings.built(), database=settings.database)
    facts.results, facts.last_run = last_check_results(settings.warehouse)
    if not facts.built:
        return facts
    with connect(settings) as engine:
        for name, spec in specs.items():
            if engine.exists(spec.layer, spec.table):
                facts.rows[name] = engine.count(spec.layer, spec.table)
            held = _quarantined(engine, spec)
            if held is not None:
                facts.quarantined[name] = held
    return facts


def _quarantined(engine: Engine, spec: ModelSpec) -> int | None:
    """Rows of ``spec``'s table held back: unreadable landing rows for bronze, rows failing a
    quarantine check for silver and gold. None when there is no such table."""
    if spec.layer == "bronze":
        if not engine.exists("bronze", QUARANTINE_TABLE):
            return None
        table = engine.table("bronze", QUARANTINE_TABLE)
        expr = table.filter(table.table_name == spec.table).count()
        return int(engine.to_arrow(expr.as_table()).column(0)[0].as_py())
    name = quarantine_table(spec.table)
    return engine.count(spec.layer, name) if engine.exists(spec.layer, name) else None


def last_check_results(
    warehouse: Path,
) -> tuple[dict[str, CheckOutcome], dict[str, Any] | None]:
    """The latest recorded outcome of each check id over every run record (a run checks only
    what it built, so the latest record alone may not mention a check), and the latest record.
    """
    records: list[dict[str, Any]] = []
    history = warehouse / HISTORY
    paths = sorted(history.glob("*.json")) if history.is_dir() else []
    for path in [*paths, warehouse / LATEST]:
        record = _read_record(path)
        if record is not None:
            records.append(record)
    records.sort(key=lambda r: str(r.get("run_id", "")))
    results: dict[str, CheckOutcome] = {}
    for record in records:
        for check in record.get("checks") or []:
            if not isinstance(check, dict) or "id" not in check:
                continue
            failures = check.get("failures")
            results[str(check["id"])] = CheckOutcome(
                status=str(check.get("status", "?")),
                failures=failures if isinstance(failures, int) else None,
                run_id=str(record.get("run_id", "")),
                command=str(record.get("command", "")),
                finished_at=record.get("finished_at"),
            )
    return results, (records[-1] if records else None)


def _read_record(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("format") == FORMAT else None
