"""Property tests of the cleaning rules and the customer and sales models on dirty input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from hypothesis import example, given, settings
from hypothesis import strategies as st

from medallion import rules
from medallion.models.silver.crm_customers import crm_customers
from medallion.models.silver.crm_sales import crm_sales
from tests import strategies as dirty
from tests.bronze import bronze_table

# Each example is a batch of up to 50 values evaluated in one query: DuckDB round trips, not
# Python, are what costs time here.
batch = {"min_size": 1, "max_size": 50}
# A model property builds and runs a whole silver model per example (about 0.15 s), and each
# example is already up to 30 dirty rows: half the profile's examples keep the file fast.
model_examples = settings(max_examples=max(10, settings().max_examples // 2))


def column(values: Sequence[Any], dtype: pa.DataType) -> ir.Table:
    return ibis.memtable(pa.table({"v": pa.array(values, dtype)}))


def evaluated(duck: ibis.BaseBackend, table: ir.Table, expr: ir.Value) -> list[Any]:
    """``expr`` over ``table``, in the table's row order (through Arrow, not pandas)."""
    ordered = table.mutate(_i=ibis.row_number()).select("_i", _out=expr).order_by("_i")
    return duck.to_pyarrow(ordered).column("_out").to_pylist()


def rows_of(duck: ibis.BaseBackend, table: ir.Table) -> list[dict[str, Any]]:
    return duck.to_pyarrow(table).to_pylist()


# --- text and codes --------------------------------------------------------------------------


@given(st.lists(st.one_of(st.none(), dirty.padded(st.text(max_size=6))), **batch))
def test_clean_text_is_python_strip_of_spaces_tabs_cr_lf_with_blank_as_null(
    duck, texts: list[str | None]
) -> None:
    t = column(texts, pa.string())
    expected = [None if s is None else (s.strip(dirty.WHITESPACE) or None) for s in texts]
    assert evaluated(duck, t, rules.clean_text(t.v)) == expected


@given(st.lists(dirty.codes(["S", "M", "X", "SM"]), **batch))
def test_codes_map_whatever_their_case_and_padding(duck, codes: list[str]) -> None:
    t = column(codes, pa.string())
    labels = {"S": "Single", "M": "Married"}
    expected = [labels.get(c.strip(dirty.WHITESPACE).upper(), "n/a") for c in codes]
    assert evaluated(duck, t, rules.map_code(t.v, labels)) == expected


# --- dates -----------------------------------------------------------------------------------


@given(st.lists(st.one_of(dirty.date_texts, st.text()), **batch))
def test_parse_date_never_raises_and_returns_a_date_or_null(duck, texts: list[str | None]) -> None:
    t = column(texts, pa.string())
    parsed = evaluated(duck, t, rules.parse_date(t.v))
    assert all(p is None or type(p) is dt.date for p in parsed)
    assert parsed == [dirty.spec_date(s) for s in texts]


@given(st.lists(dirty.valid_date_texts(), **batch))
def test_parse_date_reads_every_accepted_shape_as_exactly_that_day(
    duck, pairs: list[tuple[dt.date, str]]
) -> None:
    t = column([text for _, text in pairs], pa.string())
    assert evaluated(duck, t, rules.parse_date(t.v)) == [day for day, _ in pairs]


@given(st.lists(dirty.invalid_date_texts, **batch))
def test_parse_date_nulls_impossible_and_misshapen_dates(duck, texts: list[str]) -> None:
    t = column(texts, pa.string())
    assert evaluated(duck, t, rules.parse_date(t.v)) == [None] * len(texts)


@given(st.lists(st.one_of(dirty.any_day.map(lambda d: int(d.strftime("%Y%m%d"))), dirty.INT64),
                **batch))  # fmt: skip
def test_parse_date_reads_yyyymmdd_integers(duck, numbers: list[int]) -> None:
    t = column(numbers, pa.int64())
    assert evaluated(duck, t, rules.parse_date(t.v)) == [dirty.spec_date(str(n)) for n in numbers]


# --- integers and money ----------------------------------------------------------------------


@given(st.lists(dirty.integer_texts(), **batch))
@example([(2**63 - 1, "9223372036854775807"), (-(2**63), "-9223372036854775808")])
def test_parse_int_round_trips_any_int64_written_with_sign_and_padding(
    duck, pairs: list[tuple[int, str]]
) -> None:
    t = column([text for _, text in pairs], pa.string())
    assert evaluated(duck, t, rules.parse_int(t.v)) == [value for value, _ in pairs]


@given(st.lists(st.one_of(dirty.invalid_integer_texts, dirty.blanks), **batch))
def test_parse_int_nulls_everything_but_plain_digit_strings(duck, texts: list[str | None]) -> None:
    t = column(texts, pa.string())
    assert evaluated(duck, t, rules.parse_int(t.v)) == [None] * len(texts)


def half_away_from_zero(cents: int, count: int) -> Decimal | None:
    """amount / count to cents, rounding the magnitude half up (Python's Decimal)."""
    if count == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 60
        magnitude = (Decimal(abs(cents)) / 100 / abs(count)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    return magnitude if (cents < 0) == (count < 0) else -magnitude


@given(
    st.lists(
        st.tuples(
            # Any amount parse_money accepts: up to 13 integer digits (under 10**15 cents).
            st.one_of(
                st.integers(min_value=-(10**6), max_value=10**6),
                st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1),
            ),
            st.one_of(st.integers(-10, 10), st.integers(-(10**6), 10**6)),
        ),
        **batch,
    )
)
@example([(1005, 2), (-1005, 2), (1005, -2), (1, 2), (-1, 2), (5, 0)])
@example([(10**15 - 1, 1), (10**15 - 1, 3), (-(10**15) + 1, 7)])  # the largest amounts
def test_divide_money_rounds_like_decimal_half_away_from_zero(
    duck, pairs: list[tuple[int, int]]
) -> None:
    t = ibis.memtable(
        pa.table(
            {
                "amount": pa.array([Decimal(c).scaleb(-2) for c, _ in pairs], pa.decimal128(18, 2)),
                "count": pa.array([n for _, n in pairs], pa.int64()),
            }
        )
    )
    got = evaluated(duck, t, rules.divide_money(t.amount, t["count"]))
    assert got == [half_away_from_zero(c, n) for c, n in pairs]


MONEY_CENTS = 10**18 - 1  # the largest MONEY (decimal(18, 2)) in cents


@given(
    st.lists(
        st.one_of(
            st.integers(min_value=-(10**6), max_value=10**6),
            # Around the switch from the double path to the decimal one (money of 10**13).
            st.integers(min_value=10**15 - 10**4, max_value=10**15 + 10**4),
            st.integers(min_value=-MONEY_CENTS, max_value=MONEY_CENTS),
        ),
        **batch,
    )
)
@example([10**15 - 1, 10**15, -(10**15), 2**50 + 1, 2**53 + 1, MONEY_CENTS, -MONEY_CENTS])
def test_money_goes_to_cents_and_back_exactly_over_its_whole_range(duck, cents: list[int]) -> None:
    t = ibis.memtable(
        pa.table(
            {
                "money": pa.array([Decimal(c).scaleb(-2) for c in cents], pa.decimal128(18, 2)),
                "cents": pa.array(cents, pa.int64()),
            }
        )
    )
    assert evaluated(duck, t, rules.to_cents(t.money)) == cents
    assert evaluated(duck, t, rules.from_cents(t.cents)) == [Decimal(c).scaleb(-2) for c in cents]


@given(st.lists(st.integers(min_value=MONEY_CENTS + 1, max_value=2**63 - 1), **batch))
def test_cents_beyond_money_are_null(duck, cents: list[int]) -> None:
    t = ibis.memtable(pa.table({"cents": pa.array(cents + [-c for c in cents], pa.int64())}))
    assert evaluated(duck, t, rules.from_cents(t.cents)) == [None] * (2 * len(cents))


@given(st.lists(st.one_of(st.none(), st.dates()), **batch))
def test_key_date_reads_back_the_date_of_every_date_key(duck, dates: list[dt.date | None]) -> None:
    t = column(dates, pa.date32())
    assert evaluated(duck, t, rules.key_date(rules.date_key(t.v))) == dates


# --- deduplication ---------------------------------------------------------------------------


@given(
    st.lists(
        st.tuples(
            st.sampled_from([None, "a", "b"]),  # two key columns, nulls grouped together
            st.sampled_from([None, 1, 2]),
            st.integers(0, 2),  # a preference
            st.integers(1, 3),  # batch
            st.sampled_from(["f1", "f2"]),  # file
        ),
        **batch,
    )
)
def test_latest_per_key_from_stored_rows_picks_what_the_window_picks(
    duck, rows: list[tuple[str | None, int | None, int, int, str]]
) -> None:
    fields = ("k1", "k2", "preference", "_batch_id", "_source_file")
    records = [dict(zip(fields, r, strict=True), _source_row=i) for i, r in enumerate(rows)]
    t = ibis.memtable(pa.Table.from_pylist(records))

    def kept(stored: bool) -> set[int]:
        latest = rules.latest_per_key(t, ["k1", "k2"], [ibis.desc(t.preference)], stored=stored)
        return {r["_source_row"] for r in rows_of(duck, latest)}

    best: dict[tuple[str | None, int | None], dict[str, Any]] = {}
    for r in records:
        key, rank = (r["k1"], r["k2"]), (r["preference"], *delivery_rank(r))
        if key not in best or rank > (best[key]["preference"], *delivery_rank(best[key])):
            best[key] = r
    assert kept(stored=True) == kept(stored=False) == {r["_source_row"] for r in best.values()}


# --- models ----------------------------------------------------------------------------------


def delivery_rank(row: dict[str, Any]) -> tuple[int, str, int]:
    return row["_batch_id"], row["_source_file"], row["_source_row"]


@model_examples
@given(st.lists(dirty.cust_info_rows(), max_size=30))
def test_crm_customers_has_one_row_per_valid_id_keeping_the_preferred_version(
    duck, rows: list[dict[str, Any]]
) -> None:
    numbered = [{**r, "_source_row": i} for i, r in enumerate(rows, start=1)]
    out = rows_of(duck, crm_customers(bronze_table("crm_cust_info", numbered)).table)
    ids = [r["customer_id"] for r in out]
    valid_rows = [r for r in numbered if dirty.spec_int(r["cst_id"]) is not None]
    assert len(ids) == len(set(ids))
    assert set(ids) == {dirty.spec_int(r["cst_id"]) for r in valid_rows}
    assert len(out) <= len(valid_rows)

    def preference(r: dict[str, Any]) -> tuple[bool, dt.date, tuple[int, str, int]]:
        created = dirty.spec_date(r["cst_create_date"])
        return created is not None, created or dt.date.min, delivery_rank(r)

    # The latest create date (a null one ranks lowest), then the latest delivered.
    for survivor in out:
        versions = [r for r in valid_rows if dirty.spec_int(r["cst_id"]) == survivor["customer_id"]]
        best = max(versions, key=preference)
        assert delivery_rank(survivor) == delivery_rank(best)
        assert survivor["create_date"] == dirty.spec_date(best["cst_create_date"])


@model_examples
@given(st.lists(dirty.sales_details_rows(), min_size=1, max_size=30))
def test_sales_amount_is_quantity_times_price_whenever_both_are_present(
    duck, rows: list[dict[str, Any]]
) -> None:
    numbered = [{**r, "_source_row": i} for i, r in enumerate(rows, start=1)]
    out = rows_of(duck, crm_sales(bronze_table("crm_sales_details", numbered)).table)
    assert out, "every generated line has an order number and a product number"
    for line in out:
        source = numbered[line["_source_row"] - 1]
        quantity = dirty.spec_int(source["sls_quantity"])
        price = dirty.spec_money(source["sls_price"])
        recorded = dirty.spec_money(source["sls_sales"])
        assert line["quantity"] == quantity
        # sales: quantity x |price| whenever both are known (a zero or negative price too);
        # without a price the recorded sales stands, whatever it is.
        if price is None:
            assert line["sales_amount"] == recorded
        elif quantity is not None:
            assert line["sales_amount"] == quantity * abs(price)
        # price: as recorded when positive, else recorded sales / quantity, half away from 0.
        if price is not None and price > 0:
            assert line["price"] == price
        elif recorded is not None and quantity:
            assert line["price"] == half_away_from_zero(int(recorded * 100), quantity)
        else:
            assert line["price"] is None
