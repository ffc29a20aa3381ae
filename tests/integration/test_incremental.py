"""SPEC invariants 1 and 3: any split of the same files into runs gives the tables of one full
refresh, and a run with no new files changes nothing."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from medallion.config import Settings
from medallion.generate import generate_landing
from medallion.kinds import MergeByKey
from medallion.registry import load_models
from medallion.runner import run
from tests.conftest import AS_OF
from tests.warehouses import table_differences

pytestmark = pytest.mark.slow

SILVER_MERGES = [
    spec.name
    for spec in load_models().values()
    if spec.layer == "silver" and isinstance(spec.kind, MergeByKey)
]


@pytest.fixture(scope="module")
def source_rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[list[str]]]:
    """Generated landing data, one list of CSV records (header first) per table folder."""
    out = tmp_path_factory.mktemp("generated")
    generate_landing(out, scale=0.02, seed=7, batches=1)
    tables: dict[str, list[list[str]]] = {}
    for path in sorted(out.rglob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            tables[path.parent.relative_to(out).as_posix()] = list(csv.reader(handle))
    return tables


def deliver(landing: Path, folder: str, run_no: int, header: list[str], rows: list[list[str]]):
    path = landing / folder / f"run-{run_no:02d}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


# Each example runs the pipeline four to five times, so few examples and no shrinking (a
# failing example is reported as drawn; shrinking it would take many minutes).
@settings(
    max_examples=4,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_split_into_runs_equals_a_full_refresh(
    source_rows: dict[str, list[list[str]]], tmp_path_factory: pytest.TempPathFactory, data
) -> None:
    runs = data.draw(st.integers(min_value=2, max_value=3), label="runs")
    # Each table's rows arrive in order, cut into `runs` consecutive pieces (some empty):
    # sales may arrive before their customers, products after their sales, and so on.
    cuts = {
        folder: sorted(
            data.draw(
                st.lists(st.integers(0, len(rows) - 1), min_size=runs - 1, max_size=runs - 1),
                label=f"cuts {folder}",
            )
        )
        for folder, rows in source_rows.items()
    }
    root = tmp_path_factory.mktemp("split")
    landing, incremental = root / "landing", root / "incremental"
    reports = []
    for run_no in range(runs):
        for folder, (header, *rows) in source_rows.items():
            bounds = [0, *cuts[folder], len(rows)]
            deliver(landing, folder, run_no, header, rows[bounds[run_no] : bounds[run_no + 1]])
        reports.append(run(Settings(landing=landing, warehouse=incremental, as_of=AS_OF)))

    refreshed = root / "refreshed"
    shutil.copytree(incremental, refreshed)
    refresh = run(Settings(landing=landing, warehouse=refreshed, as_of=AS_OF), full_refresh=True)
    database = "medallion.duckdb"
    assert table_differences(incremental / database, refreshed / database) == {}
    # A silver merge counts each bronze row in the run that takes it in, and each superseded
    # version in the run it loses: the runs' counts add up to the full refresh's.
    for name in SILVER_MERGES:
        results = [next(m for m in r.models if m.name == name) for r in reports]
        assert [m.mode for m in results] == ["full"] + ["incremental"] * (runs - 1), name
        added: dict[str, int] = {}
        for result in results:
            for rule, count in result.rule_counts.items():
                added[rule] = added.get(rule, 0) + count
        assert added == next(m for m in refresh.models if m.name == name).rule_counts, name
    for warehouse in (incremental, refreshed):  # staged inputs and shared rows were dropped
        with duckdb.connect(str(warehouse / database), read_only=True) as con:
            staged = "select table_name from duckdb_tables() where starts_with(table_name, '_')"
            assert con.sql(staged).fetchall() == []

    before = root / "before"
    shutil.copytree(incremental, before)
    again = run(Settings(landing=landing, warehouse=incremental, as_of=AS_OF))
    assert again.ingest is not None and again.ingest.batch_id is None
    assert table_differences(incremental / database, before / database) == {}


CUSTOMER_HEADER = (
    "cst_id,cst_key,cst_firstname,cst_lastname,cst_marital_status,cst_gndr,cst_create_date\n"
)


def customers(*ids: int) -> str:
    return CUSTOMER_HEADER + "".join(f"{i},AW{i},F{i},L{i},S,F,2020-01-01\n" for i in ids)


def test_a_key_map_numbers_only_new_keys_after_the_existing_ones(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    folder = landing / "crm" / "cust_info" / "data"
    folder.mkdir(parents=True)
    settings = Settings(landing=landing, warehouse=tmp_path / "wh", as_of=AS_OF)
    (folder / "a.csv").write_text(customers(20, 10))
    run(settings)
    # The next batch: 10 again (keeps its key), then 40 before 30 (file order, then lines).
    (folder / "b.csv").write_text(customers(40, 10))
    (folder / "c.csv").write_text(customers(30, 40))
    report = run(settings)
    assert {m.name: m.mode for m in report.models}["gold.customer_keys"] == "incremental"

    def keys(warehouse: Path) -> list[tuple[int, int]]:
        with duckdb.connect(str(warehouse / "medallion.duckdb"), read_only=True) as con:
            return con.sql("select * from gold.customer_keys order by customer_key").fetchall()

    assert keys(settings.warehouse) == [(20, 1), (10, 2), (40, 3), (30, 4)]
    refreshed = tmp_path / "refreshed"
    shutil.copytree(settings.warehouse, refreshed)
    run(Settings(landing=landing, warehouse=refreshed, as_of=AS_OF), full_refresh=True)
    assert keys(refreshed) == keys(settings.warehouse)

    # Only known customers again: the map is left as it was, and dim_customer still takes
    # the new version of customer 20.
    (folder / "d.csv").write_text(customers(20).replace("F20,", "G20,"))
    report = run(settings)
    modes = {m.name: m.mode for m in report.models}
    assert (modes["gold.customer_keys"], modes["gold.dim_customer"]) == ("unchanged", "incremental")
    assert keys(settings.warehouse) == [(20, 1), (10, 2), (40, 3), (30, 4)]
    with duckdb.connect(str(settings.database), read_only=True) as con:
        first = con.sql("select first_name from gold.dim_customer where customer_id = 20")
        assert first.fetchall() == [("G20",)]
