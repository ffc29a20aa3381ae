"""Ingestion: landing CSV files into append-only bronze tables, each file exactly once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from medallion.engines.base import Engine
from medallion.ingest.csv_reader import file_sha256
from medallion.ingest.landing import FileRejected, LandingFile, LandingStore
from medallion.ingest.ledger import (
    FAILED,
    LEDGER_SCHEMA,
    files_to_hash,
    next_batch_id,
    plan_ingestion,
    read_ledger,
)
from medallion.ingest.load import (
    BRONZE_METADATA,
    QUARANTINE_SCHEMA,
    QUARANTINE_TABLE,
    Delivery,
    FileOutcome,
)
from medallion.ingest.policy import IngestPolicy


@dataclass
class IngestReport:
    """What one ingestion did. ``skipped`` counts files settled by earlier runs (ingested,
    failed, or a skip already reported); ``skipped_files`` are the skips reported now."""

    batch_id: int | None
    files: list[FileOutcome] = field(default_factory=list)
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)
    skipped_files: list[FileOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == FAILED]

    def rows_by_table(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for f in self.files:
            totals[f.table] = totals.get(f.table, 0) + f.rows
        return totals


def ingest(
    engine: Engine,
    landing: Path | LandingStore,
    *,
    policy: IngestPolicy | None = None,
    on_file: Callable[[LandingFile, int, int], None] | None = None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> IngestReport:
    """Append every new landing file to its bronze table, exactly once.

    A file's rows, its quarantined rows and its ledger entry commit together (in groups of
    files, see ``Delivery``), so a crash at any point followed by a rerun neither loses nor
    duplicates a row. Changed and duplicate files follow ``policy`` (default: reported once
    and skipped).
    """
    policy = policy or IngestPolicy()
    store = engine.landing(landing) if isinstance(landing, Path) else landing
    discovery = store.discover()
    ledger = read_ledger(engine)
    hashes = _hashes(store, files_to_hash(discovery.files, ledger, policy))
    plan = plan_ingestion(discovery.files, ledger, hashes, policy)
    report = IngestReport(batch_id=None, skipped=len(plan.already), warnings=discovery.warnings)
    # Every ledger entry of this run carries its number, skips and failures included (they
    # name the run that reported them); report.batch_id is set only when files were read.
    batch_id = next_batch_id(ledger)
    delivery = Delivery(engine, store, policy, batch_id)
    for decision in plan.skipped:
        outcome = delivery.skip(decision, ledger, now())
        report.skipped_files.append(outcome)
        report.warnings.append(outcome.message or outcome.path)
    todo = plan.new
    if todo:
        report.batch_id = batch_id
    for index, decision in enumerate(todo):
        if on_file:
            on_file(decision.file, index, len(todo))
        report.files.append(delivery.add(decision, now()))
    delivery.flush()
    return report


def _hashes(store: LandingStore, files: list[LandingFile]) -> dict[str, str]:
    """Content hashes of the files the plan needs them for; an unreadable file has none (its
    read fails later, with the reason)."""
    found: dict[str, str] = {}
    for file in files:
        try:
            with store.open(file) as handle:
                found[file.path] = file_sha256(handle)
        except (FileRejected, OSError):
            continue
    return found


__all__ = [
    "BRONZE_METADATA",
    "LEDGER_SCHEMA",
    "QUARANTINE_SCHEMA",
    "QUARANTINE_TABLE",
    "FileOutcome",
    "IngestPolicy",
    "IngestReport",
    "ingest",
    "read_ledger",
]
