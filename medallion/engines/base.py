"""The engine interface: the few primitives the runner needs, whatever runs the SQL."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import ibis.expr.types as ir
import pyarrow as pa

if TYPE_CHECKING:
    from medallion.ingest.landing import LandingStore

LAYERS = ("bronze", "silver", "gold")
META = "meta"  # bookkeeping: the file ledger (and, later, the run log)


def staging_name(name: str) -> str:
    """Where a table's next version is built before it is published."""
    return f"_staging_{name}"


class Engine(ABC):
    """A warehouse of layered tables. Transforms never see it: only the runner does."""

    name: str
    supports_merge: bool = False
    # Readers see none of a run's changes until its outermost transaction commits (DuckDB):
    # a check after a merge still comes before anyone can read the merged rows.
    private_until_commit: bool = False

    @abstractmethod
    def table(self, layer: str, name: str) -> ir.Table:
        """An unbound-feeling handle on a stored table, to build expressions on."""

    @abstractmethod
    def exists(self, layer: str, name: str) -> bool: ...

    @abstractmethod
    def list_tables(self, layer: str) -> list[str]: ...

    @abstractmethod
    def replace(self, layer: str, name: str, expr: ir.Table) -> None:
        """Materialise ``expr`` as ``layer.name``, replacing any previous version atomically."""

    @abstractmethod
    def stage(self, layer: str, name: str, expr: ir.Table) -> ir.Table:
        """Materialise ``expr`` beside ``layer.name``, invisible to readers until published."""

    @abstractmethod
    def publish(self, layer: str, name: str) -> None:
        """Swap the staged version of ``layer.name`` in, replacing the old one."""

    @abstractmethod
    def merge(self, layer: str, name: str, on: tuple[str, ...], *, keep: bool = False) -> None:
        """Publish a staged partial version: the rows of ``layer.name`` whose ``on`` columns
        match a staged key (``stage(layer, name + "_keys", ...)``) are replaced by the staged
        rows (``stage(layer, name, ...)``), which all match a staged key. With ``keep``, the
        staged rows and keys stay for the caller to read, and to drop."""

    @abstractmethod
    def delete_where(self, layer: str, name: str, predicate: str) -> None:
        """Delete rows matching a simple SQL predicate over the table's columns."""

    @abstractmethod
    def drop(self, layer: str, name: str) -> None: ...

    @abstractmethod
    def append(self, layer: str, name: str, rows: pa.Table | ir.Table) -> None:
        """Append rows, creating the table on first use and adding columns it lacks (as the
        type the rows carry); columns the rows lack are null. The rows' order is not kept."""

    @abstractmethod
    def write_file(self, expr: ir.Table, path: Path, file_format: str) -> None:
        """Write the rows of ``expr`` to ``path`` as ``parquet`` or ``csv`` (with a header)."""

    @abstractmethod
    def to_arrow(self, expr: ir.Expr) -> pa.Table:
        """Execute an expression and fetch its (small) result."""

    @abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together or not at all."""

    def begin_now(self) -> None:
        """Inside ``transaction()``: what is staged from here on is part of it, where an
        engine would otherwise commit staged tables as they are built (DuckDB). Nothing to
        do for an engine that does not."""
        return None

    @abstractmethod
    def close(self) -> None: ...

    def landing(self, root: Path) -> LandingStore:
        """How this engine lists and reads the landing zone; the local filesystem by default."""
        from medallion.ingest.landing import LocalLanding

        return LocalLanding(root)

    def count(self, layer: str, name: str) -> int:
        return int(self.to_arrow(self.table(layer, name).count().as_table()).column(0)[0].as_py())

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
