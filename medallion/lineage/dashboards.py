"""The dashboards as readers of gold: which tables each one reads (SPEC section 5)."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping

# Dashboard title -> the gold tables it reads. The one list the docs' lineage graph draws;
# a dashboard module may import it, or declare its own ``INPUTS`` (read by dashboard_inputs).
DASHBOARD_INPUTS: dict[str, tuple[str, ...]] = {
    "Sales performance": (
        "gold.fact_sales",
        "gold.fact_orders",
        "gold.dim_product",
        "gold.dim_location",
        "gold.dim_date",
    ),
    "Customer insights": (
        "gold.fact_sales",
        "gold.fact_orders",
        "gold.dim_customer",
        "gold.dim_location",
    ),
}


def dashboard_inputs(models: Iterable[str] | None = None) -> dict[str, tuple[str, ...]]:
    """Dashboard title -> tables read: ``medallion.dashboard.INPUTS`` when that module declares
    a usable one (same shape, every table a known model), else ``DASHBOARD_INPUTS``."""
    declared = _declared_inputs()
    if declared and (models is None or all(set(t) <= set(models) for t in declared.values())):
        return declared
    return dict(DASHBOARD_INPUTS)


def _declared_inputs() -> dict[str, tuple[str, ...]] | None:
    try:
        module = importlib.import_module("medallion.dashboard")
    except Exception:  # absent, or broken: the docs must build regardless
        return None
    inputs = getattr(module, "INPUTS", None)
    if not isinstance(inputs, Mapping) or not inputs:
        return None
    found: dict[str, tuple[str, ...]] = {}
    for title, tables in inputs.items():
        if not isinstance(title, str) or isinstance(tables, str | bytes):
            return None
        try:
            names = tuple(tables)
        except TypeError:
            return None
        if not names or not all(isinstance(n, str) and n.count(".") == 1 for n in names):
            return None
        found[title] = names
    return found
