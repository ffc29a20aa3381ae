"""What every command shares: the console, the one error handler, the warehouse options."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from medallion.config import (
    BACKENDS,
    DEFAULT_MEMORY_LIMIT,
    DUCKDB_STORAGE,
    Settings,
    SparkSettings,
)
from medallion.errors import MedallionError

F = TypeVar("F", bound=Callable[..., Any])
console = Console(stderr=False, highlight=False)


def handle_errors(func: F) -> F:
    """A user mistake prints one red line and exits 1; --debug shows the traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return func(*args, **kwargs)
        except MedallionError as exc:
            if debug:
                raise
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


#: The options of ``warehouse_options``, handed to a command as one ``target`` mapping.
TARGET_OPTIONS = (
    "warehouse",
    "backend",
    "memory_limit",
    "duckdb_storage",
    "spark_master",
    "spark_remote",
    "catalog",
    "schema",
)


def warehouse_options(func: F) -> F:
    """Which warehouse, on which engine: the options every command that opens one shares.
    The command receives them as ``target``, ready for ``settings_from(target, ...)``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        target = {name: kwargs.pop(name) for name in TARGET_OPTIONS}
        return func(*args, target=target, **kwargs)

    options = [
        click.option(
            "--warehouse",
            type=click.Path(path_type=Path, file_okay=False),
            default=None,
            help="Folder of the warehouse (DuckDB: the file medallion.duckdb; Spark: run records "
            "and lock, the tables being in the catalog). Default: ./warehouse or "
            "$MEDALLION_WAREHOUSE.",
        ),
        click.option(
            "--backend",
            type=click.Choice(BACKENDS),
            default=None,
            help="Engine that runs the models. Default: duckdb or $MEDALLION_BACKEND.",
        ),
        click.option(
            "--memory-limit",
            default=None,
            metavar="SIZE",
            help=f"DuckDB: memory it may use before it spills to disk, e.g. 4GB. Default: "
            f"{DEFAULT_MEMORY_LIMIT} or $MEDALLION_MEMORY_LIMIT.",
        ),
        click.option(
            "--duckdb-storage",
            type=click.Choice(DUCKDB_STORAGE),
            default=None,
            help="DuckDB: file format of a new warehouse. compatible: any DuckDB since 1.0 "
            "reads it; latest: this DuckDB's own, faster to build, read only by it and later "
            "versions. Default: compatible or $MEDALLION_DUCKDB_STORAGE.",
        ),
        click.option(
            "--spark-master",
            default=None,
            metavar="URL",
            help="Spark: start a session on this master, e.g. local[2]. Default: the active "
            "session (Databricks), else local[*]. $MEDALLION_SPARK_MASTER.",
        ),
        click.option(
            "--spark-remote",
            default=None,
            metavar="sc://HOST:PORT",
            help="Spark: connect to a Spark Connect server instead. $MEDALLION_SPARK_REMOTE.",
        ),
        click.option(
            "--catalog",
            default=None,
            help="Spark: catalog of the tables (Unity Catalog on Databricks). Default: the "
            "session's current catalog. $MEDALLION_CATALOG.",
        ),
        click.option(
            "--schema",
            default=None,
            help="Spark: prefix of the layer schemas (<schema>_bronze, <schema>_silver, ...). "
            "Default: none (bronze, silver, ...). $MEDALLION_SCHEMA.",
        ),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


def settings_from(target: dict[str, Any], **more: Any) -> Settings:
    """Settings from the warehouse options plus a command's own (landing, as_of, config)."""
    return Settings.from_env(
        warehouse=target["warehouse"],
        backend=target["backend"],
        memory_limit=target["memory_limit"],
        duckdb_storage=target["duckdb_storage"],
        spark=SparkSettings.from_env(
            target["spark_master"], target["spark_remote"], target["catalog"], target["schema"]
        ),
        **more,
    )
