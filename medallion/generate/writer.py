"""The landing-zone files: folders, headers, batch file names, and writing rows as they come."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

from medallion.sources import SOURCE_TABLES

# Headers exactly as the source systems export them: the CRM in lower case, the ERP in upper case.
# fmt: off
HEADERS: dict[str, tuple[str, ...]] = {
    "crm_cust_info": ("cst_id", "cst_key", "cst_firstname", "cst_lastname",
                      "cst_marital_status", "cst_gndr", "cst_create_date"),
    "crm_prd_info": ("prd_id", "prd_key", "prd_nm", "prd_cost", "prd_line", "prd_start_dt",
                     "prd_end_dt"),
    "crm_sales_details": ("sls_ord_num", "sls_prd_key", "sls_cust_id", "sls_order_dt",
                          "sls_ship_dt", "sls_due_dt", "sls_sales", "sls_quantity", "sls_price"),
    "erp_cust_az12": ("CID", "BDATE", "GEN"),
    "erp_loc_a101": ("CID", "CNTRY"),
    "erp_px_cat_g1v2": ("ID", "CAT", "SUBCAT", "MAINTENANCE"),
}
# fmt: on
FOLDERS: dict[str, str] = {t.bronze_name: t.folder for t in SOURCE_TABLES}
PROGRESS_EVERY = 100_000
_BUFFER = 1 << 20

Progress = Callable[[str, int], None]


class Sink(Protocol):
    """Where generators put rows: now, or on a later trading day (a later delivery)."""

    def write(self, table: str, row: list[str]) -> None: ...
    def write_many(self, table: str, rows: Sequence[list[str]]) -> None: ...
    def schedule(self, day: int, table: str, row: list[str]) -> None: ...


def batch_file_name(index: int, batches: int) -> str:
    """``batch-0001.csv``...: zero-padded so that plain string order is delivery order."""
    width = max(4, len(str(batches)))
    return f"batch-{index + 1:0{width}d}.csv"


def own_file_names(batches: int) -> set[str]:
    return {batch_file_name(i, batches) for i in range(batches)}


class _Open:
    def __init__(self, final: Path) -> None:
        self.final = final
        self.temp = final.with_name(f".{final.name}.tmp")
        self.handle: IO[str] = open(  # noqa: SIM115 - closed in LandingWriter.close_batch
            self.temp, "w", encoding="utf-8", newline="", buffering=_BUFFER
        )
        self.csv: Any = csv.writer(self.handle, lineterminator="\n")


class LandingWriter:
    """Writes every table's file of one batch at a time, batches in order.

    A file is written under a hidden temporary name and renamed when its batch is complete, so
    a pipeline watching the landing zone never ingests a half-written file.
    """

    def __init__(self, out: Path, batches: int, progress: Progress | None) -> None:
        self._out = out
        self._batches = batches
        self._progress = progress
        self._batch = -1
        self._open: dict[str, _Open] = {}
        self.rows: dict[str, int] = dict.fromkeys(HEADERS, 0)
        self._next_report: dict[str, int] = dict.fromkeys(HEADERS, PROGRESS_EVERY)
        self.files: list[Path] = []
        for table in HEADERS:
            (out / FOLDERS[table]).mkdir(parents=True, exist_ok=True)

    @property
    def batch(self) -> int:
        return self._batch

    def start_batch(self, index: int) -> None:
        """Move on to batch ``index``; skipped batches get header-only files (nothing new)."""
        while self._batch < index:
            self._close_batch()
            self._batch += 1
            name = batch_file_name(self._batch, self._batches)
            for table, header in HEADERS.items():
                opened = _Open(self._out / FOLDERS[table] / name)
                opened.csv.writerow(header)
                self._open[table] = opened

    def write(self, table: str, row: list[str]) -> None:
        self._open[table].csv.writerow(row)
        self._count(table, 1)

    def write_many(self, table: str, rows: Sequence[list[str]]) -> None:
        self._open[table].csv.writerows(rows)
        self._count(table, len(rows))

    def _count(self, table: str, n: int) -> None:
        total = self.rows[table] = self.rows[table] + n
        if total >= self._next_report[table]:
            self._next_report[table] = (total // PROGRESS_EVERY + 1) * PROGRESS_EVERY
            if self._progress is not None:
                self._progress(table, total)

    def _close_batch(self) -> None:
        for table in HEADERS:
            opened = self._open.pop(table, None)
            if opened is None:
                continue
            opened.handle.close()
            os.replace(opened.temp, opened.final)
            self.files.append(opened.final)

    def finish(self) -> None:
        """Complete the last batch (creating any still missing) and report final counts."""
        self.start_batch(self._batches - 1)
        self._close_batch()
        if self._progress is not None:
            for table, total in self.rows.items():
                self._progress(table, total)

    def abort(self) -> None:
        """After a failure, remove what this run wrote: a half-generated zone would mislead."""
        for opened in self._open.values():
            opened.handle.close()
            opened.temp.unlink(missing_ok=True)
        self._open.clear()
        for path in self.files:
            path.unlink(missing_ok=True)
        self.files.clear()
