"""Baseline: the SPEC's transformations written once as plain DuckDB SQL, CSV in, gold out.

    python -m benchmarks.baseline --landing DIR --database FILE [--as-of YYYY-MM-DD]

What a competent engineer would hand-write for one full load, with none of medallion's
machinery (ledger, incremental merges, contracts, run records): every benchmark figure is
reported as a ratio to this, on the same machine at the same moment (issue 6).

Three steps, each timed and returned (seconds):

- ``read``: every ``<landing>/<source>/<table>/data/*.csv`` through DuckDB's ``read_csv`` (all
  columns text, files in path order, union by column name) into ``bronze.<source>_<table>``,
  with the lineage medallion records: ``_source_file`` (relative to the landing root),
  ``_source_row`` (1-based record of its file) and ``_batch_id`` (1: a single full load).
- ``silver``: ``baseline/silver.sql``, one CREATE TABLE AS SELECT per silver table.
- ``gold``: ``baseline/gold.sql``, one per gold table.

The cleaning rules shared by both are macros (``baseline/rules.sql``). The SQL reproduces
medallion's silver and gold tables to the row (``tests/integration/test_baseline.py``), so the
comparison is fair; like medallion's quality gate, it leaves order lines without a positive
quantity out of ``silver.crm_sales`` (medallion keeps them in ``crm_sales_quarantine``).

Not handled, because a benchmark landing zone never has them: unparseable rows (DuckDB
stops rather than quarantining them), blank lines inside a file (they would shift
``_source_row``), header names that need more than lower-casing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

import duckdb

SQL = Path(__file__).with_name("baseline")

# Bronze table -> (folder under the landing root, its columns).
SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "crm_cust_info": (
        "crm/cust_info",
        ("cst_id", "cst_key", "cst_firstname", "cst_lastname", "cst_marital_status",
         "cst_gndr", "cst_create_date"),
    ),
    "crm_prd_info": (
        "crm/prd_info",
        ("prd_id", "prd_key", "prd_nm", "prd_cost", "prd_line", "prd_start_dt", "prd_end_dt"),
    ),
    "crm_sales_details": (
        "crm/sales_details",
        ("sls_ord_num", "sls_prd_key", "sls_cust_id", "sls_order_dt", "sls_ship_dt",
         "sls_due_dt", "sls_sales", "sls_quantity", "sls_price"),
    ),
    "erp_cust_az12": ("erp/cust_az12", ("cid", "bdate", "gen")),
    "erp_loc_a101": ("erp/loc_a101", ("cid", "cntry")),
    "erp_px_cat_g1v2": ("erp/px_cat_g1v2", ("id", "cat", "subcat", "maintenance")),
}  # fmt: skip


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def landing_files(landing: Path, folder: str) -> list[Path]:
    """The table's CSV files in plain string order of their path (SPEC 6); hidden and
    ``_``-prefixed names are a writer's temporary files, not deliveries."""
    data = landing / folder / "data"
    files = [p for p in data.glob("*.csv") if p.is_file() and not p.name.startswith((".", "_"))]
    return sorted(files, key=lambda p: p.relative_to(landing).as_posix())


def bronze_sql(landing: Path, table: str) -> str:
    """CREATE TABLE AS SELECT of one bronze table from its CSV files."""
    folder, columns = SOURCES[table]
    files = landing_files(landing, folder)
    if not files:
        typed = ", ".join(f"{c} VARCHAR" for c in columns)
        return (
            f"CREATE TABLE bronze.{table} ({typed}, _source_file VARCHAR, _source_row BIGINT, "
            "_batch_id BIGINT)"
        )
    paths = ", ".join(_literal(str(p)) for p in files)
    root = len(str(landing)) + 2  # first character after "<landing>/"
    selected = ", ".join(f"{c} AS {c}" for c in columns)  # headers bind case-insensitively
    # WITH ORDINALITY numbers the rows of all files in reading order (files as listed, lines
    # in order); a file's rows are then numbered from its first one.
    return f"""
        CREATE TABLE bronze.{table} AS
        SELECT {selected},
               substr(filename, {root}) AS _source_file,
               ordinality - min(ordinality) OVER (PARTITION BY filename) + 1 AS _source_row,
               CAST(1 AS BIGINT) AS _batch_id
        FROM read_csv([{paths}], header = true, all_varchar = true, filename = true,
                      union_by_name = true, delim = ',', quote = '"', escape = '"')
             WITH ORDINALITY
    """


def build_baseline(
    landing: Path, database: Path, as_of: dt.date | None = None, storage: str = "compatible"
) -> dict[str, float]:
    """Build bronze, silver and gold from ``landing`` into a fresh ``database`` (replaced if
    it exists); return the seconds each step took. ``as_of`` bounds birth dates (default:
    today in UTC), as medallion's run setting does; ``storage`` is the file format, as
    medallion's ``--duckdb-storage``, so that both write the same."""
    as_of = as_of or dt.datetime.now(dt.UTC).date()
    landing = landing.resolve()
    for stale in (database, database.with_name(database.name + ".wal")):
        stale.unlink(missing_ok=True)
    timings: dict[str, float] = {}
    config = {"storage_compatibility_version": "latest"} if storage == "latest" else {}
    con = duckdb.connect(str(database), config=config)
    try:
        con.execute("SET VARIABLE as_of = ?", [as_of])
        con.execute("CREATE SCHEMA bronze; CREATE SCHEMA silver; CREATE SCHEMA gold")

        started = time.perf_counter()
        for table in SOURCES:
            con.execute(bronze_sql(landing, table))
        con.execute("CHECKPOINT")
        timings["read"] = time.perf_counter() - started

        started = time.perf_counter()
        con.execute((SQL / "rules.sql").read_text())
        con.execute((SQL / "silver.sql").read_text())
        con.execute("CHECKPOINT")
        timings["silver"] = time.perf_counter() - started

        started = time.perf_counter()
        con.execute((SQL / "gold.sql").read_text())
        con.execute("CHECKPOINT")
        timings["gold"] = time.perf_counter() - started
    finally:
        con.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, required=True, help="the landing zone")
    parser.add_argument(
        "--database", type=Path, required=True, help="DuckDB file to write (replaced)"
    )
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=None,
        help="YYYY-MM-DD: later birth dates are nulled (default: today, UTC)",
    )
    args = parser.parse_args()
    timings = build_baseline(args.landing, args.database, args.as_of)
    print(json.dumps(timings, indent=2))


if __name__ == "__main__":
    main()
