"""What the two dashboards show (SPEC 5), as data: each tile and chart names its metric query.

No formula lives here: every number is a metric of ``medallion.metrics``, asked by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from medallion.metrics import SEMANTIC_MODELS, get_metric

ChartKind = Literal["bars", "sunburst", "line", "pareto"]
PARETO_TOP = 20  # customers shown in the Pareto


@dataclass(frozen=True)
class Request:
    """One metric query: metrics by dimensions under filters (``medallion.metrics.query``)."""

    metrics: tuple[str, ...]
    by: tuple[str, ...] = ()
    where: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tile:
    metric: str
    label: str
    quality: bool = False  # a data-quality figure, set apart from the business KPIs


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    kind: ChartKind
    request: Request
    caption: str = ""
    # A sunburst's inner ring: the same metrics by the first dimension only.
    inner: Request | None = None
    wide: bool = False  # the whole width of the page


@dataclass(frozen=True)
class Dashboard:
    key: str
    title: str
    tiles: tuple[Tile, ...]
    charts: tuple[Chart, ...]

    @property
    def tile_request(self) -> Request:
        return Request(tuple(t.metric for t in self.tiles))

    def requests(self) -> list[Request]:
        found = [self.tile_request]
        for chart in self.charts:
            found += [chart.request] + ([chart.inner] if chart.inner else [])
        return found


# The data's date range, stated on the page.
DATE_RANGE = Request(("first_order_date", "last_order_date"))

SALES = Dashboard(
    "sales",
    "Sales performance",
    tiles=(
        Tile("revenue", "Total revenue"),
        Tile("profit", "Total profit"),
        Tile("margin", "Margin"),
        Tile("orders", "Orders"),
        Tile("average_order_value", "Average order value"),
    ),
    charts=(
        Chart(
            "revenue_profit_by_country",
            "Revenue and profit by country",
            "bars",
            Request(("revenue", "profit"), by=("country",)),
        ),
        Chart(
            "revenue_share_by_category",
            "Revenue share by category and subcategory",
            "sunburst",
            Request(("revenue_share", "revenue"), by=("category", "subcategory")),
            caption="Inner ring: categories; outer ring: their subcategories.",
            inner=Request(("revenue_share", "revenue"), by=("category",)),
        ),
        Chart(
            "monthly_revenue",
            "Monthly revenue",
            "line",
            Request(("revenue",), by=("month",), where=("month!=n/a",)),
            caption="Order lines without a known order date are left out.",
            wide=True,
        ),
    ),
)

CUSTOMERS = Dashboard(
    "customers",
    "Customer insights",
    tiles=(
        Tile("customers", "Customers"),
        Tile("buying_customers", "Customers who bought"),
        Tile("unknown_gender_share", "Unknown gender", quality=True),
    ),
    charts=(
        Chart(
            "customers_by_age_band",
            "Customers by age band",
            "bars",
            Request(("customers",), by=("age_band",)),
            caption="Age at the latest order date in the data.",
        ),
        Chart(
            "revenue_by_marital_status",
            "Spend by marital status",
            "bars",
            Request(("revenue",), by=("marital_status",)),
        ),
        Chart(
            "top_customers_pareto",
            f"Top {PARETO_TOP} customers: revenue and cumulative share",
            "pareto",
            Request(("revenue", "revenue_share"), by=("customer",)),
            wide=True,
        ),
        Chart(
            "customers_by_country",
            "Customers by country",
            "bars",
            Request(("customers", "buying_customers"), by=("country",)),
            wide=True,
        ),
    ),
)

DASHBOARDS = (SALES, CUSTOMERS)


def gold_inputs(dashboard: Dashboard) -> tuple[str, ...]:
    """The gold tables a dashboard reads: those of its metrics' semantic models."""
    models = dict.fromkeys(get_metric(m).model for r in dashboard.requests() for m in r.metrics)
    return tuple(
        sorted({f"gold.{table}" for model in models for table in SEMANTIC_MODELS[model].inputs})
    )


# Dashboard title -> gold tables read; the docs' lineage graph draws it (medallion.lineage).
INPUTS: dict[str, tuple[str, ...]] = {d.title: gold_inputs(d) for d in DASHBOARDS}
