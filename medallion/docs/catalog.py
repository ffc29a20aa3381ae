"""The catalog the docs render: every table with its columns, checks, tests and lineage.

Everything here is derived: models and their metadata from the registry, columns and types
from the models' own expressions (``medallion.lineage``), nullability and checks from the
contracts, data tests from their declarations, numbers from the warehouse when it exists.
"""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass, field
from typing import Any

from medallion.docs.facts import CheckOutcome, WarehouseFacts
from medallion.kinds import AppendNewFiles, Kind, MergeByKey, Rebuild
from medallion.lineage import LineageGraph, dashboard_inputs
from medallion.quality.checks import KeyCheck, RowCheck, contract_checks
from medallion.quality.datatests import load_tests
from medallion.quality.severity import SeverityPolicy
from medallion.registry import ModelSpec, run_order

FORMAT = "medallion.catalog/1"


@dataclass(frozen=True)
class CheckDoc:
    id: str
    kind: str  # "contract" or "test"
    column: str | None
    description: str
    severity: str
    models: tuple[str, ...]
    result: CheckOutcome | None


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    dtype: str
    nullable: bool | None  # None: the contract does not declare the column
    checks: tuple[str, ...]  # ids of contract checks and data tests on this column


@dataclass
class TableDoc:
    spec: ModelSpec
    columns: list[ColumnDoc]
    checks: list[CheckDoc]
    tests: list[CheckDoc]
    downstream: list[str]
    dashboards: list[str]
    rows: int | None
    quarantined: int | None
    untraced: str | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def kind(self) -> str:
        return describe_kind(self.spec.kind)

    @property
    def contract(self) -> str | None:
        contract = self.spec.contract
        return f"{contract.__module__}.{contract.__name__}" if contract else None


@dataclass
class Catalog:
    tables: dict[str, TableDoc]
    dashboards: dict[str, tuple[str, ...]]
    facts: WarehouseFacts
    lineage: LineageGraph
    landing_tables: dict[str, list[str]] = field(default_factory=dict)  # node -> landing keys

    def layer(self, layer: str) -> list[TableDoc]:
        return [t for t in self.tables.values() if t.spec.layer == layer]


def describe_kind(kind: Kind) -> str:
    """The incremental kind in words: its name, and the partition of a merge."""
    if isinstance(kind, MergeByKey):
        return f"merge by key ({', '.join(kind.partition)})"
    if isinstance(kind, AppendNewFiles):
        return "append new files"
    if isinstance(kind, Rebuild):
        return "rebuild"
    return type(kind).__name__


def kind_explanation(kind: Kind) -> str:
    """The first paragraph of the kind's docstring: what a run does to the table."""
    paragraph = (inspect.getdoc(type(kind)) or "").split("\n\n")[0]
    return " ".join(paragraph.split())


def build_catalog(
    specs: dict[str, ModelSpec],
    lineage: LineageGraph,
    facts: WarehouseFacts,
    policy: SeverityPolicy,
) -> Catalog:
    dashboards = dashboard_inputs(specs)
    tests = list(load_tests().values())
    tables: dict[str, TableDoc] = {}
    for name in run_order(specs):
        spec = specs[name]
        checks = _contract_checks(spec, policy, facts)
        table_tests = [
            CheckDoc(
                t.id,
                "test",
                t.column,
                t.description,
                policy.resolve(t.id, t.severity),
                t.models,
                facts.results.get(t.id),
            )
            for t in tests
            if name in t.models
        ]
        tables[name] = TableDoc(
            spec=spec,
            columns=_columns(spec, lineage, checks, table_tests),
            checks=checks,
            tests=table_tests,
            downstream=sorted(n for n, s in specs.items() if name in s.inputs),
            dashboards=[title for title, inputs in dashboards.items() if name in inputs],
            rows=facts.rows_of(name),
            quarantined=facts.quarantined.get(name),
            untraced=lineage.untraced.get(name),
        )
    landing_tables: dict[str, list[str]] = {}
    for key in lineage.landing:
        node = key.rsplit(".", 1)[0]
        landing_tables.setdefault(node, []).append(key)
    return Catalog(tables, dashboards, facts, lineage, landing_tables)


def _contract_checks(
    spec: ModelSpec, policy: SeverityPolicy, facts: WarehouseFacts
) -> list[CheckDoc]:
    if spec.contract is None:
        return []
    return [
        CheckDoc(
            check.id,
            "contract",
            _checked_column(check),
            check.description,
            check.severity,
            (spec.name,),
            facts.results.get(check.id),
        )
        for check in contract_checks(spec.name, spec.contract, policy)
    ]


def _checked_column(check: RowCheck | KeyCheck) -> str | None:
    if isinstance(check, KeyCheck):
        return check.columns[0] if len(check.columns) == 1 else None
    return check.column


def _columns(
    spec: ModelSpec, lineage: LineageGraph, checks: list[CheckDoc], tests: list[CheckDoc]
) -> list[ColumnDoc]:
    schema = lineage.schemas.get(spec.name)
    declared: dict[str, Any] = {}
    if spec.contract is not None:
        declared = dict(spec.contract.to_schema().columns)  # type: ignore[attr-defined]
    names = list(schema) if schema is not None else list(declared)
    on_column: dict[str, list[str]] = {}
    for check in [*checks, *tests]:
        if check.column is not None and (check.kind == "contract" or check.models[0] == spec.name):
            on_column.setdefault(check.column, []).append(check.id)
    return [
        ColumnDoc(
            name,
            str(schema[name]) if schema is not None else str(declared[name].dtype),
            declared[name].nullable if name in declared else None,
            tuple(on_column.get(name, ())),
        )
        for name in names
    ]


def catalog_json(catalog: Catalog) -> dict[str, Any]:
    """``catalog.json``: tables, columns, types, checks and (when built) rows and results."""
    facts = catalog.facts
    last = facts.last_run
    return {
        "format": FORMAT,
        "warehouse": {
            "database": str(facts.database),
            "built": facts.built,
            "last_run": {k: last.get(k) for k in ("run_id", "command", "status", "finished_at")}
            if last
            else None,
        },
        "tables": {
            name: {
                "layer": t.spec.layer,
                "table": t.spec.table,
                "description": t.spec.description,
                "kind": t.kind,
                "grain": list(t.spec.grain),
                "contract": t.contract,
                "inputs": list(t.spec.inputs),
                "downstream": t.downstream,
                "dashboards": t.dashboards,
                "rows": t.rows,
                "quarantined_rows": t.quarantined,
                "columns": [dataclasses.asdict(c) for c in t.columns],
                "checks": [_check_json(c) for c in t.checks],
                "data_tests": [_check_json(c) for c in t.tests],
            }
            for name, t in catalog.tables.items()
        },
        "dashboards": {title: list(tables) for title, tables in catalog.dashboards.items()},
    }


def _check_json(check: CheckDoc) -> dict[str, Any]:
    found = dataclasses.asdict(check)
    found["models"] = list(check.models)
    return found
