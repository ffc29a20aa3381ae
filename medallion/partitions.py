"""Restrictions for merge models: which partitions new data touches, and the inputs they need."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ibis.expr.types as ir

from medallion.kinds import Restriction


def new_keys_of_bronze(
    new_rows: ir.Table, keyed: Callable[[ir.Table], ir.Table], key: Sequence[str]
) -> Restriction:
    """For a model keeping the latest version per key of one bronze table's rows: the keys
    of the rows delivered since it last ran, and those rows alone (``new_only``).

    The model's rows for those keys stand for every earlier version (each lost to them), so
    an incremental run reads no bronze row twice: finding all versions of the touched keys
    meant cleaning the key of every bronze row. ``keyed`` adds the key columns with the very
    rule the model uses, so the two can never disagree about which rows belong together.
    """
    keyed_rows = keyed(new_rows)
    present = [keyed_rows[k].notnull() for k in key]
    touched = keyed_rows.filter(present).select(*key).distinct()
    return Restriction([new_rows], touched, new_only=True)


def union_keys(key: str, *tables: ir.Table) -> ir.Table:
    """The distinct non-null values of ``key`` across tables."""
    selected = [t.select(key) for t in tables]
    combined = selected[0].union(*selected[1:]) if len(selected) > 1 else selected[0]
    return combined.filter(combined[key].notnull()).distinct()
