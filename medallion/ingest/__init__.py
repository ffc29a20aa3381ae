"""Ingestion: landing CSV files into append-only bronze tables, each file exactly once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from medallion.engines.base import META, Engine
from medallion.ingest.csv_reader import FileRejected, FileStats, chunk_to_arrow, read_chunks
from medallion.ingest.landing import LandingFile, discover
from medallion.ingest.ledger import (
    LEDGER_SCHEMA,
    LEDGER_TABLE,
    LedgerEntry,
    ledger_row,
    next_batch_id,
    plan_ingestion,
)

QUARANTINE_TABLE = "quarantine"
QUARANTINE_SCHEMA = pa.schema(
    [
        ("table_name", pa.string()),
        ("_source_file", pa.string()),
        ("_source_row", pa.int64()),
        ("_batch_id", pa.int64()),
        ("_ingested_at", pa.timestamp("us", tz="UTC")),
        ("raw_text", pa.string()),
        ("reason", pa.string()),
    ]
)


@dataclass(frozen=True)
class FileOutcome:
    path: str
    table: str
    status: str  # ingested | empty | failed
    rows: int
    quarantined: int
    message: str | None = None


@dataclass
class IngestReport:
    batch_id: int | None
    files: list[FileOutcome] = field(default_factory=list)
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "failed"]

    def rows_by_table(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for f in self.files:
            totals[f.table] = totals.get(f.table, 0) + f.rows
        return totals


def read_ledger(engine: Engine) -> list[LedgerEntry]:
    if not engine.exists(META, LEDGER_TABLE):
        return []
    table = engine.to_arrow(
        engine.table(META, LEDGER_TABLE).select("path", "size", "mtime_ns", "batch_id", "status")
    )
    return [LedgerEntry(**row) for row in table.to_pylist()]


def ingest(
    engine: Engine,
    landing: Path,
    *,
    on_file: Callable[[LandingFile, int, int], None] | None = None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> IngestReport:
    """Append every new landing file to its bronze table, one transaction per file.

    A file's rows, its quarantined rows and its ledger entry commit together, so a crash at
    any point followed by a rerun neither loses nor duplicates a row.
    """
    discovery = discover(landing)
    ledger = read_ledger(engine)
    plan = plan_ingestion(discovery.files, ledger)
    report = IngestReport(batch_id=None, skipped=len(plan.already), warnings=discovery.warnings)
    for file in plan.modified:
        report.warnings.append(
            f"{file.path}: changed since it was ingested (size or modification time); "
            "not ingested again. Drop changed data as a new file."
        )
    if not plan.new:
        return report
    batch_id = next_batch_id(ledger)
    report.batch_id = batch_id
    for index, file in enumerate(plan.new):
        if on_file:
            on_file(file, index, len(plan.new))
        report.files.append(_ingest_file(engine, landing, file, batch_id, now()))
    return report


def _ingest_file(
    engine: Engine, landing: Path, file: LandingFile, batch_id: int, at: dt.datetime
) -> FileOutcome:
    table = file.table
    stats = FileStats()
    try:
        with engine.transaction():
            for columns, values, rows in read_chunks(
                file.absolute(landing), table.required, table.columns, stats
            ):
                n = len(rows)
                chunk = chunk_to_arrow(
                    columns,
                    values,
                    {
                        "_source_file": pa.array([file.path] * n, pa.string()),
                        "_source_row": pa.array(rows, pa.int64()),
                        "_batch_id": pa.array([batch_id] * n, pa.int64()),
                        "_ingested_at": pa.array([at] * n, pa.timestamp("us", tz="UTC")),
                    },
                )
                engine.append("bronze", table.bronze_name, chunk)
            if stats.quarantined:
                engine.append(
                    "bronze", QUARANTINE_TABLE, _quarantine_rows(file, stats, batch_id, at)
                )
            outcome = FileOutcome(
                file.path,
                table.bronze_name,
                "empty" if stats.empty else "ingested",
                stats.rows,
                len(stats.quarantined),
                _describe(stats),
            )
            _record(engine, file, outcome, batch_id, stats.blank_lines, at)
    except (FileRejected, OSError) as exc:
        # The transaction rolled back whatever the file had appended; only the failure stays.
        outcome = FileOutcome(file.path, table.bronze_name, "failed", 0, 0, f"{file.path}: {exc}")
        _record(engine, file, outcome, batch_id, 0, at)
    return outcome


def _record(
    engine: Engine,
    file: LandingFile,
    outcome: FileOutcome,
    batch_id: int,
    blank_lines: int,
    at: dt.datetime,
) -> None:
    engine.append(
        META,
        LEDGER_TABLE,
        ledger_row(
            file,
            batch_id=batch_id,
            status=outcome.status,
            rows=outcome.rows,
            quarantined=outcome.quarantined,
            blank_lines=blank_lines,
            message=outcome.message,
            at=at,
        ),
    )


def _quarantine_rows(
    file: LandingFile, stats: FileStats, batch_id: int, at: dt.datetime
) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "table_name": file.table.bronze_name,
                "_source_file": file.path,
                "_source_row": q.row,
                "_batch_id": batch_id,
                "_ingested_at": at,
                "raw_text": q.raw_text,
                "reason": q.reason,
            }
            for q in stats.quarantined
        ],
        schema=QUARANTINE_SCHEMA,
    )


def _describe(stats: FileStats) -> str | None:
    notes = []
    if stats.missing_columns:
        notes.append(f"missing column(s) {', '.join(stats.missing_columns)} (null in bronze)")
    if stats.extra_columns:
        notes.append(f"new column(s) {', '.join(stats.extra_columns)} (added to bronze)")
    if stats.empty:
        notes.append("0-byte file")
    return "; ".join(notes) or None


__all__ = ["LEDGER_SCHEMA", "IngestReport", "ingest", "read_ledger"]
