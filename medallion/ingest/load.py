"""Loading landing files into bronze: rows, quarantine and ledger entries in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa

from medallion.engines.base import META, Engine
from medallion.faults import checkpoint
from medallion.ingest.csv_reader import (
    FileStats,
    NotPlain,
    Rows,
    Values,
    chunk_to_arrow,
    read_chunks,
)
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


#: Rows held in memory before they are written: files read since the last write go to bronze in
#: one transaction, with their ledger rows. A file alone bigger than this is streamed instead.
FLUSH_BYTES = 128 << 20


def _ensure_table(engine: Engine, name: str, declared: tuple[str, ...], mode: str) -> None:
    """Give the bronze table its declared columns (a missing one is null, SPEC 1), and under
    ``rescue`` its ``_rescued_data`` column, before the first file lands in it."""
    columns = [*declared, *([RESCUED_COLUMN] if mode == RESCUE else [])]
    have = set(engine.table("bronze", name).columns) if engine.exists("bronze", name) else set()
    if not set(columns) <= have:
        empty = pa.schema([pa.field(c, pa.string()) for c in columns] + list(BRONZE_METADATA))
        engine.append("bronze", name, empty.empty_table())


def _bronze_columns(engine: Engine, name: str) -> set[str]:
    return set(engine.table("bronze", name).columns) if engine.exists("bronze", name) else set()


def _known(columns: set[str], declared: tuple[str, ...]) -> frozenset[str]:
    """A table's current schema, as Auto Loader sees it: the declared columns plus any a file
    added earlier (``_unnamed`` included), not the metadata ingestion adds."""
    return frozenset((columns | set(declared)) - {*BRONZE_METADATA.names, RESCUED_COLUMN})


class Delivery:
    """The files of one ingestion batch, written to bronze a group at a time.

    Reading a file is apart from writing it: a file is read whole into Arrow, then held with
    its quarantined rows and ledger row until ``FLUSH_BYTES`` of rows wait, and the group is
    written in one transaction, one insert per table. So a file's rows and its ledger row still
    commit together (a crash loses or duplicates nothing), without a transaction, a catalog
    lookup and a ledger write for every small file.
    """

    def __init__(
        self, engine: Engine, store: LandingStore, policy: IngestPolicy, batch_id: int
    ) -> None:
        self.engine, self.store, self.policy, self.batch_id = engine, store, policy, batch_id
        self._columns: dict[str, set[str]] = {}  # bronze columns, pending files' included
        self._declared: dict[str, tuple[str, ...]] = {}
        self._rows: dict[str, list[pa.Table]] = {}
        self._quarantine: list[pa.Table] = []
        self._ledger: list[pa.Table] = []
        self._bytes = 0

    def add(self, decision: Decision, at: dt.datetime) -> FileOutcome:
        """Read one file and hold its rows; write the group once enough rows wait."""
        file, table = decision.file, decision.file.table
        name = table.bronze_name
        if name not in self._columns:
            self._columns[name] = _bronze_columns(self.engine, name)
        try:
            try:
                read = self._read(decision, at, fast=True)
            except NotPlain:  # nothing of it was kept: read it again, row by row
                read = self._read(decision, at, fast=False)
        except FileRejected as exc:
            # Only the failure is recorded, so this version is not retried until it changes.
            outcome = FileOutcome(file.path, name, FAILED, 0, 0, f"{file.path}: {exc}")
            self._ledger.append(_ledger_row(file, outcome, self.batch_id, 0, at, None))
            return outcome
        except (FileChanged, OSError) as exc:  # transient: not recorded, read again next run
            return _transient(file, exc)
        if read is None:  # too big to hold: written alone, as it is read
            self.flush()
            outcome = ingest_file(self.engine, self.store, decision, self.policy, self.batch_id, at)
            self._columns[name] = _bronze_columns(self.engine, name)
            return outcome
        chunks, stats = read
        self._declared[name] = table.columns
        if stats.mode == RESCUE:
            self._columns[name].add(RESCUED_COLUMN)
        for chunk in chunks:
            self._rows.setdefault(name, []).append(chunk)
            self._columns[name].update(chunk.column_names)
            self._bytes += chunk.nbytes
        if stats.quarantined:
            self._quarantine.append(_quarantine_rows(file, stats, self.batch_id, at))
        outcome = _landed(file, stats, decision)
        self._ledger.append(
            _ledger_row(file, outcome, self.batch_id, stats.blank_lines, at, stats.content_hash)
        )
        checkpoint("ingest:file")
        if self._bytes >= FLUSH_BYTES:
            self.flush()
        return outcome

    def skip(self, decision: Decision, ledger: list[LedgerEntry], at: dt.datetime) -> FileOutcome:
        """Record a skip in the ledger so it is reported once, not on every run."""
        outcome = skip_outcome(decision, ledger)
        self._ledger.append(
            _ledger_row(decision.file, outcome, self.batch_id, 0, at, decision.content_hash)
        )
        return outcome

    def flush(self) -> None:
        """Write the files read so far, their quarantined rows and ledger rows, together."""
        if not self._ledger:  # every file read, skipped or failed has its ledger row
            return
        with self.engine.transaction():
            for name, declared in self._declared.items():  # a header-only file makes one too
                _ensure_table(self.engine, name, declared, self.policy.mode(name))
                if name in self._rows:
                    rows = pa.concat_tables(self._rows[name], promote_options="default")
                    self.engine.append("bronze", name, rows)
                    checkpoint("ingest:chunk")
            if self._quarantine:
                quarantined = pa.concat_tables(self._quarantine)
                self.engine.append("bronze", QUARANTINE_TABLE, quarantined)
            self.engine.append(META, LEDGER_TABLE, pa.concat_tables(self._ledger))
        checkpoint("ingest:commit")
        self._rows, self._declared, self._quarantine, self._ledger = {}, {}, [], []
        self._bytes = 0

    def _read(
        self, decision: Decision, at: dt.datetime, *, fast: bool
    ) -> tuple[list[pa.Table], FileStats] | None:
        """A file's rows as Arrow tables with their metadata, or None past ``FLUSH_BYTES``."""
        file, table = decision.file, decision.file.table
        mode = self.policy.mode(table.bronze_name)
        known = _known(self._columns[table.bronze_name], table.columns)
        stats = FileStats()
        chunks: list[pa.Table] = []
        size = 0
        with self.store.open(file) as handle:
            for columns, values, rows in read_chunks(
                handle, required=table.required, known=known, mode=mode, stats=stats, fast=fast
            ):
                chunks.append(_with_metadata(columns, values, rows, file, self.batch_id, at))
                size += chunks[-1].nbytes
                if size > FLUSH_BYTES:
                    return None
            self.store.check_unchanged(handle, file)
        return chunks, stats


def _with_metadata(
    columns: list[str],
    values: Values,
    rows: Rows,
    file: LandingFile,
    batch_id: int,
    at: dt.datetime,
) -> pa.Table:
    n = len(rows)
    return chunk_to_arrow(
        columns,
        values,
        {
            "_source_file": pa.repeat(file.path, n).cast(pa.string()),
            "_source_row": pa.array(rows, pa.int64()),
            "_batch_id": pa.repeat(batch_id, n).cast(pa.int64()),
            "_ingested_at": pa.repeat(pa.scalar(at, pa.timestamp("us", tz="UTC")), n),
        },
    )


def _transient(file: LandingFile, exc: FileChanged | OSError) -> FileOutcome:
    name = file.table.bronze_name
    if isinstance(exc, FileChanged):
        return FileOutcome(file.path, name, FAILED, 0, 0, f"{file.path}: {exc}")
    return FileOutcome(
        file.path,
        name,
        FAILED,
        0,
        0,
        f"{file.path}: cannot be read ({exc.strerror or exc}); nothing of it was kept, "
        "fix access to it and run again",
    )


def _landed(file: LandingFile, stats: FileStats, decision: Decision) -> FileOutcome:
    return FileOutcome(
        file.path,
        file.table.bronze_name,
        EMPTY if stats.empty else INGESTED,
        stats.rows,
        len(stats.quarantined),
        _describe(stats, decision),
    )


def ingest_file(
    engine: Engine,
    store: LandingStore,
    decision: Decision,
    policy: IngestPolicy,
    batch_id: int,
    at: dt.datetime,
) -> FileOutcome:
    """Stream one file into bronze in its own transaction (a file too big to hold in memory)."""
    file, table = decision.file, decision.file.table
    try:
        try:
            outcome = _stream(engine, store, decision, policy, batch_id, at, fast=True)
        except NotPlain:  # rolled back: read it again, row by row
            outcome = _stream(engine, store, decision, policy, batch_id, at, fast=False)
        checkpoint("ingest:file")
    except FileRejected as exc:
        # The transaction rolled back whatever the file had appended; only the failure stays.
        outcome = FileOutcome(file.path, table.bronze_name, FAILED, 0, 0, f"{file.path}: {exc}")
        engine.append(META, LEDGER_TABLE, _ledger_row(file, outcome, batch_id, 0, at, None))
    except (FileChanged, OSError) as exc:
        outcome = _transient(file, exc)
    return outcome


def _stream(
    engine: Engine,
    store: LandingStore,
    decision: Decision,
    policy: IngestPolicy,
    batch_id: int,
    at: dt.datetime,
    *,
    fast: bool,
) -> FileOutcome:
    """One file's rows, quarantined rows and ledger entry, chunk by chunk, in one transaction."""
    file, table = decision.file, decision.file.table
    mode = policy.mode(table.bronze_name)
    stats = FileStats()
    with engine.transaction():
        _ensure_table(engine, table.bronze_name, table.columns, mode)
        known = _known(_bronze_columns(engine, table.bronze_name), table.columns)
        with store.open(file) as handle:
            chunks = read_chunks(
                handle, required=table.required, known=known, mode=mode, stats=stats, fast=fast
            )
            for columns, values, rows in chunks:
                chunk = _with_metadata(columns, values, rows, file, batch_id, at)
                engine.append("bronze", table.bronze_name, chunk)
                checkpoint("ingest:chunk")
            store.check_unchanged(handle, file)
        if stats.quarantined:
            engine.append("bronze", QUARANTINE_TABLE, _quarantine_rows(file, stats, batch_id, at))
        outcome = _landed(file, stats, decision)
        engine.append(
            META,
            LEDGER_TABLE,
            _ledger_row(file, outcome, batch_id, stats.blank_lines, at, stats.content_hash),
        )
    return outcome


def _ledger_row(
    file: LandingFile,
    outcome: FileOutcome,
    batch_id: int,
    blank_lines: int,
    at: dt.datetime,
    content_hash: str | None,
) -> pa.Table:
    return ledger_row(
        file,
        batch_id=batch_id,
        status=outcome.status,
        rows=outcome.rows,
        quarantined=outcome.quarantined,
        blank_lines=blank_lines,
        message=outcome.message,
        at=at,
        content_hash=content_hash,
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


def skip_outcome(decision: Decision, ledger: list[LedgerEntry]) -> FileOutcome:
    """What a skipped file is reported as: why it was not ingested, and what to do."""
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
    return FileOutcome(file.path, file.table.bronze_name, skip_status(decision), 0, 0, message)
