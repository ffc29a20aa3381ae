"""The docs site: tables, columns, checks and column lineage, generated from the registry."""

from __future__ import annotations

from medallion.docs.site import DocsReport, build_docs, default_out

__all__ = ["DocsReport", "build_docs", "default_out"]
