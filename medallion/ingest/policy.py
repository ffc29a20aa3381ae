"""What ingestion does with changed files, repeated content and new columns: IngestPolicy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from medallion.errors import ConfigError
from medallion.sources import BY_BRONZE_NAME

OnModified = Literal["skip", "reingest"]
OnDuplicate = Literal["skip", "ingest"]

#: Auto Loader's schema evolution modes, applied per file without a stream restart.
ADD_NEW_COLUMNS = "add_new_columns"  # a new column is added to the bronze table (default)
RESCUE = "rescue"  # new columns go into _rescued_data as a JSON object per row
FAIL_ON_NEW_COLUMNS = "fail_on_new_columns"  # a file with a new column fails as a whole
NONE = "none"  # new columns are dropped; the ledger message names them
SCHEMA_EVOLUTION_MODES = (ADD_NEW_COLUMNS, RESCUE, FAIL_ON_NEW_COLUMNS, NONE)
RESCUED_COLUMN = "_rescued_data"


@dataclass(frozen=True)
class IngestPolicy:
    """The choices ingestion cannot make alone; the defaults never mix in data silently.

    ``on_modified``: a file whose path was ingested before but whose size or mtime changed is
    reported and skipped (``skip``), or ingested as a new delivery (``reingest``: its old rows
    stay in bronze, the later batch wins downstream). ``on_duplicate``: a file byte-identical to
    one already in bronze, under another path, is reported and skipped (``skip``) or ingested
    (``ingest``). ``schema_evolution`` maps a bronze table name to one of
    ``SCHEMA_EVOLUTION_MODES``; unlisted tables use ``add_new_columns``.
    """

    on_modified: OnModified = "skip"
    on_duplicate: OnDuplicate = "skip"
    schema_evolution: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.on_modified not in ("skip", "reingest"):
            raise ConfigError(
                f"on_modified {self.on_modified!r} is not a policy: use 'skip' or 'reingest'"
            )
        if self.on_duplicate not in ("skip", "ingest"):
            raise ConfigError(
                f"on_duplicate {self.on_duplicate!r} is not a policy: use 'skip' or 'ingest'"
            )
        for table, mode in self.schema_evolution.items():
            if table not in BY_BRONZE_NAME:
                raise ConfigError(
                    f"schema_evolution names unknown table {table!r}: "
                    f"use one of {', '.join(sorted(BY_BRONZE_NAME))}"
                )
            if mode not in SCHEMA_EVOLUTION_MODES:
                raise ConfigError(
                    f"schema_evolution mode {mode!r} for {table} is not a mode: "
                    f"use one of {', '.join(SCHEMA_EVOLUTION_MODES)}"
                )
        # Frozen means frozen: a caller's dict changed later must not change this policy.
        object.__setattr__(self, "schema_evolution", MappingProxyType(dict(self.schema_evolution)))

    def __hash__(self) -> int:
        return hash(
            (self.on_modified, self.on_duplicate, tuple(sorted(self.schema_evolution.items())))
        )

    def mode(self, table: str) -> str:
        """The schema evolution mode of a bronze table."""
        return self.schema_evolution.get(table, ADD_NEW_COLUMNS)
