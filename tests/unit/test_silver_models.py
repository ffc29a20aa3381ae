"""The silver models (SPEC 2 and 6) on small hand-written bronze tables: values and rule counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
import pytest

from medallion.models.silver.crm_customers import crm_customers
from medallion.models.silver.crm_products import crm_products
from medallion.models.silver.crm_sales import crm_sales
from medallion.models.silver.erp_customer_demographics import erp_customer_demographics
from medallion.models.silver.erp_customer_locations import erp_customer_locations
from medallion.models.silver.erp_product_categories import erp_product_categories
from medallion.registry import Built
from tests.bronze import bronze_table
from tests.conftest import AS_OF

Row = dict[str, Any]


@pytest.fixture(scope="module")
def run(duck: ibis.BaseBackend) -> Callable[[ir.Table], list[Row]]:
    """Rows of a table as dicts, through Arrow: exact decimals, dates as datetime.date (the
    pandas path of the `evaluate` fixture raises Pandas4Warning with pandas 3.1 + ibis 12)."""

    def rows(table: ir.Table) -> list[Row]:
        return duck.to_pyarrow(table).to_pylist()

    return rows


@pytest.fixture(scope="module")
def counts(run: Callable[[ir.Table], list[Row]]) -> Callable[[Built], Row]:
    """The one row of a model's rule counts."""

    def single(built: Built) -> Row:
        assert built.rule_counts is not None
        [row] = run(built.rule_counts)
        return row

    return single


def by(rows: list[Row], key: str) -> dict[Any, Row]:
    out = {r[key]: r for r in rows}
    assert len(out) == len(rows), f"{key} is not unique in {rows}"
    return out


def subset(row: Row, expected: Row) -> Row:
    return {k: row[k] for k in expected}


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def money(text: str) -> Decimal:
    return Decimal(text)


# --- crm_customers ---------------------------------------------------------------------------


def customers(rows: list[Row]) -> Built:
    return crm_customers(bronze_table("crm_cust_info", rows))


def test_blank_customer_id_is_dropped_and_counted(run, counts) -> None:
    built = customers(
        [{"cst_id": None}, {"cst_id": ""}, {"cst_id": "  "}, {"cst_id": "\t\r\n"}, {"cst_id": "5"}]
    )
    assert [r["customer_id"] for r in run(built.table)] == [5]
    assert counts(built)["dropped_blank_or_invalid_id"] == 4


def test_non_integer_customer_id_is_dropped_and_counted(run, counts) -> None:
    built = customers(
        [
            {"cst_id": "1.5"},
            {"cst_id": "1e3"},
            {"cst_id": "abc"},
            {"cst_id": "12a"},
            {"cst_id": " 7 "},
        ]
    )
    assert [r["customer_id"] for r in run(built.table)] == [7]
    assert counts(built)["dropped_blank_or_invalid_id"] == 4


def test_customer_id_is_cst_id_as_integer(run) -> None:
    built = customers([{"cst_id": "+11000"}, {"cst_id": "\t11001\r\n"}, {"cst_id": "-3"}])
    assert sorted(r["customer_id"] for r in run(built.table)) == [-3, 11000, 11001]


def test_same_integer_written_differently_is_one_customer(run) -> None:
    built = customers(
        [
            {"cst_id": "7", "cst_key": "A"},
            {"cst_id": "007", "cst_key": "B"},
            {"cst_id": " +7", "cst_key": "C"},
        ]
    )
    assert [(r["customer_id"], r["customer_number"]) for r in run(built.table)] == [(7, "C")]


def test_duplicate_customer_keeps_the_latest_create_date(run) -> None:
    built = customers(
        [
            {"cst_id": "1", "cst_key": "mid", "cst_create_date": "2020-01-01"},
            {"cst_id": "1", "cst_key": "latest", "cst_create_date": "2021-06-01"},
            {"cst_id": "1", "cst_key": "oldest", "cst_create_date": "2019-01-01"},
            {"cst_id": "2", "cst_key": "only", "cst_create_date": "2000-01-01"},
        ]
    )
    rows = by(run(built.table), "customer_id")
    assert rows[1]["customer_number"] == "latest"
    assert rows[1]["create_date"] == d("2021-06-01")
    assert rows[2]["customer_number"] == "only"


def test_null_create_date_ranks_below_any_known_date(run) -> None:
    built = customers(
        [
            {"cst_id": "1", "cst_key": "dated", "cst_create_date": "1901-01-01"},
            {"cst_id": "1", "cst_key": "no date", "cst_create_date": None},
            {"cst_id": "1", "cst_key": "bad date", "cst_create_date": "2030-02-30"},
            {"cst_id": "1", "cst_key": "zero date", "cst_create_date": "0"},
        ]
    )
    [row] = run(built.table)
    assert (row["customer_number"], row["create_date"]) == ("dated", d("1901-01-01"))


def test_customers_without_any_create_date_keep_the_latest_delivery(run) -> None:
    built = customers([{"cst_id": "1", "cst_key": "first"}, {"cst_id": "1", "cst_key": "second"}])
    [row] = run(built.table)
    assert (row["customer_number"], row["create_date"]) == ("second", None)


def test_create_date_tie_goes_to_the_later_batch(run) -> None:
    built = customers(
        [
            {
                "cst_id": "1",
                "cst_key": "b2",
                "cst_create_date": "2020-01-01",
                "_batch_id": 2,
                "_source_file": "a.csv",
                "_source_row": 1,
            },
            {
                "cst_id": "1",
                "cst_key": "b1",
                "cst_create_date": "2020-01-01",
                "_batch_id": 1,
                "_source_file": "z.csv",
                "_source_row": 9,
            },
        ]
    )
    assert [r["customer_number"] for r in run(built.table)] == ["b2"]


def test_create_date_tie_in_one_batch_goes_to_the_later_file(run) -> None:
    built = customers(
        [
            {
                "cst_id": "1",
                "cst_key": "file b",
                "cst_create_date": "2020-01-01",
                "_source_file": "crm/cust_info/data/b.csv",
                "_source_row": 1,
            },
            {
                "cst_id": "1",
                "cst_key": "file a",
                "cst_create_date": "2020-01-01",
                "_source_file": "crm/cust_info/data/a.csv",
                "_source_row": 5,
            },
        ]
    )
    assert [r["customer_number"] for r in run(built.table)] == ["file b"]


def test_create_date_tie_in_one_file_goes_to_the_later_row(run) -> None:
    built = customers(
        [
            {
                "cst_id": "1",
                "cst_key": "row 10",
                "cst_create_date": "2020-01-01",
                "_source_row": 10,
            },
            {"cst_id": "1", "cst_key": "row 9", "cst_create_date": "2020-01-01", "_source_row": 9},
        ]
    )
    assert [r["customer_number"] for r in run(built.table)] == ["row 10"]


def test_create_dates_in_different_formats_tie_on_the_same_day(run) -> None:
    shapes = ["20200101", "2020-01-01", "2020/01/01"]
    rows = []
    pairs = zip(shapes, [*shapes[1:], shapes[0]], strict=True)
    for cst_id, (first, second) in enumerate(pairs, start=1):
        rows += [
            {"cst_id": str(cst_id), "cst_key": f"earlier {first}", "cst_create_date": first},
            {"cst_id": str(cst_id), "cst_key": f"later {second}", "cst_create_date": second},
        ]
    got = {r["customer_id"]: r["customer_number"] for r in run(customers(rows).table)}
    assert got == {1: "later 2020-01-01", 2: "later 2020/01/01", 3: "later 20200101"}


def test_later_create_date_beats_later_batch(run) -> None:
    built = customers(
        [
            {"cst_id": "1", "cst_key": "new date", "cst_create_date": "2021-01-01", "_batch_id": 1},
            {
                "cst_id": "1",
                "cst_key": "new batch",
                "cst_create_date": "2020-01-01",
                "_batch_id": 2,
            },
        ]
    )
    assert [r["customer_number"] for r in run(built.table)] == ["new date"]


def test_marital_status_maps_s_and_m_in_any_case_and_padding(run) -> None:
    raw = ["S", "s", " M ", "m\t", "X", None, "", "  "]
    built = customers([{"cst_id": str(i), "cst_marital_status": v} for i, v in enumerate(raw)])
    got = [r["marital_status"] for r in sorted(run(built.table), key=lambda r: r["customer_id"])]
    assert got == ["Single", "Single", "Married", "Married", "n/a", "n/a", "n/a", "n/a"]


def test_gender_maps_f_and_m_in_any_case_and_padding(run) -> None:
    raw = ["F", " f ", "M", "m\r\n", "U", None, "", "FM"]
    built = customers([{"cst_id": str(i), "cst_gndr": v} for i, v in enumerate(raw)])
    got = [r["gender"] for r in sorted(run(built.table), key=lambda r: r["customer_id"])]
    assert got == ["Female", "Female", "Male", "Male", "n/a", "n/a", "n/a", "n/a"]


def test_customer_number_and_names_are_trimmed(run) -> None:
    built = customers(
        [
            {
                "cst_id": "1",
                "cst_key": " AW00011000\t",
                "cst_firstname": " Jon\t",
                "cst_lastname": "\r\nYang  ",
            }
        ]
    )
    [row] = run(built.table)
    assert (row["customer_number"], row["first_name"], row["last_name"]) == (
        "AW00011000",
        "Jon",
        "Yang",
    )


def test_create_date_follows_the_date_rule(run) -> None:
    raw = ["2013-01-05", "20130105", "2013/01/05", "2013-1-5", "20130229", "0"]
    built = customers([{"cst_id": str(i), "cst_create_date": v} for i, v in enumerate(raw)])
    got = [r["create_date"] for r in sorted(run(built.table), key=lambda r: r["customer_id"])]
    jan5 = d("2013-01-05")
    assert got == [jan5, jan5, jan5, None, None, None]


def test_customer_rule_counts(counts) -> None:
    clean = {
        "cst_key": "K",
        "cst_firstname": "Ann",
        "cst_lastname": "Lee",
        "cst_marital_status": "S",
        "cst_gndr": "F",
        "cst_create_date": "2020-01-01",
    }
    built = customers(
        [
            {**clean, "cst_id": ""},  # dropped: blank id
            {**clean, "cst_id": "x1"},  # dropped: not an integer
            {**clean, "cst_id": "1", "cst_create_date": "2019-01-01"},  # dropped: older version
            {**clean, "cst_id": "1"},
            {**clean, "cst_id": "2", "cst_firstname": " Bo ", "cst_gndr": "?"},
            {**clean, "cst_id": "3", "cst_marital_status": None, "cst_create_date": "2013-1-5"},
        ]
    )
    expected = {
        "dropped_blank_or_invalid_id": 2,
        "dropped_superseded": 1,
        "name_trimmed_or_nulled": 1,
        "gender_to_na": 1,
        "marital_status_to_na": 1,
        "create_date_nulled": 1,
    }
    assert subset(counts(built), expected) == expected


# --- crm_products ----------------------------------------------------------------------------


def products(rows: list[Row]) -> Built:
    return crm_products(bronze_table("crm_prd_info", rows))


def product(prd_id: int, key: str = "CO-RF-FR-R92B-58", **fields: str | int | None) -> Row:
    return {"prd_id": str(prd_id), "prd_key": key, **fields}


def test_prd_key_splits_into_category_id_and_product_number(run) -> None:
    built = products([product(1, "CO-RF-FR-R92B-58"), product(2, "AC-HE-HL-U509-R")])
    got = {r["product_id"]: (r["category_id"], r["product_number"]) for r in run(built.table)}
    assert got == {1: ("CO_RF", "FR-R92B-58"), 2: ("AC_HE", "HL-U509-R")}


def test_prd_key_is_trimmed_before_it_is_split(run) -> None:
    built = products([product(1, " \tCO-RF-FR-R92B-58 ")])
    [row] = run(built.table)
    assert (row["category_id"], row["product_number"]) == ("CO_RF", "FR-R92B-58")


def test_product_id_is_prd_id_and_name_is_trimmed(run) -> None:
    built = products([product(1, prd_nm=" HL Road Frame - Black- 58\t"), product(2, "CO-RF-X")])
    rows = by(run(built.table), "product_id")
    assert rows[1]["product_name"] == "HL Road Frame - Black- 58"
    assert set(rows) == {1, 2}


def test_blank_cost_becomes_zero(run) -> None:
    raw = [None, "", "  ", "\t"]
    built = products([product(i, f"CO-RF-P{i}", prd_cost=c) for i, c in enumerate(raw)])
    assert [r["cost"] for r in run(built.table)] == [money("0.00")] * 4


def test_non_number_cost_becomes_null(run) -> None:
    raw = ["abc", "12,50", "N/A", "$5"]
    built = products([product(i, f"CO-RF-P{i}", prd_cost=c) for i, c in enumerate(raw)])
    assert [r["cost"] for r in run(built.table)] == [None] * 4


def test_number_cost_is_kept_as_money(run) -> None:
    raw = ["12", " 12.5 ", "0", "1898.09"]
    built = products([product(i, f"CO-RF-P{i}", prd_cost=c) for i, c in enumerate(raw)])
    got = [r["cost"] for r in sorted(run(built.table), key=lambda r: r["product_id"])]
    assert got == [money("12.00"), money("12.50"), money("0.00"), money("1898.09")]


def test_product_line_maps_codes_with_trailing_blanks(run) -> None:
    raw = ["M", "R ", " S", "t\r\n", "r", "X", None, "", "Road"]
    built = products([product(i, f"CO-RF-P{i}", prd_line=v) for i, v in enumerate(raw)])
    got = [r["product_line"] for r in sorted(run(built.table), key=lambda r: r["product_id"])]
    assert got == ["Mountain", "Road", "Other Sales", "Touring", "Road", "n/a", "n/a", "n/a", "n/a"]


def end_dates(run, rows: list[Row]) -> dict[int, dt.date | None]:
    return {r["product_id"]: r["end_date"] for r in run(products(rows).table)}


def test_end_date_is_the_day_before_the_next_versions_start(run) -> None:
    rows = [
        product(3, prd_start_dt="2013-07-01", prd_end_dt="2011-01-01"),
        product(1, prd_start_dt="2011-07-01", prd_end_dt="2099-12-31"),
        product(2, prd_start_dt="2012-07-01", prd_end_dt=None),
    ]
    assert end_dates(run, rows) == {1: d("2012-06-30"), 2: d("2013-06-30"), 3: None}


def test_end_date_before_a_march_start_of_a_leap_year_is_february_29(run) -> None:
    rows = [product(1, prd_start_dt="2011-07-01"), product(2, prd_start_dt="20120301")]
    assert end_dates(run, rows) == {1: d("2012-02-29"), 2: None}


def test_versions_with_the_same_start_are_ordered_by_prd_id(run) -> None:
    rows = [
        product(5, prd_start_dt="2012-01-01"),
        product(6, prd_start_dt="2013-01-01"),
        product(4, prd_start_dt="2012-01-01"),
    ]
    assert end_dates(run, rows) == {4: d("2011-12-31"), 5: d("2012-12-31"), 6: None}


def test_null_start_date_is_the_earliest_version(run) -> None:
    rows = [product(11, prd_start_dt="2012-01-01"), product(10, prd_start_dt="garbage")]
    assert end_dates(run, rows) == {10: d("2011-12-31"), 11: None}


def test_end_dates_are_per_product_number(run) -> None:
    rows = [
        product(1, "CO-RF-A", prd_start_dt="2011-01-01"),
        product(2, "CO-RF-B", prd_start_dt="2012-01-01"),
        product(3, "CO-RF-A", prd_start_dt="2013-01-01"),
        product(4, "BI-MB-B", prd_start_dt="2014-01-01"),  # same number, other category
    ]
    assert end_dates(run, rows) == {1: d("2012-12-31"), 2: d("2013-12-31"), 3: None, 4: None}


def test_single_version_has_no_end_date_whatever_the_source_says(run) -> None:
    rows = [product(1, prd_start_dt="2011-01-01", prd_end_dt="2011-12-31")]
    assert end_dates(run, rows) == {1: None}


def test_later_batch_wins_per_prd_id(run) -> None:
    built = products(
        [
            product(1, prd_nm="New", prd_cost="12", _batch_id=2, _source_file="a.csv"),
            product(1, prd_nm="Old", prd_cost="10", _batch_id=1, _source_file="z.csv"),
            product(2, "CO-RF-OTHER", prd_nm="Other", _batch_id=1),
        ]
    )
    rows = by(run(built.table), "product_id")
    assert (rows[1]["product_name"], rows[1]["cost"]) == ("New", money("12.00"))
    assert rows[2]["product_name"] == "Other"


def test_redelivered_start_date_moves_the_previous_versions_end_date(run) -> None:
    rows = [
        product(1, prd_start_dt="2011-01-01", _batch_id=1),
        product(2, prd_start_dt="2012-01-01", _batch_id=1),
        product(2, prd_start_dt="2013-01-01", _batch_id=2),
    ]
    assert end_dates(run, rows) == {1: d("2012-12-31"), 2: None}


def test_product_rule_counts(counts) -> None:
    clean = {"prd_nm": "Frame", "prd_cost": "10", "prd_line": "R", "prd_start_dt": "2012-01-01"}
    built = products(
        [
            product(1, **clean, _batch_id=1),  # dropped: redelivered below
            product(1, **clean, _batch_id=2),
            product(2, "CO-RF-B", **{**clean, "prd_cost": ""}),
            product(3, "CO-RF-C", **{**clean, "prd_cost": "ten"}),
            product(4, "CO-RF-D", **{**clean, "prd_line": "Z", "prd_start_dt": "2012-02-30"}),
            {**clean, "prd_id": "x", "prd_key": "CO-RF-E"},  # dropped: no valid id
        ]
    )
    expected = {
        "dropped_superseded": 1,
        "dropped_blank_or_invalid_id": 1,
        "blank_cost_to_zero": 1,
        "cost_nulled": 1,
        "product_line_to_na": 1,
        "start_date_nulled": 1,
    }
    assert subset(counts(built), expected) == expected


# --- crm_sales -------------------------------------------------------------------------------


def sales(rows: list[Row]) -> Built:
    return crm_sales(bronze_table("crm_sales_details", rows))


def line(quantity: str | None, sales_: str | None, price: str | None, **fields: Any) -> Row:
    return {
        "sls_ord_num": "SO1",
        "sls_prd_key": "P1",
        "sls_quantity": quantity,
        "sls_sales": sales_,
        "sls_price": price,
        **fields,
    }


M = money

# Every (quantity, recorded sales, recorded price) case of the sales rule, as one bronze table
# evaluated once: case id -> (inputs, expected sales_amount, expected price), worked out by hand
# from SPEC 2 and SPEC 6 ("sales rule, literally").
SALES_RULE_CASES: dict[str, tuple[tuple[str | None, str | None, str | None], Any, Any]] = {
    # price present and positive: sales becomes quantity x price unless it already is
    "priced-consistent-line-stands": (("2", "100", "50"), M("100"), M("50")),
    "priced-missing-sales-is-recomputed": (("2", None, "50"), M("100"), M("50")),
    "priced-zero-sales-is-recomputed": (("2", "0", "50"), M("100"), M("50")),
    "priced-negative-sales-is-recomputed": (("2", "-100", "50"), M("100"), M("50")),
    "priced-inconsistent-sales-is-recomputed": (("2", "90", "50"), M("100"), M("50")),
    "priced-consistent-cents-stand": (("3", "9.99", "3.33"), M("9.99"), M("3.33")),
    "priced-non-number-sales-is-missing": (("1", "abc", "7.5"), M("7.50"), M("7.50")),
    # price missing: the recorded sales stands, the price is recorded sales / quantity
    "no-price-derived-from-sales": (("2", "100", None), M("100"), M("50")),
    "empty-price-is-missing": (("2", "100", ""), M("100"), M("50")),
    "blank-price-is-missing": (("2", "100", "  "), M("100"), M("50")),
    "no-price-missing-sales-stands": (("2", None, None), None, None),
    "no-price-zero-sales-stands": (("2", "0", None), M("0"), M("0")),
    "no-price-negative-sales-stands": (("2", "-100", None), M("-100"), M("-50")),
    "no-price-derived-rounds-down": (("3", "10", None), M("10"), M("3.33")),
    "no-price-derived-rounds-half-up": (("2", "10.05", None), M("10.05"), M("5.03")),
    "no-price-derived-half-away-from-zero": (("2", "-10.05", None), M("-10.05"), M("-5.03")),
    "no-price-zero-quantity-no-price": (("0", "10", None), M("10"), None),
    # price zero is "zero", not missing: sales differs from 2 x |0| = 0, so it becomes 0
    "zero-price-zeroes-sales-and-is-derived": (("2", "100", "0"), M("0"), M("50")),
    "zero-price-zero-sales": (("2", "0", "0.00"), M("0"), M("0")),
    # negative price: sales from |price|, price from the recorded sales / quantity
    "negative-price-consistent-sales": (("2", "100", "-50"), M("100"), M("50")),
    "negative-price-inconsistent-sales": (("2", "90", "-50"), M("100"), M("45")),
    "negative-price-missing-sales": (("3", None, "-5"), M("15"), None),
}


@pytest.fixture(scope="module")
def sales_rule_results(run) -> dict[str, tuple[Any, Any]]:
    bronze = [
        line(q, s, p, sls_ord_num=case) for case, ((q, s, p), _, _) in SALES_RULE_CASES.items()
    ]
    return {r["order_number"]: (r["sales_amount"], r["price"]) for r in run(sales(bronze).table)}


def cases(*prefixes: str) -> list[str]:
    return [c for c in SALES_RULE_CASES if c.startswith(prefixes)]


@pytest.mark.parametrize(
    "case",
    cases("priced"),
)
def test_sales_becomes_quantity_times_price_when_missing_not_positive_or_inconsistent(
    sales_rule_results, case: str
) -> None:
    _, sales_amount, price = SALES_RULE_CASES[case]
    assert sales_rule_results[case] == (sales_amount, price)


@pytest.mark.parametrize("case", cases("no-price", "empty-price", "blank-price"))
def test_missing_price_keeps_the_recorded_sales_and_derives_the_price(
    sales_rule_results, case: str
) -> None:
    _, sales_amount, price = SALES_RULE_CASES[case]
    assert sales_rule_results[case] == (sales_amount, price)


@pytest.mark.parametrize("case", cases("zero-price"))
def test_zero_price_is_zero_not_missing(sales_rule_results, case: str) -> None:
    _, sales_amount, price = SALES_RULE_CASES[case]
    assert sales_rule_results[case] == (sales_amount, price)


@pytest.mark.parametrize("case", cases("negative-price"))
def test_negative_price_gives_sales_from_its_magnitude_and_price_from_recorded_sales(
    sales_rule_results, case: str
) -> None:
    _, sales_amount, price = SALES_RULE_CASES[case]
    assert sales_rule_results[case] == (sales_amount, price)


def test_largest_recorded_sales_stands_when_the_price_is_missing(run) -> None:
    # 13 integer digits is the most parse_money accepts; the sales rule must stay exact there.
    built = sales([line("2", "9999999999999.99", None)])
    assert [(r["sales_amount"], r["price"]) for r in run(built.table)] == [
        (M("9999999999999.99"), M("5000000000000.00"))
    ]


def test_absurd_amounts_and_quantities_become_null_instead_of_crashing(run) -> None:
    built = sales(
        [
            line("2", "99999999999999999", None, sls_ord_num="SO1"),
            line("999999999999999999", None, "1", sls_ord_num="SO2"),
        ]
    )
    got = sorted((r["order_number"], r["sales_amount"], r["price"]) for r in run(built.table))
    assert got == [("SO1", None, None), ("SO2", None, M("1.00"))]


def test_sales_keys_customer_and_quantity_are_cleaned(run) -> None:
    built = sales(
        [
            line(
                " 3 ",
                "30",
                "10",
                sls_ord_num=" SO43697\t",
                sls_prd_key="BK-R93R-62 ",
                sls_cust_id=" 21768 ",
            )
        ]
    )
    [row] = run(built.table)
    assert (row["order_number"], row["product_number"], row["customer_id"], row["quantity"]) == (
        "SO43697",
        "BK-R93R-62",
        21768,
        3,
    )


def test_invalid_customer_id_is_null_but_the_line_is_kept(run) -> None:
    built = sales([line("1", "5", "5", sls_cust_id="C21768")])
    assert [r["customer_id"] for r in run(built.table)] == [None]


def test_sales_dates_follow_the_date_rule(run) -> None:
    built = sales(
        [
            line(
                "1",
                "5",
                "5",
                sls_ord_num="SO1",
                sls_order_dt="20130105",
                sls_ship_dt="2013-01-12",
                sls_due_dt="2013/01/17",
            ),
            line(
                "1",
                "5",
                "5",
                sls_ord_num="SO2",
                sls_order_dt="0",
                sls_ship_dt="2013015",
                sls_due_dt="20130230",
            ),
            line(
                "1",
                "5",
                "5",
                sls_ord_num="SO3",
                sls_order_dt="  ",
                sls_ship_dt=None,
                sls_due_dt="5489",
            ),
        ]
    )
    rows = by(run(built.table), "order_number")
    dates = {k: (r["order_date"], r["ship_date"], r["due_date"]) for k, r in rows.items()}
    assert dates == {
        "SO1": (d("2013-01-05"), d("2013-01-12"), d("2013-01-17")),
        "SO2": (None, None, None),
        "SO3": (None, None, None),
    }


def test_later_batch_replaces_the_same_order_line(run) -> None:
    built = sales(
        [
            line("1", "10", "10", sls_prd_key="P1", _batch_id=1, _source_file="b.csv"),
            line("3", "30", "10", sls_prd_key="P1", _batch_id=2, _source_file="a.csv"),
            line("2", "20", "10", sls_prd_key="P2", _batch_id=1),
            line("4", "40", "10", sls_ord_num="SO2", sls_prd_key="P1", _batch_id=1),
        ]
    )
    got = {(r["order_number"], r["product_number"]): r["quantity"] for r in run(built.table)}
    assert got == {("SO1", "P1"): 3, ("SO1", "P2"): 2, ("SO2", "P1"): 4}


def test_order_line_redelivered_in_one_batch_keeps_the_later_file(run) -> None:
    built = sales(
        [
            line("5", "50", "10", _source_file="crm/sales_details/data/2013-02.csv"),
            line("1", "10", "10", _source_file="crm/sales_details/data/2013-01.csv"),
        ]
    )
    assert [r["quantity"] for r in run(built.table)] == [5]


def test_order_line_keys_are_compared_after_trimming(run) -> None:
    built = sales(
        [
            line("1", "10", "10", sls_ord_num="SO1 ", _source_row=1),
            line("2", "20", "10", sls_ord_num=" SO1", _source_row=2),
        ]
    )
    assert [(r["order_number"], r["quantity"]) for r in run(built.table)] == [("SO1", 2)]


def test_sales_rule_counts(counts) -> None:
    clean = {
        "sls_cust_id": "1",
        "sls_order_dt": "20130105",
        "sls_ship_dt": "20130112",
        "sls_due_dt": "20130117",
    }
    built = sales(
        [
            line("1", "10", "10", **clean, sls_prd_key="P1", _batch_id=1),  # redelivered
            line("1", "10", "10", **clean, sls_prd_key="P1", _batch_id=2),
            line("2", "90", "50", **clean, sls_prd_key="P2"),  # sales recomputed
            line("2", "100", None, **{**clean, "sls_order_dt": "0"}, sls_prd_key="P3"),
        ]
    )
    expected = {
        "dropped_superseded": 1,
        "sales_amount_recomputed": 1,
        "price_derived": 1,
        "order_date_nulled": 1,
        "ship_date_nulled": 0,
    }
    assert subset(counts(built), expected) == expected


# --- erp_customer_demographics ---------------------------------------------------------------


def demographics(rows: list[Row]) -> Built:
    return erp_customer_demographics(bronze_table("erp_cust_az12", rows), as_of=AS_OF)


def test_nas_prefix_is_removed_case_insensitively(run) -> None:
    raw = ["NASAW00011000", "nasAW1", "NaSAW2", "AW3", " NASAW4 ", "XNASAW5", "NASNASAW6"]
    built = demographics([{"cid": c} for c in raw])
    got = sorted(r["customer_number"] for r in run(built.table))
    assert got == sorted(["AW00011000", "AW1", "AW2", "AW3", "AW4", "XNASAW5", "NASAW6"])


def test_whitespace_after_the_nas_prefix_goes_with_it_and_nas_alone_is_blank(run) -> None:
    raw = ["NAS AW7", "nas\t AW8 ", " NAS\r\nAW 9", "NAS", " nas \t", "NA SAW10"]
    built = demographics([{"cid": c} for c in raw])
    got = sorted(r["customer_number"] for r in run(built.table))
    assert got == sorted(["AW7", "AW8", "AW 9", "NA SAW10"])
    counts = {k: v for k, v in run(built.rule_counts)[0].items() if v}
    assert counts["dropped_blank_id"] == 2, counts


def test_birth_date_after_the_as_of_date_is_null(run) -> None:
    assert dt.date(2026, 11, 26) == AS_OF  # the dates below are written against it
    raw = {
        "A": "2026-11-27",
        "B": "2026-11-26",
        "C": "1970-05-01",
        "D": "29991231",
        "E": "garbage",
        "F": "1970-02-30",
    }
    built = demographics([{"cid": k, "bdate": v} for k, v in raw.items()])
    got = {r["customer_number"]: r["birth_date"] for r in run(built.table)}
    assert got == {"A": None, "B": AS_OF, "C": d("1970-05-01"), "D": None, "E": None, "F": None}


def test_erp_gender_maps_words_and_letters_in_any_case(run) -> None:
    raw = ["F", "female", "FEMALE", " Female ", "m", "MALE", "male\r", "X", None, "", "Fem"]
    built = demographics([{"cid": f"AW{i:02d}", "gen": g} for i, g in enumerate(raw)])
    got = [r["gender"] for r in sorted(run(built.table), key=lambda r: r["customer_number"])]
    assert got == ["Female"] * 4 + ["Male"] * 3 + ["n/a"] * 4


def test_later_erp_demographics_batch_wins_after_removing_nas(run) -> None:
    built = demographics(
        [
            {"cid": "AW1", "gen": "M", "bdate": "1980-01-01", "_batch_id": 2},
            {"cid": "NASAW1", "gen": "F", "bdate": "1970-01-01", "_batch_id": 1},
        ]
    )
    [row] = run(built.table)
    assert (row["customer_number"], row["gender"], row["birth_date"]) == (
        "AW1",
        "Male",
        d("1980-01-01"),
    )


def test_demographics_rule_counts(counts) -> None:
    built = demographics(
        [
            {"cid": "NASAW1", "bdate": "1970-01-01", "gen": "F"},
            {"cid": "AW2", "bdate": "2999-01-01", "gen": "Male"},
            {"cid": "AW3", "bdate": "1970-13-01", "gen": "?"},
            {"cid": "  ", "bdate": "1970-01-01", "gen": "F"},
        ]
    )
    expected = {
        "dropped_blank_id": 1,
        "nas_prefix_removed": 1,
        "birth_date_nulled_future": 1,
        "birth_date_nulled_invalid": 1,
        "gender_to_na": 1,
    }
    assert subset(counts(built), expected) == expected


# --- erp_customer_locations ------------------------------------------------------------------


def locations(rows: list[Row]) -> Built:
    return erp_customer_locations(bronze_table("erp_loc_a101", rows))


def test_every_dash_is_removed_from_the_location_customer_number(run) -> None:
    built = locations([{"cid": "AW-000-11000", "cntry": "DE"}, {"cid": " -AW2- ", "cntry": "DE"}])
    assert sorted(r["customer_number"] for r in run(built.table)) == ["AW00011000", "AW2"]


@pytest.mark.parametrize(
    ("raw", "country"),
    [
        ("DE", "Germany"),
        (" de\t", "Germany"),
        ("US", "United States"),
        ("USA", "United States"),
        (" usa ", "United States"),
        ("Germany", "Germany"),
        ("United States", "United States"),
        (None, "n/a"),
        ("", "n/a"),
        (" \t\r\n", "n/a"),
        ("  Atlantis ", "Atlantis"),
        ("lower land", "lower land"),
    ],
)
def test_country_names_are_conformed(run, raw: str | None, country: str) -> None:
    [row] = run(locations([{"cid": "AW1", "cntry": raw}]).table)
    assert row["country"] == country


def test_later_location_batch_wins(run) -> None:
    built = locations(
        [
            {"cid": "AW1", "cntry": "US", "_batch_id": 2, "_source_file": "a.csv"},
            {"cid": "AW-1", "cntry": "DE", "_batch_id": 1, "_source_file": "z.csv"},
        ]
    )
    assert [(r["customer_number"], r["country"]) for r in run(built.table)] == [
        ("AW1", "United States")
    ]


def test_location_rule_counts(counts) -> None:
    built = locations(
        [
            {"cid": "AW-1", "cntry": "Germany"},
            {"cid": "AW2", "cntry": "USA"},
            {"cid": "AW3", "cntry": " "},
            {"cid": "AW3", "cntry": "Germany", "_batch_id": 0},
            {"cid": None, "cntry": "Germany"},
        ]
    )
    expected = {
        "dropped_blank_id": 1,
        "dropped_superseded": 1,
        "dash_removed": 1,
        "blank_country_to_na": 1,
    }
    assert subset(counts(built), expected) == expected


# --- erp_product_categories ------------------------------------------------------------------


def categories(rows: list[Row]) -> Built:
    return erp_product_categories(bronze_table("erp_px_cat_g1v2", rows))


def test_maintenance_yes_no_in_any_case_is_a_boolean_else_null(run) -> None:
    raw = ["Yes", "yes", " YES ", "No", "no", "NO\r\n", "Y", "N", None, "", "true"]
    built = categories([{"id": f"C{i:02d}", "maintenance": m} for i, m in enumerate(raw)])
    got = [
        r["maintenance_required"] for r in sorted(run(built.table), key=lambda r: r["category_id"])
    ]
    assert got == [True] * 3 + [False] * 3 + [None] * 5


def test_category_columns_are_taken_trimmed(run) -> None:
    built = categories([{"id": " AC_BR ", "cat": "Accessories ", "subcat": "\tBike Racks"}])
    [row] = run(built.table)
    assert (row["category_id"], row["category"], row["subcategory"]) == (
        "AC_BR",
        "Accessories",
        "Bike Racks",
    )


def test_later_category_batch_wins(run) -> None:
    built = categories(
        [
            {"id": "AC_BR", "cat": "New", "maintenance": "No", "_batch_id": 2},
            {"id": "AC_BR", "cat": "Old", "maintenance": "Yes", "_batch_id": 1},
        ]
    )
    assert [(r["category"], r["maintenance_required"]) for r in run(built.table)] == [
        ("New", False)
    ]


def test_category_rule_counts(counts) -> None:
    built = categories(
        [
            {"id": "A", "cat": "Bikes", "subcat": "Road", "maintenance": "Yes", "_batch_id": 1},
            {"id": "A", "cat": "Bikes", "subcat": "Road", "maintenance": "No", "_batch_id": 2},
            {"id": "B", "cat": "Bikes ", "subcat": "Road", "maintenance": "maybe"},
            {"id": "", "cat": "Bikes", "subcat": "Road", "maintenance": "Yes"},
        ]
    )
    expected = {
        "dropped_blank_id": 1,
        "dropped_superseded": 1,
        "text_trimmed_or_nulled": 1,
        "maintenance_nulled": 1,
    }
    assert subset(counts(built), expected) == expected
