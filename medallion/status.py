"""What a warehouse holds: landing files per table and their outcome, rows per layer and table."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medallion.config import Settings
from medallion.engines import Engine, connect
from medallion.engines.base import LAYERS, META
from medallion.errors import ConfigError
from medallion.ingest.ledger import (
    EMPTY,
    FAILED,
    INGESTED,
    LANDED,
    LEDGER_TABLE,
    SKIPPED,
    SKIPPED_DUPLICATE,
    SKIPPED_MODIFIED,
)
from medallion.run_record import read_latest


@dataclass(frozen=True)
class TableFiles:
    """The ledger of one bronze table. ``ingested``, ``empty`` and the skips count ledger
    entries (a file re-ingested under ``on_modified=reingest`` counts twice); ``failed`` counts
    files whose latest version failed, so a failure fixed since no longer shows; ``rows`` and
    ``quarantined`` add up over every delivery."""

    table: str
    ingested: int
    empty: int
    failed: int
    skipped_modified: int
    skipped_duplicate: int
    rows: int
    quarantined: int
    last_batch: int | None


@dataclass(frozen=True)
class WarehouseStatus:
    database: Path
    files: list[TableFiles]
    tables: list[tuple[str, str, int]]
    failures: list[str]
    skips: list[str] = field(default_factory=list)
    last_run: dict[str, Any] | None = None  # the run record (run_results.json), when present


def warehouse_status(settings: Settings) -> WarehouseStatus:
    if not settings.built():
        raise ConfigError(
            f"no warehouse at {settings.where()}: run `medallion run --landing DIR` first "
            "or pass --warehouse"
        )
    engine = connect(settings)
    try:
        found = _status(engine, settings.database)
    finally:
        engine.close()
    return dataclasses.replace(found, last_run=read_latest(settings.warehouse))


LEDGER_COLUMNS = ("path", "table_name", "batch_id", "status", "rows", "quarantined", "message")


def summarize_ledger(
    entries: list[dict[str, Any]],
) -> tuple[list[TableFiles], list[str], list[str]]:
    """Per-table file counts, the messages of outstanding failures, and of reported skips.

    Entries are in the order they were recorded; the latest entry of a path is its current
    state (a failed file fixed in place is ingested now, not failed).
    """
    latest: dict[str, dict[str, Any]] = {}
    for entry in entries:
        latest[entry["path"]] = entry
    outstanding = {p for p, e in latest.items() if e["status"] == FAILED}
    tables: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        tables.setdefault(entry["table_name"], []).append(entry)
    summary = []
    for table, rows in sorted(tables.items()):

        def count(status: str, rows: list[dict[str, Any]] = rows) -> int:
            return sum(1 for e in rows if e["status"] == status)

        landed = [e for e in rows if e["status"] in LANDED]
        summary.append(
            TableFiles(
                table,
                ingested=count(INGESTED),
                empty=count(EMPTY),
                failed=len({e["path"] for e in rows if e["path"] in outstanding}),
                skipped_modified=count(SKIPPED_MODIFIED),
                skipped_duplicate=count(SKIPPED_DUPLICATE),
                rows=sum(e["rows"] or 0 for e in landed),
                quarantined=sum(e["quarantined"] or 0 for e in landed),
                last_batch=max((e["batch_id"] for e in landed), default=None),
            )
        )
    failures = sorted(latest[p]["message"] or p for p in outstanding)
    skips = [e["message"] or e["path"] for e in entries if e["status"] in SKIPPED]
    return summary, failures, skips


def _status(engine: Engine, database: Path) -> WarehouseStatus:
    files: list[TableFiles] = []
    failures: list[str] = []
    skips: list[str] = []
    if engine.exists(META, LEDGER_TABLE):
        ledger = engine.table(META, LEDGER_TABLE)
        ordered = ledger.select(*LEDGER_COLUMNS, "ingested_at").order_by("batch_id", "ingested_at")
        entries = engine.to_arrow(ordered).to_pylist()
        files, failures, skips = summarize_ledger(entries)
    tables = [
        (layer, name, engine.count(layer, name))
        for layer in LAYERS
        for name in engine.list_tables(layer)
        if not name.startswith("_")
    ]
    return WarehouseStatus(database, files, tables, failures, skips)


@dataclass(frozen=True)
class GoldHeadline:
    """A first look at gold, for the demo: the figures an analyst checks first."""

    revenue: object
    profit: object
    orders: int
    customers: int
    first_order: object
    last_order: object


def gold_headline(settings: Settings) -> GoldHeadline:
    engine = connect(settings)
    try:
        sales = engine.table("gold", "fact_sales")
        orders = engine.table("gold", "fact_orders")
        customers = engine.table("gold", "dim_customer")
        row = engine.to_arrow(
            sales.aggregate(
                revenue=sales.sales_amount.sum(),
                profit=sales.profit.sum(),
                first_order=sales.order_date_key.min(),
                last_order=sales.order_date_key.max(),
            ).cross_join(
                orders.aggregate(orders=orders.count()),
                customers.aggregate(customers=(customers.customer_key > 0).sum()),
            )
        ).to_pylist()[0]
        return GoldHeadline(**row)
    finally:
        engine.close()
