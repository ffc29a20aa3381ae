"""Hypothesis strategies for dirty CRM text (dates, integers, money, codes) and bronze rows."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal

from hypothesis import strategies as st

# --- text dirt -------------------------------------------------------------------------------

#: What SPEC 6 trims: spaces, tabs, CR and LF.
WHITESPACE = " \t\r\n"
padding = st.text(alphabet=WHITESPACE, max_size=3)


def padded(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``inner`` with random spaces, tabs, CR and LF around it."""
    return st.tuples(padding, inner, padding).map("".join)


def random_case(text: str) -> st.SearchStrategy[str]:
    """``text`` with each letter independently upper- or lower-cased."""
    return st.lists(st.booleans(), min_size=len(text), max_size=len(text)).map(
        lambda flips: "".join(
            c.upper() if f else c.lower() for c, f in zip(text, flips, strict=True)
        )
    )


def codes(values: Sequence[str]) -> st.SearchStrategy[str]:
    """One of ``values`` as a source would write it: any case, padded."""
    return padded(st.sampled_from(values).flatmap(random_case))


blanks = st.one_of(st.none(), padding)

# --- dates -----------------------------------------------------------------------------------

DATE_STYLES = ("{y:04d}-{m:02d}-{d:02d}", "{y:04d}{m:02d}{d:02d}", "{y:04d}/{m:02d}/{d:02d}")
any_day = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))


def write_date(day: dt.date, style: str) -> str:
    return style.format(y=day.year, m=day.month, d=day.day)


@st.composite
def valid_date_texts(draw: st.DrawFn) -> tuple[dt.date, str]:
    """A real day and its text in one of the accepted shapes (padded)."""
    day = draw(any_day)
    return day, draw(padded(st.just(write_date(day, draw(st.sampled_from(DATE_STYLES))))))


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@st.composite
def impossible_calendar_dates(draw: st.DrawFn) -> str:
    """Accepted shapes spelling a day that does not exist (month 13, April 31, Feb 29...)."""
    year = draw(st.integers(1, 9999))
    kind = draw(st.sampled_from(["month", "day", "february", "zero_day"]))
    if kind == "month":
        month, day = draw(st.sampled_from([0, *range(13, 100)])), draw(st.integers(1, 28))
    elif kind == "day":
        month = draw(st.integers(1, 12))
        day = draw(st.integers(31 if month in (4, 6, 9, 11) else 32, 99))
    elif kind == "february":
        year = draw(st.integers(1, 9998).map(lambda y: y + 1 if _is_leap(y) else y))
        month, day = 2, draw(st.integers(29, 31))
    else:
        month, day = draw(st.integers(1, 12)), 0
    style = draw(st.sampled_from(DATE_STYLES))
    return style.format(y=year, m=month, d=day)


@st.composite
def misshapen_dates(draw: st.DrawFn) -> str:
    """Real days written in a shape that is not accepted (unpadded, other separators...)."""
    # Month and day below 10, so that the unpadded spellings differ from the padded ones.
    y, m, d = draw(st.integers(1, 9999)), draw(st.integers(1, 9)), draw(st.integers(1, 9))
    return draw(
        st.sampled_from(
            [
                f"{y:04d}-{m}-{d}",
                f"{y:04d}/{m}/{d}",
                f"{y:04d}{m}{d}",
                f"{y:04d}.{m:02d}.{d:02d}",
                f"{y:04d}-{m:02d}/{d:02d}",
                f"{d:02d}/{m:02d}/{y:04d}",
                f"{y:04d}-{m:02d}-{d:02d}T00:00:00",
                f"{y:04d}-{m:02d}-{d:02d} 00:00",
                f"{y:04d}{m:02d}{d:02d}0",
            ]
        )
    )


invalid_date_texts = st.one_of(
    st.sampled_from(["0", "00000000", "0000-00-00", "-1", "N/A", "today"]),
    padding,
    impossible_calendar_dates(),
    misshapen_dates(),
)

#: Any dirty value of a date column: accepted, impossible, misshapen, blank or null.
date_texts = st.one_of(
    valid_date_texts().map(lambda pair: pair[1]), invalid_date_texts, blanks, st.text(max_size=12)
)

# --- integers --------------------------------------------------------------------------------

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)


@st.composite
def integer_texts(draw: st.DrawFn, values: st.SearchStrategy[int] = INT64) -> tuple[int, str]:
    """An integer and a plain-digit spelling of it: optional sign, padded."""
    value = draw(values)
    sign = "-" if value < 0 else draw(st.sampled_from(["", "", "+"]))
    return value, draw(padded(st.just(f"{sign}{abs(value)}")))


invalid_integer_texts = st.one_of(
    st.sampled_from(
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
            "99999999999999999999",
        ]
    ),
    st.builds(
        lambda sign, units, cents: f"{sign}{units}.{cents:02d}",
        st.sampled_from(["", "-", "+"]),
        st.integers(0, 10**9),
        st.integers(1, 99),
    ),
    padded(st.from_regex(r"[0-9]{1,4}[a-zA-Z.,][0-9]{0,4}", fullmatch=True)),
)

# --- money -----------------------------------------------------------------------------------


def write_cents(cents: int, *, always_decimals: bool = False) -> str:
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    if rest == 0 and not always_decimals:
        return f"{sign}{units}"
    return f"{sign}{units}.{rest:02d}"


@st.composite
def money_texts(draw: st.DrawFn, cents: st.SearchStrategy[int]) -> tuple[Decimal, str]:
    """An amount (from integer cents) and its text, padded: 12, 12.5 or 12.50."""
    value = draw(cents)
    text = write_cents(value, always_decimals=draw(st.booleans()))
    if text.endswith("0") and "." in text and draw(st.booleans()):
        text = text[:-1]  # 12.50 -> 12.5
    return Decimal(value).scaleb(-2), draw(padded(st.just(text)))


invalid_money_texts = st.sampled_from(["abc", "12,50", "N/A", "$5", "1.2.3", "--5", "five"])

# --- reference readings of the SPEC rules, for expected values -------------------------------

_SPEC_INTEGER = re.compile(r"[+-]?[0-9]+")
_SPEC_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_SPEC_DATE = re.compile(
    r"([0-9]{4})(?:-([0-9]{2})-([0-9]{2})|/([0-9]{2})/([0-9]{2})|([0-9]{2})([0-9]{2}))"
)


def spec_trim(text: str | None) -> str | None:
    return None if text is None else text.strip(WHITESPACE)


def spec_int(text: str | None) -> int | None:
    """SPEC 6: a plain digit string with an optional sign, as an int64; anything else None."""
    text = spec_trim(text)
    if text is None or not _SPEC_INTEGER.fullmatch(text):
        return None
    value = int(text)
    return value if -(2**63) <= value < 2**63 else None


def spec_money(text: str | None) -> Decimal | None:
    text = spec_trim(text)
    if text is None or not _SPEC_NUMBER.fullmatch(text):
        return None
    return Decimal(text)


def spec_date(text: str | None) -> dt.date | None:
    """SPEC 2: YYYY-MM-DD, YYYYMMDD or YYYY/MM/DD, zero-padded, a real day; else None."""
    text = spec_trim(text)
    match = None if text is None else _SPEC_DATE.fullmatch(text)
    if match is None:
        return None
    year, *parts = match.groups()
    month, day = [p for p in parts if p is not None]
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


# --- bronze rows -----------------------------------------------------------------------------


@st.composite
def delivery(draw: st.DrawFn, table: str) -> dict[str, object]:
    """Where a row came from: a batch and a file of that batch (rows are numbered on build)."""
    batch = draw(st.integers(1, 3))
    part = draw(st.sampled_from(["a", "b", "B", "a10", "a9"]))
    return {"_batch_id": batch, "_source_file": f"{table}/data/{batch}-{part}.csv"}


customer_ids = st.one_of(
    integer_texts(st.integers(1, 6)).map(lambda pair: pair[1]),  # few ids: many duplicates
    invalid_integer_texts,
    blanks,
)


@st.composite
def cust_info_rows(draw: st.DrawFn) -> dict[str, object]:
    """A dirty crm_cust_info row: duplicate, blank or invalid ids, padded codes, any dates."""
    return {
        "cst_id": draw(customer_ids),
        "cst_key": draw(st.one_of(blanks, padded(st.from_regex(r"AW[0-9]{8}", fullmatch=True)))),
        "cst_firstname": draw(st.one_of(blanks, padded(st.text(max_size=8)))),
        "cst_lastname": draw(st.one_of(blanks, padded(st.text(max_size=8)))),
        "cst_marital_status": draw(st.one_of(blanks, codes(["S", "M", "X", "Single"]))),
        "cst_gndr": draw(st.one_of(blanks, codes(["F", "M", "U", "Female"]))),
        "cst_create_date": draw(date_texts),
        **draw(delivery("crm/cust_info")),
    }


#: Amounts small enough that quantity x price stays far inside DECIMAL(18,2).
small_cents = st.integers(min_value=-(10**8), max_value=10**8)
small_quantities = st.integers(min_value=-5, max_value=10_000)

money_columns = st.one_of(
    money_texts(small_cents).map(lambda pair: pair[1]),
    money_texts(st.integers(0, 10**6)).map(lambda pair: pair[1]),
    st.sampled_from(["0", "0.00", " -0 "]),
    invalid_money_texts,
    blanks,
)


@st.composite
def sales_details_rows(draw: st.DrawFn) -> dict[str, object]:
    """A dirty crm_sales_details row: any quantity, sales and price, dates in any shape."""
    return {
        "sls_ord_num": draw(padded(st.sampled_from(["SO1", "SO2", "SO3"]))),
        "sls_prd_key": draw(padded(st.sampled_from(["BK-R93R-62", "HL-U509"]))),
        "sls_cust_id": draw(customer_ids),
        "sls_order_dt": draw(date_texts),
        "sls_ship_dt": draw(date_texts),
        "sls_due_dt": draw(date_texts),
        "sls_sales": draw(money_columns),
        "sls_quantity": draw(
            st.one_of(
                integer_texts(small_quantities).map(lambda p: p[1]), invalid_integer_texts, blanks
            )
        ),
        "sls_price": draw(money_columns),
        **draw(delivery("crm/sales_details")),
    }
