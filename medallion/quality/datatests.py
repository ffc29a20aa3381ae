"""dbt-style data tests: queries that return the rows breaking a promise between tables.

A test is a function of the tables it reads, returning its failing rows: none means it passes.
Generic tests (``unique``, ``not_null``, ``accepted_values``, ``relationships``) are built by
the functions below; a custom test is one decorated function::

    @data_test("gold.fact_sales", "gold.dim_product")
    def known_products_have_cost(fact_sales, dim_product): ...

Tests are declared in ``schemas/data_tests.py``; this module only knows how to hold them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir

from medallion.errors import ConfigError
from medallion.quality.severity import Severity, SeverityPolicy, parse_severity

Query = Callable[..., ir.Table]
Where = Callable[[ir.Table], ir.BooleanValue]


@dataclass(frozen=True)
class DataTest:
    """A named query over ``models`` (in the order ``query`` takes them) for failing rows.

    ``row_models`` are the models whose rows it checks one by one: while a run stages new rows
    of such a model, checking those rows alone is enough. ``key`` marks a uniqueness test
    (its model's staged rows suffice when the key contains the merge partition). ``per``
    marks a test judged key by key: every model it reads has these columns, and a key's
    outcome depends only on the rows with that key, so a run checks only the keys it changed.
    ``narrow_by`` are key columns of the ``row_models`` rows: while a run checks only some of
    those rows, the other models holding these columns are read for those rows' keys only.
    """

    id: str
    models: tuple[str, ...]
    query: Query = field(compare=False)
    description: str
    severity: Severity = "error"
    column: str | None = None
    row_models: frozenset[str] = frozenset()
    key: tuple[str, ...] = ()
    per: tuple[str, ...] = ()
    narrow_by: tuple[str, ...] = ()

    def with_policy(self, policy: SeverityPolicy) -> DataTest:
        severity = policy.resolve(self.id, self.severity)
        if severity == "quarantine":
            raise ConfigError(
                f"data test {self.id}: a data test reports rows across tables and cannot "
                "quarantine them; use error or warn (quarantine is for contract checks)"
            )
        return DataTest(
            self.id,
            self.models,
            self.query,
            self.description,
            severity,
            self.column,
            self.row_models,
            self.key,
            self.per,
            self.narrow_by,
        )


TESTS: dict[str, DataTest] = {}


def register_test(test: DataTest) -> DataTest:
    if test.id in TESTS:
        raise ValueError(f"data test {test.id} is declared twice")
    for name in test.models:
        if name.count(".") != 1:
            raise ValueError(f"data test {test.id}: {name!r} is not <layer>.<table>")
    TESTS[test.id] = test
    return test


def load_tests() -> dict[str, DataTest]:
    """Import the declarations (they register themselves) and return every data test."""
    import schemas.data_tests  # noqa: F401  (import registers)

    return TESTS


def data_test(
    *models: str,
    severity: Severity = "error",
    name: str | None = None,
    rows_of: str | None = None,
    per: Sequence[str] = (),
    narrow_by: Sequence[str] = (),
) -> Callable[[Query], Query]:
    """Register a custom test: the function takes one table per model and returns failing rows.

    Its docstring's first line describes the test in reports and docs. ``rows_of`` names the
    model whose rows it judges one by one (each failing row stems from one of its rows): a run
    then checks only that model's new rows. ``per`` names key columns every model has, when
    a key's outcome depends only on its own rows: a run then checks only the keys it changed.
    ``narrow_by`` names key columns of ``rows_of``: while a run checks only some of its rows,
    the other models with these columns are read for those rows' keys only. The test then
    need not narrow them itself, which a full run would pay for and gain nothing by.
    """
    if rows_of is not None and rows_of not in models:
        raise ValueError(f"data test rows_of={rows_of!r} is not one of its models")
    if narrow_by and rows_of is None:
        raise ValueError("data test narrow_by needs rows_of: the rows whose keys narrow")

    def decorate(func: Query) -> Query:
        doc = (func.__doc__ or "").strip()
        if not doc:
            raise ValueError(f"data test {func.__name__} needs a docstring: what it promises")
        register_test(
            DataTest(
                f"custom:{name or func.__name__}",
                tuple(models),
                func,
                doc.splitlines()[0],
                parse_severity(severity, f"data test {func.__name__}"),
                row_models=frozenset({rows_of} if rows_of else ()),
                per=tuple(per),
                narrow_by=tuple(narrow_by),
            )
        )
        return func

    return decorate


def unique(
    model: str,
    *columns: str,
    where: Where | None = None,
    severity: Severity = "error",
    kind: str = "unique",
) -> DataTest:
    """No two rows (matching ``where``) share the values of ``columns``."""

    def query(table: ir.Table) -> ir.Table:
        rows = table.filter(where(table)) if where else table
        return (
            rows.group_by(list(columns))
            .aggregate(duplicates=ibis._.count())
            .filter(ibis._.duplicates > 1)
        )

    return register_test(
        DataTest(
            f"{kind}:{model}.{'+'.join(columns)}",
            (model,),
            query,
            f"{kind}({', '.join(columns)})",
            severity,
            columns[0] if len(columns) == 1 else None,
            key=tuple(columns),
        )
    )


def not_null(model: str, column: str, *, severity: Severity = "error") -> DataTest:
    def query(table: ir.Table) -> ir.Table:
        return table.filter(table[column].isnull())

    return register_test(
        DataTest(
            f"not_null:{model}.{column}",
            (model,),
            query,
            "not_null",
            severity,
            column,
            frozenset({model}),
        )
    )


def accepted_values(
    model: str, column: str, values: Sequence[Any], *, severity: Severity = "error"
) -> DataTest:
    """Every non-null value of ``column`` is one of ``values``."""
    allowed = list(values)

    def query(table: ir.Table) -> ir.Table:
        return table.filter(table[column].notnull() & ~table[column].isin(allowed))

    return register_test(
        DataTest(
            f"accepted_values:{model}.{column}",
            (model,),
            query,
            f"accepted_values({allowed})",
            severity,
            column,
            frozenset({model}),
        )
    )


def relationships(
    model: str,
    column: str,
    *,
    to: str,
    where: Where | None = None,
    severity: Severity = "error",
) -> DataTest:
    """Every non-null ``column`` value (of rows matching ``where``) exists in ``to``
    (``<layer>.<table>.<column>``): a fact key in its dimension."""
    parent, _, parent_column = to.rpartition(".")
    if not parent or parent.count(".") != 1:
        raise ValueError(f"relationships to={to!r}: expected <layer>.<table>.<column>")

    def query(child: ir.Table, parent_table: ir.Table) -> ir.Table:
        rows = child.filter(child[column].notnull())
        if where:
            rows = rows.filter(where(rows))
        # No DISTINCT: an anti join ignores repeated keys, and deduplicating first costs a
        # hash aggregate of the parent (2x the join on 6 million order lines).
        keys = parent_table.select(_parent_key=parent_table[parent_column])
        return rows.anti_join(keys, rows[column] == keys._parent_key)

    return register_test(
        DataTest(
            f"relationships:{model}.{column}",
            (model, parent),
            query,
            f"relationships(-> {to})",
            severity,
            column,
            frozenset({model}),
            # A child row fails or passes by the parent rows of its own value alone.
            per=(column,) if parent_column == column else (),
        )
    )


def tests_for(models: Iterable[str], policy: SeverityPolicy) -> list[DataTest]:
    """The tests that read any of ``models``, with severities after ``policy``."""
    wanted = set(models)
    return [t.with_policy(policy) for t in load_tests().values() if wanted & set(t.models)]
