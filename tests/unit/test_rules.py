"""The shared cleaning rules of medallion.rules (SPEC 2 and 6), on small literal inputs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from medallion import rules

# Executing to pandas (the conftest `evaluate` fixture) raises pandas' Pandas4Warning under
# `filterwarnings = error` with pandas 3.1 + ibis 12, so these tests read results through Arrow,
# which also keeps decimals exact and dates as datetime.date.
Run = Callable[[ir.Expr], list[Any]]

MONEY_TYPE = pa.decimal128(18, 2)


@pytest.fixture(scope="module")
def values(duck: ibis.BaseBackend) -> Callable[[ir.Table, ir.Value], list[Any]]:
    """The values of one expression over ``table``, in the table's row order."""

    def run(table: ir.Table, expr: ir.Value) -> list[Any]:
        ordered = table.mutate(_i=ibis.row_number()).select("_i", _out=expr).order_by("_i")
        return duck.to_pyarrow(ordered).column("_out").to_pylist()

    return run


def texts(items: Sequence[str | None]) -> ir.Table:
    return ibis.memtable(pa.table({"s": pa.array(items, pa.string())}))


def money(items: Sequence[str | None]) -> list[Decimal | None]:
    return [None if m is None else Decimal(m) for m in items]


# --- trimming and blanks -------------------------------------------------------------------


def test_trim_removes_spaces_tabs_cr_and_lf_at_both_ends(values) -> None:
    t = texts([" a", "a ", "\ta\t", "\r\na\r\n", " \t\r\n a \n\r\t ", "a"])
    assert values(t, rules.trim(t.s)) == ["a"] * 6


def test_trim_judges_the_ends_by_code_point_and_removes_only_the_four(values) -> None:
    # U+0600 and a space form one grapheme cluster; vertical tab and form feed are below a
    # space but not whitespace by SPEC 6.
    t = texts(["\u0600 ", " \u0600", "e\u0301 ", " \u0301", "\x0ba\x0c", "\x0b a \x0c", ""])
    expected = ["\u0600", "\u0600", "e\u0301", "\u0301", "\x0ba\x0c", "\x0b a \x0c", ""]
    assert values(t, rules.trim(t.s)) == expected


def test_trim_keeps_inner_whitespace(values) -> None:
    t = texts(["a b", " a \t b ", "a\r\nb"])
    assert values(t, rules.trim(t.s)) == ["a b", "a \t b", "a\r\nb"]


def test_trim_keeps_null_as_null(values) -> None:
    t = texts([None])
    assert values(t, rules.trim(t.s)) == [None]


def test_blank_text_becomes_null(values) -> None:
    t = texts([None, "", " ", "\t", "\r\n", " \t\r\n "])
    assert values(t, rules.clean_text(t.s)) == [None] * 6
    assert values(t, rules.is_blank(t.s)) == [True] * 6


def test_non_blank_text_is_trimmed_not_nulled(values) -> None:
    t = texts([" x ", "\tJohn Smith\r\n", "0"])
    assert values(t, rules.clean_text(t.s)) == ["x", "John Smith", "0"]
    assert values(t, rules.is_blank(t.s)) == [False] * 3


def test_changed_is_null_safe(values) -> None:
    t = ibis.memtable(
        pa.table(
            {
                "a": pa.array(["x", None, "x", None], pa.string()),
                "b": pa.array(["x", None, None, "x"], pa.string()),
            }
        )
    )
    assert values(t, rules.changed(t.a, t.b)) == [False, False, True, True]


# --- codes ---------------------------------------------------------------------------------


def test_codes_are_compared_trimmed_and_case_insensitively(values) -> None:
    t = texts(["S", "s", " S ", "\ts\r\n", "M", "m ", "X", "SS", "Single"])
    mapped = rules.map_code(t.s, {"S": "Single", "M": "Married"})
    assert values(t, mapped) == [
        "Single",
        "Single",
        "Single",
        "Single",
        "Married",
        "Married",
        "n/a",
        "n/a",
        "n/a",
    ]


def test_blank_code_maps_to_the_default(values) -> None:
    t = texts([None, "", "  "])
    assert values(t, rules.map_code(t.s, {"S": "Single"})) == ["n/a"] * 3
    assert values(t, rules.map_code(t.s, {"S": "Single"}, default="?")) == ["?"] * 3


def test_lower_case_mapping_keys_match_too(values) -> None:
    t = texts(["yes", "YES", " Yes "])
    assert values(t, rules.map_code(t.s, {"yes": "y"})) == ["y"] * 3


def test_code_is_trimmed_and_upper_cased(values) -> None:
    t = texts([" us\t", "Usa", None])
    assert values(t, rules.code(t.s)) == ["US", "USA", None]


# --- integers ------------------------------------------------------------------------------


def test_plain_digit_strings_are_integers(values) -> None:
    t = texts(["0", "42", "007", "123456789012"])
    assert values(t, rules.parse_int(t.s)) == [0, 42, 7, 123456789012]


def test_integer_sign_is_allowed(values) -> None:
    t = texts(["+42", "-42", "-0", "+0"])
    assert values(t, rules.parse_int(t.s)) == [42, -42, 0, 0]


def test_integer_text_is_trimmed_first(values) -> None:
    t = texts([" 7", "7 ", "\t-7\r\n"])
    assert values(t, rules.parse_int(t.s)) == [7, 7, -7]


def test_decimals_exponents_and_text_are_not_integers(values) -> None:
    t = texts(
        [
            "1.5",
            "1.0",
            "1e3",
            "1E3",
            "abc",
            "12a",
            "0x1A",
            "1 000",
            "1,000",
            "--1",
            "+-1",
            "+",
            "-",
            "١٢",
        ]
    )
    assert values(t, rules.parse_int(t.s)) == [None] * 14


def test_blank_integer_is_null(values) -> None:
    t = texts([None, "", "   "])
    assert values(t, rules.parse_int(t.s)) == [None] * 3


def test_integer_beyond_int64_is_null_rather_than_an_error(values) -> None:
    t = texts(["99999999999999999999", "-99999999999999999999"])
    assert values(t, rules.parse_int(t.s)) == [None, None]


# --- money ---------------------------------------------------------------------------------


def test_money_is_an_exact_two_place_decimal(values) -> None:
    t = texts(["12.34", " -5 ", "0", ".5", "1234567.8"])
    assert values(t, rules.parse_money(t.s)) == money(
        ["12.34", "-5.00", "0.00", "0.50", "1234567.80"]
    )


def test_blank_or_non_numeric_money_is_null(values) -> None:
    t = texts([None, "", " ", "abc", "12,50", "N/A", "$5"])
    assert values(t, rules.parse_money(t.s)) == [None] * 7


def test_cents_round_trip_exactly(values) -> None:
    t = texts(["0.01", "-0.01", "1234567890123.45", "0.10"])
    parsed = rules.parse_money(t.s)
    assert values(t, rules.to_cents(parsed)) == [1, -1, 123456789012345, 10]
    assert values(t, rules.from_cents(rules.to_cents(parsed))) == money(
        ["0.01", "-0.01", "1234567890123.45", "0.10"]
    )


# --- division ------------------------------------------------------------------------------


def divide(values, amounts: Sequence[str | None], counts: Sequence[int | None]) -> list[Any]:
    t = ibis.memtable(
        pa.table(
            {
                "amount": pa.array(money(amounts), MONEY_TYPE),
                "count": pa.array(counts, pa.int64()),
            }
        )
    )
    return values(t, rules.divide_money(t.amount, t["count"]))


def test_division_rounds_half_away_from_zero(values) -> None:
    got = divide(values, ["10.05", "-10.05", "10.05", "-10.05"], [2, 2, -2, -2])
    assert got == money(["5.03", "-5.03", "-5.03", "5.03"])


def test_division_rounds_half_cent_away_from_zero(values) -> None:
    got = divide(values, ["0.01", "-0.01", "0.05", "0.15", "2.25"], [2, 2, 2, 2, 2])
    assert got == money(["0.01", "-0.01", "0.03", "0.08", "1.13"])


def test_division_rounds_to_nearest_cent(values) -> None:
    got = divide(values, ["10", "20", "-20", "0.01", "100", "7.77"], [3, 3, 3, 3, 7, 1])
    assert got == money(["3.33", "6.67", "-6.67", "0.00", "14.29", "7.77"])


def test_division_by_zero_is_null(values) -> None:
    assert divide(values, ["10.00", "0", "-3.50"], [0, 0, 0]) == [None, None, None]


def test_division_with_a_null_operand_is_null(values) -> None:
    assert divide(values, [None, "10.00"], [2, None]) == [None, None]


def test_division_is_exact_up_to_ten_trillion(values) -> None:
    # The largest amount parse_money accepts, by odd counts that round half away from zero
    # (SPEC 3: money is exact decimal, never binary floating point).
    got = divide(values, ["9999999999999.99", "-9999999999999.99", "0.05", "0.15"], [1, 3, 2, 2])
    assert got == money(["9999999999999.99", "-3333333333333.33", "0.03", "0.08"])


def test_division_beyond_its_exact_range_is_null_not_wrong(values) -> None:
    # Above 2**52 cents a double would lose the last cent; medallion says "unknown" instead.
    got = divide(values, ["45035996273704.97", "9999999999999999.99", "10000000000000"], [1, 3, 2])
    assert got == [None, None, None]


def test_amounts_of_ten_trillion_or_more_are_not_money(values) -> None:
    t = texts(["9999999999999.99", "10000000000000", "-10000000000000.00"])
    assert values(t, rules.parse_money(t.s)) == money(["9999999999999.99", None, None])


def test_multiplication_is_exact_and_null_when_it_would_not_fit(values) -> None:
    t = ibis.memtable(
        pa.table(
            {
                "amount": pa.array(money(["9999999999999.99", "0.01", "2.50"]), MONEY_TYPE),
                "count": pa.array([3, 999999999999999999, -4], pa.int64()),
            }
        )
    )
    assert values(t, rules.multiply_money(t.amount, t["count"])) == money(
        ["29999999999999.97", None, "-10.00"]
    )


# --- dates ---------------------------------------------------------------------------------


JAN_5 = dt.date(2013, 1, 5)


def test_iso_dates_are_accepted(values) -> None:
    t = texts(["2013-01-05", "2012-02-29", "1999-12-31"])
    assert values(t, rules.parse_date(t.s)) == [JAN_5, dt.date(2012, 2, 29), dt.date(1999, 12, 31)]


def test_yyyymmdd_text_is_accepted(values) -> None:
    t = texts(["20130105", "20121231"])
    assert values(t, rules.parse_date(t.s)) == [JAN_5, dt.date(2012, 12, 31)]


def test_yyyymmdd_integer_is_accepted(values) -> None:
    numbers = pa.array([20130105, 20120229, 0, 20130230, None], pa.int64())
    t = ibis.memtable(pa.table({"n": numbers}))
    assert values(t, rules.parse_date(t.n)) == [JAN_5, dt.date(2012, 2, 29), None, None, None]


def test_slashed_dates_are_accepted(values) -> None:
    t = texts(["2013/01/05", "2012/02/29"])
    assert values(t, rules.parse_date(t.s)) == [JAN_5, dt.date(2012, 2, 29)]


def test_date_text_is_trimmed_first(values) -> None:
    t = texts([" 2013-01-05", "20130105\r\n", "\t2013/01/05 "])
    assert values(t, rules.parse_date(t.s)) == [JAN_5] * 3


def test_zero_and_blank_dates_are_null(values) -> None:
    t = texts(["0", "00000000", None, "", "  ", "\t"])
    assert values(t, rules.parse_date(t.s)) == [None] * 6


def test_unpadded_dates_are_null(values) -> None:
    t = texts(["2013-1-5", "2013-01-5", "2013-1-05", "2013/1/5", "201315", "2013015", "13-01-05"])
    assert values(t, rules.parse_date(t.s)) == [None] * 7


def test_impossible_calendar_dates_are_null(values) -> None:
    t = texts(
        [
            "20130230",
            "20130229",
            "2013-02-29",
            "2013/02/29",
            "2013-13-01",
            "2013-00-10",
            "2013-01-00",
            "2013-01-32",
            "2013-04-31",
            "19000229",
        ]
    )
    assert values(t, rules.parse_date(t.s)) == [None] * 10


def test_leap_days_of_leap_years_are_valid(values) -> None:
    t = texts(["20120229", "2000-02-29", "2016/02/29"])
    assert values(t, rules.parse_date(t.s)) == [
        dt.date(2012, 2, 29),
        dt.date(2000, 2, 29),
        dt.date(2016, 2, 29),
    ]


def test_other_date_shapes_are_null(values) -> None:
    t = texts(
        [
            "05/01/2013",
            "2013.01.05",
            "2013-01/05",
            "2013/01-05",
            "2013-01-05T00:00:00",
            "2013-01-05 00:00",
            "201301051",
            "Jan 5 2013",
            "abc",
            "2013-01-05x",
        ]
    )
    assert values(t, rules.parse_date(t.s)) == [None] * 10


def test_parse_dates_gives_each_row_its_own_raw_values_date(duck: ibis.BaseBackend) -> None:
    # Parsed once per distinct raw value and joined back: every row keeps its own date,
    # repeated and missing values included, and no row is lost or doubled.
    order = ["2013-01-05", None, "20130105", "2013-01-05", "bad", " 2012/02/29 ", None, ""]
    ship = ["2013-01-06", "2013-01-06", None, "20130230", "2013-01-06", "x", "2013-01-07", None]
    rows = pa.table({"i": list(range(len(order))), "o": order, "s": ship})
    t = rules.parse_dates(ibis.memtable(rows), order_date="o", ship_date="s")
    got = sorted(duck.to_pyarrow(t).to_pylist(), key=lambda r: r["i"])
    one = ibis.memtable(rows)
    expected = duck.to_pyarrow(
        one.select("i", order_date=rules.parse_date(one.o), ship_date=rules.parse_date(one.s))
    ).to_pylist()
    assert [r["i"] for r in got] == list(range(len(order)))
    assert [{k: r[k] for k in ("i", "order_date", "ship_date")} for r in got] == sorted(
        expected, key=lambda r: r["i"]
    )
    assert [r["order_date"] for r in got] == [
        JAN_5,
        None,
        JAN_5,
        JAN_5,
        None,
        dt.date(2012, 2, 29),
        None,
        None,
    ]
    assert list(t.columns) == ["i", "o", "s", "order_date", "ship_date"]
    with pytest.raises(ValueError, match=r"\['o'\] already in the table"):
        rules.parse_dates(ibis.memtable(rows), o="s")


def test_date_key_is_yyyymmdd(values) -> None:
    t = ibis.memtable(
        pa.table(
            {"d": pa.array([JAN_5, dt.date(2013, 12, 31), dt.date(2000, 2, 29), None], pa.date32())}
        )
    )
    assert values(t, rules.date_key(t.d)) == [20130105, 20131231, 20000229, None]


# --- latest version per key ----------------------------------------------------------------


def delivered(rows: Sequence[tuple[str, int, str, int, str]]) -> ir.Table:
    """Rows of (key, _batch_id, _source_file, _source_row, value)."""
    key, batch, file, row, value = zip(*rows, strict=True)
    return ibis.memtable(
        pa.table(
            {
                "key": pa.array(key, pa.string()),
                "_batch_id": pa.array(batch, pa.int64()),
                "_source_file": pa.array(file, pa.string()),
                "_source_row": pa.array(row, pa.int64()),
                "value": pa.array(value, pa.string()),
            }
        )
    )


def latest_values(duck: ibis.BaseBackend, table: ir.Table, order_by: Sequence[Any] = ()) -> dict:
    latest = rules.latest_per_key(table, ["key"], order_by=order_by)
    return {r["key"]: r["value"] for r in duck.to_pyarrow(latest).to_pylist()}


def test_latest_per_key_prefers_the_later_batch(duck) -> None:
    t = delivered(
        [
            ("a", 1, "z.csv", 99, "batch 1"),
            ("a", 2, "a.csv", 1, "batch 2"),
            ("b", 9, "f.csv", 1, "batch 9"),
            ("b", 10, "f.csv", 1, "batch 10"),  # batches compare as numbers
        ]
    )
    assert latest_values(duck, t) == {"a": "batch 2", "b": "batch 10"}


def test_latest_per_key_then_prefers_the_later_file_in_plain_string_order(duck) -> None:
    t = delivered(
        [
            ("a", 1, "crm/cust_info/data/b.csv", 1, "b.csv"),
            ("a", 1, "crm/cust_info/data/a.csv", 5, "a.csv"),
            ("b", 1, "data/f9.csv", 1, "f9"),
            ("b", 1, "data/f10.csv", 2, "f10"),  # "f9" > "f10" as plain strings
            ("c", 1, "data/a.csv", 1, "lower a"),
            ("c", 1, "data/B.csv", 2, "upper B"),  # "B" < "a": no case folding
        ]
    )
    assert latest_values(duck, t) == {"a": "b.csv", "b": "f9", "c": "lower a"}


def test_latest_per_key_then_prefers_the_later_row(duck) -> None:
    t = delivered(
        [
            ("a", 1, "f.csv", 10, "row 10"),
            ("a", 1, "f.csv", 9, "row 9"),  # rows compare as numbers
            ("b", 1, "f.csv", 1, "row 1"),
            ("b", 1, "f.csv", 2, "row 2"),
        ]
    )
    assert latest_values(duck, t) == {"a": "row 10", "b": "row 2"}


def test_latest_per_key_order_by_comes_before_delivery_order(duck) -> None:
    t = delivered(
        [
            ("a", 1, "f.csv", 1, "3"),
            ("a", 2, "f.csv", 1, "1"),
            ("a", 1, "f.csv", 2, "2"),
        ]
    )
    assert latest_values(duck, t, order_by=[ibis.desc(t.value)]) == {"a": "3"}


def test_latest_per_key_breaks_order_by_ties_by_delivery(duck) -> None:
    t = delivered(
        [
            ("a", 1, "f.csv", 2, "x"),
            ("a", 1, "g.csv", 1, "x"),
            ("a", 1, "f.csv", 3, "y"),
        ]
    )
    latest = rules.latest_per_key(t, ["key"], order_by=[ibis.desc(t.value == "x")])
    [row] = duck.to_pyarrow(latest).to_pylist()
    assert (row["_source_file"], row["_source_row"]) == ("g.csv", 1)


def test_latest_per_key_keeps_every_column_and_one_row_per_key(duck) -> None:
    t = delivered([("a", 1, "f.csv", 1, "x"), ("b", 1, "f.csv", 2, "y"), ("a", 1, "f.csv", 3, "z")])
    latest = rules.latest_per_key(t, ["key"])
    assert latest.columns == t.columns
    got = sorted(duck.to_pyarrow(latest).to_pylist(), key=lambda r: r["key"])
    assert [(r["key"], r["value"]) for r in got] == [("a", "z"), ("b", "y")]
