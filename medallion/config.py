"""Typed run settings: paths, backend and as-of date, with MEDALLION_* environment overrides."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from medallion.errors import ConfigError
from medallion.quality.severity import SeverityPolicy

BACKENDS = ("duckdb", "spark")
DEFAULT_WAREHOUSE = Path("warehouse")
DATABASE_FILE = "medallion.duckdb"
CONFIG_FILE = Path("medallion.toml")
RUN_RESULTS_FILE = "run_results.json"  # the last run's record (medallion/run_record.py)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # read from the working directory when present
# DuckDB's memory limit: its default (80% of RAM) lets the buffer pool keep whole tables in
# memory; spilling past this costs little time (benchmarks: BENCHMARKS.md).
DEFAULT_MEMORY_LIMIT = "1GB"
# The file format of a new DuckDB warehouse: "compatible" is DuckDB's default, a format every
# DuckDB since 1.0 reads; "latest" is the running DuckDB's own, which only it and later
# versions read (docs/decisions.md, "DuckDB's storage format").
DUCKDB_STORAGE = ("compatible", "latest")
DEFAULT_DUCKDB_STORAGE = "compatible"
_MEMORY = re.compile(r"[0-9]+(\.[0-9]+)? ?([KMGT]i?B)", re.IGNORECASE)


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
class SparkSettings:
    """Where the Spark engine finds its session and its tables.

    With neither ``master`` nor ``remote`` the active session is used (a Databricks job has
    one), else a local one on ``local[*]``. ``schema`` prefixes the layer schemas
    (``<schema>_bronze``...), so that several warehouses can share a catalog.
    """

    master: str | None = None
    remote: str | None = None
    catalog: str | None = None
    schema: str | None = None

    def __post_init__(self) -> None:
        if self.master and self.remote:
            raise ConfigError(
                "--spark-master and --spark-remote both given: a session is either local or "
                "remote, pass one of them"
            )
        if self.remote and not self.remote.startswith("sc://"):
            raise ConfigError(
                f"--spark-remote {self.remote!r} is not a Spark Connect URL: use sc://host:port"
            )
        for label, name in (("--catalog", self.catalog), ("--schema", self.schema)):
            if name is not None and not _IDENTIFIER.fullmatch(name):
                raise ConfigError(
                    f"{label} {name!r} is not a plain identifier: use letters, digits and _"
                )

    @classmethod
    def from_env(
        cls,
        master: str | None = None,
        remote: str | None = None,
        catalog: str | None = None,
        schema: str | None = None,
    ) -> SparkSettings:
        env = os.environ.get
        return cls(
            master=master or env("MEDALLION_SPARK_MASTER") or None,
            remote=remote or env("MEDALLION_SPARK_REMOTE") or None,
            catalog=catalog or env("MEDALLION_CATALOG") or None,
            schema=schema or env("MEDALLION_SCHEMA") or None,
        )


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know; built once by the CLI or a job and passed down."""

    landing: Path | None
    warehouse: Path = DEFAULT_WAREHOUSE
    backend: str = "duckdb"
    as_of: dt.date = field(default_factory=lambda: parse_as_of(None))
    severity: SeverityPolicy = field(default_factory=SeverityPolicy)
    spark: SparkSettings = field(default_factory=SparkSettings)
    memory_limit: str = DEFAULT_MEMORY_LIMIT  # DuckDB's; Spark sizes its own memory
    duckdb_storage: str = DEFAULT_DUCKDB_STORAGE  # of a new warehouse; an old one keeps its own

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ConfigError(
                f"backend {self.backend!r} is not available: choose one of {', '.join(BACKENDS)}"
            )
        if self.duckdb_storage not in DUCKDB_STORAGE:
            raise ConfigError(
                f"DuckDB storage {self.duckdb_storage!r} is not known: choose one of "
                f"{', '.join(DUCKDB_STORAGE)}"
            )
        if not _MEMORY.fullmatch(self.memory_limit):
            raise ConfigError(
                f"memory limit {self.memory_limit!r} is not a size: use e.g. 1GB, 512MB or 4GiB"
            )

    @property
    def database(self) -> Path:
        """The DuckDB file that holds every layer, so any DuckDB client can open the result."""
        return self.warehouse / DATABASE_FILE

    def built(self) -> bool:
        """Whether a run has created this warehouse yet (cheap: no engine is started). A Spark
        warehouse keeps its tables in the catalog and its run records in the folder."""
        if self.backend == "duckdb":
            return self.database.is_file()
        return (self.warehouse / RUN_RESULTS_FILE).is_file()

    def where(self) -> str:
        """The warehouse as error messages name it."""
        if self.backend == "duckdb":
            return str(self.database)
        return f"{self.warehouse} (Spark tables {self.spark_tables()})"

    def spark_tables(self) -> str:
        prefix = f"{self.spark.catalog}." if self.spark.catalog else ""
        schema = f"{self.spark.schema}_" if self.spark.schema else ""
        return f"{prefix}{schema}{{bronze,silver,gold,meta}}"

    @classmethod
    def from_env(
        cls,
        *,
        landing: Path | None = None,
        warehouse: Path | None = None,
        backend: str | None = None,
        as_of: str | dt.date | None = None,
        config: Path | None = None,
        spark: SparkSettings | None = None,
        memory_limit: str | None = None,
        duckdb_storage: str | None = None,
    ) -> Settings:
        """Explicit arguments win over MEDALLION_LANDING/WAREHOUSE/BACKEND/AS_OF/CONFIG/
        MEMORY_LIMIT/DUCKDB_STORAGE; without either, a medallion.toml in the working directory
        sets check severities."""
        return cls(
            landing=landing or _env_path("MEDALLION_LANDING", None),
            warehouse=warehouse
            or _env_path("MEDALLION_WAREHOUSE", DEFAULT_WAREHOUSE)
            or DEFAULT_WAREHOUSE,
            backend=backend or os.environ.get("MEDALLION_BACKEND", "duckdb"),
            as_of=parse_as_of(as_of if as_of is not None else os.environ.get("MEDALLION_AS_OF")),
            severity=_severity_policy(config or _env_path("MEDALLION_CONFIG", None)),
            spark=spark or SparkSettings.from_env(),
            memory_limit=memory_limit
            or os.environ.get("MEDALLION_MEMORY_LIMIT")
            or DEFAULT_MEMORY_LIMIT,
            duckdb_storage=duckdb_storage
            or os.environ.get("MEDALLION_DUCKDB_STORAGE")
            or DEFAULT_DUCKDB_STORAGE,
        )


def _severity_policy(config: Path | None) -> SeverityPolicy:
    if config is None:
        config = CONFIG_FILE if CONFIG_FILE.is_file() else None
    return SeverityPolicy.from_file(config) if config else SeverityPolicy()
