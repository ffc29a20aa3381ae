"""Column lineage of one Ibis expression: for each output column, the input columns it reads.

The walk follows the expression graph (``ibis.expr.operations``) from each output column down
to ``UnboundTable`` leaves. A column's inputs come in two kinds:

- **direct**: the value is computed from them (arguments of the value's operations, the
  aggregated column of a metric, the order of a ranking window such as ``row_number``);
- **via**: they decide which rows exist or are matched, not the value itself (filter
  predicates, join keys, group keys, window partitions, the columns of a ``distinct``).

A left join is read as a lookup: its keys influence only the columns taken from the joined
table, as a star schema joins a dimension to many rows. In-memory tables (``ibis.memtable``,
e.g. a dimension's unknown member) are literals, not sources.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ibis.expr.operations as ops
import ibis.expr.types as ir

# An input column: ("<layer>.<table>", "<column>"), the table named after its unbound leaf.
Column = tuple[str, str]

LOOKUP_JOINS = frozenset({"left", "any_left"})
RANKING = (ops.RowNumber, ops.MinRank, ops.DenseRank, ops.PercentRank, ops.CumeDist, ops.NTile)
ROWS_KEPT = ops.Sort | ops.Limit | ops.Sample | ops.FillNull


class UntraceableExpression(Exception):
    """The walker met an operation whose column lineage it does not know how to follow."""


@dataclass(frozen=True)
class Lineage:
    direct: frozenset[Column] = frozenset()
    via: frozenset[Column] = frozenset()

    def __or__(self, other: Lineage) -> Lineage:
        return Lineage(self.direct | other.direct, self.via | other.via)

    def as_via(self) -> Lineage:
        """Everything this lineage reads, as row influence (a predicate's or key's inputs)."""
        return Lineage(frozenset(), self.direct | self.via)

    def normalized(self) -> Lineage:
        """A column that is both read and filtered on counts as read."""
        return Lineage(self.direct, self.via - self.direct)


EMPTY = Lineage()


def _union(lineages: Iterable[Lineage]) -> Lineage:
    found = EMPTY
    for lineage in lineages:
        found = found | lineage
    return found


def table_key(leaf: ops.PhysicalTable) -> str:
    """``<database>.<name>`` of an unbound table (``ibis.table(schema, name, database=...)``)."""
    namespace = getattr(leaf, "namespace", None)
    database = getattr(namespace, "database", None)
    return f"{database}.{leaf.name}" if database else leaf.name


class LineageWalker:
    """Walks one expression graph; results are memoised per node, as subtrees are shared."""

    def __init__(self) -> None:
        self._fields: dict[tuple[ops.Relation, str], Lineage] = {}
        self._values: dict[ops.Value, Lineage] = {}
        self._rows: dict[ops.Relation, Lineage] = {}

    def columns(self, table: ir.Table) -> dict[str, Lineage]:
        """Every output column of ``table`` with the input columns it derives from."""
        relation = table.op()
        return {name: self.field(relation, name).normalized() for name in relation.schema}

    # -- a column of a relation --------------------------------------------------------------

    def field(self, rel: ops.Relation, name: str) -> Lineage:
        key = (rel, name)
        if key not in self._fields:
            self._fields[key] = self._field(rel, name)
        return self._fields[key]

    def _field(self, rel: ops.Relation, name: str) -> Lineage:
        if isinstance(rel, ops.InMemoryTable):
            return EMPTY  # literal rows (an unknown member), not a source
        if isinstance(rel, ops.UnboundTable | ops.DatabaseTable):
            return Lineage(frozenset({(table_key(rel), name)}))
        if isinstance(rel, ops.Reference | ops.DropColumns | ops.AliasedRelation):
            return self.field(rel.parent, name)
        if isinstance(rel, ops.Project | ops.DummyTable):
            return self.value(rel.values[name]) | self.rows(rel)
        if isinstance(rel, ops.Filter | ops.Distinct | ops.DropNull | ROWS_KEPT):
            found = self.field(rel.parent, name) | self.rows(rel)
            if isinstance(rel, ops.FillNull) and isinstance(rel.replacements, ops.Value):
                found = found | self.value(rel.replacements)
            return found
        if isinstance(rel, ops.Aggregate):
            return self.value(rel.values[name]) | self.rows(rel)
        if isinstance(rel, ops.JoinChain):
            return self._join_field(rel, name)
        if isinstance(rel, ops.Union):
            return self.field(rel.left, name) | self.field(rel.right, name) | self.rows(rel)
        if isinstance(rel, ops.Set):  # intersection, difference: the right side filters
            return self.field(rel.left, name) | self.rows(rel)
        if isinstance(rel, ops.TableUnnest):
            if name == rel.column_name:
                return self.value(rel.column) | self.rows(rel)
            if name == rel.offset:
                return self.value(rel.column).as_via() | self.rows(rel)
            return self.field(rel.parent, name) | self.rows(rel)
        raise UntraceableExpression(f"relation {type(rel).__name__} (column {name!r})")

    def _join_field(self, chain: ops.JoinChain, name: str) -> Lineage:
        value = chain.values[name]
        read = value.relations
        found = self.value(value) | self.rows(chain.first)
        for link in chain.rest:
            # A left join is a lookup: its keys matter only to the columns it brings in.
            if link.how not in LOOKUP_JOINS or link.table in read:
                found = found | self._link(link)
        return found

    def _link(self, link: ops.JoinLink) -> Lineage:
        predicates = _union(self.value(p).as_via() for p in link.predicates)
        return predicates | self.rows(link.table)

    # -- which rows a relation holds -----------------------------------------------------------

    def rows(self, rel: ops.Relation) -> Lineage:
        """The input columns that decide which rows ``rel`` holds (all of it as via)."""
        if rel not in self._rows:
            self._rows[rel] = self._rows_of(rel).as_via()
        return self._rows[rel]

    def _rows_of(self, rel: ops.Relation) -> Lineage:
        if isinstance(rel, ops.Reference | ops.DropColumns | ops.Project | ops.AliasedRelation):
            return self.rows(rel.parent)
        if isinstance(rel, ops.PhysicalTable | ops.DummyTable):
            return EMPTY
        if isinstance(rel, ROWS_KEPT):
            return self.rows(rel.parent)
        if isinstance(rel, ops.Filter):
            return self.rows(rel.parent) | _union(self.value(p) for p in rel.predicates)
        if isinstance(rel, ops.Distinct):
            columns = (self.field(rel.parent, name) for name in rel.schema)
            return self.rows(rel.parent) | _union(columns)
        if isinstance(rel, ops.DropNull):
            subset = (self.value(column) for column in rel.subset or ())
            return self.rows(rel.parent) | _union(subset)
        if isinstance(rel, ops.Aggregate):
            return self.rows(rel.parent) | _union(self.value(g) for g in rel.groups.values())
        if isinstance(rel, ops.JoinChain):
            found = self.rows(rel.first)
            for link in rel.rest:
                if link.how not in LOOKUP_JOINS:
                    found = found | self._link(link)
            return found
        if isinstance(rel, ops.Union):
            return self.rows(rel.left) | self.rows(rel.right)
        if isinstance(rel, ops.Set):
            columns = (self.field(rel.right, name) for name in rel.right.schema)
            return self.rows(rel.left) | _union(columns)
        if isinstance(rel, ops.TableUnnest):
            return self.rows(rel.parent) | self.value(rel.column)
        raise UntraceableExpression(f"relation {type(rel).__name__}")

    # -- a value expression --------------------------------------------------------------------

    def value(self, node: ops.Value) -> Lineage:
        if node not in self._values:
            self._values[node] = self._value(node)
        return self._values[node]

    def _value(self, node: ops.Value) -> Lineage:
        if isinstance(node, ops.Field):
            return self.field(node.rel, node.name)
        if isinstance(node, ops.WindowFunction):
            partition = _union(self.value(v) for v in node.group_by).as_via()
            order = _union(self.value(k) for k in node.order_by)
            # A rank is computed from the order; a windowed aggregate from its argument.
            ranked = order if isinstance(node.func, RANKING) else order.as_via()
            return self.value(node.func) | partition | ranked
        if isinstance(node, ops.CountStar):
            counted = self.rows(node.arg)
            return counted if node.where is None else counted | self.value(node.where).as_via()
        if isinstance(node, ops.ScalarSubquery):
            (only,) = node.rel.schema.names
            return self.field(node.rel, only) | self.rows(node.rel)
        if isinstance(node, ops.ExistsSubquery | ops.InSubquery):
            subquery = _union(self.field(node.rel, n) for n in node.rel.schema) | self.rows(
                node.rel
            )
            needle = self.value(node.needle) if isinstance(node, ops.InSubquery) else EMPTY
            return needle | subquery.as_via()
        return _union(self._child(child) for child in node.__children__)

    def _child(self, child: Any) -> Lineage:
        if isinstance(child, ops.Value):
            return self.value(child)
        if isinstance(child, ops.Relation):  # a reduction over a whole relation
            return self.rows(child)
        return EMPTY


def expression_lineage(table: ir.Table) -> dict[str, Lineage]:
    """Every output column of ``table`` -> the input columns it is computed from (``direct``)
    and those that choose its rows (``via``)."""
    return LineageWalker().columns(table)
