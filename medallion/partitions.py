"""Restrictions for merge models: which partitions new data touches, and the inputs they need."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ibis.expr.types as ir

from medallion.kinds import Restriction


def new_keys_of_bronze(
    bronze: ir.Table, new_rows: ir.Table, keyed: Callable[[ir.Table], ir.Table], key: Sequence[str]
) -> Restriction:
    """For a model over one bronze table whose partition is a key computed from each row.

    ``keyed`` adds the key columns to bronze rows, with the very rule the model uses, so the
    restriction can never disagree with the model about which rows belong together.
    """
    present = [keyed(new_rows)[k].notnull() for k in key]
    touched = keyed(new_rows).filter(present).select(*key).distinct()
    rows = keyed(bronze).semi_join(touched, list(key)).select(*bronze.columns)
    return Restriction([rows], touched)


def union_keys(key: str, *tables: ir.Table) -> ir.Table:
    """The distinct non-null values of ``key`` across tables."""
    selected = [t.select(key) for t in tables]
    combined = selected[0].union(*selected[1:]) if len(selected) > 1 else selected[0]
    return combined.filter(combined[key].notnull()).distinct()
