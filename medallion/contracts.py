"""Checking a stored table against its Pandera contract, on the engine that holds it."""

from __future__ import annotations

import ibis.expr.types as ir
import pandera.errors
from pandera.config import ValidationDepth, config_context

from medallion.errors import ContractError
from medallion.registry import ModelSpec


def validate(spec: ModelSpec, table: ir.Table, *, empty: bool = False) -> None:
    """Check the stored table against its contract on the engine; every failure in one error.

    An empty table is checked for columns and types only: pandera's ibis backend reports
    nulls in an empty column (its aggregates return null over no rows).
    """
    if spec.contract is None:
        return
    depth = ValidationDepth.SCHEMA_ONLY if empty else ValidationDepth.SCHEMA_AND_DATA
    try:
        with config_context(validation_depth=depth):
            spec.contract.validate(table, lazy=True)  # type: ignore[attr-defined]
    except pandera.errors.SchemaErrors as exc:
        raise ContractError(
            f"{spec.name} failed its contract {spec.contract.__name__}: "
            + "; ".join(_describe_failures(exc))
        ) from None


def _describe_failures(exc: pandera.errors.SchemaErrors) -> list[str]:
    found = []
    for category in exc.message.values():
        for failures in category.values():
            for failure in failures:
                found.append(f"column {failure['column']}: {failure['check']} ({failure['error']})")
    return found[:10]
