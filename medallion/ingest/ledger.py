"""The file ledger: which landing files were ingested, in which batch, with what outcome."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa

from medallion.ingest.landing import LandingFile

LEDGER_TABLE = "file_ledger"

LEDGER_SCHEMA = pa.schema(
    [
        ("path", pa.string()),
        ("table_name", pa.string()),
        ("size", pa.int64()),
        ("mtime_ns", pa.int64()),
        ("batch_id", pa.int64()),
        ("status", pa.string()),  # ingested | empty | failed
        ("rows", pa.int64()),
        ("quarantined", pa.int64()),
        ("blank_lines", pa.int64()),
        ("message", pa.string()),
        ("ingested_at", pa.timestamp("us", tz="UTC")),
    ]
)


@dataclass(frozen=True)
class LedgerEntry:
    path: str
    size: int
    mtime_ns: int
    batch_id: int
    status: str


@dataclass(frozen=True)
class Plan:
    """What an ingestion run will do with the files it found."""

    new: list[LandingFile]
    already: list[LandingFile]
    modified: list[LandingFile]


def plan_ingestion(found: list[LandingFile], ledger: list[LedgerEntry]) -> Plan:
    """Split discovered files into new, already ingested and modified-in-place.

    A file is identified by path, size and mtime (SPEC 1). A file whose path is known but whose
    size or mtime changed is not ingested again: its old rows are in bronze already, and mixing
    two versions of one export would double count. It is reported instead, unless its earlier
    version failed as a whole (then nothing of it is in bronze).
    """
    seen = {(e.path, e.size, e.mtime_ns) for e in ledger}
    # A failed file contributed no rows, so a corrected version at the same path is new.
    known_paths = {e.path for e in ledger if e.status != "failed"}
    new: list[LandingFile] = []
    already: list[LandingFile] = []
    modified: list[LandingFile] = []
    for file in sorted(found, key=lambda f: f.path):
        if (file.path, file.size, file.mtime_ns) in seen:
            already.append(file)
        elif file.path in known_paths:
            modified.append(file)
        else:
            new.append(file)
    return Plan(new, already, modified)


def next_batch_id(ledger: list[LedgerEntry]) -> int:
    return max((e.batch_id for e in ledger), default=0) + 1


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
            }
        ],
        schema=LEDGER_SCHEMA,
    )
