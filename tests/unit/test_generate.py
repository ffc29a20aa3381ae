"""The synthetic landing-zone generator: layout, determinism, batches, keys, dirt and arguments."""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medallion.generate import HEADERS, GenerateReport, generate_landing
from medallion.sources import BY_BRONZE_NAME, SOURCE_TABLES

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO.parent / "shared" / "data" / "reference_extract"
# Used only when the reference extract is absent (then the header test says so in its id).
HARD_CODED_HEADERS: dict[str, list[str]] = {
    "crm_cust_info": ["cst_id", "cst_key", "cst_firstname", "cst_lastname",
                      "cst_marital_status", "cst_gndr", "cst_create_date"],
    "crm_prd_info": ["prd_id", "prd_key", "prd_nm", "prd_cost", "prd_line", "prd_start_dt",
                     "prd_end_dt"],
    "crm_sales_details": ["sls_ord_num", "sls_prd_key", "sls_cust_id", "sls_order_dt",
                          "sls_ship_dt", "sls_due_dt", "sls_sales", "sls_quantity", "sls_price"],
    "erp_cust_az12": ["CID", "BDATE", "GEN"],
    "erp_loc_a101": ["CID", "CNTRY"],
    "erp_px_cat_g1v2": ["ID", "CAT", "SUBCAT", "MAINTENANCE"],
}  # fmt: skip
YMD = re.compile(r"20\d{6}")


def files_of(root: Path, table: str) -> list[Path]:
    return sorted((root / BY_BRONZE_NAME[table].folder).glob("*.csv"))


def read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def rows_of(root: Path, table: str) -> list[list[str]]:
    """Data rows of every file of ``table``, in delivery (file name) order."""
    return [row for p in files_of(root, table) for row in read(p)[1:]]


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def scale1(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerateReport]:
    out = tmp_path_factory.mktemp("scale1") / "landing"
    return out, generate_landing(out, scale=1.0, seed=3)


@pytest.fixture(scope="module")
def batched(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same stream (scale 0.3, seed 11) delivered as one file and as four."""
    one = tmp_path_factory.mktemp("one") / "landing"
    four = tmp_path_factory.mktemp("four") / "landing"
    generate_landing(one, scale=0.3, seed=11, batches=1)
    generate_landing(four, scale=0.3, seed=11, batches=4)
    return one, four


# --- layout and headers ----------------------------------------------------------------------


def reference_headers() -> dict[str, list[str]]:
    if not REFERENCE.is_dir():
        return HARD_CODED_HEADERS
    return {t.bronze_name: read(next((REFERENCE / t.folder).glob("*.csv")))[0]
            for t in SOURCE_TABLES}  # fmt: skip


@pytest.mark.parametrize(
    "source", ["reference extract" if REFERENCE.is_dir() else "hard-coded list (no reference)"]
)
def test_layout_and_headers_match_the_source_exports(
    scale1: tuple[Path, GenerateReport], source: str
) -> None:
    out, report = scale1
    expected = reference_headers()
    for t in SOURCE_TABLES:
        files = files_of(out, t.bronze_name)
        assert [p.name for p in files] == ["batch-0001.csv"], t.folder
        assert read(files[0])[0] == expected[t.bronze_name], (source, t.bronze_name)
        assert [h.lower() for h in HEADERS[t.bronze_name]] == list(t.columns)
    assert sorted(report.files) == sorted(
        p for t in SOURCE_TABLES for p in files_of(out, t.bronze_name)
    )
    assert report.rows == {t.bronze_name: len(rows_of(out, t.bronze_name)) for t in SOURCE_TABLES}


def test_files_are_plain_utf8_with_newline_endings(scale1: tuple[Path, GenerateReport]) -> None:
    _, report = scale1
    for path in report.files:
        data = path.read_bytes()
        data.decode("utf-8")
        assert b"\r" not in data and data.endswith(b"\n"), path
        assert not data.startswith(b"\xef\xbb\xbf"), "no byte-order mark"


def test_scale_1_is_about_the_reference_size(scale1: tuple[Path, GenerateReport]) -> None:
    rows = scale1[1].rows
    assert 17_500 < rows["crm_cust_info"] < 19_500
    assert 57_000 < rows["crm_sales_details"] < 64_000
    assert 17_500 < rows["erp_cust_az12"] < 19_500
    assert 17_500 < rows["erp_loc_a101"] < 19_500
    assert 330 < rows["crm_prd_info"] < 480
    assert rows["erp_px_cat_g1v2"] >= 37


# --- determinism -----------------------------------------------------------------------------


def test_same_arguments_give_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_landing(a, scale=0.05, seed=5, batches=2)
    generate_landing(b, scale=0.05, seed=5, batches=2)
    generate_landing(c, scale=0.05, seed=6, batches=2)
    assert tree_bytes(a) == tree_bytes(b)
    differ = [k for k in tree_bytes(a) if tree_bytes(a)[k] != tree_bytes(c)[k]]
    assert "crm/sales_details/data/batch-0001.csv" in differ
    assert "crm/cust_info/data/batch-0002.csv" in differ


# --- batches ---------------------------------------------------------------------------------


def test_batches_give_k_files_per_table_in_delivery_order(batched: tuple[Path, Path]) -> None:
    _, four = batched
    for t in SOURCE_TABLES:
        names = [p.name for p in files_of(four, t.bronze_name)]
        assert names == ["batch-0001.csv", "batch-0002.csv", "batch-0003.csv", "batch-0004.csv"]
    sizes = [len(read(p)) - 1 for p in files_of(four, "crm_sales_details")]
    assert min(sizes) > 0.15 * sum(sizes), f"batches of very unequal size: {sizes}"


def test_later_sales_batches_hold_later_orders(batched: tuple[Path, Path]) -> None:
    _, four = batched
    seen: set[tuple[str, str]] = set()
    previous_max = ""
    for path in files_of(four, "crm_sales_details"):
        # Lines delivered again (corrections) carry their old order date: leave them out.
        fresh = [r for r in read(path)[1:] if (r[0], r[1]) not in seen]
        dates = [r[3] for r in fresh if YMD.fullmatch(r[3])]
        assert dates and min(dates) >= previous_max, path.name
        previous_max = max(dates)
        seen.update((r[0], r[1]) for r in fresh)


def test_splitting_only_cuts_the_same_stream(batched: tuple[Path, Path]) -> None:
    one, four = batched
    for t in SOURCE_TABLES:
        assert rows_of(one, t.bronze_name) == rows_of(four, t.bronze_name), t.bronze_name


def test_later_batches_redeliver_newer_customer_versions(batched: tuple[Path, Path]) -> None:
    _, four = batched
    first_batch: dict[str, int] = {}
    first_created: dict[str, str] = {}
    redelivered_newer = 0
    for index, path in enumerate(files_of(four, "crm_cust_info")):
        for row in read(path)[1:]:
            cst_id, created = row[0], row[6]
            if not cst_id.isdigit():
                continue
            if cst_id not in first_batch:
                first_batch[cst_id], first_created[cst_id] = index, created
            elif index > first_batch[cst_id] and created > first_created[cst_id]:
                redelivered_newer += 1
    assert sum(1 for i in first_batch.values() if i > 0) > 1000, "new customers in later batches"
    assert redelivered_newer >= 3


def test_customers_arrive_no_later_than_their_first_order(batched: tuple[Path, Path]) -> None:
    _, four = batched
    known: set[str] = set()
    for cust_file, sales_file in zip(
        files_of(four, "crm_cust_info"), files_of(four, "crm_sales_details"), strict=True
    ):
        known.update(r[0] for r in read(cust_file)[1:])
        assert {r[2] for r in read(sales_file)[1:]} <= known, sales_file.name


# --- referential consistency -----------------------------------------------------------------


def test_keys_are_consistent_across_tables(scale1: tuple[Path, GenerateReport]) -> None:
    out, _ = scale1
    customers = rows_of(out, "crm_cust_info")
    cst_ids = {r[0] for r in customers}
    cst_keys = {r[1] for r in customers if r[0].isdigit()}
    products = rows_of(out, "crm_prd_info")
    numbers = {r[1][6:] for r in products}
    sales = rows_of(out, "crm_sales_details")
    assert {r[2] for r in sales} <= cst_ids
    assert {r[1] for r in sales} <= numbers
    assert all(r[1][5] == "-" and len(r[1]) > 6 for r in products)
    az = rows_of(out, "erp_cust_az12")
    assert {re.sub("^nas", "", r[0].strip(), flags=re.I) for r in az} <= cst_keys
    loc = rows_of(out, "erp_loc_a101")
    assert {r[0].replace("-", "") for r in loc} <= cst_keys
    assert len(az) > 0.99 * len(cst_keys) and len(loc) > 0.99 * len(cst_keys)
    categories = {r[0] for r in rows_of(out, "erp_px_cat_g1v2")}
    used = {r[1][:5].replace("-", "_") for r in products}
    assert len(used - categories) == 1, "a product category missing from the ERP, as in real life"
    assert len(used & categories) >= 30


# --- dirt ------------------------------------------------------------------------------------


def share(rows: list[list[str]], predicate: Callable[[list[str]], bool]) -> float:
    return sum(1 for r in rows if predicate(r)) / len(rows)


def test_every_kind_of_dirt_is_present_at_scale_1(scale1: tuple[Path, GenerateReport]) -> None:
    out, _ = scale1
    cust = rows_of(out, "crm_cust_info")
    ids = Counter(r[0] for r in cust if r[0].isdigit())
    assert 2 <= sum(1 for r in cust if not r[0].strip()) <= 30  # blank cst_id
    assert any(r[0] and not r[0].isdigit() for r in cust)  # "11207a"
    assert 10 <= sum(1 for n in ids.values() if n > 1) <= 200  # customer versions
    assert any(r[0] in ids and ids[r[0]] > 1 and (not r[2] or not r[3]) for r in cust)  # partial
    assert 5 <= sum(1 for r in cust if r[2] != r[2].strip() or r[3] != r[3].strip()) <= 100
    assert any("\t" in r[2] + r[3] for r in cust)
    assert {r[4] for r in cust} >= {"M", "S", ""} and {r[5] for r in cust} >= {"M", "F", ""}
    dates = {r[6] for r in cust}
    assert any(re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", d) and len(d) < 10 for d in dates)
    assert any("/" in d for d in dates) and "" in dates

    prd = rows_of(out, "crm_prd_info")
    assert any(r[3] == "" for r in prd) and any(r[4] == "" for r in prd)
    assert share(prd, lambda r: r[4].endswith(" ")) > 0.8  # "R ": line codes with a blank
    assert share(prd, lambda r: r[6] != "" and r[6] < r[5]) > 0.1  # end before start
    assert any(re.fullmatch(r"\d+\.\d\d", r[3]) for r in prd)  # 2-decimal money

    sales = rows_of(out, "crm_sales_details")
    order_dates = Counter(r[3] for r in sales)
    assert 5 <= order_dates["0"] <= 60
    assert any(re.fullmatch(r"\d{4,5}", d) for d in order_dates)  # 5489, 32154
    assert any(d.endswith(("0230", "0431", "0631", "0931", "1131")) for d in order_dates)
    assert any(r[6] == "" for r in sales) and any(r[8] == "" for r in sales)
    assert any(r[6].startswith("-") for r in sales) and any(r[8].startswith("-") for r in sales)
    assert any(r[6] == "0" for r in sales)
    assert any(
        r[6] and r[8] and float(r[6]) > 0 and float(r[8]) > 0
        and abs(float(r[6]) - int(r[7]) * float(r[8])) > 0.001
        for r in sales
    )  # fmt: skip
    assert all(YMD.fullmatch(r[5]) for r in sales)

    az = rows_of(out, "erp_cust_az12")
    assert 0.5 < share(az, lambda r: r[0].startswith("NAS")) < 0.7
    assert any(r[0][:3] in ("nas", "Nas") for r in az)
    assert any(r[1].startswith("9999-") for r in az)
    assert 5 <= sum(1 for r in az if "2030" <= r[1][:4] <= "2999") <= 40
    genders = Counter(r[2] for r in az)
    assert genders["Male"] > 1000 and genders["Female"] > 1000 and genders[""] > 500
    assert set(genders) - {"Male", "Female", ""}, "odd spellings: M, F, 'M ', blanks..."

    loc = rows_of(out, "erp_loc_a101")
    assert share(loc, lambda r: r[0].startswith("AW-")) > 0.95
    assert any(not r[0].startswith("AW-") for r in loc)
    countries = Counter(r[1] for r in loc)
    assert {"DE", "US", "USA", "United States", "Germany", ""} <= set(countries)
    assert any(c and not c.strip() for c in countries)


def test_tiny_scales_still_carry_dirt(tmp_path: Path) -> None:
    generate_landing(tmp_path, scale=0.02, seed=1)
    sales = rows_of(tmp_path, "crm_sales_details")
    cust = rows_of(tmp_path, "crm_cust_info")
    assert len(sales) > 50 and len(cust) > 50
    assert any(not YMD.fullmatch(r[3]) for r in sales)
    assert any(r[6] == "" or r[6].startswith("-") for r in sales)
    assert any(not r[0].strip() for r in cust)


# --- scale -----------------------------------------------------------------------------------


def test_rows_grow_linearly_with_scale(tmp_path: Path) -> None:
    small = generate_landing(tmp_path / "s", scale=0.1, seed=2).rows
    large = generate_landing(tmp_path / "l", scale=0.2, seed=2).rows
    for table in ("crm_cust_info", "crm_sales_details", "erp_cust_az12", "erp_loc_a101"):
        assert 1.8 < large[table] / small[table] < 2.2, table
    assert large["erp_px_cat_g1v2"] == small["erp_px_cat_g1v2"]


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32), scale=st.sampled_from([0.005, 0.01, 0.03]))
def test_any_seed_gives_well_formed_csv(tmp_path_factory: pytest.TempPathFactory, seed: int,
                                        scale: float) -> None:  # fmt: skip
    out = tmp_path_factory.mktemp("h")
    report = generate_landing(out, scale=scale, seed=seed, batches=2)
    for path in report.files:
        rows = read(path)
        width = len(rows[0])
        assert all(len(r) == width for r in rows), path
    assert all(n > 0 for n in report.rows.values())


# --- arguments and the output folder ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": 0}, "scale"),
        ({"scale": -1.0}, "scale"),
        ({"scale": float("nan")}, "scale"),
        ({"batches": 0}, "batches"),
        ({"batches": 2.5}, "batches"),
    ],
)
def test_bad_arguments_are_refused(tmp_path: Path, kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_landing(tmp_path / "out", **kwargs)  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()


def test_a_foreign_non_empty_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not a landing zone"):
        generate_landing(tmp_path, scale=0.01)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    with pytest.raises(ValueError, match="not a directory"):
        generate_landing(tmp_path / "notes.txt", scale=0.01)


def test_an_existing_landing_zone_keeps_foreign_files(tmp_path: Path) -> None:
    first = generate_landing(tmp_path, scale=0.01, seed=1)
    mine = tmp_path / "crm" / "cust_info" / "data" / "my_extra.csv"
    mine.write_text("cst_id\n1\n")
    second = generate_landing(tmp_path, scale=0.01, seed=2)
    assert mine.read_text() == "cst_id\n1\n"
    assert second.untouched == [mine]
    assert first.files == second.files
    assert not list(tmp_path.rglob(".*.tmp"))


def test_progress_reports_every_table_up_to_its_total(tmp_path: Path) -> None:
    calls: list[tuple[str, int]] = []
    report = generate_landing(tmp_path, scale=0.01, progress=lambda t, n: calls.append((t, n)))
    last = {t: n for t, n in calls}
    assert last == report.rows


def test_a_failed_run_leaves_no_files(tmp_path: Path) -> None:
    def boom(table: str, rows: int) -> None:
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        generate_landing(tmp_path / "z", scale=0.01, progress=boom)
    assert not [p for p in (tmp_path / "z").rglob("*") if p.is_file()]
