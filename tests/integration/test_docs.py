"""`medallion docs` on a small built warehouse and without one: pages that work offline, a
lineage graph of every table, row counts and check results from the warehouse, column lineage
on each table page, and lineage.json / catalog.json beside them."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner, Result

from medallion.cli import main
from medallion.config import Settings
from medallion.docs.graph import NODE_H, NODE_W, graph_of, layout
from medallion.engines import connect
from medallion.generate import generate_landing
from medallion.lineage import dashboard_inputs, lineage_graph
from medallion.registry import load_models
from medallion.runner import run
from tests.browser import Browser
from tests.conftest import ARTIFACTS, AS_OF


def run_docs(*args: str) -> Result:
    """``medallion docs ARGS`` through the CLI (the command object itself until medallion.cli
    registers it)."""
    if "docs" in main.commands:
        return CliRunner().invoke(main, ["docs", *args])
    from medallion.commands.docs import docs

    return CliRunner().invoke(docs, list(args))


def invoke(*args: str) -> str:
    result = run_docs(*args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("docs")
    generate_landing(root / "landing", scale=0.05, seed=1, batches=1)
    settings = Settings(landing=root / "landing", warehouse=root / "warehouse", as_of=AS_OF)
    assert run(settings).ok
    return settings


@pytest.fixture(scope="module")
def site(warehouse: Settings) -> Path:
    output = invoke("--warehouse", str(warehouse.warehouse))
    out = warehouse.warehouse / "docs"  # the default
    assert f"Open: {out / 'index.html'}" in output
    return out


@pytest.fixture(scope="module")
def counts(warehouse: Settings) -> dict[str, int]:
    with connect(warehouse) as engine:
        return {name: engine.count(s.layer, s.table) for name, s in load_models().items()}


def expected_nodes() -> set[str]:
    specs = load_models()
    landing = {f"landing.{t.split('_', 1)[0]}/{t.split('_', 1)[1]}" for t in _bronze(specs)}
    dashboards = {f"dashboard.{title}" for title in dashboard_inputs(specs)}
    return set(specs) | landing | dashboards


def _bronze(specs: dict) -> list[str]:
    return [s.table for s in specs.values() if s.layer == "bronze"]


def test_index_shows_the_whole_lineage_graph_and_row_counts(
    browser: Browser, site: Path, counts: dict[str, int]
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    with browser.visit(site / "index.html") as visit:
        nodes = browser.script(
            "return Array.from(document.querySelectorAll('svg.lineage-graph a.node'))"
            ".map(n => [n.dataset.node, n.getAttribute('href')])"
        )
        rows = browser.script(
            "return Array.from(document.querySelectorAll('td.rows'))"
            ".map(c => [c.dataset.table, c.dataset.rows])"
        )
        edges = browser.script("return document.querySelectorAll('svg.lineage-graph .edge').length")
        browser.screenshot(ARTIFACTS / "docs-index.png")
        # Hovering a node highlights what it reads and feeds.
        node = browser.driver.find_element("css selector", "a.node[data-node='gold.fact_sales']")
        ActionChains(browser.driver).move_to_element(node).perform()
        hot = browser.script(
            "return Array.from(document.querySelectorAll('a.node.hot')).map(n => n.dataset.node)"
        )
    assert visit.console_errors == []
    assert visit.network_requests == []
    ids = [node for node, _ in nodes]
    assert len(ids) == 18 + 8 + 2 == len(set(ids))  # six gold tables and two key maps
    assert set(ids) == expected_nodes()
    for node, href in nodes:
        target = unquote(urlsplit(href).path)
        assert (site / target).is_file(), (node, href)
    specs = load_models()
    assert edges == 6 + sum(len(s.inputs) for s in specs.values()) + sum(
        len(t) for t in dashboard_inputs(specs).values()
    )
    assert {table: int(n) for table, n in rows} == counts
    readers = {f"dashboard.{t}" for t, tables in dashboard_inputs().items() if tables}
    assert {"landing.crm/sales_details", "gold.fact_orders"} <= set(hot)
    assert readers & set(hot)
    assert "gold.dim_date" not in hot  # neither read nor fed by fact_sales


def test_table_page_shows_columns_checks_counts_and_column_lineage(
    browser: Browser, site: Path, counts: dict[str, int]
) -> None:
    page = site / "tables" / "gold.fact_sales.html"
    with browser.visit(page) as visit:
        shown = browser.script("return document.querySelector('span.rows').dataset.rows")
        lineage = browser.script(
            "const s = document.getElementById('col-sales_amount');"
            "const links = sel => Array.from(s.querySelectorAll(sel + ' a'))"
            "  .map(a => a.textContent);"
            "return {direct: links('.direct'), landing: links('.landing-direct'),"
            "  via: links('.landing-via'), visible: s.getBoundingClientRect().height > 0}"
        )
        statuses = browser.script(
            "return Array.from(document.querySelectorAll('table.checks [class^=status-]'))"
            ".map(e => e.textContent)"
        )
        browser.driver.get(page.resolve().as_uri() + "#col-profit")
        browser.screenshot(ARTIFACTS / "docs-fact-sales-profit.png")
        # Follow the lineage one step up: the silver column's own page section.
        browser.driver.get(page.resolve().as_uri() + "#col-sales_amount")
        browser.driver.find_element("css selector", "#col-sales_amount .direct a").click()
        url = browser.driver.current_url
        upstream = browser.script(
            "return Array.from(document.querySelectorAll('#col-sales_amount .direct a'))"
            ".map(a => a.textContent)"
        )
    assert visit.console_errors == []
    assert visit.network_requests == []
    assert int(shown) == counts["gold.fact_sales"]
    assert lineage["visible"]
    assert lineage["direct"] == ["silver.crm_sales.sales_amount"]
    assert set(lineage["landing"]) == {
        "landing.crm/sales_details.sls_price",
        "landing.crm/sales_details.sls_quantity",
        "landing.crm/sales_details.sls_sales",
    }
    assert "landing.crm/sales_details.sls_ord_num" in lineage["via"]
    assert statuses and set(statuses) <= {"pass", "warn", "quarantined", "fail"}
    assert url.endswith("tables/silver.crm_sales.html#col-sales_amount")
    assert set(upstream) == {
        "bronze.crm_sales_details.sls_price",
        "bronze.crm_sales_details.sls_quantity",
        "bronze.crm_sales_details.sls_sales",
    }


def test_landing_page_lists_csv_columns_and_what_gold_computes_from_them(
    browser: Browser, site: Path
) -> None:
    with browser.visit(site / "tables" / "landing.erp_cust_az12.html") as visit:
        gold = browser.script(
            "return Array.from(document.querySelectorAll('#col-bdate .computes a'))"
            ".map(a => a.textContent)"
        )
        chosen = browser.script(
            "return Array.from(document.querySelectorAll('#col-cid .chooses a'))"
            ".map(a => a.getAttribute('href'))"
        )
        browser.screenshot(ARTIFACTS / "docs-landing-cust-az12.png")
    assert visit.console_errors == [] and visit.network_requests == []
    assert gold == ["gold.dim_customer.birth_date"]
    # The ERP id finds the customer's demographics: it chooses the rows birth_date comes from.
    assert "../tables/gold.dim_customer.html#col-birth_date" in chosen


def test_json_files_cover_every_gold_column_and_table(site: Path, counts: dict[str, int]) -> None:
    lineage = json.loads((site / "lineage.json").read_text(encoding="utf-8"))
    catalog = json.loads((site / "catalog.json").read_text(encoding="utf-8"))
    graph = lineage_graph()
    gold = [k for k, c in graph.columns.items() if c.model.startswith("gold.")]
    assert len(gold) == 60 + 4  # the star's columns and the key maps'
    for key in gold:
        entry = lineage["columns"][key]
        assert entry["landing"]["direct"] or entry["landing"]["via"], key
    assert catalog["warehouse"]["built"] is True
    assert {name: t["rows"] for name, t in catalog["tables"].items()} == counts
    gender = next(
        c for c in catalog["tables"]["gold.dim_customer"]["columns"] if c["name"] == "gender"
    )
    assert (gender["dtype"], gender["nullable"]) == ("string", False)
    assert "accepted_values:gold.dim_customer.gender" in gender["checks"]
    checks = catalog["tables"]["silver.crm_sales"]["checks"]
    assert all(c["result"] and c["result"]["status"] for c in checks)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("href"):
            self.hrefs.append(str(found["href"]))
        if found.get("src"):
            self.sources.append(str(found["src"]))
        if found.get("id"):
            self.ids.add(str(found["id"]))


def test_every_link_resolves_and_nothing_is_fetched(site: Path) -> None:
    pages = {p: _parse(p) for p in site.rglob("*.html")}
    assert len(pages) == 2 + 18 + 8
    for page, links in pages.items():
        assert links.sources == [], page  # no external script, image or frame
        for href in links.hrefs:
            if href.startswith("data:"):
                continue
            assert not re.match(r"^[a-z]+://", href), (page, href)
            parts = urlsplit(href)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            assert target.is_file(), (page, href)
            if parts.fragment and target.suffix == ".html":
                assert unquote(parts.fragment) in pages[target].ids, (page, href)


def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_docs_build_without_a_warehouse(browser: Browser, tmp_path: Path) -> None:
    warehouse, out = tmp_path / "none", tmp_path / "site"
    output = invoke("--warehouse", str(warehouse), "--out", str(out))
    assert "not built yet" in output
    assert not warehouse.exists()  # documenting never creates a warehouse
    with browser.visit(out / "index.html") as visit:
        shown = browser.script(
            "return Array.from(document.querySelectorAll('td.rows')).map(c => c.textContent)"
        )
        nodes = browser.script("return document.querySelectorAll('svg .node').length")
    assert visit.console_errors == [] and visit.network_requests == []
    assert nodes == 28 and set(shown) == {"not built yet"}
    page = (out / "tables" / "gold.fact_sales.html").read_text(encoding="utf-8")
    assert "not built yet" in page and "col-profit" in page
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    assert catalog["warehouse"]["built"] is False
    assert all(t["rows"] is None for t in catalog["tables"].values())


def test_regenerating_replaces_the_site_and_keeps_other_files(tmp_path: Path) -> None:
    out = tmp_path / "site"
    (out / "tables").mkdir(parents=True)
    (out / "tables" / "stale.html").write_text("old", encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    invoke("--warehouse", str(tmp_path / "none"), "--out", str(out))
    assert not (out / "tables" / "stale.html").exists()
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert not [p for p in out.iterdir() if p.name.startswith(".docs-")]


def test_out_must_be_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    result = run_docs("--warehouse", str(tmp_path / "none"), "--out", str(target))
    assert result.exit_code == 2 and "is a file" in result.output


def test_graph_layout_points_every_edge_down_without_overlaps() -> None:
    specs = load_models()
    nodes, edges = graph_of(
        specs, dashboard_inputs(specs), detail=lambda n: "", href=lambda n: f"{n}.html"
    )
    found = layout(nodes, edges)
    at = {p.node.id: p for p in found.placed}
    for edge in edges:
        assert at[edge.source].y + NODE_H < at[edge.target].y, edge
    for a in found.placed:
        for b in found.placed:
            if a is not b and a.y == b.y:
                assert abs(a.x - b.x) >= NODE_W, (a.node.id, b.node.id)
    bands = [p.node.band for p in sorted(found.placed, key=lambda p: p.y)]
    order = ["landing", "bronze", "silver", "gold", "dashboards"]
    assert bands == sorted(bands, key=order.index)


def test_the_docs_list_every_metric_with_its_definition(site: Path) -> None:
    from medallion.metrics import list_metrics

    page = (site / "dashboards.html").read_text(encoding="utf-8")
    for metric in list_metrics():
        assert f'id="metric-{metric.name}"' in page, metric.name
        assert html.escape(metric.definition) in page, metric.name
