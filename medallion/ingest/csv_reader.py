"""Reading one landing CSV as text, in chunks, with line numbers and quarantined bad rows."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

CHUNK_ROWS = 100_000


class FileRejected(Exception):
    """The file as a whole cannot be ingested; the message says why and what to do."""


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
    empty: bool = False


def bronze_column_name(header: str) -> str:
    """SPEC 6: camelCase split, lower-cased, other characters to ``_`` (``CID`` -> ``cid``)."""
    name = header.strip().lstrip("\ufeff")
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()
    return name or "_unnamed"


class _Lines:
    """Feeds decoded lines to csv.reader and remembers the raw text of the current record."""

    def __init__(self, raw_lines: Iterator[bytes]) -> None:
        self._raw = raw_lines
        self.pending: list[str] = []
        self.undecodable = False

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        raw = next(self._raw)
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            self.undecodable = True
            line = raw.decode("utf-8", errors="replace")
        self.pending.append(line)
        return line

    def take(self) -> tuple[str, bool]:
        """The raw text of the record just parsed and whether any of it was undecodable."""
        text = "".join(self.pending).rstrip("\r\n")
        bad = self.undecodable
        self.pending, self.undecodable = [], False
        return text, bad


def read_chunks(
    path: Path, required: tuple[str, ...], known: tuple[str, ...], stats: FileStats
) -> Iterator[tuple[list[str], dict[str, list[str | None]], list[int]]]:
    """Yield ``(columns, values by column, source rows)`` chunks of a CSV file.

    Every field stays text and an empty field is null (SPEC 6). A blank line is skipped but
    numbered; a row with the wrong field count or undecodable bytes is quarantined, never
    dropped. Raises FileRejected when the header is unusable.
    """
    with path.open("rb") as handle:
        lines = _Lines(iter(handle))
        reader = csv.reader(lines, strict=False)
        try:
            header = next(reader)
        except StopIteration:
            stats.empty = True
            return
        except csv.Error as exc:
            raise FileRejected(f"header is not valid CSV ({exc})") from None
        header_text, header_bad = lines.take()
        if header_bad:
            raise FileRejected("header is not UTF-8 text; re-export the file as UTF-8")
        columns = [bronze_column_name(h) for h in header]
        duplicated = sorted({c for c in columns if columns.count(c) > 1})
        if duplicated:
            raise FileRejected(f"header repeats column(s) {', '.join(duplicated)}: {header_text!r}")
        missing_required = [c for c in required if c not in columns]
        if missing_required:
            raise FileRejected(
                f"missing required column(s) {', '.join(missing_required)} "
                f"(header: {header_text!r}); fix the export and drop it again"
            )
        stats.columns = columns
        stats.missing_columns = [c for c in known if c not in columns]
        stats.extra_columns = [c for c in columns if c not in known]
        width = len(columns)
        values: dict[str, list[str | None]] = {c: [] for c in columns}
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
            text, bad = lines.take()
            if bad:
                stats.quarantined.append(
                    QuarantinedRow(record_no, text, "undecodable bytes (not UTF-8)")
                )
                continue
            if not record or (len(record) == 1 and record[0].strip() == "" and width > 1):
                stats.blank_lines += 1
                continue
            if len(record) != width:
                stats.quarantined.append(
                    QuarantinedRow(record_no, text, f"expected {width} fields, found {len(record)}")
                )
                continue
            for column, value in zip(columns, record, strict=True):
                values[column].append(value if value != "" else None)
            rows.append(record_no)
            if len(rows) >= CHUNK_ROWS:
                stats.rows += len(rows)
                yield columns, values, rows
                values, rows = {c: [] for c in columns}, []
        if rows:
            stats.rows += len(rows)
            yield columns, values, rows


def chunk_to_arrow(
    columns: list[str], values: dict[str, list[str | None]], extra: dict[str, pa.Array]
) -> pa.Table:
    data = {c: pa.array(values[c], type=pa.string()) for c in columns}
    data.update(extra)
    return pa.table(data)
