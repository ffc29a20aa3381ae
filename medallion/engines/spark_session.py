"""Which SparkSession a run uses: a Spark Connect server, the active one (a Databricks job),
or a local one whose catalog persists in the warehouse folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medallion.config import SparkSettings
from medallion.errors import ConfigError

DEFAULT_MASTER = "local[*]"

#: Settings every session medallion starts gets: results must not depend on the machine's
#: time zone, and Arrow moves rows between Python and the JVM without pandas.
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}

#: Extra settings of a local session: a small machine, no UI, and a Hive catalog kept in the
#: warehouse folder (Derby), so tables outlive the process like a DuckDB file does.
LOCAL_CONF = {
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",  # medallion prints its own progress
    "spark.sql.catalogImplementation": "hive",
}


def local_conf(warehouse: Path) -> dict[str, str]:
    """A local session's settings, its tables and metastore under ``warehouse``."""
    root = warehouse.resolve()
    return {
        **SESSION_CONF,
        **LOCAL_CONF,
        "spark.sql.warehouse.dir": str(root / "spark-warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={root / 'metastore_db'};create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={root}",
    }


def spark_session(spark: SparkSettings, warehouse: Path) -> Any:
    """The session ``spark`` asks for; imported lazily, as PySpark is an optional extra."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError(
            "the spark backend needs PySpark: pip install 'medallion[spark]'"
        ) from None
    if spark.remote:
        try:
            session = SparkSession.builder.remote(spark.remote).getOrCreate()
            for key, value in SESSION_CONF.items():
                session.conf.set(key, value)
        except Exception as exc:  # grpc errors come in many types
            raise ConfigError(
                f"cannot reach the Spark Connect server {spark.remote}: {_first_line(exc)}"
            ) from None
        return session
    active = SparkSession.getActiveSession()
    if active is not None and not spark.master:
        for key, value in SESSION_CONF.items():
            active.conf.set(key, value)
        return active
    warehouse.mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.master(spark.master or DEFAULT_MASTER).appName("medallion")
    for key, value in local_conf(warehouse).items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # no Java, a bad master URL
        raise ConfigError(f"cannot start Spark ({spark.master}): {_first_line(exc)}") from None
    # Failed statements reach Python as exceptions; the JVM need not print them too.
    session.sparkContext.setLogLevel("FATAL")
    return session


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
