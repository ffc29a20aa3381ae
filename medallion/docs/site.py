"""Writing the docs site: index, table and landing pages, dashboards, lineage.json, catalog.json.

The site is written into a temporary folder beside ``out`` and swapped in at the end, so a
reader never sees half of it; files of ``out`` the generator does not own are left alone.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medallion.config import Settings
from medallion.docs.catalog import build_catalog, catalog_json
from medallion.docs.facts import warehouse_facts
from medallion.docs.pages import (
    dashboards_page,
    index_page,
    landing_page,
    page_path,
    table_page,
)
from medallion.errors import ConfigError
from medallion.lineage import lineage_graph, lineage_json
from medallion.registry import load_models

OWNED = ("index.html", "dashboards.html", "lineage.json", "catalog.json", "tables")


@dataclass
class DocsReport:
    out: Path
    pages: list[Path] = field(default_factory=list)
    built: bool = False  # whether a warehouse was there to count rows in
    untraced: dict[str, str] = field(default_factory=dict)

    @property
    def index(self) -> Path:
        return self.out / "index.html"


def default_out(settings: Settings) -> Path:
    return settings.warehouse / "docs"


def build_docs(settings: Settings, out: Path | None = None) -> DocsReport:
    """Generate the site for the registered models (and the warehouse, when built) into
    ``out`` (default ``<warehouse>/docs``)."""
    out = out or default_out(settings)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file: give a folder to write the docs into")
    specs = load_models()
    graph = lineage_graph()
    facts = warehouse_facts(settings, specs)
    catalog = build_catalog(specs, graph, facts, settings.severity)
    files: dict[str, str] = {
        "index.html": index_page(catalog, specs),
        "dashboards.html": dashboards_page(catalog),
        "lineage.json": _json(lineage_json(graph)),
        "catalog.json": _json(catalog_json(catalog)),
    }
    for name, table in catalog.tables.items():
        files[page_path(name)] = table_page(catalog, table)
    for node in catalog.landing_tables:
        files[page_path(node)] = landing_page(catalog, node)
    report = DocsReport(out, built=facts.built, untraced=dict(graph.untraced))
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix=".docs-") as tmp:
        staging = Path(tmp)
        for relative, text in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        for name in OWNED:
            target, source = out / name, staging / name
            if target.is_dir():
                shutil.rmtree(target)
            source.replace(target)
    report.pages = sorted(out / relative for relative in files if relative.endswith(".html"))
    return report


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=False) + "\n"
