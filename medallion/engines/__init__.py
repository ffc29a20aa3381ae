"""Engines: where expressions run. ``connect`` imports a backend only when it is asked for."""

from __future__ import annotations

from medallion.config import Settings
from medallion.engines.base import Engine


def connect(settings: Settings) -> Engine:
    """The engine named by ``settings.backend``, connected to its warehouse."""
    if settings.backend == "duckdb":
        from medallion.engines.duckdb import DuckDBEngine

        return DuckDBEngine(
            settings.database, memory_limit=settings.memory_limit, storage=settings.duckdb_storage
        )
    if settings.backend == "spark":
        from medallion.engines.spark import SparkEngine
        from medallion.engines.spark_session import spark_session

        spark = settings.spark
        return SparkEngine(
            spark_session(spark, settings.warehouse),
            settings.warehouse,
            catalog=spark.catalog,
            schema=spark.schema,
        )
    raise AssertionError(f"unreachable: Settings validates backend {settings.backend!r}")


__all__ = ["Engine", "connect"]
