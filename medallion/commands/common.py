"""What every command shares: the console, the one error handler, the warehouse options."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from medallion.config import BACKENDS
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


def warehouse_options(func: F) -> F:
    func = click.option(
        "--warehouse",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Folder of the warehouse (DuckDB file medallion.duckdb). "
        "Default: ./warehouse or $MEDALLION_WAREHOUSE.",
    )(func)
    func = click.option(
        "--backend",
        type=click.Choice(BACKENDS),
        default=None,
        help="Engine that runs the models. Default: duckdb or $MEDALLION_BACKEND.",
    )(func)
    return func
