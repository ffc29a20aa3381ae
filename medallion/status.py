"""What a warehouse holds: files ingested per table, and row counts per layer and table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from medallion.config import Settings
from medallion.engines import Engine, connect
from medallion.engines.base import LAYERS, META
from medallion.errors import ConfigError
from medallion.ingest.ledger import LEDGER_TABLE


@dataclass(frozen=True)
class TableFiles:
    table: str
    ingested: int
    empty: int
    failed: int
    rows: int
    quarantined: int
    last_batch: int | None


@dataclass(frozen=True)
class WarehouseStatus:
    database: Path
    files: list[TableFiles]
    tables: list[tuple[str, str, int]]
    failures: list[str]


def warehouse_status(settings: Settings) -> WarehouseStatus:
    if not settings.database.exists():
        raise ConfigError(
            f"no warehouse at {settings.database}: run `medallion run --landing DIR` first "
            "or pass --warehouse"
        )
    engine = connect(settings)
    try:
        return _status(engine, settings.database)
    finally:
        engine.close()


def _status(engine: Engine, database: Path) -> WarehouseStatus:
    files: list[TableFiles] = []
    failures: list[str] = []
    if engine.exists(META, LEDGER_TABLE):
        ledger = engine.table(META, LEDGER_TABLE)
        summary = ledger.group_by("table_name").aggregate(
            ingested=(ledger.status == "ingested").sum(),
            empty=(ledger.status == "empty").sum(),
            failed=(ledger.status == "failed").sum(),
            rows=ledger.rows.sum(),
            quarantined=ledger.quarantined.sum(),
            last_batch=ledger.batch_id.max(),
        )
        for row in engine.to_arrow(summary.order_by("table_name")).to_pylist():
            files.append(
                TableFiles(
                    row["table_name"],
                    int(row["ingested"]),
                    int(row["empty"]),
                    int(row["failed"]),
                    int(row["rows"] or 0),
                    int(row["quarantined"] or 0),
                    row["last_batch"],
                )
            )
        failed = ledger.filter(ledger.status == "failed").select("message").order_by("message")
        failures = [r["message"] for r in engine.to_arrow(failed).to_pylist()]
    tables = [
        (layer, name, engine.count(layer, name))
        for layer in LAYERS
        for name in engine.list_tables(layer)
        if not name.startswith("_")
    ]
    return WarehouseStatus(database, files, tables, failures)


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
