"""Star-schema tests no generic tool ships: grain, unknown members, reconciled measures."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from medallion.quality.datatests import DataTest, Where, register_test, unique
from medallion.quality.severity import Severity

UNKNOWN_KEY = -1


def grain(model: str, columns: Sequence[str], *, severity: Severity = "error") -> DataTest:
    """One row per declared key, among rows whose surrogate keys are known.

    Rows pointing at an unknown member (-1) cannot be told apart by their keys: two lines of
    an order whose products are both unknown share (order, -1); they are still two lines.
    """
    surrogate = [c for c in columns if c.endswith("_key")]

    def known(table: ir.Table) -> ir.BooleanValue:
        result: ir.BooleanValue = ibis.literal(True)
        for column in surrogate:
            result = result & (table[column] != UNKNOWN_KEY)
        return result

    where: Where | None = known if surrogate else None
    return unique(model, *columns, where=where, severity=severity, kind="grain")


def unknown_member(
    model: str, key: str, *, codes: Sequence[str] = (), severity: Severity = "error"
) -> DataTest:
    """The dimension holds exactly one unknown member (key -1), its text attributes ``n/a``
    and every other attribute null (SPEC 6); ``codes`` are text columns whose unknown value is
    null (an ISO code is unknown, not "n/a"). One failing row reports the counts."""

    def query(dim: ir.Table) -> ir.Table:
        # Filtered first: the scan then skips every block whose keys cannot be -1, instead of
        # reading every column of the dimension.
        members = dim.filter(dim[key] == UNKNOWN_KEY)
        wrong = ibis.literal(False)
        for column in dim.columns:
            if column == key:
                continue
            text = dim[column].type().is_string() and column not in codes
            ok = members[column] == "n/a" if text else members[column].isnull()
            wrong = wrong | ~ok.fill_null(False)
        return members.aggregate(
            unknown_members=members.count(),
            with_wrong_attributes=ibis.ifelse(wrong, 1, 0).sum().fill_null(0),
        ).filter((ibis._.unknown_members != 1) | (ibis._.with_wrong_attributes > 0))

    return register_test(
        DataTest(
            f"unknown_member:{model}",
            (model,),
            query,
            f"one unknown member {key} = -1, text attributes n/a, others null",
            severity,
            key,
        )
    )


def reconcile(
    tables: dict[str, ir.Table],
    measures: Sequence[str],
    *,
    by: Sequence[str] = (),
    one_per_key: Collection[str] = (),
) -> ir.Table:
    """Rows where the tables' totals of ``measures`` differ: one per ``by`` key that any table
    holds, or a single row overall when ``by`` is empty.

    Totals ignore nulls (SPEC 6). Per key, a key some table lacks differs as well, so the same
    keys are in every table: for keys that name rows of each (orders), this is also the
    relationship of every table to every other. The tables named in ``one_per_key`` hold one
    row per ``by`` key (their contract's unique key, checked before any data test), so their
    rows are their totals: grouping fact_orders' 2.7 million orders again took a second.
    """
    names = list(tables)
    totals: list[ir.Table] = []
    for name in names:
        table = tables[name]
        if by and name in one_per_key:
            totals.append(
                table.select(
                    *by,
                    **{f"{name}__{m}": table[m] for m in measures},
                    **{f"{name}__rows": ibis.literal(1, dt.int64)},
                )
            )
            continue
        sums = {f"{name}__{m}": table[m].sum() for m in measures}
        if by:
            sums[f"{name}__rows"] = table.count()
        totals.append(table.group_by(list(by)).aggregate(**sums) if by else table.aggregate(**sums))
    joined = totals[0]
    for other in totals[1:]:
        if not by:
            joined = joined.cross_join(other)
            continue
        both = joined.outer_join(other, list(by), rname="{name}__other")
        # A view: the next outer join then joins this result, not the chain of joins in it.
        joined = both.select(
            *(ibis.coalesce(both[k], both[f"{k}__other"]).name(k) for k in by),
            *(c for c in both.columns if c not in by and not c.endswith("__other")),
        ).view()
    differs = ibis.literal(False)
    for name in names[1:]:
        if by:
            differs = differs | (
                joined[f"{names[0]}__rows"].isnull() != joined[f"{name}__rows"].isnull()
            )
        for measure in measures:
            first = joined[f"{names[0]}__{measure}"]
            differs = differs | ~first.identical_to(joined[f"{name}__{measure}"])
    return joined.filter(differs)
