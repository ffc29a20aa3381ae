"""The fast CSV path reads a plain file exactly as the exact reader does, or declines."""

from __future__ import annotations

import io
import re
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from medallion.ingest.csv_reader import FileRejected, FileStats, NotPlain, read_chunks
from medallion.ingest.policy import ADD_NEW_COLUMNS


def read(data: bytes, *, fast: bool) -> tuple[list[tuple[Any, ...]], FileStats]:
    """Every row as (source row, values...) and the stats, through read_chunks."""
    stats = FileStats()
    handle = io.BufferedReader(io.BytesIO(data))  # type: ignore[arg-type]
    rows: list[tuple[Any, ...]] = []
    for columns, values, numbers in read_chunks(
        handle,
        required=("a",),
        known=frozenset({"a", "b", "c"}),
        mode=ADD_NEW_COLUMNS,
        stats=stats,
        fast=fast,
    ):
        lists = {
            c: v.to_pylist() if isinstance(v, pa.Array | pa.ChunkedArray) else v
            for c, v in values.items()
        }
        numbers = numbers.to_pylist() if isinstance(numbers, pa.Array) else numbers
        rows.extend(zip(numbers, *(lists[c] for c in columns), strict=True))
    return rows, stats


# Half the files use only characters a plain file may hold (quoted where needed), half
# anything: the fast path must accept the first kind and read both kinds right.
PLAIN = st.text(alphabet=st.sampled_from(list("ab é1")), max_size=5)
ANY = st.text(alphabet=st.sampled_from(list('ab ,"\r\n\té\x00')), max_size=5)
LINE_END = st.sampled_from(["\n", "\r\n"])


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    field = draw(st.sampled_from([PLAIN, ANY]))
    widths = st.sampled_from([3, 3, 3, 3, 3, 2, 4])  # now and then a row to quarantine
    lines = draw(st.lists(widths.flatmap(lambda n: st.lists(field, min_size=n, max_size=n))))
    quote = draw(st.booleans())
    out = "a,b,c" + draw(LINE_END)
    for fields in lines:
        cells = ['"' + f.replace('"', '""') + '"' if quote and f else f for f in fields]
        out += ",".join(cells) + draw(LINE_END)
    data = out.encode("utf-8")
    if draw(st.booleans()):
        data = data.rstrip(b"\r\n")
    if draw(st.booleans()):
        data += draw(st.sampled_from([b"\xff\xfe,x,y\n", b"\n", b"a,b\n"]))
    return data


@given(csv_files())
def test_fast_path_equals_exact_path_whenever_it_accepts_a_file(data: bytes) -> None:
    try:
        exact_rows, exact = read(data, fast=False)
    except FileRejected as exc:  # the header is read once, by both: both reject the same
        with pytest.raises(FileRejected, match=re.escape(str(exc))):
            read(data, fast=True)
        return
    try:
        fast_rows, fast = read(data, fast=True)
    except NotPlain:
        return  # declined: the exact reader alone reads it
    assert fast_rows == exact_rows
    assert (fast.rows, fast.content_hash, fast.columns) == (
        exact.rows,
        exact.content_hash,
        exact.columns,
    )
    assert exact.quarantined == [] and exact.blank_lines == 0  # nothing the fast path skips


def test_a_plain_file_takes_the_fast_path_quotes_included() -> None:
    data = b'a,b,c\r\n1,"Smith, Jr.",x\r\n2,,"say ""hi"""\r\n3,b,c'
    rows, stats = read(data, fast=True)
    assert rows == [(1, "1", "Smith, Jr.", "x"), (2, "2", None, 'say "hi"'), (3, "3", "b", "c")]
    assert stats.rows == 3


@pytest.mark.parametrize(
    "data",
    [
        b"a,b,c\n1,2,3\n\n4,5,6\n",  # a blank line still numbers the rows after it
        b'a,b,c\n1,"two\nlines",3\n',  # a quoted line break
        b"a,b,c\n1,2\n",  # a short row, quarantined by the exact reader
        b"a,b,c\n1,\xff,3\n",  # undecodable bytes
        b"a,b,c\n1,\x00,3\n",  # a NUL byte
        b"a,b,c\n1,2\r3,4\n",  # a bare CR
        b'a,b,c\n1,"x"y,3\n',  # text after a closing quote
    ],
)
def test_anything_not_plain_is_declined(data: bytes) -> None:
    with pytest.raises(NotPlain):
        read(data, fast=True)
