"""A Pandera contract read as checks the engine can evaluate: one boolean expression each.

pandera.ibis validates a table check by check and pulls failure cases into pandas; to keep
validation one pass on the engine, the contract's own check functions (the same builtins
``Field(ge=..., isin=...)`` and ``@dataframe_check`` use) are applied to the table here, and
only their boolean expressions are kept. The contract stays the one definition of the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
from pandera.api.checks import Check
from pandera.api.function_dispatch import Dispatcher
from pandera.api.ibis.types import IbisData
from pandera.backends.ibis.register import register_ibis_backends

from medallion.errors import ConfigError
from medallion.quality.severity import DEFAULT_SEVERITY, Severity, SeverityPolicy, parse_severity


@dataclass(frozen=True)
class RowCheck:
    """A check of each row on its own: it can warn, stop the run, or quarantine the row."""

    id: str  # "<layer>.<table>.<column>.<check>" or "<layer>.<table>.<check>"
    model: str
    column: str | None
    description: str
    severity: Severity
    passes: Callable[[ir.Table], ir.BooleanValue]

    def fails(self, table: ir.Table) -> ir.BooleanValue:
        """True where the row breaks the check; a null outcome passes (as in Pandera)."""
        return ~self.passes(table).fill_null(True)


@dataclass(frozen=True)
class KeyCheck:
    """No two rows share a key (a contract's ``Config.unique``)."""

    id: str
    model: str
    columns: tuple[str, ...]
    severity: Severity

    @property
    def description(self) -> str:
        return f"unique({', '.join(self.columns)})"


@dataclass(frozen=True)
class ContractChecks:
    model: str
    contract: type
    rows: tuple[RowCheck, ...]
    keys: tuple[KeyCheck, ...]

    def __iter__(self) -> Iterator[RowCheck | KeyCheck]:
        yield from self.rows
        yield from self.keys


def contract_checks(model: str, contract: type, policy: SeverityPolicy) -> ContractChecks:
    """Every data check of ``contract`` for ``model``, with its severity after ``policy``."""
    register_ibis_backends()
    schema = contract.to_schema()  # type: ignore[attr-defined]
    metadata = _metadata(contract)
    rows: list[RowCheck] = []

    def severity(check_id: str, name: str, declared: Any) -> Severity:
        default = declared.get(name, DEFAULT_SEVERITY) if isinstance(declared, dict) else declared
        where = f"contract {contract.__name__}, check {name}"
        return policy.resolve(check_id, parse_severity(default or DEFAULT_SEVERITY, where))

    for column_name, column in schema.columns.items():
        declared = (metadata["columns"].get(column_name) or {}).get("severity")
        if not column.nullable:
            check_id = f"{model}.{column_name}.not_null"
            rows.append(
                RowCheck(
                    check_id,
                    model,
                    column_name,
                    "not_null",
                    severity(check_id, "not_null", declared),
                    _not_null(column_name),
                )
            )
        for check in column.checks:
            check_id = f"{model}.{column_name}.{check.name}"
            rows.append(
                RowCheck(
                    check_id,
                    model,
                    column_name,
                    check.error or check.name,
                    severity(check_id, check.name, declared),
                    _predicate(contract, check, column_name),
                )
            )
    declared = metadata["dataframe"].get("severity")
    for check in schema.checks:
        check_id = f"{model}.{check.name}"
        rows.append(
            RowCheck(
                check_id,
                model,
                None,
                check.description or check.name,
                severity(check_id, check.name, declared),
                _predicate(contract, check, None),
            )
        )
    keys = []
    if schema.unique:
        check_id = f"{model}.unique"
        level = severity(check_id, "unique", declared)
        if level == "quarantine":
            raise ConfigError(
                f"{check_id}: a uniqueness check cannot quarantine (no row of a duplicated key "
                "is more wrong than the other); use error or warn"
            )
        keys.append(KeyCheck(check_id, model, tuple(schema.unique), level))
    return ContractChecks(model, contract, tuple(rows), tuple(keys))


@cache
def _metadata(contract: type) -> dict[str, dict[str, Any]]:
    # Read directly: pandera's get_metadata() fails on a Config that sets no metadata.
    schema = contract.to_schema()  # type: ignore[attr-defined]
    columns = {name: column.metadata or {} for name, column in schema.columns.items()}
    config = getattr(contract, "__config__", None)
    return {"columns": columns, "dataframe": getattr(config, "metadata", None) or {}}


def _not_null(column: str) -> Callable[[ir.Table], ir.BooleanValue]:
    def passes(table: ir.Table) -> ir.BooleanValue:
        return table[column].notnull()

    return passes


def _predicate(
    contract: type, check: Check, column: str | None
) -> Callable[[ir.Table], ir.BooleanValue]:
    """The check's own function, applied to a table, as one boolean expression over its rows."""
    if check.element_wise:
        raise ConfigError(
            f"contract {contract.__name__}, check {check.name}: element-wise checks run in "
            "Python row by row; write it as an Ibis expression over the column instead"
        )

    function = check._check_fn
    if isinstance(function, Dispatcher) and check.name:
        # A builtin: looked up now, as a schema built before the ibis backend was registered
        # holds a dispatcher without the ibis implementation.
        function = Check.get_builtin_check_fn(check.name)

    def passes(table: ir.Table) -> ir.BooleanValue:
        out = function(IbisData(table, column), **check._check_kwargs)
        if isinstance(out, ir.BooleanValue):
            return out
        if isinstance(out, ir.Table) and isinstance(out.op(), ops.Project):
            project = out.op()
            if project.parent == table.op():
                values = [v.to_expr() for v in project.values.values()]
                result: ir.BooleanValue = ibis.literal(True)
                for value in values:
                    result = result & value
                return result
        raise ConfigError(
            f"contract {contract.__name__}, check {check.name}: must return a boolean column "
            "of the table it is given"
        )

    return passes
