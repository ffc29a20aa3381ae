"""Developer sessions: `nox -s tests` (the suite, Spark included), `nox -s spark` (the Spark
tests alone), `nox -s lint` (ruff and mypy), `nox -s bench` (benchmarks)."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite, DuckDB and local Spark; pass pytest arguments after --."""
    session.install("-e", ".[test,spark]")
    session.run("pytest", *session.posargs)


@nox.session
def spark(session: nox.Session) -> None:
    """The Spark tests (tests/spark): parity with DuckDB, incremental runs, Spark Connect and
    the Databricks job's tasks, on one shared local SparkSession. Needs Java 17."""
    session.install("-e", ".[test,spark]")
    session.run("pytest", "-m", "spark", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and format) and mypy over the package, the contracts and the tests."""
    session.install("-e", ".[dev]")
    session.run("ruff", "check", "medallion", "schemas", "tests", "noxfile.py")
    session.run("ruff", "format", "--check", "medallion", "schemas", "tests", "noxfile.py")
    session.run("mypy", "medallion", "schemas")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks (reported, never asserted; BENCHMARKS.md): medallion against plain DuckDB
    SQL at scales 1, 10 and 100 (about 40 minutes on 2 cores), then what contracts and tests
    add to a full run, then local Spark against DuckDB at scale 10 (about 8 minutes).
    Arguments after -- replace the suite's defaults, e.g.
    `nox -s bench -- --scales 1 10 --repeat 3`."""
    session.install("-e", ".[spark]")
    session.run(
        "python",
        "-m",
        "benchmarks.suite",
        "--out",
        "benchmarks/results/suite.json",
        "--write-doc",
        *(session.posargs or ["--scales", "1", "10", "100", "--repeat", "3"]),
    )
    session.run(
        "python",
        "-m",
        "benchmarks.contracts",
        "--scale",
        "10",
        "--repeat",
        "3",
        "--out",
        "benchmarks/results/contracts.json",
    )
    session.run("python", "-m", "benchmarks.spark", "--scale", "10", "--batches", "10")
