"""Developer sessions: `nox -s tests` (the suite), `nox -s lint` (ruff and mypy)."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite on DuckDB; pass pytest arguments after --."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and format) and mypy over the package, the contracts and the tests."""
    session.install("-e", ".[dev]")
    session.run("ruff", "check", "medallion", "schemas", "tests", "noxfile.py")
    session.run("ruff", "format", "--check", "medallion", "schemas", "tests", "noxfile.py")
    session.run("mypy", "medallion", "schemas")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks (timings are reported, never asserted): incremental vs full run, and what
    contracts and tests add to a full run."""
    session.install("-e", ".")
    session.run(
        "python",
        "-m",
        "benchmarks.contracts",
        "--out",
        "benchmarks/results/contracts.json",
        *session.posargs,
    )
    session.run(
        "python",
        "-m",
        "benchmarks.incremental",
        "--out",
        "benchmarks/results/incremental.json",
        *session.posargs,
    )
