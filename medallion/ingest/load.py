"""Loading one landing file into bronze: rows, quarantine and ledger entry in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa

from medallion.engines.base import META, Engine
from medallion.faults import checkpoint
from medallion.ingest.csv_reader import FileStats, NotPlain, chunk_to_arrow, read_chunks
from medallion.ingest.landing import (
    FileChanged,
    FileRejected,
    LandingFile,
    LandingStore,
)
from medallion.ingest.ledger import (
    EMPTY,
    FAILED,
    INGESTED,
    LANDED,
    LEDGER_TABLE,
    Decision,
    LedgerEntry,
    ledger_row,
    skip_status,
)
from medallion.ingest.policy import ADD_NEW_COLUMNS, RESCUE, RESCUED_COLUMN, IngestPolicy

# The metadata every bronze row carries; medallion.models.bronze.METADATA_SCHEMA is the same.
BRONZE_METADATA = pa.schema(
    [
        ("_source_file", pa.string()),
        ("_source_row", pa.int64()),
        ("_batch_id", pa.int64()),
        ("_ingested_at", pa.timestamp("us", tz="UTC")),
    ]
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
    status: str  # ingested | empty | failed | skipped_modified | skipped_duplicate
    rows: int
    quarantined: int
    message: str | None = None


def _ensure_table(engine: Engine, name: str, declared: tuple[str, ...], mode: str) -> None:
    """Give the bronze table its declared columns (a missing one is null, SPEC 1), and under
    ``rescue`` its ``_rescued_data`` column, before the first file lands in it."""
    columns = [*declared, *([RESCUED_COLUMN] if mode == RESCUE else [])]
    have = set(engine.table("bronze", name).columns) if engine.exists("bronze", name) else set()
    if not set(columns) <= have:
        empty = pa.schema([pa.field(c, pa.string()) for c in columns] + list(BRONZE_METADATA))
        engine.append("bronze", name, empty.empty_table())


def _known_columns(engine: Engine, name: str, declared: tuple[str, ...]) -> frozenset[str]:
    """A table's current schema, as Auto Loader sees it: the declared columns plus any a file
    added earlier (``_unnamed`` included), not the metadata ingestion adds."""
    columns = set(declared)
    if engine.exists("bronze", name):
        columns.update(engine.table("bronze", name).columns)
    return frozenset(columns - {*BRONZE_METADATA.names, RESCUED_COLUMN})


def ingest_file(
    engine: Engine,
    store: LandingStore,
    decision: Decision,
    policy: IngestPolicy,
    batch_id: int,
    at: dt.datetime,
) -> FileOutcome:
    file, table = decision.file, decision.file.table
    try:
        try:
            outcome = _load(engine, store, decision, policy, batch_id, at, fast=True)
        except NotPlain:  # rolled back: read it again, row by row
            outcome = _load(engine, store, decision, policy, batch_id, at, fast=False)
        checkpoint("ingest:file")
    except FileRejected as exc:
        # The transaction rolled back whatever the file had appended; only the failure stays,
        # so this version is not retried until it changes.
        outcome = FileOutcome(file.path, table.bronze_name, FAILED, 0, 0, f"{file.path}: {exc}")
        record(engine, file, outcome, batch_id, 0, at, None)
    except FileChanged as exc:  # transient: not recorded, so the next run reads it again
        outcome = FileOutcome(file.path, table.bronze_name, FAILED, 0, 0, f"{file.path}: {exc}")
    except OSError as exc:  # transient too (permissions, a vanished file, I/O)
        outcome = FileOutcome(
            file.path,
            table.bronze_name,
            FAILED,
            0,
            0,
            f"{file.path}: cannot be read ({exc.strerror or exc}); nothing of it was kept, "
            "fix access to it and run again",
        )
    return outcome


def _load(
    engine: Engine,
    store: LandingStore,
    decision: Decision,
    policy: IngestPolicy,
    batch_id: int,
    at: dt.datetime,
    *,
    fast: bool,
) -> FileOutcome:
    """One file's rows, quarantined rows and ledger entry, in one transaction."""
    file, table = decision.file, decision.file.table
    mode = policy.mode(table.bronze_name)
    stats = FileStats()
    with engine.transaction():
        _ensure_table(engine, table.bronze_name, table.columns, mode)
        known = _known_columns(engine, table.bronze_name, table.columns)
        with store.open(file) as handle:
            chunks = read_chunks(
                handle, required=table.required, known=known, mode=mode, stats=stats, fast=fast
            )
            for columns, values, rows in chunks:
                n = len(rows)
                chunk = chunk_to_arrow(
                    columns,
                    values,
                    {
                        "_source_file": pa.repeat(file.path, n).cast(pa.string()),
                        "_source_row": pa.array(rows, pa.int64()),
                        "_batch_id": pa.repeat(batch_id, n).cast(pa.int64()),
                        "_ingested_at": pa.repeat(pa.scalar(at, pa.timestamp("us", tz="UTC")), n),
                    },
                )
                engine.append("bronze", table.bronze_name, chunk)
                checkpoint("ingest:chunk")
            store.check_unchanged(handle, file)
        if stats.quarantined:
            engine.append("bronze", QUARANTINE_TABLE, _quarantine_rows(file, stats, batch_id, at))
        outcome = FileOutcome(
            file.path,
            table.bronze_name,
            EMPTY if stats.empty else INGESTED,
            stats.rows,
            len(stats.quarantined),
            _describe(stats, decision),
        )
        record(engine, file, outcome, batch_id, stats.blank_lines, at, stats.content_hash)
    return outcome


def record(
    engine: Engine,
    file: LandingFile,
    outcome: FileOutcome,
    batch_id: int,
    blank_lines: int,
    at: dt.datetime,
    content_hash: str | None,
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
            content_hash=content_hash,
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


def _describe(stats: FileStats, decision: Decision) -> str | None:
    """The ledger message of a file that landed: what differed from the table's schema."""
    notes = []
    if stats.missing_columns:
        notes.append(f"missing column(s) {', '.join(stats.missing_columns)} (null in bronze)")
    if stats.extra_columns:
        new = ", ".join(stats.extra_columns)
        if stats.mode == ADD_NEW_COLUMNS:
            notes.append(f"new column(s) {new} (added to bronze)")
        elif stats.mode == RESCUE:
            notes.append(f"new column(s) {new} kept in {RESCUED_COLUMN} (mode rescue)")
        else:
            notes.append(f"new column(s) {new} dropped (schema evolution mode {stats.mode})")
    if stats.empty:
        notes.append("blank lines only, no header" if stats.blank_only else "0-byte file")
    if decision.kind == "modified":
        notes.append(
            "a new version of a file ingested before (on_modified=reingest): its earlier rows "
            "stay in bronze and this batch wins downstream"
        )
    elif decision.kind == "duplicate":
        notes.append(f"same bytes as {decision.same_as}, ingested anyway (on_duplicate=ingest)")
    return "; ".join(notes) or None


def record_skip(
    engine: Engine, decision: Decision, ledger: list[LedgerEntry], batch_id: int, at: dt.datetime
) -> FileOutcome:
    """Record a skip in the ledger so it is reported once, not on every run."""
    file = decision.file
    if decision.kind == "modified":
        batches = [e.batch_id for e in ledger if e.path == file.path and e.status in LANDED]
        message = (
            f"{file.path}: changed since it was ingested in batch {max(batches, default=0)} "
            "(other size or modification time); not ingested again (on_modified=skip). "
            "Drop changed data as a new file, or ingest with on_modified='reingest' "
            "to load this version as a new delivery."
        )
    else:
        message = (
            f"{file.path}: same bytes as {decision.same_as}, so its rows would land twice; "
            "not ingested (on_duplicate=skip). If it is a real second delivery, ingest with "
            "on_duplicate='ingest'."
        )
    status = skip_status(decision)
    outcome = FileOutcome(file.path, file.table.bronze_name, status, 0, 0, message)
    record(engine, file, outcome, batch_id, 0, at, decision.content_hash)
    return outcome
