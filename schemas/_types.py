"""Column types, value sets and row predicates shared by the contracts of every layer."""

from __future__ import annotations

import datetime
from typing import Annotated

import ibis.expr.datatypes as dt
import ibis.expr.types as ir
from pandera.backends.ibis.register import register_ibis_backends

from medallion.sources import BY_BRONZE_NAME

# Pandera copies a builtin check's dispatcher into a schema when it builds one: the Ibis
# implementations (Field(ge=...), isin, ...) must be registered before any contract is built,
# or its checks cannot be applied to an Ibis table (KeyError: IbisData).
register_ibis_backends()

Money = Annotated[dt.Decimal, 18, 2, True]
# Ingestion writes Arrow timestamp("us", tz="UTC"): DuckDB stores TIMESTAMP WITH TIME ZONE.
UtcTimestamp = Annotated[dt.Timestamp, "UTC", 6, True]

UNKNOWN_TEXT = "n/a"
UNKNOWN_KEY = -1
GENDERS = ["Male", "Female", UNKNOWN_TEXT]
MARITAL_STATUSES = ["Single", "Married", UNKNOWN_TEXT]
PRODUCT_LINES = ["Mountain", "Road", "Other Sales", "Touring", UNKNOWN_TEXT]
MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Earlier birth dates are data-entry errors rather than customers (a warning, not a rule).
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)

# Trimming removes spaces, tabs, CR and LF (SPEC 6); blank text is null in silver.
_UNTRIMMED = r"^[ \t\r\n]|[ \t\r\n]$"


def source_file_of(bronze_table: str) -> str:
    """The pattern every ``_source_file`` of a bronze table matches: its landing folder."""
    return "^" + BY_BRONZE_NAME[bronze_table].folder + "/."


def is_trimmed(value: ir.StringValue) -> ir.BooleanValue:
    """Not blank, and no whitespace at either end."""
    return (value != "") & ~value.re_search(_UNTRIMMED)


def is_surrogate_key(value: ir.IntegerValue) -> ir.BooleanValue:
    """Members are numbered 1, 2, ...; -1 is the unknown member (SPEC 3)."""
    return (value == UNKNOWN_KEY) | (value >= 1)
