"""Benchmark suite (issue 6): medallion against plain DuckDB SQL, at several scales.

    python -m benchmarks.suite [--scales 1 10 100] [--repeat 3 | --repeat 3 3 1]
                               [--out benchmarks/results/suite.json] [--keep DIR] [--write-doc]
    python -m benchmarks.suite --render benchmarks/results/suite.json --write-doc

For each scale a landing zone is generated once (seed 0, 100 batches of about 1% of the order
lines each). Each repetition then copies batches 1..99 into a fresh landing folder and measures,
each in a fresh Python process (so peak resident memory is that run's alone):

- ``medallion full``: ``medallion.runner.run`` into a fresh warehouse, contracts and data tests
  on (CSV to published gold);
- ``baseline``: ``benchmarks/baseline.py``, the same transformations as plain DuckDB SQL, over
  exactly the same files;
- ``medallion incremental``: batch 100 lands, and medallion runs again on the full run's
  warehouse.

Medallion and the baseline alternate which goes first, so they share the machine's noise;
medians over the repetitions are reported, medallion as ratios to the baseline of the same
repetitions. Results go to JSON (``--out``) and a table; ``--write-doc`` also puts the table
into BENCHMARKS.md between its ``<!-- results -->`` markers. The targets of issue 6 are
reported as met or not, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "BENCHMARKS.md"
BEGIN, END = "<!-- results -->", "<!-- /results -->"
SEED = 0

# Targets of issue 6: (key, description, limit).
TARGETS = {
    "full_vs_baseline": "full run at scale 100 (CSV to published gold, with contracts) "
    "<= 1.3x the plain SQL baseline",
    "peak_rss": "peak resident memory at scale 100 < 2 GB",
    "incremental_vs_full": "incremental run after ~1% new lines at scale 100 < 0.10x the full run",
    "per_million_lines": "time per million lines at scale 100 <= at scale 10",
}


# --- one measured run, in its own process -----------------------------------------------------


def run_one(kind: str, landing: Path, warehouse: Path, as_of: dt.date) -> dict[str, Any]:
    """Inside the child: build, and return seconds, per-step seconds and row counts.

    Imports happen here, so the baseline's process never loads Ibis or medallion."""
    if kind == "baseline":
        import duckdb

        from benchmarks.baseline import build_baseline

        warehouse.mkdir(parents=True, exist_ok=True)
        database = warehouse / "baseline.duckdb"
        started = time.perf_counter()
        steps = build_baseline(landing, database, as_of, storage=duckdb_storage())
        seconds = time.perf_counter() - started
        with duckdb.connect(str(database), read_only=True) as con:
            lines = con.sql("SELECT count(*) FROM bronze.crm_sales_details").fetchone()
            facts = con.sql("SELECT count(*) FROM gold.fact_sales").fetchone()
        return {
            "seconds": seconds,
            "steps": steps,
            "order_lines": lines[0] if lines else 0,
            "fact_sales_rows": facts[0] if facts else 0,
        }

    from medallion.config import Settings, SparkSettings
    from medallion.runner import run

    if kind == "spark":  # local Spark on both cores (benchmarks/spark.py)
        spark = SparkSettings(master="local[2]")
        settings = Settings(
            landing=landing, warehouse=warehouse, as_of=as_of, backend="spark", spark=spark
        )
    else:
        settings = Settings(
            landing=landing, warehouse=warehouse, as_of=as_of, duckdb_storage=duckdb_storage()
        )
    started = time.perf_counter()
    report = run(settings, checks=True)
    seconds = time.perf_counter() - started
    files = report.ingest.files if report.ingest else []
    return {
        "seconds": seconds,
        "steps": dict(report.timings),
        "ok": report.ok,
        "order_lines": sum(f.rows for f in files if f.table == "crm_sales_details"),
        "fact_sales_rows": next((m.rows for m in report.models if m.name == "gold.fact_sales"), 0),
        "models": {m.name: round(m.seconds, 3) for m in report.models},
        "modes": {m.name: m.mode for m in report.models},
        "checks": len(report.checks),
        "checks_not_passing": sorted(c.id for c in report.checks if c.status != "pass"),
    }


def duckdb_storage() -> str:
    """The DuckDB file format both sides write (``--duckdb-storage``, passed to the children
    through MEDALLION_DUCKDB_STORAGE)."""
    return os.environ.get("MEDALLION_DUCKDB_STORAGE") or "compatible"


def measure(kind: str, landing: Path, warehouse: Path, as_of: dt.date) -> dict[str, Any]:
    """Run ``kind`` in a fresh interpreter; add its peak RSS (from ``wait4``) and wall time."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.suite",
        "--one",
        kind,
        "--landing",
        str(landing),
        "--warehouse",
        str(warehouse),
        "--as-of",
        as_of.isoformat(),
    ]
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise RuntimeError(f"{kind} run failed (exit {child.returncode}): {' '.join(command)}")
        out.seek(0)
        result: dict[str, Any] = json.loads(out.read().strip().splitlines()[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # KiB on Linux
    result["process_seconds"] = wall  # with interpreter start-up and imports
    result["load_average_before"] = load
    return result


# --- one scale --------------------------------------------------------------------------------


def generated_landing(folder: Path, scale: float) -> Path:
    """The scale's landing zone in 100 batches, reused when ``--keep`` left a matching one."""
    from benchmarks.incremental import BATCHES
    from medallion.generate import generate_landing

    generated, marker = folder / "generated", folder / "generated.json"
    wanted = {"scale": scale, "seed": SEED, "batches": BATCHES}
    if marker.is_file() and json.loads(marker.read_text()) == wanted:
        return generated
    shutil.rmtree(generated, ignore_errors=True)
    marker.unlink(missing_ok=True)
    started = time.perf_counter()
    generate_landing(generated, scale=scale, seed=SEED, batches=BATCHES)
    log(f"scale {scale:g}: generated {BATCHES} batches in {time.perf_counter() - started:.0f} s")
    marker.write_text(json.dumps(wanted))
    return generated


def bench_scale(
    scale: float, repeat: int, work: Path, as_of: dt.date, *, keep: bool
) -> dict[str, Any]:
    from benchmarks.incremental import BATCHES, land

    folder = work / f"scale-{scale:g}"
    folder.mkdir(parents=True, exist_ok=True)
    generated = generated_landing(folder, scale)
    runs = []
    for i in range(repeat):
        root = folder / f"run-{i + 1}"
        shutil.rmtree(root, ignore_errors=True)
        landing = root / "landing"
        land(generated, landing, range(1, BATCHES))
        measured: dict[str, dict[str, Any]] = {}
        order = ("full", "baseline") if i % 2 == 0 else ("baseline", "full")
        for name in order:
            kind = "medallion" if name == "full" else "baseline"
            measured[name] = measure(kind, landing, root / name, as_of)
        land(generated, landing, range(BATCHES, BATCHES + 1))
        measured["incremental"] = measure("medallion", landing, root / "full", as_of)
        full, base, incr = measured["full"], measured["baseline"], measured["incremental"]
        if full["fact_sales_rows"] != base["fact_sales_rows"]:
            log(
                f"warning: gold.fact_sales has {full['fact_sales_rows']} rows in medallion, "
                f"{base['fact_sales_rows']} in the baseline"
            )
        log(
            f"scale {scale:g} run {i + 1}/{repeat}: full {full['seconds']:.1f} s, baseline "
            f"{base['seconds']:.1f} s ({full['seconds'] / base['seconds']:.2f}x), incremental "
            f"{incr['seconds']:.1f} s ({incr['seconds'] / full['seconds']:.3f}x); peak RSS "
            f"{full['peak_rss_mb']:.0f} / {base['peak_rss_mb']:.0f} / {incr['peak_rss_mb']:.0f} MB"
        )
        runs.append({"order": list(order), **measured})
        if not keep:
            shutil.rmtree(root)
    return summarise(scale, runs)


def _median_steps(runs: list[dict[str, Any]]) -> dict[str, float]:
    keys = {k for r in runs for k in r["steps"]}
    return {k: round(statistics.median(r["steps"].get(k, 0.0) for r in runs), 3) for k in keys}


def _side(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians of one kind of run over the repetitions."""
    seconds = statistics.median(r["seconds"] for r in runs)
    steps = _median_steps(runs)
    return {
        "seconds": round(seconds, 3),
        "steps": steps,
        # What the named steps do not cover: connecting, the lock, state, commit, run record.
        "other_seconds": round(
            seconds - sum(v for k, v in steps.items() if k != "checks"),
            3,
        ),
        "peak_rss_mb": round(statistics.median(r["peak_rss_mb"] for r in runs), 1),
        "peak_rss_mb_max": round(max(r["peak_rss_mb"] for r in runs), 1),
        "process_seconds": round(statistics.median(r["process_seconds"] for r in runs), 3),
        "runs_seconds": [round(r["seconds"], 3) for r in runs],
    }


def summarise(scale: float, runs: list[dict[str, Any]]) -> dict[str, Any]:
    full = _side([r["full"] for r in runs])
    base = _side([r["baseline"] for r in runs])
    incr = _side([r["incremental"] for r in runs])
    # Checks run inside "bronze checks", "silver" and "gold": the build without them is what the
    # baseline's silver and gold steps do.
    s = full["steps"]
    full["build_without_checks_seconds"] = round(
        s.get("bronze checks", 0) + s.get("silver", 0) + s.get("gold", 0) - s.get("checks", 0), 3
    )
    lines = runs[0]["full"]["order_lines"]
    new_lines = runs[0]["incremental"]["order_lines"]
    b = base["steps"]
    return {
        "scale": scale,
        "repeat": len(runs),
        "order_lines": lines,
        "new_order_lines": new_lines,
        "fact_sales_rows": {
            "medallion": runs[0]["full"]["fact_sales_rows"],
            "baseline": runs[0]["baseline"]["fact_sales_rows"],
        },
        "medallion_full": full,
        "baseline": base,
        "medallion_incremental": incr,
        # Median of each repetition's own ratio: both sides of a ratio ran at the same moment.
        "ratio_full_to_baseline": round(
            statistics.median(r["full"]["seconds"] / r["baseline"]["seconds"] for r in runs), 3
        ),
        "ratio_incremental_to_full": round(
            statistics.median(r["incremental"]["seconds"] / r["full"]["seconds"] for r in runs), 4
        ),
        "step_ratios": {
            "ingest / read": round(s.get("ingest", 0) / b["read"], 3),
            "silver+gold without checks / silver+gold": round(
                full["build_without_checks_seconds"] / (b["silver"] + b["gold"]), 3
            ),
            "checks / baseline total": round(s.get("checks", 0) / base["seconds"], 3),
        },
        "seconds_per_million_lines": {
            "medallion_full": round(full["seconds"] / (lines / 1e6), 3),
            "baseline": round(base["seconds"] / (lines / 1e6), 3),
        },
        "checks_in_run": runs[0]["full"]["checks"],
        "checks_not_passing": runs[0]["full"]["checks_not_passing"],
        "incremental_modes": runs[0]["incremental"]["modes"],
        "runs": runs,
    }


# --- targets, machine, output -----------------------------------------------------------------


def targets(scales: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target of issue 6, evaluated at scale 100; without it, at the largest scale run,
    and said so (``at_scale``), with ``met`` None when it cannot be evaluated at all."""
    if not scales:
        return []
    by_scale = {float(v["scale"]): v for v in scales.values()}
    at = 100.0 if 100.0 in by_scale else max(by_scale)
    top = by_scale[at]
    rss = max(
        top["medallion_full"]["peak_rss_mb_max"], top["medallion_incremental"]["peak_rss_mb_max"]
    )
    found = [
        ("full_vs_baseline", top["ratio_full_to_baseline"], 1.3, "<="),
        ("peak_rss", round(rss, 1), 2048.0, "<"),
        ("incremental_vs_full", top["ratio_incremental_to_full"], 0.10, "<"),
    ]
    results = []
    for key, measured, limit, op in found:
        met = measured <= limit if op == "<=" else measured < limit
        results.append(
            {
                "target": key,
                "text": TARGETS[key],
                "at_scale": at,
                "measured": measured,
                "limit": limit,
                "met": met,
            }
        )
    ten = by_scale.get(10.0)
    per_million: dict[str, Any] = {"measured": None, "limit": None, "met": None}
    if ten is not None and at != 10.0:
        per_million["measured"] = top["seconds_per_million_lines"]["medallion_full"]
        per_million["limit"] = ten["seconds_per_million_lines"]["medallion_full"]
        per_million["met"] = per_million["measured"] <= per_million["limit"]
    results.append(
        {
            "target": "per_million_lines",
            "text": TARGETS["per_million_lines"],
            "at_scale": at,
            **per_million,
        }
    )
    return results


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine() -> dict[str, Any]:
    cpuinfo = _read("/proc/cpuinfo")
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line),
        platform.processor() or platform.machine(),
    )
    mem_kib = next(
        (
            int(line.split()[1])
            for line in _read("/proc/meminfo").splitlines()
            if "MemTotal" in line
        ),
        0,
    )
    os_name = next(
        (
            line.split("=", 1)[1].strip('"')
            for line in _read("/etc/os-release").splitlines()
            if line.startswith("PRETTY_NAME=")
        ),
        platform.system(),
    )
    versions: dict[str, str] = {}
    for package in ("duckdb", "ibis-framework", "pandera", "pyarrow", "pyspark"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:  # not installed: leave it out
            continue
    return {
        "cpu": model,
        "architecture": platform.machine(),
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kib / 1024 / 1024, 1),
        "os": f"{os_name}, Linux {platform.release()}" if platform.system() == "Linux" else os_name,
        "python": platform.python_version(),
        "versions": versions,
    }


def code_version() -> dict[str, Any]:
    """The commit measured, and whether the code had uncommitted changes."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
            )
        except (OSError, subprocess.CalledProcessError):
            return ""
        return done.stdout.strip()

    # Tracked files only: other work in progress in new, unimported files does not count.
    changed = git(
        "status", "--porcelain", "--untracked-files=no", "--", "medallion", "schemas", "benchmarks"
    )
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted_changes": bool(changed)}


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _fmt(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.2f}"


def summary_rows(result: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    header = [
        "scale",
        "order lines",
        "runs",
        "baseline s",
        "medallion full s",
        "full / baseline",
        "incremental s",
        "incr. / full",
        "s per M lines: medallion / baseline",
        "peak RSS MB: full / incr. / baseline",
    ]
    rows = []
    for v in result["scales"].values():
        full, base, incr = v["medallion_full"], v["baseline"], v["medallion_incremental"]
        per = v["seconds_per_million_lines"]
        rows.append(
            [
                f"{v['scale']:g}",
                f"{v['order_lines']:,} (+{v['new_order_lines']:,})",
                str(v["repeat"]),
                _fmt(base["seconds"]),
                _fmt(full["seconds"]),
                f"{v['ratio_full_to_baseline']:.2f}x",
                _fmt(incr["seconds"]),
                f"{v['ratio_incremental_to_full']:.3f}x",
                f"{per['medallion_full']:.2f} / {per['baseline']:.2f}",
                f"{full['peak_rss_mb']:.0f} / {incr['peak_rss_mb']:.0f} / "
                f"{base['peak_rss_mb']:.0f}",
            ]
        )
    return header, rows


STEPS = (
    # (label, medallion full step, baseline step, medallion incremental step)
    ("ingest (baseline: read CSV into bronze)", "ingest", "read", "ingest"),
    ("bronze checks", "bronze checks", None, "bronze checks"),
    ("silver (medallion: with its checks)", "silver", "silver", "silver"),
    ("gold (medallion: with its checks)", "gold", "gold", "gold"),
    ("of which contracts and tests", "checks", None, "checks"),
    ("other (connect, lock, state, commit, record)", "other", "other", "other"),
    ("total", "total", "total", "total"),
)


def step_rows(scale: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    full, base, incr = scale["medallion_full"], scale["baseline"], scale["medallion_incremental"]

    def value(side: dict[str, Any], key: str | None) -> float | None:
        if key is None:
            return None
        if key == "total":
            return float(side["seconds"])
        if key == "other":
            return float(side["other_seconds"])
        return side["steps"].get(key)

    header = ["step", "baseline s", "medallion full s", "ratio", "incremental s"]
    rows = []
    for label, m_key, b_key, i_key in STEPS:
        m, b, i = value(full, m_key), value(base, b_key), value(incr, i_key)
        ratio = f"{m / b:.2f}x" if m is not None and b else "-"
        rows.append([label, _fmt(b), _fmt(m), ratio, _fmt(i)])
    return header, rows


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def target_text(t: dict[str, Any], *, not_met: str = "**not met**") -> tuple[str, str]:
    status = {True: "met", False: not_met, None: "not measured"}[t["met"]]
    if t["measured"] is None:
        return status, "needs scales 10 and 100 in one run"
    unit, digits = {
        "full_vs_baseline": ("x", 2),
        "peak_rss": (" MB", 0),
        "incremental_vs_full": ("x", 3),
        "per_million_lines": (" s per M lines", 1),
    }[t["target"]]
    measured = f"{t['measured']:.{digits}f}{unit} (limit {t['limit']:g}{unit})"
    if t["target"] == "per_million_lines":
        measured = f"{t['measured']:.1f} s per M lines (at scale 10: {t['limit']:.1f})"
    if t["at_scale"] != 100.0:
        measured += f", at scale {t['at_scale']:g}: scale 100 not run"
    return status, measured


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    code = result["code"]
    parts = [
        f"Measured {result['started_at'][:16].replace('T', ' ')} UTC on commit "
        f"`{code['commit']}`{' (with uncommitted changes)' if code['uncommitted_changes'] else ''}"
        f"; `python -m benchmarks.suite {' '.join(result['arguments'])}`; "
        f"{result['elapsed_minutes']:.0f} minutes in all.",
        "",
        f"Machine: {m['cpu']} ({m['architecture']}), {m['cores']} cores, {m['ram_gb']:g} GB RAM, "
        f"{m['os']}; Python {m['python']}, {versions}. DuckDB file format of both "
        f"warehouses: {result.get('duckdb_storage', 'compatible')}.",
        "",
        markdown_table(*summary_rows(result)),
        "",
        "Targets (issue 6):",
        "",
        markdown_table(
            ["target", "status", "measured"],
            [[t["text"], *target_text(t)] for t in result["targets"]],
        ),
    ]
    for scale in result["scales"].values():
        parts += [
            "",
            f"Where the time goes at scale {scale['scale']:g} (medians of {scale['repeat']}, "
            "seconds):",
            "",
            markdown_table(*step_rows(scale)),
        ]
    return "\n".join(parts)


def print_tables(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 150))

    def show(title: str, header: list[str], rows: list[list[str]]) -> None:
        table = Table(title=title)
        for name in header:
            table.add_column(
                name,
                justify="left" if name in ("step", "target", "status", "measured") else "right",
            )
        for row in rows:
            table.add_row(*row)
        console.print(table)

    show("medallion vs plain DuckDB SQL (medians)", *summary_rows(result))
    for scale in result["scales"].values():
        show(f"scale {scale['scale']:g}: seconds per step", *step_rows(scale))
    show(
        "targets (issue 6)",
        ["target", "status", "measured"],
        [[t["text"], *target_text(t, not_met="NOT MET")] for t in result["targets"]],
    )


def write_doc(result: dict[str, Any], doc: Path = DOC) -> None:
    text = doc.read_text()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{doc} has no {BEGIN} ... {END} markers to write the results between")
    doc.write_text(text[: start + len(BEGIN)] + "\n" + markdown(result) + "\n" + text[end:])


# --- command line -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0, 100.0])
    parser.add_argument(
        "--repeat",
        type=int,
        nargs="+",
        default=[3],
        help="repetitions: one number for every scale, or one per scale",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/suite.json")
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="work in DIR and keep it (generated landing zones are reused by later runs)",
    )
    parser.add_argument("--write-doc", action="store_true", help="put the tables in BENCHMARKS.md")
    parser.add_argument(
        "--duckdb-storage",
        choices=("compatible", "latest"),
        default="compatible",
        help="DuckDB file format of medallion's and the baseline's warehouses alike",
    )
    parser.add_argument(
        "--render", type=Path, default=None, help="only show (and --write-doc) a results JSON"
    )
    # The child side of one measured run (internal).
    parser.add_argument("--one", choices=("medallion", "baseline", "spark"), help=argparse.SUPPRESS)
    parser.add_argument("--landing", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one:
        print(json.dumps(run_one(args.one, args.landing, args.warehouse, args.as_of)))
        return
    if args.render:
        result = json.loads(args.render.read_text())
    else:
        os.environ["MEDALLION_DUCKDB_STORAGE"] = args.duckdb_storage  # the children inherit it
        result = bench(args, sys.argv[1:] if argv is None else argv)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        log(f"results: {args.out}")
    print_tables(result)
    if args.write_doc:
        write_doc(result)
        log(f"tables written to {DOC}")


def bench(args: argparse.Namespace, arguments: list[str]) -> dict[str, Any]:
    repeats = args.repeat * len(args.scales) if len(args.repeat) == 1 else args.repeat
    if len(repeats) != len(args.scales):
        raise SystemExit("--repeat takes one number, or one per scale")
    as_of = dt.datetime.now(dt.UTC).date()
    started_at = dt.datetime.now(dt.UTC)
    code = code_version()  # at the start: the commit the runs measure
    started = time.perf_counter()
    scales: dict[str, dict[str, Any]] = {}
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        work, cleanup = args.keep, None
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="medallion-suite-")
        work = Path(cleanup.name)
    try:
        for scale, repeat in zip(args.scales, repeats, strict=True):
            scales[f"{scale:g}"] = bench_scale(scale, repeat, work, as_of, keep=bool(args.keep))
    finally:
        if cleanup is not None:
            cleanup.cleanup()
    return {
        "benchmark": "suite",
        "arguments": arguments,
        "started_at": started_at.isoformat(timespec="seconds"),
        "elapsed_minutes": round((time.perf_counter() - started) / 60, 1),
        "as_of": as_of.isoformat(),
        "seed": SEED,
        "duckdb_storage": args.duckdb_storage,
        "machine": machine(),
        "code": code,
        "targets": targets(scales),
        "scales": scales,
    }


if __name__ == "__main__":
    main()
