"""The defects a clean value can suffer, and how often each table suffers them."""

from __future__ import annotations

import random
from collections.abc import Mapping

from medallion.generate.timeline import iso

# Every defect kind is expected at least this many times in a table, however small the scale, so
# that a tiny demo landing zone still exercises every cleaning rule. Capped so that tiny tables
# are not mostly dirt.
FLOOR_OCCURRENCES = 3.0
MAX_RATE = 0.02


class DirtMenu:
    """Draws at most one defect kind per row with a single random number.

    One draw per row (instead of one per kind) keeps the hot loops fast; the price is that a row
    never carries two defects of the same menu, which the reference extract never shows either.
    """

    def __init__(self, rates: Mapping[str, float], expected_rows: float) -> None:
        floor = FLOOR_OCCURRENCES / max(expected_rows, 1.0)
        self.rates = {
            kind: rate if rate >= MAX_RATE else min(max(rate, floor), MAX_RATE)
            for kind, rate in rates.items()
        }
        self._kinds = list(self.rates)
        self._cum: list[float] = []
        running = 0.0
        for kind in self._kinds:
            running += self.rates[kind]
            self._cum.append(running)
        if running >= 1.0:
            raise AssertionError(f"defect rates add up to {running:.2f}, more than every row")
        self.total = running

    def draw(self, rng: random.Random) -> str | None:
        u = rng.random()
        if u >= self.total:
            return None
        for kind, bound in zip(self._kinds, self._cum, strict=True):
            if u < bound:
                return kind
        return None  # pragma: no cover - float edge


def money(cents: int) -> str:
    """Integer when whole, else exactly two decimals: the way the source exports amounts."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}" if frac == 0 else f"{sign}{whole}.{frac:02d}"


def pad(text: str, rng: random.Random) -> str:
    """Leading and/or trailing blanks, the untrimmed names of the reference."""
    left, right = rng.choice(((1, 0), (0, 1), (1, 1), (2, 0), (0, 2), (1, 2)))
    return " " * left + text + " " * right


def tab_pad(text: str, rng: random.Random) -> str:
    """Tabs around a value: trimming must remove more than spaces (SPEC section 6)."""
    return rng.choice(("\t" + text, text + "\t", "\t" + text + " "))


def impossible_date(year: int, rng: random.Random, sep: str) -> str:
    """A well-formed date that is not on the calendar (30 February, 31 April...)."""
    month = rng.choice((2, 4, 6, 9, 11))
    day = 30 if month == 2 else 31
    return f"{year}{sep}{month:02d}{sep}{day:02d}"


def odd_date(day: int, kind: str, rng: random.Random) -> str:
    """``day`` written in one of the other spellings SPEC section 2 and 6 decide on.

    ``slash`` and ``compact`` are valid alternatives; ``unpadded`` and ``impossible`` must become
    null.
    """
    text = iso(day)
    if kind == "slash":
        return text.replace("-", "/")
    if kind == "compact":
        return text.replace("-", "")
    if kind == "unpadded":
        y, m, d = text.split("-")
        if m[0] != "0" and d[0] != "0":  # nothing to unpad: drop a digit instead, still invalid
            return f"{y}-{int(m)}-{int(d[1]) or 1}"
        return f"{y}-{int(m)}-{int(d)}"
    if kind == "impossible":
        return impossible_date(int(text[:4]), rng, "-")
    raise ValueError(f"unknown date spelling {kind!r}")
