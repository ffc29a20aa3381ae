"""Typed run settings: paths, backend and as-of date, with MEDALLION_* environment overrides."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from medallion.errors import ConfigError
from medallion.quality.severity import SeverityPolicy

BACKENDS = ("duckdb",)
DEFAULT_WAREHOUSE = Path("warehouse")
DATABASE_FILE = "medallion.duckdb"
CONFIG_FILE = Path("medallion.toml")  # read from the working directory when present


def _env_path(name: str, default: Path | None) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else default


def parse_as_of(value: str | dt.date | None) -> dt.date:
    """The as-of date bounds plausible birth dates; tests pin it so results do not age."""
    if value is None or value == "":
        return dt.datetime.now(dt.UTC).date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"as-of date {value!r} is not a date: use YYYY-MM-DD") from None


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know; built once by the CLI or a job and passed down."""

    landing: Path | None
    warehouse: Path = DEFAULT_WAREHOUSE
    backend: str = "duckdb"
    as_of: dt.date = field(default_factory=lambda: parse_as_of(None))
    severity: SeverityPolicy = field(default_factory=SeverityPolicy)

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ConfigError(
                f"backend {self.backend!r} is not available: choose one of {', '.join(BACKENDS)}"
            )

    @property
    def database(self) -> Path:
        """The DuckDB file that holds every layer, so any DuckDB client can open the result."""
        return self.warehouse / DATABASE_FILE

    @classmethod
    def from_env(
        cls,
        *,
        landing: Path | None = None,
        warehouse: Path | None = None,
        backend: str | None = None,
        as_of: str | dt.date | None = None,
        config: Path | None = None,
    ) -> Settings:
        """Explicit arguments win over MEDALLION_LANDING/WAREHOUSE/BACKEND/AS_OF/CONFIG; without
        either, a medallion.toml in the working directory sets check severities."""
        return cls(
            landing=landing or _env_path("MEDALLION_LANDING", None),
            warehouse=warehouse
            or _env_path("MEDALLION_WAREHOUSE", DEFAULT_WAREHOUSE)
            or DEFAULT_WAREHOUSE,
            backend=backend or os.environ.get("MEDALLION_BACKEND", "duckdb"),
            as_of=parse_as_of(as_of if as_of is not None else os.environ.get("MEDALLION_AS_OF")),
            severity=_severity_policy(config or _env_path("MEDALLION_CONFIG", None)),
        )


def _severity_policy(config: Path | None) -> SeverityPolicy:
    if config is None:
        config = CONFIG_FILE if CONFIG_FILE.is_file() else None
    return SeverityPolicy.from_file(config) if config else SeverityPolicy()
