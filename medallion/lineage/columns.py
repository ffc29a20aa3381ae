"""Column lineage of every registered model, chained from gold down to the landing files.

Each silver and gold model's own pure function is called on unbound Ibis tables shaped like
its inputs (bronze from ``medallion.sources``, the others from their upstream model's
expression), and the resulting expression is walked (``medallion.lineage.walker``). Bronze
columns come from the landing CSV column of the same (snake_cased) name; its metadata columns
are written by ingestion. Nothing here connects to an engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import ibis
import ibis.expr.types as ir

from medallion.lineage.walker import LineageWalker, UntraceableExpression
from medallion.registry import ModelSpec, load_models, run_order
from medallion.sources import BY_BRONZE_NAME, SourceTable

# Models that take an as-of date see it as a literal: any fixed date gives the same lineage.
LINEAGE_AS_OF = dt.date(2000, 1, 1)
LANDING = "landing"

# The columns ingestion adds to every bronze row, and what they record.
INGESTION_COLUMNS: dict[str, tuple[str, str]] = {
    "_source_file": ("string", "path of the landing file, relative to the landing root"),
    "_source_row": ("int64", "1-based data line in that file"),
    "_batch_id": ("int64", "the ingestion run that read the file (increases every run)"),
    "_ingested_at": ("timestamp('UTC')", "when that run read the file (UTC)"),
}

# Gold columns whose values come from no landing CSV column (only from where and when rows
# were delivered, or from counting rows), and why. lineage tests keep this list exact.
GENERATED: dict[str, str] = {
    "gold.customer_keys.customer_key": "surrogate key: customers numbered in order of first "
    "delivery of their customer_id (cst_id)",
    "gold.dim_customer.customer_key": "surrogate key of the customer (gold.customer_keys)",
    "gold.location_keys.location_key": "surrogate key: countries numbered in order of first "
    "delivery in the ERP locations (cntry)",
    "gold.dim_product.product_key": "surrogate key: products numbered in order of first "
    "delivery of their product number (prd_key)",
    "gold.dim_location.location_key": "surrogate key of the country (gold.location_keys)",
    "gold.dim_customer.location_key": "surrogate key of the customer's country (cntry)",
    "gold.fact_sales.product_key": "surrogate key of the line's product (sls_prd_key)",
    "gold.fact_sales.customer_key": "surrogate key of the line's customer (sls_cust_id)",
    "gold.fact_sales.location_key": "surrogate key of the customer's country",
    "gold.fact_orders.customer_key": "surrogate key of the order's customer",
    "gold.fact_orders.location_key": "surrogate key of the order customer's country",
    "gold.fact_orders.line_count": "a count of the order's lines (sls_ord_num)",
}


def column_key(model: str, column: str) -> str:
    """``<layer>.<table>.<column>``; landing tables are ``landing.<source>/<table>``."""
    return f"{model}.{column}"


def split_key(key: str) -> tuple[str, str, str]:
    """(layer, table, column) of a column key."""
    layer, table, column = key.split(".", 2)
    return layer, table, column


def landing_table(source: SourceTable) -> str:
    return f"{LANDING}.{source.source}/{source.table}"


@dataclass(frozen=True)
class LandingColumn:
    """A column of a landing CSV (``csv``), or one ingestion records about it (``ingestion``)."""

    key: str
    source: SourceTable
    column: str
    origin: str
    description: str


@dataclass(frozen=True)
class ColumnLineage:
    """One column of a model: its type and the columns one step upstream it derives from."""

    key: str
    model: str
    column: str
    dtype: str
    direct: tuple[str, ...]
    via: tuple[str, ...]


@dataclass(frozen=True)
class Trace:
    """Columns a column derives from, all the way up: ``direct`` along value edges only,
    ``via`` through at least one row-choosing edge (filter, join, group)."""

    direct: tuple[str, ...]
    via: tuple[str, ...]


@dataclass
class LineageGraph:
    """Column lineage of every model, the landing columns, and the models not traced."""

    columns: dict[str, ColumnLineage] = field(default_factory=dict)
    landing: dict[str, LandingColumn] = field(default_factory=dict)
    schemas: dict[str, ibis.Schema] = field(default_factory=dict)
    untraced: dict[str, str] = field(default_factory=dict)  # model -> why
    _traces: dict[str, tuple[frozenset[str], frozenset[str]]] = field(default_factory=dict)

    def model_columns(self, model: str) -> list[ColumnLineage]:
        return [c for c in self.columns.values() if c.model == model]

    def trace(self, key: str) -> Trace:
        """The landing columns ``key`` derives from (direct) or whose values chose its rows."""
        direct, via = self._trace(key)
        return Trace(tuple(sorted(direct)), tuple(sorted(via)))

    def upstream(self, key: str) -> Trace:
        """Every column upstream of ``key`` at any layer, landing included."""
        direct, via = self._closure(key)
        return Trace(tuple(sorted(direct)), tuple(sorted(via - direct)))

    def downstream(self, key: str) -> list[str]:
        """Columns that read ``key`` one step downstream (directly or via)."""
        return sorted(k for k, c in self.columns.items() if key in c.direct or key in c.via)

    def _trace(self, key: str) -> tuple[frozenset[str], frozenset[str]]:
        direct, via = self._closure(key)
        return (
            frozenset(k for k in direct if k in self.landing),
            frozenset(k for k in via - direct if k in self.landing),
        )

    def _closure(self, key: str) -> tuple[frozenset[str], frozenset[str]]:
        if key in self._traces:
            return self._traces[key]
        column = self.columns.get(key)
        if column is None:  # a landing column, or a column of an untraced model
            return frozenset({key}), frozenset()
        direct: set[str] = set()
        via: set[str] = set()
        for parent in column.direct:
            parent_direct, parent_via = self._closure(parent)
            direct |= {parent} | parent_direct
            via |= parent_via
        for parent in column.via:
            parent_direct, parent_via = self._closure(parent)
            via |= {parent} | parent_direct | parent_via
        found = frozenset(direct), frozenset(via - direct)
        self._traces[key] = found
        return found


def unbound_input(name: str, schema: ibis.Schema) -> ir.Table:
    """An unbound table named ``<layer>.<table>`` (``ibis.table(..., database=layer)``)."""
    layer, table = name.split(".", 1)
    return ibis.table(schema, name=table, database=layer)


def bronze_schema_of(source: SourceTable) -> ibis.Schema:
    from medallion.models.bronze import bronze_schema

    return ibis.Schema.from_pyarrow(bronze_schema(source.columns))


def contract_schema(spec: ModelSpec) -> ibis.Schema | None:
    """The column types a model's contract promises (when its expression cannot be built)."""
    if spec.contract is None:
        return None
    columns = spec.contract.to_schema().columns  # type: ignore[attr-defined]
    return ibis.schema({name: column.dtype.type for name, column in columns.items()})


def model_expression(spec: ModelSpec, schemas: dict[str, ibis.Schema]) -> ir.Table:
    """The model's output, built by its own function on unbound inputs."""
    inputs = [unbound_input(name, schemas[name]) for name in spec.inputs]
    return spec.build(inputs, as_of=LINEAGE_AS_OF).table


def _landing_columns(source: SourceTable) -> list[LandingColumn]:
    table = landing_table(source)
    found = [
        LandingColumn(
            f"{table}.{column}",
            source,
            column,
            "csv",
            f"CSV header column {column} (read snake_cased: CID -> cid)",
        )
        for column in source.columns
    ]
    found += [
        LandingColumn(f"{table}.{column}", source, column, "ingestion", meaning)
        for column, (_, meaning) in INGESTION_COLUMNS.items()
    ]
    return found


def build_lineage_graph(specs: dict[str, ModelSpec]) -> LineageGraph:
    """Walk every model of ``specs`` in run order (a pure function of the registry)."""
    graph = LineageGraph()
    for name in run_order(specs):
        spec = specs[name]
        if spec.layer == "bronze":
            _add_bronze(graph, spec)
            continue
        missing = [i for i in spec.inputs if i not in graph.schemas]
        try:
            if missing:
                raise UntraceableExpression(f"inputs without a schema: {', '.join(missing)}")
            expression = model_expression(spec, graph.schemas)
            lineage = LineageWalker().columns(expression)
        except Exception as exc:  # recorded and shown in the docs, never fatal
            graph.untraced[name] = f"{type(exc).__name__}: {exc}"
            schema = contract_schema(spec)
            if schema is not None:
                graph.schemas[name] = schema
            continue
        graph.schemas[name] = expression.schema()
        for column, found in lineage.items():
            key = column_key(name, column)
            graph.columns[key] = ColumnLineage(
                key,
                name,
                column,
                str(graph.schemas[name][column]),
                tuple(sorted(column_key(t, c) for t, c in found.direct)),
                tuple(sorted(column_key(t, c) for t, c in found.via)),
            )
    return graph


def _add_bronze(graph: LineageGraph, spec: ModelSpec) -> None:
    source = BY_BRONZE_NAME[spec.table]
    schema = bronze_schema_of(source)
    graph.schemas[spec.name] = schema
    for landing in _landing_columns(source):
        graph.landing[landing.key] = landing
        key = column_key(spec.name, landing.column)
        graph.columns[key] = ColumnLineage(
            key, spec.name, landing.column, str(schema[landing.column]), (landing.key,), ()
        )


@cache
def lineage_graph() -> LineageGraph:
    """The lineage of the registered models (computed once per process)."""
    return build_lineage_graph(load_models())


def column_lineage() -> dict[str, dict[str, list[str]]]:
    """``"<layer>.<table>.<column>"`` -> ``{"direct": [...], "via": [...]}``: the columns one
    step upstream it is computed from, and those that choose its rows. Bronze columns point to
    their landing column ``landing.<source>/<table>.<column>``."""
    return {
        key: {"direct": list(c.direct), "via": list(c.via)}
        for key, c in lineage_graph().columns.items()
    }


def trace_to_landing(key: str) -> dict[str, list[str]]:
    """The landing columns a column derives from (``direct``: its values are computed from
    them) or that choose its rows (``via``), through every layer."""
    graph = lineage_graph()
    if key not in graph.columns:
        raise KeyError(f"no column {key!r}: expected <layer>.<table>.<column>")
    trace = graph.trace(key)
    return {"direct": list(trace.direct), "via": list(trace.via)}


def models_of(keys: Iterable[str]) -> list[str]:
    """The ``<layer>.<table>`` of each column key, in order of first appearance."""
    seen: dict[str, None] = {}
    for key in keys:
        layer, table, _ = split_key(key)
        seen[f"{layer}.{table}"] = None
    return list(seen)
