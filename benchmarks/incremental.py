"""Benchmark: an incremental run after ~1% new order lines, as a fraction of the full run.

    python -m benchmarks.incremental --scale 10 [--repeat 3] [--out FILE]

Generates a landing zone in 100 batches (each about 1% of the order lines), builds a
warehouse from the first 99 in one run (the full run), then lands the last batch and runs
again (the incremental run). Target (issue 3): incremental / full < 0.10. A benchmark, not a
test: timings depend on the machine, so they are reported, never asserted.
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
from medallion.runner import RunReport, run

BATCHES = 100


def land(generated: Path, landing: Path, batches: range) -> None:
    for batch in batches:
        for path in generated.rglob(f"batch-{batch:04d}.csv"):
            target = landing / path.relative_to(generated)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def timed(settings: Settings) -> tuple[float, RunReport]:
    started = time.perf_counter()
    report = run(settings)
    return time.perf_counter() - started, report


def once(generated: Path, root: Path) -> dict[str, object]:
    landing, warehouse = root / "landing", root / "warehouse"
    settings = Settings(landing=landing, warehouse=warehouse)
    land(generated, landing, range(1, BATCHES))
    full_seconds, full = timed(settings)
    land(generated, landing, range(BATCHES, BATCHES + 1))
    incremental_seconds, incremental = timed(settings)
    new_lines = (
        sum(f.rows for f in incremental.ingest.files if f.table == "crm_sales_details")
        if incremental.ingest
        else 0
    )
    all_lines = (
        new_lines + sum(f.rows for f in full.ingest.files if f.table == "crm_sales_details")
        if full.ingest
        else 0
    )
    return {
        "full_seconds": full_seconds,
        "incremental_seconds": incremental_seconds,
        "ratio": incremental_seconds / full_seconds,
        "new_order_lines": new_lines,
        "order_lines": all_lines,
        "full_steps": full.timings,
        "incremental_steps": incremental.timings,
        "incremental_models": {m.name: round(m.seconds, 3) for m in incremental.models},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="medallion-bench-") as tmp:
        generated = Path(tmp) / "generated"
        generate_landing(generated, scale=args.scale, seed=0, batches=BATCHES)
        runs = [once(generated, Path(tmp) / f"run-{i}") for i in range(args.repeat)]
    ratios = [float(r["ratio"]) for r in runs]  # type: ignore[arg-type]
    result = {
        "benchmark": "incremental",
        "scale": args.scale,
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
        "median_ratio": statistics.median(ratios),
        "target_ratio": 0.10,
        "runs": runs,
    }
    text = json.dumps(result, indent=2, default=str)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    print(text)
    first = runs[0]
    print(
        f"\nscale {args.scale}: full {first['full_seconds']:.1f}s, incremental "
        f"{first['incremental_seconds']:.1f}s after {first['new_order_lines']:,} new of "
        f"{first['order_lines']:,} order lines; median ratio {result['median_ratio']:.3f} "
        f"(target < 0.10)"
    )


if __name__ == "__main__":
    main()
