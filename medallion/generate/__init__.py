"""Synthetic CRM + ERP landing zones, as messy as the real extract, for demos, tests and benchmarks.

Scale 1 is about the size of the reference extract (18.5k customers, 60.4k order lines); customers,
their ERP rows and order lines grow linearly with ``scale``, the product catalogue with
``sqrt(scale)`` (never below its scale-1 size) and the 37 categories not at all. The same
``(scale, seed, batches)`` always gives byte-identical files.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from medallion.generate.driver import run
from medallion.generate.writer import FOLDERS, HEADERS, batch_file_name, own_file_names

__all__ = ["HEADERS", "GenerateReport", "batch_file_name", "generate_landing"]


@dataclass(frozen=True)
class GenerateReport:
    """What a generation run wrote.

    ``files`` are in delivery order (batch by batch). ``untouched`` are files that were already in
    the tables' folders under other names: left alone, but a pipeline will ingest them too.
    """

    out: Path
    scale: float
    seed: int
    batches: int
    files: list[Path]
    rows: dict[str, int]
    untouched: list[Path]


def _is_landing_zone(path: Path) -> bool:
    return (path / "crm").is_dir() or (path / "erp").is_dir()


def _check(out: Path, scale: float, batches: int) -> None:
    if isinstance(scale, bool) or not isinstance(scale, int | float):
        raise ValueError(f"scale must be a number, got {scale!r}")
    if not math.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    if isinstance(batches, bool) or not isinstance(batches, int) or batches < 1:
        raise ValueError(f"batches must be a whole number of at least 1, got {batches!r}")
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not _is_landing_zone(out):
        raise ValueError(
            f"{out} is a non-empty directory that is not a landing zone (no crm/ or erp/ folder);"
            " refusing to write into it"
        )


def _foreign_files(out: Path, batches: int) -> list[Path]:
    ours = own_file_names(batches)
    found: list[Path] = []
    for folder in FOLDERS.values():
        d = out / folder
        if d.is_dir():
            found.extend(p for p in sorted(d.iterdir()) if p.name not in ours)
    return found


def generate_landing(
    out: Path,
    *,
    scale: float = 1.0,
    seed: int = 0,
    batches: int = 1,
    progress: Callable[[str, int], None] | None = None,
) -> GenerateReport:
    """Write a landing zone under ``out``: ``<source>/<table>/data/batch-NNNN.csv`` per table.

    With ``batches`` K > 1 each table's rows are cut into K files by delivery date: later
    files hold later orders, the customers who first bought then, their ERP rows, product
    versions that started then, and re-deliveries (new customer versions, corrected lines and
    ERP rows) of earlier rows. Writing into an existing landing zone replaces only files named
    like this run's; other files are reported in ``untouched``, never deleted.

    ``progress(table, rows_so_far)`` is called every 100,000 rows of a table and once at the end
    with each table's total. Raises ``ValueError`` for a bad scale, batch count or ``out``.
    """
    out = Path(out)
    _check(out, scale, batches)
    untouched = _foreign_files(out, batches)
    writer = run(out, float(scale), seed, batches, progress)
    return GenerateReport(
        out=out,
        scale=float(scale),
        seed=seed,
        batches=batches,
        files=list(writer.files),
        rows=dict(writer.rows),
        untouched=untouched,
    )
