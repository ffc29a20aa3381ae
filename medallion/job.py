"""The Databricks job's entry point (``medallion-job``): the CLI, but returning normally on
success. A wheel task calls the entry point inside Databricks' own Python process, and click
ends every command with ``sys.exit``, ``SystemExit(0)`` included, which some Databricks
runtimes report as a failed task. A failure still exits non-zero, with the one-line error."""

from __future__ import annotations

import sys

import click

from medallion.cli import main as cli


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    try:
        cli.main(args=args, prog_name="medallion", standalone_mode=False)
    except click.ClickException as exc:  # bad usage: the message click would print
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except click.exceptions.Abort:
        raise SystemExit(1) from None
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
