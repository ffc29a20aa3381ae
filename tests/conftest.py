"""Shared fixtures: an in-memory DuckDB to evaluate pure expressions, and the reference extract."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]
REFERENCE_EXTRACT = REPO.parent / "shared" / "data" / "reference_extract"
AS_OF = dt.date(2026, 11, 26)  # pinned so results do not change as the calendar moves

settings.register_profile("ci", max_examples=200, deadline=None, print_blob=True)
settings.register_profile(
    "dev", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def duck() -> ibis.BaseBackend:
    """One in-memory DuckDB for evaluating expressions built on memtables."""
    return ibis.duckdb.connect()


@pytest.fixture
def evaluate(duck: ibis.BaseBackend):
    """Execute an expression and return a pandas frame (tests only: models never do this)."""

    def run(expr: ir.Table) -> pd.DataFrame:
        return duck.execute(expr)

    return run


@pytest.fixture(scope="session")
def reference_extract() -> Path:
    if not REFERENCE_EXTRACT.is_dir():
        pytest.skip(
            f"reference extract absent: expected the real CRM+ERP extract at {REFERENCE_EXTRACT} "
            "(../shared/data/reference_extract beside the repository)"
        )
    return REFERENCE_EXTRACT


ARTIFACTS = REPO / "test-artifacts"  # screenshots of rendered pages (git-ignored)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium shared by the page tests; skipped, with the reason, without one."""
    from tests.browser import Browser, find_chromium

    found = find_chromium()
    if found is None:
        pytest.skip(
            "headless Chromium absent: needs chromium and chromedriver on PATH "
            "(Debian: apt-get install chromium chromium-driver; .ci/run installs them)"
        )
    session = Browser(*found)
    yield session
    session.close()
