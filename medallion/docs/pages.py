"""HTML pages of the docs site: the index, one page per table and landing folder, dashboards.

Plain HTML with the stylesheet and script inlined: a page opened from disk requests nothing.
Links are relative, so the folder can be moved or served as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape

from medallion.docs.assets import CSS, JS
from medallion.docs.catalog import Catalog, CheckDoc, TableDoc, kind_explanation
from medallion.docs.facts import CheckOutcome
from medallion.docs.graph import dashboard_id, graph_of, render_svg
from medallion.lineage.columns import GENERATED, split_key
from medallion.registry import ModelSpec

NOT_BUILT = "not built yet"


def page_path(node: str) -> str:
    """Where a node's page lives, relative to the site root."""
    if node.startswith("dashboard."):
        return f"dashboards.html#{slug(node.removeprefix('dashboard.'))}"
    return f"tables/{node.replace('/', '_')}.html"


def column_href(key: str, prefix: str) -> str:
    node, column = key.rsplit(".", 1)
    return f"{prefix}{page_path(node)}#col-{column}"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _a(href: str, text: str, cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<a href="{escape(href)}"{klass}>{escape(text)}</a>'


def _keys(keys: Iterable[str], prefix: str, *, empty: str = "none") -> str:
    items = [f"<li>{_a(column_href(k, prefix), k, 'mono')}</li>" for k in keys]
    return f'<ul class="keys">{"".join(items)}</ul>' if items else f'<p class="missing">{empty}</p>'


def _tables(names: Iterable[str], prefix: str) -> str:
    links = [
        _a(prefix + page_path(n), n.removeprefix("dashboard."))
        if n.startswith("dashboard.")
        else _a(prefix + page_path(n), n, "mono")
        for n in names
    ]
    return ", ".join(links) if links else '<span class="missing">none</span>'


def _rows(rows: int | None, model: str, tag: str = "td", cls: str = "num rows") -> str:
    """A row count, marked up for readers and tests: ``data-rows`` holds the number."""
    if rows is None:
        return f'<{tag} class="{cls} missing" data-table="{escape(model)}">{NOT_BUILT}</{tag}>'
    return f'<{tag} class="{cls}" data-table="{escape(model)}" data-rows="{rows}">{rows:,}</{tag}>'


def _result(outcome: CheckOutcome | None, built: bool) -> str:
    if outcome is None:
        return f'<span class="missing">{"not run yet" if built else NOT_BUILT}</span>'
    failures = "" if outcome.failures is None else f", {outcome.failures:,} failing rows"
    return (
        f'<span class="status-{escape(outcome.status)}">{escape(outcome.status)}</span>'
        f'{failures} <span class="note">({escape(outcome.command)} '
        f"{escape(outcome.run_id)})</span>"
    )


def _page(title: str, body: str, *, prefix: str, crumbs: str = "") -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # A data: icon keeps the browser from asking for /favicon.ico.
        '<link rel="icon" href="data:,">'
        f"<style>{CSS}</style></head><body>"
        f'<header class="site">{_a(prefix + "index.html", "medallion docs", "home")}'
        f'<span class="crumbs">{crumbs}</span></header>'
        f"<main>{body}</main><script>{JS}</script></body></html>\n"
    )


def _detail(catalog: Catalog, node: str) -> str:
    if node.startswith("dashboard."):
        return f"reads {len(catalog.dashboards[node.removeprefix('dashboard.')])} tables"
    if node.startswith("landing."):
        csv = [
            k for k in catalog.landing_tables[node] if catalog.lineage.landing[k].origin == "csv"
        ]
        return f"{len(csv)} CSV columns"
    rows = catalog.tables[node].rows
    return NOT_BUILT if rows is None else f"{rows:,} rows"


def graph_svg(catalog: Catalog, specs: dict[str, ModelSpec]) -> str:
    nodes, edges = graph_of(
        specs,
        catalog.dashboards,
        detail=lambda node: _detail(catalog, node),
        href=page_path,
    )
    return render_svg(nodes, edges)


def index_page(catalog: Catalog, specs: dict[str, ModelSpec]) -> str:
    facts = catalog.facts
    if facts.built:
        last = facts.last_run
        run = (
            f"last run {escape(str(last.get('run_id')))} ({escape(str(last.get('command')))}, "
            f"{escape(str(last.get('status')))}, finished {escape(str(last.get('finished_at')))})"
            if last
            else "no run record"
        )
        state = f"Warehouse <code>{escape(str(facts.database))}</code>: {run}."
    else:
        state = (
            f'Warehouse <code>{escape(str(facts.database))}</code>: <span class="missing">'
            f"{NOT_BUILT}</span> (row counts and check results appear once it is built)."
        )
    rows = []
    for t in catalog.tables.values():
        rows.append(
            f'<tr><td><span class="badge layer-{t.spec.layer}">{t.spec.layer}</span></td>'
            f"<td>{_a(page_path(t.name), t.name, 'mono')}</td><td>{escape(t.kind)}</td>"
            f'<td class="mono">{escape(", ".join(t.spec.grain))}</td>'
            f"{_rows(t.rows, t.name)}<td>{escape(t.spec.description)}</td></tr>"
        )
    dashboards = "".join(
        f"<li>{_a(page_path(dashboard_id(title)), title)}: reads {_tables(tables, '')}</li>"
        for title, tables in catalog.dashboards.items()
    )
    untraced = ""
    if catalog.lineage.untraced:
        untraced = (
            "<h2>Models whose lineage could not be traced</h2><ul>"
            + "".join(
                f"<li><code>{escape(m)}</code>: {escape(why)}</li>"
                for m, why in catalog.lineage.untraced.items()
            )
            + "</ul>"
        )
    body = (
        "<h1>medallion: tables and lineage</h1>"
        f'<p class="lead">{state}</p>'
        '<h2>Lineage</h2><p class="note">From the landing folders through bronze, silver and '
        "gold to the dashboards, drawn from the model registry. Click a node for its table; "
        "hover to highlight what it reads and feeds.</p>"
        f'<div class="graph-scroll">{graph_svg(catalog, specs)}</div>'
        '<h2>Tables</h2><table class="tables"><thead><tr><th>layer</th><th>table</th>'
        "<th>kind</th><th>grain</th><th>rows</th><th>description</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        f"<h2>Dashboards</h2><ul>{dashboards}</ul>{untraced}"
        '<h2>Machine-readable</h2><ul><li><a href="lineage.json">lineage.json</a>: column '
        'lineage (format <code>medallion.lineage/1</code>)</li><li><a href="catalog.json">'
        "catalog.json</a>: tables, columns, types, checks, rows</li></ul>"
    )
    return _page("medallion docs", body, prefix="")


def _checks_table(checks: list[CheckDoc], built: bool, *, tests: bool) -> str:
    if not checks:
        return '<p class="missing">none</p>'
    head = "<th>reads</th>" if tests else ""
    rows = []
    for c in checks:
        reads = f"<td>{_tables(c.models, '../')}</td>" if tests else ""
        rows.append(
            f'<tr id="check-{escape(c.id)}"><td class="mono">{escape(c.id)}</td>'
            f'<td class="mono">{escape(c.column or "(table)")}</td>'
            f"<td>{escape(c.description)}</td><td>{escape(c.severity)}</td>{reads}"
            f"<td>{_result(c.result, built)}</td></tr>"
        )
    return (
        '<table class="checks"><thead><tr><th>id</th><th>column</th><th>check</th>'
        f"<th>severity</th>{head}<th>last result</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _column_section(catalog: Catalog, table: TableDoc, column: str) -> str:
    graph = catalog.lineage
    key = f"{table.name}.{column}"
    lineage = graph.columns.get(key)
    if lineage is None:
        return (
            f'<section class="column" id="col-{escape(column)}"><h3 class="mono">'
            f'{escape(column)}</h3><p class="missing">lineage not traced</p></section>'
        )
    trace = graph.trace(key)
    generated = GENERATED.get(key)
    note = f'<p class="note">Generated: {escape(generated)}.</p>' if generated else ""
    used_by = graph.downstream(key)
    upstream = graph.upstream(key)
    total = len(upstream.direct) + len(upstream.via)
    return (
        f'<section class="column" id="col-{escape(column)}" data-column="{escape(key)}">'
        f'<h3 class="mono">{escape(column)} <span class="note">{escape(lineage.dtype)}</span>'
        f'</h3>{note}<div class="lineage-grid">'
        f'<div><h4>Computed from</h4><div class="direct">{_keys(lineage.direct, "../")}</div>'
        f'<h4>Rows chosen by</h4><div class="via">{_keys(lineage.via, "../")}</div></div>'
        '<div><h4>Landing columns it derives from</h4><div class="landing-direct">'
        f"{_keys(trace.direct, '../', empty='none (see generated)')}</div></div>"
        '<div><h4>Landing columns that choose its rows</h4><div class="landing-via">'
        f"{_keys(trace.via, '../')}</div></div>"
        f'<div><h4>Read by</h4><div class="used-by">{_keys(used_by, "../")}</div></div></div>'
        f"<details><summary>Every upstream column, all layers ({total})</summary>"
        '<div class="lineage-grid"><div><h4>Values from</h4>'
        f"{_keys(upstream.direct, '../')}</div><div><h4>Rows chosen by</h4>"
        f"{_keys(upstream.via, '../')}</div></div></details></section>"
    )


def table_page(catalog: Catalog, table: TableDoc) -> str:
    spec, built = table.spec, catalog.facts.built
    columns = []
    for c in table.columns:
        lineage = catalog.lineage.columns.get(f"{table.name}.{c.name}")
        direct = lineage.direct if lineage else ()
        nullable = "—" if c.nullable is None else ("yes" if c.nullable else "no")
        checks = ", ".join(
            f'<a href="#check-{escape(i)}" class="mono">{escape(i)}</a>' for i in c.checks
        )
        columns.append(
            f'<tr><td>{_a("#col-" + c.name, c.name, "mono")}</td><td class="mono type">'
            f"{escape(c.dtype)}</td><td>{nullable}</td><td>{checks}</td>"
            f'<td><ul class="keys inline">'
            + "".join(f"<li>{_a(column_href(k, '../'), k, 'mono')}</li>" for k in direct)
            + "</ul></td></tr>"
        )
    rows = _rows(table.rows, table.name, "span", "rows")
    quarantined = (
        f"<dt>quarantined rows</dt><dd>{table.quarantined:,}</dd>"
        if table.quarantined is not None
        else ""
    )
    untraced = (
        f'<p class="status-fail">Lineage not traced: {escape(table.untraced)}</p>'
        if table.untraced
        else ""
    )
    body = (
        f'<h1 class="mono">{escape(table.name)} <span class="badge layer-{spec.layer}">'
        f'{spec.layer}</span></h1><p class="lead">{escape(spec.description)}</p>'
        '<dl class="facts">'
        f"<dt>layer</dt><dd>{spec.layer}</dd>"
        f"<dt>kind</dt><dd>{escape(table.kind)}: {escape(kind_explanation(spec.kind))}</dd>"
        f'<dt>grain</dt><dd class="mono">{escape(", ".join(spec.grain)) or "—"}</dd>'
        f"<dt>rows</dt><dd>{rows}</dd>{quarantined}"
        f'<dt>contract</dt><dd class="mono">{escape(table.contract or "—")}</dd>'
        f"<dt>upstream</dt><dd>{_tables(_upstream_nodes(catalog, table), '../')}</dd>"
        f"<dt>downstream</dt><dd>{_tables(table.downstream, '../')}</dd>"
        f"<dt>dashboards</dt><dd>"
        f"{_tables([dashboard_id(d) for d in table.dashboards], '../')}</dd></dl>{untraced}"
        '<h2>Columns</h2><table class="columns"><thead><tr><th>column</th><th>type</th>'
        "<th>nullable</th><th>checks</th><th>computed from</th></tr></thead>"
        f"<tbody>{''.join(columns)}</tbody></table>"
        f"<h2>Contract checks</h2>{_checks_table(table.checks, built, tests=False)}"
        f"<h2>Data tests</h2>{_checks_table(table.tests, built, tests=True)}"
        "<h2>Column lineage</h2>"
        + "".join(_column_section(catalog, table, c.name) for c in table.columns)
    )
    crumbs = f"{spec.layer} &rsaquo; {escape(spec.table)}"
    return _page(table.name, body, prefix="../", crumbs=crumbs)


def _upstream_nodes(catalog: Catalog, table: TableDoc) -> list[str]:
    if table.spec.layer == "bronze":
        return [n for n in catalog.landing_tables if _bronze_of(catalog, n) == table.name]
    return list(table.spec.inputs)


def _bronze_of(catalog: Catalog, node: str) -> str:
    first = catalog.landing_tables[node][0]
    return f"bronze.{catalog.lineage.landing[first].source.bronze_name}"


def landing_page(catalog: Catalog, node: str) -> str:
    graph = catalog.lineage
    keys = catalog.landing_tables[node]
    source = graph.landing[keys[0]].source
    bronze = _bronze_of(catalog, node)
    computes: dict[str, list[str]] = {k: [] for k in keys}
    chooses: dict[str, list[str]] = {k: [] for k in keys}
    for key in graph.columns:
        if split_key(key)[0] == "gold":
            trace = graph.trace(key)
            for found, reads in ((computes, trace.direct), (chooses, trace.via)):
                for read in reads:
                    if read in found:
                        found[read].append(key)
    rows = []
    for key in keys:
        landing = graph.landing[key]
        bronze_column = f"{bronze}.{landing.column}"
        chosen = chooses[key]
        rows.append(
            f'<tr id="col-{escape(landing.column)}"><td class="mono">{escape(landing.column)}</td>'
            f"<td>{escape(landing.origin)}</td><td>{escape(landing.description)}</td>"
            f"<td>{_a(column_href(bronze_column, '../'), bronze_column, 'mono')}</td>"
            f'<td class="computes">{_keys(computes[key], "../")}</td>'
            f'<td class="chooses"><details><summary>{len(chosen)} columns</summary>'
            f"{_keys(chosen, '../')}</details></td></tr>"
        )
    body = (
        f'<h1 class="mono">{escape(node)} <span class="badge layer-landing">landing</span></h1>'
        f'<p class="lead">CSV exports landed under <code>&lt;landing&gt;/{escape(source.folder)}'
        f"/*.csv</code>, ingested into {_tables([bronze], '../')}. Any number of files, any "
        "names; each is ingested once.</p>"
        '<h2>Columns</h2><table class="columns"><thead><tr><th>column</th><th>origin</th>'
        "<th>meaning</th><th>bronze column</th><th>gold columns computed from it</th>"
        "<th>gold columns whose rows it chooses</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
        f'<p class="note">Required columns (a file without one is rejected): '
        f"{escape(', '.join(source.required))}.</p>"
    )
    return _page(node, body, prefix="../", crumbs=f"landing &rsaquo; {escape(source.folder)}")


def dashboards_page(catalog: Catalog) -> str:
    sections = []
    for title, tables in catalog.dashboards.items():
        sections.append(
            f'<section class="dashboard" id="{slug(title)}"><h2>{escape(title)}</h2>'
            f"<p>Reads {_tables(tables, '')}.</p></section>"
        )
    body = (
        '<h1>Dashboards</h1><p class="lead">What the analysts read, and the gold tables '
        f"behind each.</p>{''.join(sections)}{_metrics_section()}"
    )
    return _page("Dashboards", body, prefix="", crumbs="dashboards")


def _metrics_section() -> str:
    """The metrics layer: every KPI the dashboards and `medallion metrics` compute, once."""
    from medallion.metrics import list_metrics

    rows = "".join(
        f'<tr id="metric-{escape(m.name)}"><td><code>{escape(m.name)}</code></td>'
        f"<td>{escape(m.description)}</td><td>{escape(m.definition)}</td>"
        f"<td>{escape(m.format)}</td><td>{escape(m.model)}</td>"
        f"<td>{escape(', '.join(m.dimensions))}</td></tr>"
        for m in list_metrics()
    )
    return (
        '<section class="metrics" id="metrics"><h2>Metrics</h2>'
        "<p>Each KPI is one named Ibis expression over gold (<code>medallion/metrics/</code>), "
        "used by the dashboards and by <code>medallion metrics query</code>.</p>"
        "<table><thead><tr><th>metric</th><th>description</th><th>definition</th>"
        "<th>format</th><th>model</th><th>dimensions</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )
