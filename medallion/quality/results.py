"""The outcome of one contract check or data test, as the run record and the CLI show it."""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import asdict, dataclass, field
from typing import Any

import pyarrow as pa

from medallion.quality.severity import Severity

SAMPLE_ROWS = 5
STATUS_OF_FAILURE = {"error": "fail", "warn": "warn", "quarantine": "quarantined"}


@dataclass
class CheckResult:
    id: str
    kind: str  # "contract" | "test"
    models: list[str]
    column: str | None
    check: str
    severity: Severity
    failures: int
    seconds: float
    sample: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> str:
        """pass, or what the failure did: fail (error), warn, quarantined."""
        return "pass" if self.failures == 0 else STATUS_OF_FAILURE[self.severity]

    @property
    def stops_run(self) -> bool:
        return self.status == "fail"

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status}

    def describe(self) -> str:
        """One line naming table, column and check: what an error message starts with."""
        where = ", ".join(self.models)
        column = f" column {self.column}" if self.column else ""
        rows = "row" if self.failures == 1 else "rows"
        return f"{where}{column}: {self.check} failed on {self.failures:,} {rows} [{self.id}]"


def json_rows(rows: pa.Table) -> list[dict[str, Any]]:
    """Rows for a report: dates, decimals and timestamps as text, so the record is plain JSON."""
    return [{k: _plain(v) for k, v in row.items()} for row in rows.to_pylist()]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value
