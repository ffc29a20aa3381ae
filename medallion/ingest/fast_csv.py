"""The fast path for plain CSV files: Arrow's C++ reader, with the exact reader's results.

Most landing files are plain: one record per line, no blank line, no NUL byte, valid UTF-8,
quotes only around whole fields. For those, reading row by row in Python (the exact reader,
``csv_reader``) costs about twenty times more than Arrow's reader. This module reads a file
with Arrow only after proving it plain, and proves it again while reading:

1. a byte scan (hash, line count, NUL bytes, bare CRs, the lines that hold a quote);
2. Arrow parses every field as text, empty = null, blank lines skipped;
3. the number of records must equal the number of data lines (so record n is line n: no
   quoted line break, no blank line), and each line holding a quote must parse the same with
   Python's csv module, as the exact reader would read it.

Anything else raises ``NotPlain`` and the caller reads the file again with the exact reader,
which quarantines what it must. Both give the same bronze rows for a plain file (a property
test holds them equal).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import pyarrow as pa
import pyarrow.csv as pcsv

BLOCK = 16 << 20
MAX_QUOTED_LINES = 100_000  # beyond this, checking quoted lines one by one costs too much


class NotPlain(Exception):
    """The file needs the exact reader; the message says why (for debugging only)."""


@dataclass
class Scan:
    """What one pass over the bytes found."""

    content_hash: str
    lines: int  # data lines after the header (a last line without a line break counts)
    quoted: dict[int, bytes] = field(default_factory=dict)  # data line -> its bytes


def scan(handle: BinaryIO, data_start: int) -> Scan:
    """Hash the whole file; check and count the data lines from ``data_start``."""
    digest = hashlib.sha256()
    handle.seek(0)
    header = handle.read(data_start)
    digest.update(header)
    newlines = 0
    last = b"\n"
    quote_positions: list[tuple[int, int]] = []  # (line, absolute offset)
    offset = data_start
    while block := handle.read(BLOCK):
        digest.update(block)
        if b"\x00" in block:
            raise NotPlain("NUL bytes")
        crs = block.count(b"\r")
        if crs and crs != block.count(b"\r\n") + (1 if block.endswith(b"\r") else 0):
            raise NotPlain("a CR that does not end a line")
        if last == b"\r" and not block.startswith(b"\n"):
            raise NotPlain("a CR that does not end a line")
        start, counted, line = 0, 0, newlines + 1
        while (found := block.find(b'"', start)) >= 0:
            line += block.count(b"\n", counted, found)
            counted = found
            if not quote_positions or quote_positions[-1][0] != line:
                quote_positions.append((line, offset + found))
                if len(quote_positions) > MAX_QUOTED_LINES:
                    raise NotPlain("too many quoted lines")
            start = found + 1
        newlines += block.count(b"\n")
        last = block[-1:]
        offset += len(block)
    lines = newlines + (1 if offset > data_start and last != b"\n" else 0)
    quoted = {line: _line_at(handle, position) for line, position in quote_positions}
    return Scan(digest.hexdigest(), lines, quoted)


def _line_at(handle: BinaryIO, position: int) -> bytes:
    """The bytes of the line holding ``position`` (lines are short: read back a little)."""
    back = min(position, 1 << 16)
    handle.seek(position - back)
    before = handle.read(back)
    begin = position - back + before.rfind(b"\n") + 1
    handle.seek(begin)
    return handle.readline()


def read_plain(
    handle: BinaryIO,
    data_start: int,
    *,
    width: int,
    kept: list[tuple[int, str]],
    scanned: Scan,
    chunk_rows: int,
) -> Iterator[tuple[list[str], dict[str, pa.Array], pa.Array]]:
    """Yield ``(columns, arrays by column, source rows)`` batches, as ``read_chunks`` does.

    Raises NotPlain, possibly after some batches: the caller must then discard them (its
    transaction rolls back) and read the file with the exact reader.
    """
    names = [f"c{i}" for i in range(width)]
    handle.seek(data_start)
    try:
        reader = pcsv.open_csv(
            handle,
            read_options=pcsv.ReadOptions(column_names=names, block_size=BLOCK),
            parse_options=pcsv.ParseOptions(
                quote_char='"', double_quote=True, newlines_in_values=False
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                include_columns=[names[i] for i, _ in kept],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise NotPlain(str(exc)) from None
    columns = [column for _, column in kept]
    done = 0
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise NotPlain(str(exc)) from None
        first, done = done + 1, done + batch.num_rows
        _check_quoted(batch, first, done, scanned.quoted, width, kept)
        # In chunks of at most ``chunk_rows``, as the exact reader yields them.
        for start in range(0, batch.num_rows, chunk_rows):
            part = batch.slice(start, chunk_rows)
            arrays = {column: part.column(f"c{i}") for i, column in kept}
            begin = first + start
            yield columns, arrays, pa.array(range(begin, begin + part.num_rows), pa.int64())
    if done != scanned.lines:
        raise NotPlain(f"{done} records in {scanned.lines} lines: a blank line or a line break")


def _check_quoted(
    batch: pa.RecordBatch,
    first: int,
    last: int,
    quoted: dict[int, bytes],
    width: int,
    kept: list[tuple[int, str]],
) -> None:
    """Each line with a quote in this batch must read the same with Python's csv module."""
    for line in (n for n in quoted if first <= n <= last):
        try:
            text = quoted[line].decode("utf-8")
            records = list(csv.reader([text], strict=True))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise NotPlain(f"line {line}: {exc}") from None
        if len(records) != 1 or len(records[0]) != width:
            raise NotPlain(f"line {line} is not one record of {width} fields")
        expected = [records[0][i] or None for i, _ in kept]
        got = [batch.column(f"c{i}")[line - first].as_py() for i, _ in kept]
        if got != expected:
            raise NotPlain(f"line {line} reads differently")
