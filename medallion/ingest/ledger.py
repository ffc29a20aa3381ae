"""The file ledger: which landing files were ingested or skipped, in which batch, with what outcome,
and the pure planning of what a run does with each file it found."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

from medallion.engines.base import META, Engine
from medallion.ingest.landing import LandingFile
from medallion.ingest.policy import IngestPolicy

LEDGER_TABLE = "file_ledger"

INGESTED, EMPTY, FAILED = "ingested", "empty", "failed"
SKIPPED_MODIFIED, SKIPPED_DUPLICATE = "skipped_modified", "skipped_duplicate"
LANDED = frozenset({INGESTED, EMPTY})  # the file's rows (maybe none) are in bronze
SKIPPED = frozenset({SKIPPED_MODIFIED, SKIPPED_DUPLICATE})  # reported once, nothing in bronze

LEDGER_SCHEMA = pa.schema(
    [
        ("path", pa.string()),
        ("table_name", pa.string()),
        ("size", pa.int64()),
        ("mtime_ns", pa.int64()),
        ("batch_id", pa.int64()),  # the ingestion run that recorded the entry
        ("status", pa.string()),  # ingested | empty | failed | skipped_modified | ..._duplicate
        ("rows", pa.int64()),
        ("quarantined", pa.int64()),
        ("blank_lines", pa.int64()),
        ("message", pa.string()),
        ("ingested_at", pa.timestamp("us", tz="UTC")),  # when the entry was recorded
        ("content_hash", pa.string()),  # sha256 hex of the bytes; null when not computed
    ]
)

Kind = Literal["new", "already", "modified", "duplicate"]


@dataclass(frozen=True)
class LedgerEntry:
    path: str
    size: int
    mtime_ns: int
    batch_id: int
    status: str
    content_hash: str | None = None
    table_name: str | None = None  # the bronze table it went to
    rows: int | None = None  # rows it added to that table (null in a ledger from before)


@dataclass(frozen=True)
class Decision:
    """What to do with one discovered file, and why."""

    file: LandingFile
    kind: Kind  # already: settled by an earlier run (ingested, failed, or skip reported)
    ingest: bool
    content_hash: str | None = None
    same_as: str | None = None  # duplicate: the first path whose identical bytes are in bronze


@dataclass(frozen=True)
class Plan:
    """What an ingestion run will do with the files it found, in delivery (path) order."""

    decisions: list[Decision]

    @property
    def new(self) -> list[Decision]:
        """Files to ingest in this batch: new ones, and any the policy lets in again."""
        return [d for d in self.decisions if d.ingest]

    @property
    def already(self) -> list[LandingFile]:
        return [d.file for d in self.decisions if d.kind == "already"]

    @property
    def skipped(self) -> list[Decision]:
        """Files reported and skipped now (modified in place, or duplicate content)."""
        return [d for d in self.decisions if d.kind != "already" and not d.ingest]

    @property
    def modified(self) -> list[LandingFile]:
        return [d.file for d in self.skipped if d.kind == "modified"]


def _stat(file: LandingFile | LedgerEntry) -> tuple[str, int, int]:
    return (file.path, file.size, file.mtime_ns)


def _candidates(
    found: list[LandingFile], ledger: list[LedgerEntry], policy: IngestPolicy
) -> list[LandingFile]:
    """Files the policy might ingest now: not settled by an earlier run, not a skipped change."""
    settled = {_stat(e) for e in ledger if e.status in LANDED or e.status == FAILED}
    landed_paths = {e.path for e in ledger if e.status in LANDED}
    return [
        f
        for f in found
        if _stat(f) not in settled
        and (f.path not in landed_paths or policy.on_modified == "reingest")
    ]


def files_to_hash(
    found: list[LandingFile], ledger: list[LedgerEntry], policy: IngestPolicy
) -> list[LandingFile]:
    """The files whose content hash the plan needs before it can decide on duplicates.

    Identical bytes have identical sizes, so only a candidate whose size matches a hashed file
    in bronze or another candidate can be a duplicate; the rest are not read twice. A candidate
    whose exact version the ledger already hashed (a skip reported earlier) is not hashed again.
    """
    candidates = [f for f in _candidates(found, ledger, policy) if f.size > 0]
    hashed = {_stat(e) for e in ledger if e.content_hash}
    landed_sizes = {e.size for e in ledger if e.status in LANDED and e.content_hash}
    sizes = Counter(f.size for f in candidates)
    return [
        f
        for f in candidates
        if _stat(f) not in hashed and (f.size in landed_sizes or sizes[f.size] > 1)
    ]


def plan_ingestion(
    found: list[LandingFile],
    ledger: list[LedgerEntry],
    hashes: Mapping[str, str] | None = None,
    policy: IngestPolicy | None = None,
) -> Plan:
    """Classify each discovered file as new, already settled, modified in place, or duplicate.

    A file is identified by path, size and mtime (SPEC 1). A known path with another size or
    mtime is "modified": its old rows are in bronze, so by default it is reported, not mixed
    in (a failed earlier version put nothing in bronze, so a fixed one is simply new). A file
    whose bytes (``hashes``: path -> sha256, for the files ``files_to_hash`` named) equal those
    of a file in bronze, or of an earlier file of this batch, is a "duplicate". A skip the
    ledger already records for this exact version is "already": reported once, not every run,
    unless the policy now lets the file in.
    """
    hashes = hashes or {}
    policy = policy or IngestPolicy()
    settled = {_stat(e) for e in ledger if e.status in LANDED or e.status == FAILED}
    skipped_before = {_stat(e): e for e in ledger if e.status in SKIPPED}
    # Any hash recorded for this exact version, as in files_to_hash, which then skips it: not
    # only the last skip's (a later skip of the same version may not have hashed it).
    recorded = {_stat(e): e.content_hash for e in ledger if e.content_hash}
    landed_paths = {e.path for e in ledger if e.status in LANDED}
    seen: dict[str, str] = {}  # content hash -> first path that put those bytes in bronze
    for e in sorted(ledger, key=lambda e: (e.batch_id, e.path)):
        if e.status in LANDED and e.content_hash and e.size > 0:
            seen.setdefault(e.content_hash, e.path)
    decisions: list[Decision] = []
    for file in sorted(found, key=lambda f: f.path):
        if _stat(file) in settled:
            decisions.append(Decision(file, "already", False))
            continue
        before = skipped_before.get(_stat(file))
        digest = hashes.get(file.path) or recorded.get(_stat(file))
        same = seen.get(digest) if digest and file.size > 0 else None
        if file.path in landed_paths and policy.on_modified == "skip":
            decision = Decision(file, "modified", False, digest)
        elif same is not None:
            decision = Decision(file, "duplicate", policy.on_duplicate == "ingest", digest, same)
        else:
            kind: Kind = "modified" if file.path in landed_paths else "new"
            decision = Decision(file, kind, True, digest)
        if decision.ingest and digest and file.size > 0:
            seen.setdefault(digest, file.path)
        if before is not None and not decision.ingest and before.status == skip_status(decision):
            decision = Decision(file, "already", False, digest, decision.same_as)
        decisions.append(decision)
    return Plan(decisions)


def skip_status(decision: Decision) -> str:
    return SKIPPED_MODIFIED if decision.kind == "modified" else SKIPPED_DUPLICATE


def next_batch_id(ledger: list[LedgerEntry]) -> int:
    return max((e.batch_id for e in ledger), default=0) + 1


def read_ledger(engine: Engine) -> list[LedgerEntry]:
    """Every ledger entry; a ledger written before a column existed gains it (null) first."""
    if not engine.exists(META, LEDGER_TABLE):
        return []
    have = set(engine.table(META, LEDGER_TABLE).columns)
    if not set(LEDGER_SCHEMA.names) <= have:
        engine.append(META, LEDGER_TABLE, LEDGER_SCHEMA.empty_table())  # adds the columns
    table = engine.to_arrow(
        engine.table(META, LEDGER_TABLE).select(
            "path", "size", "mtime_ns", "batch_id", "status", "content_hash", "table_name", "rows"
        )
    )
    return [LedgerEntry(**row) for row in table.to_pylist()]


def ledger_row(
    file: LandingFile,
    *,
    batch_id: int,
    status: str,
    rows: int,
    quarantined: int,
    blank_lines: int,
    message: str | None,
    at: dt.datetime,
    content_hash: str | None,
) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "path": file.path,
                "table_name": file.table.bronze_name,
                "size": file.size,
                "mtime_ns": file.mtime_ns,
                "batch_id": batch_id,
                "status": status,
                "rows": rows,
                "quarantined": quarantined,
                "blank_lines": blank_lines,
                "message": message,
                "ingested_at": at,
                "content_hash": content_hash,
            }
        ],
        schema=LEDGER_SCHEMA,
    )
