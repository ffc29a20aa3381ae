"""What the metrics layer knows: dimensions, semantic models and metrics, each registered once.

A *semantic model* is a pure function from gold tables to one wide Ibis table; a *dimension* is
a named column of such tables; a *metric* is a named aggregate over one semantic model. Every
lookup by name goes through here, so an unknown name fails in one line that lists the known
ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from medallion.errors import MedallionError

T = TypeVar("T")
GoldTable = Callable[[str], ir.Table]  # gold table name -> table
RowFilter = Callable[[ir.Table], ir.BooleanValue]
Aggregate = Callable[[ir.Table, ir.BooleanValue | None], ir.Scalar]

DimensionType = Literal["string", "integer", "date"]
Format = Literal["money", "count", "percent", "number", "date"]
FORMATS: tuple[Format, ...] = ("money", "count", "percent", "number", "date")


class MetricError(MedallionError):
    """A metric query names an unknown metric or dimension, or a filter that cannot apply."""


@dataclass(frozen=True)
class Dimension:
    """A column to slice and filter by. ``keys`` are grouped on too, ahead of the column, where
    its values are labels that need not be unique (two customers of the same name)."""

    name: str
    type: DimensionType
    description: str
    keys: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.keys, self.name)


@dataclass(frozen=True)
class SemanticModel:
    name: str
    description: str
    inputs: tuple[str, ...]  # the gold tables it reads, without the layer
    dimensions: tuple[str, ...]
    build: Callable[[GoldTable], ir.Table]


@dataclass(frozen=True)
class Metric:
    """A named aggregate over one semantic model.

    ``aggregate(table, rows)`` is the metric's one expression, over the rows of ``table``
    where ``rows`` holds (all rows when None). A share metric (``share_of`` set) has no
    expression of its own: ``query`` divides its base metric per group by the same metric over
    the whole filtered set.
    """

    name: str
    description: str
    format: Format
    model: str
    dimensions: tuple[str, ...]
    definition: str  # the formula in words, for `metrics list` and the docs
    built_from: tuple[str, ...] = ()
    _aggregate: Aggregate | None = None
    share_of: Metric | None = None

    def aggregate(self, table: ir.Table, rows: ir.BooleanValue | None = None) -> ir.Scalar:
        if self._aggregate is None:
            raise MetricError(
                f"metric {self.name!r} is a share of a total: compute it with query(), "
                "not on its own"
            )
        return self._aggregate(table, rows)


DIMENSIONS: dict[str, Dimension] = {}
SEMANTIC_MODELS: dict[str, SemanticModel] = {}
METRICS: dict[str, Metric] = {}


def _register(registry: dict[str, T], kind: str, name: str, item: T) -> None:
    if name in registry:
        raise ValueError(f"{kind} {name!r} is defined twice")
    registry[name] = item


def dimension(name: str, type: DimensionType, description: str, keys: Sequence[str] = ()) -> None:
    _register(DIMENSIONS, "dimension", name, Dimension(name, type, description, tuple(keys)))


def semantic_model(
    name: str, *, inputs: Sequence[str], dimensions: Sequence[str]
) -> Callable[[Callable[[GoldTable], ir.Table]], Callable[[GoldTable], ir.Table]]:
    """Register a semantic model: a pure function from gold tables to one wide table whose
    columns include every dimension listed."""
    unknown = [d for d in dimensions if d not in DIMENSIONS]
    if unknown:
        raise ValueError(f"semantic model {name!r}: unknown dimension(s) {', '.join(unknown)}")

    def register(build: Callable[[GoldTable], ir.Table]) -> Callable[[GoldTable], ir.Table]:
        doc = (build.__doc__ or "").strip().splitlines()
        model = SemanticModel(
            name, doc[0] if doc else name, tuple(inputs), tuple(dimensions), build
        )
        _register(SEMANTIC_MODELS, "semantic model", name, model)
        return build

    return register


def register_metric(metric: Metric) -> Metric:
    if metric.model not in SEMANTIC_MODELS:
        raise ValueError(f"metric {metric.name!r}: unknown semantic model {metric.model!r}")
    _register(METRICS, "metric", metric.name, metric)
    return metric


def _choose(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))


def get_metric(name: str) -> Metric:
    try:
        return METRICS[name]
    except KeyError:
        raise MetricError(f"unknown metric {name!r}: choose one of {_choose(METRICS)}") from None


def get_dimension(name: str) -> Dimension:
    try:
        return DIMENSIONS[name]
    except KeyError:
        raise MetricError(
            f"unknown dimension {name!r}: choose one of {_choose(DIMENSIONS)}"
        ) from None


def list_metrics() -> list[Metric]:
    """Every metric, in the order they are defined (base metrics before those built on them)."""
    return list(METRICS.values())


# Metric constructors: each derived metric is built from the expressions of the metrics it
# names, so a formula is written once.

Aggregation = Literal["sum", "count_distinct", "min", "max"]


def simple(
    name: str,
    *,
    model: str,
    agg: Aggregation,
    column: str,
    format: Format,
    description: str,
    rows: RowFilter | None = None,
    rows_definition: str = "",
) -> Metric:
    """``agg(column)`` over the rows of the model (and of ``rows``, when given). Nulls are
    ignored, as SQL aggregates do (SPEC 6: totals ignore nulls)."""

    def aggregate(table: ir.Table, where: ir.BooleanValue | None) -> ir.Scalar:
        value = table[column]
        where = _both(rows(table) if rows else None, where)
        if agg == "count_distinct":
            return value.nunique(where=where)
        return getattr(value, agg)(where=where)

    words = f"{agg}({column})" + (f" where {rows_definition}" if rows_definition else "")
    return register_metric(
        Metric(name, description, format, model, _dimensions_of(model), words, (), aggregate)
    )


def filtered(
    name: str, base: Metric, rows: RowFilter, rows_definition: str, *, description: str
) -> Metric:
    """``base`` over the rows where ``rows`` holds."""

    def aggregate(table: ir.Table, where: ir.BooleanValue | None) -> ir.Scalar:
        return base.aggregate(table, _both(rows(table), where))

    words = f"{base.name} where {rows_definition}"
    return register_metric(
        Metric(
            name,
            description,
            base.format,
            base.model,
            base.dimensions,
            words,
            (base.name,),
            aggregate,
        )
    )


def ratio(
    name: str, numerator: Metric, denominator: Metric, *, format: Format, description: str
) -> Metric:
    """``numerator / denominator`` as a double; null when the denominator is 0 or null."""

    def aggregate(table: ir.Table, where: ir.BooleanValue | None) -> ir.Scalar:
        return divide(numerator.aggregate(table, where), denominator.aggregate(table, where))

    return _combined(name, numerator, denominator, format, description, "/", aggregate)


def money_per(name: str, amount: Metric, count: Metric, *, description: str) -> Metric:
    """``amount / count`` as money, rounded to cents half away from zero (SPEC 6)."""
    from medallion.rules import divide_money

    def aggregate(table: ir.Table, where: ir.BooleanValue | None) -> ir.Scalar:
        value = divide_money(amount.aggregate(table, where), count.aggregate(table, where))
        return value

    return _combined(name, amount, count, "money", description, "/", aggregate)


def share_of_total(name: str, base: Metric, *, description: str) -> Metric:
    """``base`` per group over ``base`` of the whole filtered set (1 without ``by``)."""
    words = f"{base.name} / {base.name} of every row the filters keep"
    return register_metric(
        Metric(
            name,
            description,
            "percent",
            base.model,
            base.dimensions,
            words,
            (base.name,),
            None,
            base,
        )
    )


def divide(numerator: ir.Value, denominator: ir.Value) -> ir.FloatingValue:
    """A ratio as a double on every engine (DuckDB divides decimals into doubles, Spark into
    decimals); null rather than an error or infinity when the denominator is 0."""
    denominator = denominator.cast(dt.float64)
    return numerator.cast(dt.float64) / denominator.nullif(ibis.literal(0.0))


def _combined(
    name: str,
    first: Metric,
    second: Metric,
    format: Format,
    description: str,
    operator: str,
    aggregate: Aggregate,
) -> Metric:
    if first.model != second.model:
        raise ValueError(f"metric {name!r} combines metrics of different semantic models")
    dimensions = tuple(d for d in first.dimensions if d in second.dimensions)
    words = f"{first.name} {operator} {second.name}"
    return register_metric(
        Metric(
            name,
            description,
            format,
            first.model,
            dimensions,
            words,
            (first.name, second.name),
            aggregate,
        )
    )


def _dimensions_of(model: str) -> tuple[str, ...]:
    if model not in SEMANTIC_MODELS:
        raise ValueError(f"unknown semantic model {model!r}")
    return SEMANTIC_MODELS[model].dimensions


def _both(first: ir.BooleanValue | None, second: ir.BooleanValue | None) -> ir.BooleanValue | None:
    if first is None:
        return second
    return first if second is None else first & second
