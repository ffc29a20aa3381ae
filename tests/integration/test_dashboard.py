"""The dashboard page and `medallion metrics` on a real warehouse, checked against plain SQL
over the DuckDB file: the page works offline, every chart renders, every KPI is right."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import click
import duckdb
import pytest
from click.testing import CliRunner

from medallion.cli import main
from medallion.commands.dashboard import dashboard
from medallion.commands.metrics import metrics
from medallion.config import Settings
from medallion.dashboard import DASHBOARDS, INPUTS
from medallion.dashboard.build import fetch, render
from medallion.engines import connect
from medallion.generate import generate_landing
from medallion.metrics import list_metrics
from medallion.runner import run
from tests.conftest import ARTIFACTS, AS_OF

pytestmark = pytest.mark.slow


def cli() -> click.Group:
    """medallion's command line, with the metrics and dashboard commands on it (medallion.cli
    registers them; adding them here too keeps these tests independent of that line)."""
    for command in (metrics, dashboard):
        if command.name not in main.commands:
            main.add_command(command)
    return main


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli(), list(args))
    return result.exit_code, result.output


def full_page_screenshot(browser: Any, path: Path) -> None:
    """The whole page, not only the window; the window is then given back its size."""
    driver = browser.driver
    size = driver.get_window_size()
    driver.set_window_size(size["width"], browser.script("return document.body.scrollHeight") + 150)
    time.sleep(0.5)  # the charts follow the new size
    browser.screenshot(path)
    driver.set_window_size(size["width"], size["height"])


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dashboard")
    generate_landing(root / "landing", scale=0.05, seed=1, batches=1)
    report = run(Settings(landing=root / "landing", warehouse=root / "warehouse", as_of=AS_OF))
    assert report.ok
    return root / "warehouse"


@pytest.fixture(scope="module")
def sql(warehouse: Path) -> Iterator[Any]:
    """One plain-SQL answer from the warehouse file, opened read-only (no medallion code)."""

    def one(statement: str) -> tuple[Any, ...]:
        with duckdb.connect(str(warehouse / "medallion.duckdb"), read_only=True) as con:
            return con.sql(statement).fetchone()  # type: ignore[return-value]

    yield one


@pytest.fixture(scope="module")
def expected(sql: Any) -> dict[str, Any]:
    """Every KPI and the date range, computed from gold independently of medallion."""
    revenue, profit, orders, buyers = sql(
        "select sum(sales_amount), sum(profit), count(distinct order_number), "
        "count(distinct customer_key) filter (where customer_key <> -1) from gold.fact_sales"
    )
    customers, unknown_gender = sql(
        "select count(*), count(*) filter (where gender = 'n/a') "
        "from gold.dim_customer where customer_key <> -1"
    )
    first, last = sql(
        "select min(d.date), max(d.date) from gold.fact_sales f "
        "join gold.dim_date d on f.order_date_key = d.date_key"
    )
    return {
        "revenue": revenue,
        "profit": profit,
        "margin": float(profit) / float(revenue),
        "orders": orders,
        "average_order_value": (revenue / orders).quantize(Decimal("0.01"), ROUND_HALF_UP),
        "customers": customers,
        "buying_customers": buyers,
        "unknown_gender_share": unknown_gender / customers,
        "first_order": first.isoformat(),
        "last_order": last.isoformat(),
    }


@pytest.fixture(scope="module")
def page(warehouse: Path) -> Path:
    code, out = invoke("dashboard", "--warehouse", str(warehouse))
    assert code == 0, out
    path = warehouse / "dashboard.html"
    assert f"Open: {path}" in out
    return path


def test_page_is_self_contained(page: Path) -> None:
    from plotly.offline import get_plotlyjs

    html = page.read_text(encoding="utf-8")
    bundle = get_plotlyjs()
    assert html.count(bundle) == 1  # plotly.js inlined once (its own text names URLs)
    html = html.replace(bundle, "")
    assert html.count("<script") == 2 + sum(len(d.charts) for d in DASHBOARDS)
    for external in ('src="http', 'href="http', "cdn.plot.ly", "@import", "url(http"):
        assert external not in html, external


def test_dashboard_renders_offline_with_every_chart_and_kpi(
    browser: Any, page: Path, expected: dict[str, Any], sql: Any
) -> None:
    charts = [c.key for d in DASHBOARDS for c in d.charts]
    with browser.visit(page, settle_seconds=2.0) as visit:
        rendered = browser.script(
            "return Array.from(document.querySelectorAll('[data-chart]')).map(f => "
            "[f.dataset.chart, f.querySelectorAll('.js-plotly-plot svg.main-svg').length])"
        )
        assert [key for key, _ in rendered] == charts
        assert all(svgs > 0 for _, svgs in rendered), rendered
        kpis = browser.script(
            "const k = {}; document.querySelectorAll('[data-kpi]')"
            ".forEach(t => k[t.dataset.kpi] = t.dataset.value); return k"
        )
        context = browser.script(
            "const r = document.querySelector('[data-date-range]'); return ["
            "document.querySelector('[data-as-of]').dataset.asOf, r.dataset.firstOrder, "
            "r.dataset.lastOrder, document.querySelector('header').innerText]"
        )
        by_country = browser.script(
            "const d = document.getElementById('chart-revenue_profit_by_country').data; "
            "return [d[0].x, d[0].y]"
        )
        full_page_screenshot(browser, ARTIFACTS / "dashboard.png")
        browser.script("document.querySelector('[data-tab=customers]').click()")
        time.sleep(0.5)
        shown = browser.script(
            "return [document.getElementById('tab-sales').hidden, "
            "document.getElementById('tab-customers').hidden, "
            "document.querySelector('[data-chart=top_customers_pareto] .js-plotly-plot')"
            ".getBoundingClientRect().width, "
            "document.querySelector('[data-chart=top_customers_pareto]').dataset.topShare]"
        )
        full_page_screenshot(browser, ARTIFACTS / "dashboard-customers.png")
    assert visit.console_errors == []
    assert visit.network_requests == []

    assert set(kpis) == {t.metric for d in DASHBOARDS for t in d.tiles}
    for name in ("revenue", "profit", "average_order_value"):
        assert Decimal(kpis[name]) == expected[name], name
    for name in ("orders", "customers", "buying_customers"):
        assert int(kpis[name]) == expected[name], name
    for name in ("margin", "unknown_gender_share"):
        assert float(kpis[name]) == pytest.approx(expected[name], rel=1e-12), name

    as_of, first, last, header = context
    assert (as_of, first, last) == (
        AS_OF.isoformat(),
        expected["first_order"],
        expected["last_order"],
    )
    assert f"As of {AS_OF.isoformat()}" in header
    assert f"Orders from {expected['first_order']} to {expected['last_order']}" in header

    countries = dict(zip(*by_country, strict=True))
    with duckdb.connect(str(page.parent / "medallion.duckdb"), read_only=True) as con:
        truth = con.sql(
            "select l.country, sum(f.sales_amount) from gold.fact_sales f "
            "join gold.dim_location l using (location_key) group by 1"
        ).fetchall()
    assert countries == pytest.approx({country: float(r) for country, r in truth})

    sales_hidden, customers_hidden, pareto_width, top_share = shown
    assert sales_hidden and not customers_hidden and pareto_width > 0
    (top_20,) = sql(
        "select sum(r) from (select sum(sales_amount) r from gold.fact_sales "
        "where customer_key <> -1 group by customer_key order by r desc limit 20)"
    )
    assert float(top_share) == pytest.approx(float(top_20 / expected["revenue"]), rel=1e-9)


def test_page_says_unknown_as_of_without_a_run_record(warehouse: Path) -> None:
    with connect(Settings(landing=None, warehouse=warehouse)) as engine:
        results = fetch(engine)
    html = render(results, None, "duckdb")
    assert 'data-as-of="unknown"' in html and "As of <strong>unknown</strong>" in html


def test_dashboard_inputs_name_the_gold_tables_read() -> None:
    assert set(INPUTS) == {"Sales performance", "Customer insights"}
    assert "gold.fact_sales" in INPUTS["Sales performance"]
    assert "gold.dim_customer" in INPUTS["Customer insights"]
    assert all(t.startswith("gold.") for tables in INPUTS.values() for t in tables)


def test_metrics_list_names_every_metric() -> None:
    code, out = invoke("metrics", "list")
    assert code == 0, out
    for metric in list_metrics():
        assert metric.name in out
    assert "Dimensions of sales: country, category" in out
    code, out = invoke("metrics", "list", "--format", "json")
    assert [m["name"] for m in json.loads(out)] == [m.name for m in list_metrics()]


def test_metrics_query_matches_sql(warehouse: Path, sql: Any) -> None:
    code, out = invoke(
        "metrics", "query", "revenue", "profit", "orders", "--by", "country",
        "--where", "year=2013", "--format", "csv", "--warehouse", str(warehouse),
    )  # fmt: skip
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out)))
    with duckdb.connect(str(warehouse / "medallion.duckdb"), read_only=True) as con:
        truth = con.sql(
            "select l.country, sum(f.sales_amount), sum(f.profit), count(distinct order_number) "
            "from gold.fact_sales f join gold.dim_location l using (location_key) "
            "join gold.dim_date d on f.order_date_key = d.date_key where d.year = 2013 "
            "group by 1 order by 1"
        ).fetchall()
    assert [
        (r["country"], Decimal(r["revenue"]), Decimal(r["profit"]), int(r["orders"])) for r in rows
    ] == truth

    code, out = invoke(
        "metrics", "query", "revenue", "margin", "--warehouse", str(warehouse), "--format", "json"
    )
    assert code == 0, out
    (row,) = json.loads(out)
    revenue, profit = sql("select sum(sales_amount), sum(profit) from gold.fact_sales")
    assert Decimal(str(row["revenue"])) == revenue
    assert row["margin"] == pytest.approx(float(profit) / float(revenue), rel=1e-12)

    code, out = invoke(
        "metrics", "query", "customers", "--by", "age_band", "--warehouse", str(warehouse)
    )
    assert code == 0 and "30-39" in out and "unknown" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("metrics", "query", "revnue"),
            "Error: unknown metric 'revnue': choose one of average_order_value, buying_customers,",
        ),
        (
            ("metrics", "query", "customers", "--by", "year"),
            "Error: metric 'customers' cannot be sliced by 'year': its dimensions are country,",
        ),
        (
            ("metrics", "query", "revenue", "--where", "year=twenty"),
            "Error: filter 'year=twenty': year is a whole number, not 'twenty'",
        ),
    ],
)
def test_bad_metric_queries_are_one_line_errors(
    warehouse: Path, args: tuple[str, ...], message: str
) -> None:
    code, out = invoke(*args, "--warehouse", str(warehouse))
    assert code == 1
    assert len(out.strip().splitlines()) == 1 and out.startswith(message), out


def test_without_a_warehouse_both_commands_say_what_to_do(tmp_path: Path) -> None:
    for args in (("dashboard",), ("metrics", "query", "revenue")):
        code, out = invoke(*args, "--warehouse", str(tmp_path / "none"))
        assert code == 1
        assert out.strip().splitlines() == [
            f"Error: no warehouse at {tmp_path / 'none' / 'medallion.duckdb'}: run "
            "`medallion run --landing DIR` first or pass --warehouse"
        ]
        assert not (tmp_path / "none").exists()
