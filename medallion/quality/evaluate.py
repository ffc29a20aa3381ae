"""Running data tests and contracts against tables: in a run's audit or on the warehouse."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import ibis.expr.types as ir

from medallion.engines.base import Engine
from medallion.quality.audit import audit
from medallion.quality.checks import contract_checks
from medallion.quality.datatests import DataTest, tests_for
from medallion.quality.results import SAMPLE_ROWS, CheckResult, json_rows
from medallion.quality.severity import SeverityPolicy
from medallion.registry import ModelSpec

Resolve = Callable[[str], ir.Table]


def run_test(engine: Engine, test: DataTest, resolve: Resolve) -> CheckResult:
    """Count the test's failing rows on the engine, and fetch a few of them."""
    started = time.perf_counter()
    failing = test.query(*[resolve(name) for name in test.models])
    count = engine.to_arrow(failing.count().as_table()).column(0)[0].as_py()
    sample = json_rows(engine.to_arrow(failing.limit(SAMPLE_ROWS))) if count else []
    return CheckResult(
        test.id,
        "test",
        list(test.models),
        test.column,
        test.description,
        test.severity,
        int(count or 0),
        time.perf_counter() - started,
        sample,
    )


def check_warehouse(
    engine: Engine,
    specs: dict[str, ModelSpec],
    models: Iterable[str],
    policy: SeverityPolicy,
    on_check: Callable[[str], None] | None = None,
) -> list[CheckResult]:
    """Every contract check and data test of ``models`` on their published tables."""
    wanted = [m for m in models if engine.exists(*m.split(".", 1))]
    results: list[CheckResult] = []
    for name in wanted:
        spec = specs[name]
        if spec.contract is None:
            continue
        if on_check:
            on_check(f"contract {name}")
        checks = contract_checks(name, spec.contract, policy)
        results.extend(audit(engine, checks, engine.table(spec.layer, spec.table)).results)
    present = set(wanted)
    for test in tests_for(wanted, policy):
        if not set(test.models) <= present and not all(
            engine.exists(*m.split(".", 1)) for m in test.models
        ):
            continue
        if on_check:
            on_check(test.id)
        results.append(run_test(engine, test, lambda name: engine.table(*name.split(".", 1))))
    return results
