"""Benchmark: what contracts and data tests add to a full run.

    python -m benchmarks.contracts --scale 10 [--repeat 3] [--out FILE]

Generates a landing zone (3 batches), then makes full runs into fresh warehouses, alternating
with checks (every contract and data test audited before publishing) and without
(``checks=False``, as ``--no-checks``); the median of each is reported with the overhead
ratio. Target (issue 4): contracts and tests together add under 25% to a full run. Also times
``medallion test`` over the built warehouse. Reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from medallion.config import Settings
from medallion.generate import generate_landing
from medallion.runner import RunReport, audit_warehouse, run


def full_run(landing: Path, warehouse: Path, *, checks: bool) -> tuple[float, RunReport]:
    shutil.rmtree(warehouse, ignore_errors=True)
    settings = Settings(landing=landing, warehouse=warehouse)
    started = time.perf_counter()
    report = run(settings, checks=checks)
    return time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="medallion-bench-") as tmp:
        landing, warehouse = Path(tmp) / "landing", Path(tmp) / "warehouse"
        generate_landing(landing, scale=args.scale, seed=0, batches=3)
        with_checks: list[float] = []
        without: list[float] = []
        check_seconds: list[float] = []
        for _ in range(args.repeat):
            seconds, _report = full_run(landing, warehouse, checks=False)
            without.append(seconds)
            seconds, report = full_run(landing, warehouse, checks=True)
            with_checks.append(seconds)
            check_seconds.append(report.timings.get("checks", 0.0))
            failing = [c.id for c in report.checks if c.status != "pass"]
        started = time.perf_counter()
        tested = audit_warehouse(Settings(landing=None, warehouse=warehouse))
        test_seconds = time.perf_counter() - started
    on, off = statistics.median(with_checks), statistics.median(without)
    result = {
        "benchmark": "contracts",
        "scale": args.scale,
        "repeat": args.repeat,
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "python": platform.python_version(),
        "full_run_without_checks_seconds": round(off, 2),
        "full_run_with_checks_seconds": round(on, 2),
        "overhead": round(on / off - 1, 3),
        "target_overhead": 0.25,
        "audit_seconds_in_run": round(statistics.median(check_seconds), 2),
        "checks_in_run": len(report.checks),
        "checks_not_passing": failing,
        "medallion_test_seconds": round(test_seconds, 2),
        "checks_in_test": len(tested.checks),
    }
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
