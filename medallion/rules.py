"""Cleaning rules shared by many models: trimming, codes, integers, money and dates.

Each rule is a pure function from Ibis values to Ibis values. They avoid backend quirks on
purpose (Ibis' ``strip`` leaves CR on DuckDB and Spark's ``trim`` only removes spaces; DuckDB's
``strptime`` raises on impossible dates; decimal division is a double on DuckDB), so that every
engine computes the same value to the row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir

MONEY = dt.Decimal(18, 2)
# Intermediate money arithmetic: wide enough that no product of two moneys overflows.
_WIDE = dt.Decimal(38, 2)
# Money below this converts to and from cents exactly through a double (cents under 2**50).
_EXACT_IN_DOUBLE = 10**13
# Money parsed from text has at most 13 integer digits (under ten trillion), so that
# 2 x cents + count stays below 2**53, where floor division through a double is exact.
_MAX_COUNT = 10**15
# A product of money and a count must stay inside MONEY (under 10**16, i.e. 10**18 cents);
# the guard is approximate (a double), so it keeps a margin.
_MAX_PRODUCT_CENTS = 9 * 10**17

LINEAGE = ("_batch_id", "_source_file", "_source_row")

_SPACES = (" ", "\t", "\r", "\n")  # SPEC 6's whitespace
_SPACE = ord(" ")  # ... is all at or below it
# Patterns end in \z, not $: Java's $ (Spark) also matches before a final line break or
# U+0085/U+2028/U+2029, RE2's (DuckDB) does not; \z means the end of the text in both.
_WHITESPACE = r"^[ \t\r\n]+|[ \t\r\n]+\z"
_INTEGER = r"^[+-]?[0-9]+\z"
_NUMBER = r"^[+-]?([0-9]{1,13}(\.[0-9]*)?|\.[0-9]+)\z"
_DATE = r"^[0-9]{4}(-[0-9]{2}-[0-9]{2}|/[0-9]{2}/[0-9]{2}|[0-9]{4})\z"


def trim(value: ir.StringValue) -> ir.StringValue:
    """Remove spaces, tabs, CR and LF at both ends (SPEC 6), the same on every engine.

    On a column, the regular expression runs only on values whose first code point is at most
    a space (32, which covers SPEC 6's four; an empty value counts too) or that end in one of
    the four: most values need no trimming, and testing their ends costs far less (6 million
    order numbers on DuckDB: 0.7 s -> 0.3 s; every text, number and date column is trimmed,
    in the stage and in the rule counts). The regular expression still decides what is
    removed. The test repeats its operand, which on an expression rather than a column
    multiplies the SQL Ibis compiles and the engine plans, so expressions take the regular
    expression alone.
    """
    if not isinstance(value.op(), ops.Field):
        return value.re_replace(_WHITESPACE, "")
    # The last character by four suffix tests rather than ``ascii(right(value, 1))``: DuckDB's
    # right() counts grapheme clusters, and on 6 million distinct order numbers the guard
    # took 0.20 s that way, 0.08 s this way.
    ends = [value.endswith(space) for space in _SPACES]
    needs = (value.ascii_str() <= _SPACE) | ibis.or_(*ends)
    return needs.ifelse(value.re_replace(_WHITESPACE, ""), value)


def clean_text(value: ir.StringValue) -> ir.StringValue:
    """Trimmed text, with blank (null, empty, whitespace only) as null."""
    trimmed = trim(value)
    return (trimmed == "").ifelse(ibis.null(dt.string), trimmed)


def changed(clean: ir.Value, raw: ir.Value) -> ir.BooleanValue:
    """Whether a rule altered a value (null-safe), for the rule counts."""
    return ~clean.identical_to(raw)


def is_blank(value: ir.StringValue) -> ir.BooleanValue:
    return clean_text(value).isnull()


def code(value: ir.StringValue) -> ir.StringValue:
    """A code as compared: trimmed and upper-cased."""
    return trim(value).upper()


def map_code(
    value: ir.StringValue, mapping: Mapping[str, str], default: str = "n/a"
) -> ir.StringValue:
    """Map a code (compared trimmed, case-insensitively) to its label; anything else -> default.

    A map lookup rather than CASE: engines evaluate a CASE operand once per branch, and the
    operand here is a regular expression.
    """
    labels = ibis.map({k.upper(): v for k, v in mapping.items()})
    return labels.get(code(value), default)


def parse_int(value: ir.StringValue) -> ir.IntegerValue:
    """A plain digit string (optional sign) as an integer; anything else (1.5, 1e3, text, or
    beyond int64) is null."""
    text = trim(value)
    valid = text.re_search(_INTEGER)
    return valid.ifelse(text, ibis.null(dt.string)).try_cast(dt.int64)


def parse_money(value: ir.StringValue) -> ir.DecimalValue:
    """A decimal number as exact money (two places, more rounded half away from zero); blanks,
    non-numbers and amounts of ten trillion or more are null."""
    text = trim(value)
    valid = text.re_search(_NUMBER)
    return valid.ifelse(text, ibis.null(dt.string)).try_cast(MONEY)


def to_cents(money: ir.DecimalValue) -> ir.IntegerValue:
    """Money as integer cents, so that arithmetic stays exact on every engine.

    Through a double where that is exact (money under ``_EXACT_IN_DOUBLE``: a double holds it
    within far less than half a cent, and rounding recovers the cents), through 38-digit
    decimals otherwise. DuckDB computes 38-digit decimals 30 to 100 times slower than doubles,
    and every order line goes through here.
    """
    fast = (money.cast(dt.float64) * 100).round().cast(dt.int64)
    wide = (money.cast(_WIDE) * ibis.literal(Decimal(100), _WIDE)).cast(dt.int64)
    return (money.abs() < _EXACT_IN_DOUBLE).ifelse(fast, wide)


def from_cents(cents: ir.IntegerValue) -> ir.DecimalValue:
    """Cents back to money; null where the amount does not fit MONEY.

    Like ``to_cents``, through a double where that is exact, 38-digit decimals otherwise.
    """
    fast = (cents.cast(dt.float64) / 100).try_cast(MONEY)
    # Multiplying by a decimal literal keeps the value exact (division would be a double).
    wide = (cents.cast(_WIDE) * ibis.literal(Decimal("0.01"), _WIDE)).try_cast(MONEY)
    return (cents.abs() < _EXACT_IN_DOUBLE * 100).ifelse(fast, wide)


def multiply_money(money: ir.DecimalValue, count: ir.IntegerValue) -> ir.DecimalValue:
    """money x count, exact; null where the product would not fit MONEY."""
    cents = to_cents(money)
    fits = (cents.cast(dt.float64) * count.cast(dt.float64)).abs() < _MAX_PRODUCT_CENTS
    return fits.ifelse(from_cents(cents * count), ibis.null(MONEY))


def divide_money(amount: ir.DecimalValue, count: ir.IntegerValue) -> ir.DecimalValue:
    """amount / count rounded to cents, half away from zero (SPEC 6); null when count is 0,
    or when |amount| reaches ten trillion, beyond the range where the division is exact.

    Integer arithmetic on cents: floor division of values below 2**53 is exact on every
    engine, whereas decimal division is a double on DuckDB. Parsed money stays below 10**15
    cents; a count beyond 10**15 gives a quotient under half a cent either way, so it is
    clipped there.
    """
    cents = to_cents(amount)
    divisor = count.abs().clip(upper=_MAX_COUNT)
    magnitude = (cents.abs() * 2 + divisor) // (divisor * 2)
    signed = ((cents < 0) != (count < 0)).ifelse(-magnitude, magnitude)
    exact = (count != 0) & (cents.abs() < _MAX_COUNT)
    return exact.ifelse(from_cents(signed), ibis.null(MONEY))


def parse_date(value: ir.Value) -> ir.DateValue:
    """YYYY-MM-DD, YYYYMMDD (text or integer) or YYYY/MM/DD, zero-padded and a real calendar
    day; anything else (0, blanks, 2013-1-5, 20130230) is null. Never raises.

    The shape is checked by a regular expression and the calendar by TRY_CAST of the
    normalised ISO text, which every engine answers with null for an impossible day.
    """
    text = trim(value.cast(dt.string))
    # Once the shape is known, the ISO text is the 10-character form with "/" replaced, or
    # the 8 digits cut in three: no regular expression beyond the shape's (a global regex
    # replace of the separators, read four times, made this 2.4 s on 1.8 million dates).
    iso = (text.length() == 8).ifelse(
        text.substr(0, 4) + "-" + text.substr(4, 2) + "-" + text.substr(6, 2),
        text.replace("/", "-"),
    )
    # Year 0000 is not a date (DuckDB would read it as 1 BC).
    shaped = text.re_search(_DATE) & (text.substr(0, 4) != "0000")
    return shaped.ifelse(iso, ibis.null(dt.string)).try_cast(dt.date)


def parse_dates(table: ir.Table, **columns: str) -> ir.Table:
    """``table`` with a column ``name = parse_date(table[raw])`` for each ``name=raw``, parsed
    once per distinct raw value and joined back.

    Dates repeat: 6 million order lines carry about 2,000 distinct order dates, and the cast
    to a date is the costly part of ``parse_date`` (DuckDB: 0.75 s for 6 million values).
    Parsed per distinct value, the three date columns of 6 million lines took 0.36 s instead
    of 1.4-1.6 s. A missing raw value matches nothing and stays null, as it parses.
    """
    if clash := sorted(set(columns) & {*table.columns, "_raw"}):
        # A join would keep both and rename the new one: the model would read the old column.
        raise ValueError(f"parse_dates: {clash} already in the table; choose other names")
    source = table
    for name, raw in columns.items():
        # The distinct values of ``source``, not of the table joined so far: each lookup would
        # otherwise carry the earlier ones in it (crm_sales' SQL held order_date's parse four
        # times).
        values = source.select(_raw=source[raw]).distinct()
        parsed = values.mutate(**{name: parse_date(values._raw)})
        table = table.left_join(parsed, table[raw] == parsed._raw).drop("_raw")
    return table


def date_key(date: ir.DateValue) -> ir.IntegerValue:
    """YYYYMMDD as an integer, null for an unknown date."""
    return (date.year() * 10000 + date.month() * 100 + date.day()).cast(dt.int32)


def key_date(key: ir.IntegerValue) -> ir.DateValue:
    """The date of a ``date_key`` (null for null). Only for keys ``date_key`` made: an
    impossible day raises. Arithmetic, twenty times cheaper than ``parse_date`` on the text."""
    return ibis.date(key // 10000, key // 100 % 100, key % 100)


def delivery_order(table: ir.Table) -> list[ir.Value]:
    """SPEC 6's order of delivery (batch, then file path, then line), latest first."""
    return [ibis.desc(table._batch_id), ibis.desc(table._source_file), ibis.desc(table._source_row)]


def latest_per_key(
    table: ir.Table,
    keys: Sequence[str],
    order_by: Sequence[ir.Value] = (),
    *,
    stored: bool = False,
) -> ir.Table:
    """One row per key: the first by ``order_by`` (most preferred first), then the latest
    delivered, so that ties always resolve the same way on every engine.

    ``stored`` says ``table`` is cheap to read more than once (a stored table, not a parse).
    Nearly every key then has a single row, which is its own latest, so only the rows of keys
    with several are ranked; null keys group together, as in the window. On 6 million silver
    order lines: 8 s -> 5.5 s. On an expression, each of the three reads would recompute it.
    """
    if not stored:
        return _first_ranked(table, keys, order_by)
    repeated = (
        table.group_by(list(keys))
        .aggregate(_rows=ibis._.count())
        .filter(ibis._._rows > 1)
        .select(*keys)
    )
    same = [table[k].identical_to(repeated[k]) for k in keys]
    alone = table.anti_join(repeated, same)
    several = table.semi_join(repeated, same)
    # The few ranked rows first: on DuckDB each branch of a union fills row groups of its own,
    # so the other order ended a table with a small one after a partial one, which the first
    # rows appended after them let DuckDB's vacuum merge with their neighbours (370,000 rows
    # of silver crm_customers rewritten in the first incremental run after a full one).
    return _first_ranked(several, keys, order_by).union(alone)


def _first_ranked(table: ir.Table, keys: Sequence[str], order_by: Sequence[ir.Value]) -> ir.Table:
    order_by = table.bind(*order_by)  # written on the table the rows come from
    window = ibis.window(group_by=list(keys), order_by=[*order_by, *delivery_order(table)])
    ranked = table.mutate(_rank=ibis.row_number().over(window))
    return ranked.filter(ranked._rank == 0).drop("_rank")


def first_delivery(table: ir.Table, key: str) -> ir.Table:
    """``(key, _first)``: each key's first delivery, as one integer that sorts like SPEC 6's
    order of delivery (batch, file, row).

    Folded into one integer per row, the first delivery of a key is a plain minimum: a hash
    aggregate rather than a window per key.
    """
    files = table.select("_batch_id", "_source_file").distinct()
    files = files.mutate(
        _file_seq=ibis.row_number().over(order_by=[files._batch_id, files._source_file])
    )
    rows = table.join(files, ["_batch_id", "_source_file"])
    # Rows per file stay far below 2**32, files below 2**31.
    sequence = rows._file_seq.cast(dt.int64) * 4_294_967_296 + rows._source_row
    return rows.group_by(key).aggregate(_first=sequence.min())
