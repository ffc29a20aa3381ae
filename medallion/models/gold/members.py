"""Surrogate keys and unknown members, shared by every dimension."""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa

from medallion import rules

UNKNOWN_KEY = -1
UNKNOWN_TEXT = "n/a"


def surrogate_keys(
    rows: ir.Table,
    natural_key: str,
    key_name: str,
    *,
    spelled: tuple[str, Callable[[ir.Value], ir.Value]] | None = None,
) -> ir.Table:
    """``(natural_key, key_name)``: members numbered 1, 2, ... in order of first delivery.

    Derived from append-only bronze rows, a key never changes once assigned: later batches
    only add members after the existing ones, and a full refresh numbers them identically.

    ``spelled=(raw, clean)``: the natural key is ``clean(rows[raw])``. The first delivery is
    then found per raw spelling and only those are cleaned: a few dozen country spellings
    rather than every row (the country key map in a full run: 3.6 s -> 1.1 s at scale 100).
    """
    if spelled is None:
        firsts = rules.first_delivery(rows.filter(rows[natural_key].notnull()), natural_key)
    else:
        raw, clean = spelled
        spellings = rules.first_delivery(rows, raw)
        spellings = spellings.mutate(**{natural_key: clean(spellings[raw])})
        spellings = spellings.filter(spellings[natural_key].notnull())
        firsts = spellings.group_by(natural_key).aggregate(_first=spellings._first.min())
    ordinal = ibis.row_number().over(order_by=firsts._first)  # 0 for the earliest member
    return firsts.select(firsts[natural_key], **{key_name: (ordinal + 1).cast(dt.int64)})


def with_unknown_member(
    dimension: ir.Table, key_name: str, *, null_text: tuple[str, ...] = ()
) -> ir.Table:
    """The dimension plus its unknown member: key -1, text attributes n/a, all else null.

    ``null_text`` names text columns that are codes, whose unknown value is null, not n/a.
    """
    schema = dimension.schema()
    values = {
        name: UNKNOWN_KEY
        if name == key_name
        else UNKNOWN_TEXT
        if dtype.is_string() and name not in null_text
        else None
        for name, dtype in schema.items()
    }
    # From Arrow, not a dict: a dict goes through pandas, which cannot hold a null decimal.
    unknown = ibis.memtable(pa.Table.from_pylist([values], schema=schema.to_pyarrow()))
    return dimension.union(unknown)
