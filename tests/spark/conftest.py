"""One local SparkSession for every Spark test (the JVM takes seconds to start), and a fresh
set of layer schemas per test, so tests share the session but never each other's tables."""

from __future__ import annotations

import importlib.util
import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from medallion.config import Settings, SparkSettings
from medallion.engines.spark import SparkEngine
from tests.conftest import AS_OF

_schemas = itertools.count(1)


def spark_unavailable() -> str | None:
    """Why Spark tests cannot run here, or None."""
    if importlib.util.find_spec("pyspark") is None:
        return "PySpark absent: pip install -e '.[spark]' (nox -s tests installs it)"
    if shutil.which("java") is None:
        return "no Java on PATH: PySpark needs Java 17"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.spark)


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = spark_unavailable()
    if reason:
        pytest.skip(reason)
    from medallion.engines.spark_session import spark_session

    session = spark_session(
        SparkSettings(master="local[2]"), tmp_path_factory.mktemp("spark-catalog")
    )
    session.conf.set("spark.sql.shuffle.partitions", "2")  # test data is small
    yield session
    session.stop()


def spark_settings(spark: Any, warehouse: Path, landing: Path | None = None) -> Settings:
    """Settings of a Spark warehouse of its own: ``warehouse`` for records, fresh schemas
    (``t<n>_bronze``...) in the shared session's catalog for tables."""
    return Settings(
        landing=landing,
        warehouse=warehouse,
        backend="spark",
        as_of=AS_OF,
        spark=SparkSettings(schema=f"t{next(_schemas)}"),
    )


def spark_engine(spark: Any, settings: Settings) -> SparkEngine:
    return SparkEngine(spark, settings.warehouse, schema=settings.spark.schema)
