"""Local Spark against DuckDB (issue 5): the same full run, CSV to published gold with
contracts, on both engines, at one scale. Reported, never a target: Spark's local mode pays
for a JVM, a query planner and a catalog round trip per statement on 2 cores, which a
cluster amortises over far more data.

    python -m benchmarks.spark [--scale 10] [--batches 10] [--repeat 1]
                               [--out benchmarks/results/spark.json]

Each run is a fresh process (``benchmarks.suite --one``), so its peak memory is its own; for
Spark that is the Python driver's only: PySpark does not wait for its JVM, so the JVM's memory
never reaches the parent's resource usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.suite import code_version, log, machine, measure

AS_OF = dt.date(2026, 11, 26)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--batches", type=int, default=10, help="files per table")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/spark.json"))
    args = parser.parse_args(argv)

    from medallion.generate import generate_landing

    with tempfile.TemporaryDirectory(prefix="medallion-bench-spark-") as tmp:
        landing = Path(tmp) / "landing"
        started = time.perf_counter()
        generate_landing(landing, scale=args.scale, seed=0, batches=args.batches)
        log(f"generated scale {args.scale:g} in {time.perf_counter() - started:.0f} s")
        runs: dict[str, list[dict[str, Any]]] = {"duckdb": [], "spark": []}
        for index in range(args.repeat):
            for kind in ("spark", "duckdb") if index % 2 else ("duckdb", "spark"):
                log(f"run {index + 1}/{args.repeat}: {kind} ...")
                warehouse = Path(tmp) / f"{kind}-{index}"
                one = measure(
                    "medallion" if kind == "duckdb" else "spark", landing, warehouse, AS_OF
                )
                if not one.get("ok"):
                    raise SystemExit(f"{kind} run did not succeed: {one}")
                runs[kind].append(one)
                log(f"  {one['seconds']:.1f} s, peak {one['peak_rss_mb']:.0f} MB")
    result = {
        "scale": args.scale,
        "batches": args.batches,
        "repeat": args.repeat,
        "machine": machine(),
        "code": code_version(),
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "engines": {kind: _summary(found) for kind, found in runs.items()},
    }
    duck, spark = result["engines"]["duckdb"], result["engines"]["spark"]
    result["spark_vs_duckdb"] = round(spark["seconds"] / duck["seconds"], 2)
    result["order_lines"] = duck["order_lines"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(markdown(result))


def render(path: Path) -> None:
    print(markdown(json.loads(path.read_text())))


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    steps = sorted({s for r in runs for s in r["steps"]})
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "steps": {s: statistics.median(r["steps"].get(s, 0.0) for r in runs) for s in steps},
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "order_lines": runs[0]["order_lines"],
        "fact_sales_rows": runs[0]["fact_sales_rows"],
        "checks": runs[0]["checks"],
    }


def markdown(result: dict[str, Any]) -> str:
    """The comparison as a Markdown table (BENCHMARKS.md shows it)."""
    duck, spark = result["engines"]["duckdb"], result["engines"]["spark"]
    order = ("ingest", "bronze checks", "silver", "gold", "checks")
    steps = [s for s in order if s in duck["steps"] and s in spark["steps"]]
    lines = [
        f"Scale {result['scale']:g} ({result['order_lines']:,} order lines, "
        f"{result['batches']} files per table), median of {result['repeat']} run(s), "
        f"commit {result['code']['commit']}:",
        "",
        "| step | DuckDB (s) | local Spark (s) | Spark / DuckDB |",
        "|---|---:|---:|---:|",
    ]
    for step in [*steps, "total"]:
        a = duck["seconds"] if step == "total" else duck["steps"][step]
        b = spark["seconds"] if step == "total" else spark["steps"][step]
        ratio = f"{b / a:.1f}x" if a else "-"
        lines.append(f"| {step} | {a:.1f} | {b:.1f} | {ratio} |")
    lines.append(
        f"| peak memory of the Python process (MB) | {duck['peak_rss_mb']:.0f} | "
        f"{spark['peak_rss_mb']:.0f} (Spark's JVM not included) | |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--render":
        render(Path(sys.argv[2]))
    else:
        main()
