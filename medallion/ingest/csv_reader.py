"""Reading one landing CSV as text, in chunks, with line numbers, quarantine and a content hash."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, TypeAlias

import pyarrow as pa

from medallion.ingest.fast_csv import NotPlain, read_plain, scan
from medallion.ingest.landing import FileRejected
from medallion.ingest.policy import ADD_NEW_COLUMNS, FAIL_ON_NEW_COLUMNS, RESCUE, RESCUED_COLUMN
from medallion.ingest.sniff import SNIFF_BYTES, sniff

CHUNK_ROWS = 100_000
MAX_HEADER_BYTES = 1 << 20  # a header line this long is not a header: binary data
MAX_LINE_BYTES = 64 << 20  # bounds memory on a file without line breaks
UNDECODABLE = "undecodable bytes (not UTF-8)"
NUL_BYTES = "NUL bytes (binary data, not text)"

__all__ = ["CHUNK_ROWS", "FileRejected", "FileStats", "NotPlain", "QuarantinedRow", "read_chunks"]

# A chunk's values: Python lists from the exact reader, Arrow arrays from the fast one.
Values: TypeAlias = dict[str, list[str | None]] | dict[str, pa.Array]
Rows: TypeAlias = list[int] | pa.Array


@dataclass
class QuarantinedRow:
    row: int
    raw_text: str
    reason: str


@dataclass
class FileStats:
    """What reading a file found, filled in as its chunks are consumed."""

    columns: list[str] = field(default_factory=list)
    rows: int = 0
    blank_lines: int = 0
    quarantined: list[QuarantinedRow] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    mode: str = ADD_NEW_COLUMNS
    empty: bool = False
    blank_only: bool = False
    content_hash: str | None = None  # sha256 of the bytes, set once the whole file was read


def bronze_column_name(header: str) -> str:
    """SPEC 6: camelCase split, lower-cased, other characters to ``_`` (``CID`` -> ``cid``)."""
    name = header.strip().lstrip("\ufeff")
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()
    return name or "_unnamed"


class _Lines:
    """Feeds decoded lines to csv.reader, hashes every byte it reads, and remembers the raw text
    of the current record and what was wrong with its bytes."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._hash = hashlib.sha256()
        self.pending: list[str] = []
        self.problem: str | None = None
        self.physical = 0  # physical lines read, for messages

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        limit = MAX_HEADER_BYTES if self.physical == 0 else MAX_LINE_BYTES
        raw = self._handle.readline(limit + 1)
        if not raw:
            raise StopIteration
        if len(raw) > limit:
            what = "the first line" if self.physical == 0 else f"line {self.physical + 1}"
            raise FileRejected(
                f"{what} is longer than {limit:,} bytes without a line break: not a CSV export; "
                "check the file and export it again as CSV"
            )
        self.physical += 1
        self._hash.update(raw)
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            self.problem = self.problem or UNDECODABLE
            line = raw.decode("utf-8", errors="replace")
        if "\x00" in line:
            self.problem = self.problem or NUL_BYTES
            line = line.replace("\x00", "\ufffd")
        if self.physical == 1:
            line = line.removeprefix("\ufeff")
        self.pending.append(line)
        return line

    def take(self) -> tuple[str, str | None]:
        """The raw text of the record just parsed and what was wrong with its bytes, if any."""
        text = "".join(self.pending).rstrip("\r\n")
        problem = self.problem
        self.pending, self.problem = [], None
        return text, problem

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _header(reader: Iterator[list[str]], lines: _Lines, stats: FileStats) -> list[str] | None:
    """The header record (leading blank lines skipped), or None for a file without one."""
    while True:
        try:
            header = next(reader)
        except StopIteration:
            stats.empty, stats.blank_only = True, lines.physical > 0
            stats.content_hash = lines.hexdigest()
            return None
        except csv.Error as exc:
            raise FileRejected(f"header is not valid CSV ({exc}); fix the export") from None
        _, problem = lines.take()
        if problem == UNDECODABLE:
            raise FileRejected(
                "header is not UTF-8 text; re-export the file as UTF-8 (with or without BOM)"
            )
        if problem:
            raise FileRejected(
                "header holds NUL bytes: binary data or UTF-16 text, not a CSV file; "
                "export the table as UTF-8 CSV"
            )
        if any(h.strip() for h in header):
            return header


def read_chunks(
    handle: io.BufferedReader,
    *,
    required: tuple[str, ...],
    known: frozenset[str],
    mode: str,
    stats: FileStats,
    fast: bool = False,
) -> Iterator[tuple[list[str], Values, Rows]]:
    """Yield ``(columns, values by column, source rows)`` chunks of a CSV file.

    Every field stays text and an empty field is null (SPEC 6). A blank line is skipped but
    numbered; a row with the wrong field count, undecodable or NUL bytes is quarantined, never
    dropped. Columns outside ``known`` follow the schema evolution ``mode``. Raises
    FileRejected when the file as a whole is unusable (then nothing of it may be kept).

    With ``fast``, a plain file is read by Arrow (``fast_csv``); one that is not raises
    NotPlain, possibly after some chunks, and must be read again without ``fast``.
    """
    what = sniff(handle.peek(SNIFF_BYTES)[:SNIFF_BYTES])
    if what:
        raise FileRejected(
            f"not a CSV file: it looks like {what}; export the table as CSV (UTF-8) "
            "and drop that file instead"
        )
    lines = _Lines(handle)
    reader = csv.reader(lines, strict=True)
    header = _header(reader, lines, stats)
    if header is None:
        return
    columns = [bronze_column_name(h) for h in header]
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise FileRejected(
            f"header repeats column(s) {', '.join(duplicated)}: {','.join(header)!r}; "
            "fix the export"
        )
    missing_required = [c for c in required if c not in columns]
    if missing_required:
        raise FileRejected(
            f"missing required column(s) {', '.join(missing_required)} "
            f"(header: {','.join(header)!r}); fix the export and drop it again"
        )
    stats.columns, stats.mode = columns, mode
    stats.missing_columns = sorted(c for c in known if c not in columns)
    stats.extra_columns = [c for c in columns if c not in known]
    if stats.extra_columns and mode == FAIL_ON_NEW_COLUMNS:
        raise FileRejected(
            f"new column(s) {', '.join(stats.extra_columns)} not in the bronze table, and its "
            f"schema evolution mode is {FAIL_ON_NEW_COLUMNS}; fix the export, or set the mode to "
            "add_new_columns or rescue and drop the file again"
        )
    kept = [(i, c) for i, c in enumerate(columns) if mode == ADD_NEW_COLUMNS or c in known]
    rescued = [(i, c) for i, c in enumerate(columns) if mode == RESCUE and c not in known]
    out = [c for _, c in kept] + ([RESCUED_COLUMN] if mode == RESCUE else [])
    width = len(columns)
    if fast and not rescued:
        data_start = handle.tell()
        scanned = scan(handle, data_start)
        for names, arrays, numbers in read_plain(
            handle, data_start, width=width, kept=kept, scanned=scanned, chunk_rows=CHUNK_ROWS
        ):
            if mode == RESCUE:
                arrays[RESCUED_COLUMN] = pa.nulls(len(numbers), pa.string())
            stats.rows += len(numbers)
            yield [*names, *([RESCUED_COLUMN] if mode == RESCUE else [])], arrays, numbers
        stats.content_hash = scanned.content_hash
        return
    values: dict[str, list[str | None]] = {c: [] for c in out}
    rows: list[int] = []
    record_no = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            record_no += 1
            text, _ = lines.take()
            stats.quarantined.append(QuarantinedRow(record_no, text, f"unparseable CSV: {exc}"))
            continue
        record_no += 1
        text, problem = lines.take()
        if problem:
            stats.quarantined.append(QuarantinedRow(record_no, text, problem))
            continue
        if not record or (len(record) == 1 and record[0].strip() == "" and width > 1):
            stats.blank_lines += 1
            continue
        if len(record) != width:
            stats.quarantined.append(
                QuarantinedRow(record_no, text, f"expected {width} fields, found {len(record)}")
            )
            continue
        for i, column in kept:
            values[column].append(record[i] or None)
        if rescued:
            extra = {column: record[i] for i, column in rescued if record[i]}
            values[RESCUED_COLUMN].append(json.dumps(extra, ensure_ascii=False) if extra else None)
        elif mode == RESCUE:
            values[RESCUED_COLUMN].append(None)
        rows.append(record_no)
        if len(rows) >= CHUNK_ROWS:
            stats.rows += len(rows)
            yield out, values, rows
            values, rows = {c: [] for c in out}, []
    stats.content_hash = lines.hexdigest()
    if rows:
        stats.rows += len(rows)
        yield out, values, rows


def chunk_to_arrow(columns: list[str], values: Values, extra: dict[str, pa.Array]) -> pa.Table:
    data = {c: pa.array(values[c], type=pa.string()) for c in columns}
    data.update(extra)
    return pa.table(data)


def file_sha256(handle: BinaryIO, block: int = 1 << 20) -> str:
    """The sha256 of a file read in blocks: a big file is never held in memory."""
    digest = hashlib.sha256()
    while chunk := handle.read(block):
        digest.update(chunk)
    return digest.hexdigest()
