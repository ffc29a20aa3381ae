"""A run collects garbage less often while it builds, and leaves the process's setting as it was."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from medallion.config import Settings
from medallion.runner import Progress, run
from tests.conftest import AS_OF
from tests.integration.test_ingest import CUSTOMERS, write

DEFAULT = (700, 10, 10)


class Watching(Progress):
    """Notes the collector's thresholds as each model starts; optionally fails there."""

    def __init__(self, *, fail: bool = False) -> None:
        self.seen: list[tuple[int, int, int]] = []
        self.fail = fail

    def model_started(self, name: str, index: int, total: int) -> None:
        self.seen.append(gc.get_threshold())
        if self.fail:
            raise RuntimeError("stopped by the test")


@pytest.fixture
def default_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*DEFAULT)
    yield
    gc.set_threshold(*before)


@pytest.mark.usefixtures("default_thresholds")
def test_a_run_raises_the_threshold_while_it_builds_and_restores_it(tmp_path: Path) -> None:
    settings = Settings(landing=tmp_path / "landing", warehouse=tmp_path / "wh", as_of=AS_OF)
    write(settings.landing, "crm/cust_info/data/a.csv", CUSTOMERS)
    watching = Watching()

    run(settings, progress=watching)

    assert watching.seen, "no model started"
    assert {t[0] for t in watching.seen} == {10_000}
    assert gc.get_threshold() == DEFAULT


@pytest.mark.usefixtures("default_thresholds")
def test_a_failed_run_restores_the_threshold_too(tmp_path: Path) -> None:
    settings = Settings(landing=tmp_path / "landing", warehouse=tmp_path / "wh", as_of=AS_OF)
    write(settings.landing, "crm/cust_info/data/a.csv", CUSTOMERS)

    with pytest.raises(RuntimeError, match="stopped by the test"):
        run(settings, progress=Watching(fail=True))

    assert gc.get_threshold() == DEFAULT
