"""Metric queries: metrics by dimensions under filters, as one Ibis expression (never executed
here; the caller runs it, e.g. ``engine.to_arrow(expr)``)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import ibis
import ibis.expr.types as ir

from medallion.metrics.registry import (
    SEMANTIC_MODELS,
    Dimension,
    GoldTable,
    Metric,
    MetricError,
    divide,
    get_dimension,
    get_metric,
)
from medallion.models.gold.members import UNKNOWN_TEXT

Operator = Literal["=", "!=", ">=", "<=", ">", "<"]
OPERATORS: tuple[Operator, ...] = ("=", "!=", ">=", "<=", ">", "<")
_FILTER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(!=|>=|<=|==|=|>|<)\s*(.*?)\s*$")
FilterValue = str | int | datetime.date | None  # None: the unknown value (n/a), on any type


@dataclass(frozen=True)
class Filter:
    """``dimension OP value``; ``value`` is of the dimension's type, None for ``n/a``."""

    dimension: str
    op: Operator
    value: FilterValue

    def __str__(self) -> str:
        return f"{self.dimension}{self.op}{UNKNOWN_TEXT if self.value is None else self.value}"

    def predicate(self, table: ir.Table) -> ir.BooleanValue:
        column = table[self.dimension]
        if self.value is None:  # n/a on a number or date: the unknown (null) value
            return column.isnull() if self.op == "=" else column.notnull()
        value = ibis.literal(self.value)
        if self.op == "=":
            return column == value
        if self.op == "!=":  # keeps rows whose value is unknown: they are not the value
            return ~column.identical_to(value)
        compare: dict[str, Callable[[Any, Any], ir.BooleanValue]] = {
            ">=": lambda a, b: a >= b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            "<": lambda a, b: a < b,
        }
        ordered = compare[self.op](column, value)
        # n/a is unknown, not a value in the order ('n/a' > '2013-12' as text).
        return ordered & (column != UNKNOWN_TEXT) if isinstance(self.value, str) else ordered


def parse_filter(text: str) -> Filter:
    """``year=2013``, ``country!=n/a``, ``month>=2013-07``: a dimension, an operator among
    ``= != >= <= > <`` and a value of the dimension's type (``n/a`` means unknown)."""
    match = _FILTER.match(text)
    if not match or not match.group(3):
        raise MetricError(
            f"filter {text!r} is not DIMENSION OP VALUE with OP one of {' '.join(OPERATORS)}: "
            "e.g. year=2013 or country!=n/a"
        )
    name, symbol, raw = match.groups()
    dim = get_dimension(name)
    op = cast(Operator, "=" if symbol == "==" else symbol)
    raw = raw.strip("'\"")
    if raw == UNKNOWN_TEXT and dim.type != "string":
        if op not in ("=", "!="):
            raise MetricError(f"filter {text!r}: {UNKNOWN_TEXT} only goes with = or !=")
        return Filter(name, op, None)
    return Filter(name, op, _typed(text, dim, raw))


def _typed(text: str, dim: Dimension, raw: str) -> FilterValue:
    if dim.type == "integer":
        try:
            return int(raw)
        except ValueError:
            raise MetricError(
                f"filter {text!r}: {dim.name} is a whole number, not {raw!r} (e.g. {dim.name}=2013)"
            ) from None
    if dim.type == "date":
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            raise MetricError(
                f"filter {text!r}: {dim.name} is a date YYYY-MM-DD, not {raw!r}"
            ) from None
    return raw


# An engine (anything with ``table(layer, name)``), such a function, or a dict of gold tables.
Tables = Callable[[str, str], ir.Table] | Mapping[str, ir.Table] | Any


def gold_tables(tables: Tables) -> GoldTable:
    """``table(name)`` for gold tables, from an engine (or anything with ``table(layer,
    name)``), such a function itself, or a dict of tables named ``fact_sales`` or
    ``gold.fact_sales``."""
    if isinstance(tables, Mapping):

        def from_mapping(name: str) -> ir.Table:
            for key in (name, f"gold.{name}"):
                if key in tables:
                    return tables[key]
            raise MetricError(f"gold table {name!r} is missing from the tables given")

        return from_mapping
    accessor = getattr(tables, "table", tables)
    if not callable(accessor):
        raise TypeError(f"expected an engine, a table(layer, name) function or a dict: {tables!r}")
    return lambda name: accessor("gold", name)


def query(
    tables: Tables,
    metrics: Sequence[str],
    by: Sequence[str] = (),
    where: Iterable[Filter | str] = (),
) -> ir.Table:
    """The ``metrics`` by the dimensions ``by``, over the rows ``where`` keeps: one row per
    group, dimension columns first (with their keys, e.g. ``customer_key`` before
    ``customer``), then the metrics in the order asked, sorted by the dimensions.

    Metrics of different semantic models are computed per model and joined on the ``by``
    dimensions (an outer join: a group one model lacks has null metrics there); every ``by``
    and ``where`` dimension must then apply to all of them.
    """
    asked = [get_metric(name) for name in dict.fromkeys(metrics)]
    if not asked:
        raise MetricError("name at least one metric (medallion metrics list shows them)")
    dims = [get_dimension(name) for name in dict.fromkeys(by)]
    filters = [f if isinstance(f, Filter) else parse_filter(f) for f in where]
    for metric in asked:
        _check_sliceable(metric, [d.name for d in dims], "sliced")
        _check_sliceable(metric, [f.dimension for f in filters], "filtered")

    gold = gold_tables(tables)
    keys = [column for d in dims for column in d.columns]
    parts: list[ir.Table] = []
    for model in dict.fromkeys(m.model for m in asked):
        rows = SEMANTIC_MODELS[model].build(gold)
        for f in filters:
            rows = rows.filter(f.predicate(rows))
        parts.append(_aggregate(rows, [m for m in asked if m.model == model], keys))
    result = parts[0]
    for part in parts[1:]:
        result = _join_on(result, part, keys)
    result = result.select(*keys, *(m.name for m in asked))
    return result.order_by(keys) if keys else result


def _check_sliceable(metric: Metric, dimensions: list[str], how: str) -> None:
    wrong = [d for d in dimensions if d not in metric.dimensions]
    if wrong:
        raise MetricError(
            f"metric {metric.name!r} cannot be {how} by {wrong[0]!r}: its dimensions are "
            f"{', '.join(metric.dimensions)}"
        )


def _aggregate(rows: ir.Table, metrics: list[Metric], keys: list[str]) -> ir.Table:
    values: dict[str, ir.Scalar] = {}
    shares: dict[str, ir.Scalar] = {}
    for metric in metrics:
        if metric.share_of is None:
            values[metric.name] = metric.aggregate(rows)
        else:
            values[f"_part_{metric.name}"] = metric.share_of.aggregate(rows)
            shares[f"_total_{metric.name}"] = metric.share_of.aggregate(rows)
    grouped = rows.aggregate(values, by=keys) if keys else rows.aggregate(values)
    if shares:
        grouped = grouped.cross_join(rows.aggregate(shares))
        grouped = grouped.mutate(
            {
                m.name: divide(grouped[f"_part_{m.name}"], grouped[f"_total_{m.name}"])
                for m in metrics
                if m.share_of is not None
            }
        )
    return grouped.select(*keys, *(m.name for m in metrics))


def _join_on(left: ir.Table, right: ir.Table, keys: list[str]) -> ir.Table:
    """Outer join on ``keys``, null-safe (an unknown year meets an unknown year)."""
    if not keys:
        return left.cross_join(right)
    right = right.rename({f"_right_{k}": k for k in keys})
    joined = left.outer_join(right, [left[k].identical_to(right[f"_right_{k}"]) for k in keys])
    metrics = [c for c in right.columns if not c.startswith("_right_")]
    return joined.select(
        *(left[k].coalesce(right[f"_right_{k}"]).name(k) for k in keys),
        *(c for c in left.columns if c not in keys),
        *(right[c] for c in metrics),
    )
