"""The trading-day loop that runs every generator in step and routes rows to their deliveries."""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence
from pathlib import Path

from medallion.generate.categories import category_rows
from medallion.generate.customers import Customers
from medallion.generate.products import Catalog
from medallion.generate.sales import CUSTOMERS_AT_SCALE_1, Sales
from medallion.generate.timeline import Batches, days
from medallion.generate.writer import LandingWriter, Progress


class Deliveries:
    """A ``Sink``: rows for today go straight to the writer, later ones wait in a heap.

    The heap only ever holds the rare re-deliveries and the catalogue, never the bulk tables, so
    memory stays flat whatever the scale.
    """

    def __init__(self, writer: LandingWriter) -> None:
        self._writer = writer
        self._later: list[tuple[int, int, str, list[str]]] = []
        self._seq = 0

    def write(self, table: str, row: list[str]) -> None:
        self._writer.write(table, row)

    def write_many(self, table: str, rows: Sequence[list[str]]) -> None:
        self._writer.write_many(table, rows)

    def schedule(self, day: int, table: str, row: list[str]) -> None:
        heapq.heappush(self._later, (day, self._seq, table, row))
        self._seq += 1

    def deliver_until(self, day: int) -> None:
        """Write every scheduled row due on or before ``day``, in schedule order."""
        later = self._later
        while later and later[0][0] <= day:
            _, _, table, row = heapq.heappop(later)
            self._writer.write(table, row)


def _rng(seed: int, purpose: str) -> random.Random:
    # One stream per concern: changing how one table is generated leaves the others unchanged.
    # String seeds are hashed with SHA-512 by ``random``, so they are stable across runs.
    return random.Random(f"medallion-generate:{seed}:{purpose}")


def run(
    out: Path, scale: float, seed: int, batches: int, progress: Progress | None
) -> LandingWriter:
    """Generate the whole landing zone; returns the finished writer (its files and row counts).

    The row streams do not depend on ``batches``: the batch count only decides where each
    table's stream is cut into files, so any split concatenates to the same rows.
    """
    writer = LandingWriter(out, batches, progress)
    sink = Deliveries(writer)
    cuts = Batches(batches)
    try:
        writer.start_batch(0)
        catalog = Catalog(_rng(seed, "catalog"), scale)
        for day, row in catalog.rows(_rng(seed, "products")):
            sink.schedule(day, "crm_prd_info", row)
        for day, row in category_rows(_rng(seed, "categories")):
            sink.schedule(day, "erp_px_cat_g1v2", row)
        customers = Customers(_rng(seed, "customers"), sink, CUSTOMERS_AT_SCALE_1 * scale)
        sales = Sales(_rng(seed, "sales"), catalog.assortments(), customers, sink, scale)
        for day in days():
            writer.start_batch(cuts.of(day))
            sink.deliver_until(day)
            sales.run_day(day)
        writer.start_batch(batches - 1)  # what is due after the last trading day comes last
        sink.deliver_until(10**9)
        writer.finish()
    except BaseException:
        writer.abort()
        raise
    return writer
