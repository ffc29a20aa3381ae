"""The analysts' dashboards (SPEC 5): Sales performance and Customer insights, one offline
HTML page whose every number is a metric of ``medallion.metrics``.

``spec.py`` says what each dashboard shows, ``build.py`` runs the metric queries and writes the
page, ``figures.py`` and ``page.py`` draw it (pure; plotly is imported only when drawing).
``INPUTS`` (dashboard title -> gold tables read) is derived from the metrics' semantic models;
the docs' lineage graph reads it.
"""

from __future__ import annotations

from medallion.dashboard.build import DashboardReport, write_dashboard
from medallion.dashboard.spec import DASHBOARDS, INPUTS

__all__ = ["DASHBOARDS", "INPUTS", "DashboardReport", "write_dashboard"]
