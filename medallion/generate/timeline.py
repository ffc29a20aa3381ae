"""The calendar the synthetic business trades on: its days, its sales volume, its batch cut-offs."""

from __future__ import annotations

import calendar
from bisect import bisect_right
from datetime import date

FIRST_DAY = date(2010, 12, 29).toordinal()
LAST_DAY = date(2014, 1, 28).toordinal()
# Multi-line orders of accessories and clothing start with the 2013 web shop, as in the reference.
WEB_SHOP_DAY = date(2013, 1, 1).toordinal()

# Order lines per month at scale 1, shaped like the reference extract: a slow bike-only business
# in 2011-2012 and a tenfold jump in 2013. Only the shape matters; ``scale`` multiplies it.
# fmt: off
MONTHLY_LINES: dict[tuple[int, int], int] = {
    (2010, 12): 14,
    **dict(zip(((2011, m) for m in range(1, 13)),
               (144, 144, 150, 157, 174, 230, 188, 193, 185, 221, 208, 222), strict=True)),
    **dict(zip(((2012, m) for m in range(1, 13)),
               (252, 260, 212, 219, 207, 318, 246, 294, 269, 313, 324, 483), strict=True)),
    **dict(zip(((2013, m) for m in range(1, 13)),
               (1662, 3453, 4087, 3979, 4399, 5025, 4671, 4848, 4616, 5298, 5224, 5520),
               strict=True)),
    (2014, 1): 1970,
}
# fmt: on

# Dates are rendered millions of times; a lookup table is far cheaper than strftime. The margin
# covers ship/due dates past the last order and customer versions delivered after it.
_LO = FIRST_DAY - 400
_HI = LAST_DAY + 400
_ISO: list[str] = [date.fromordinal(o).isoformat() for o in range(_LO, _HI)]
_YMD: list[str] = [s.replace("-", "") for s in _ISO]


def iso(day: int) -> str:
    """``YYYY-MM-DD`` of a day ordinal near the trading range."""
    return _ISO[day - _LO] if _LO <= day < _HI else date.fromordinal(day).isoformat()


def ymd(day: int) -> str:
    """``YYYYMMDD`` of a day ordinal near the trading range (the sales file's date style)."""
    return _YMD[day - _LO] if _LO <= day < _HI else date.fromordinal(day).strftime("%Y%m%d")


def _days_in_range(year: int, month: int) -> int:
    first = max(date(year, month, 1).toordinal(), FIRST_DAY)
    last = min(date(year, month, calendar.monthrange(year, month)[1]).toordinal(), LAST_DAY)
    return last - first + 1


def lines_per_day(day: int) -> float:
    """Expected order lines on ``day`` at scale 1 (the month's volume spread evenly)."""
    d = date.fromordinal(day)
    return MONTHLY_LINES[(d.year, d.month)] / _days_in_range(d.year, d.month)


def days() -> range:
    return range(FIRST_DAY, LAST_DAY + 1)


class Batches:
    """Cuts the trading days into ``count`` consecutive ranges of roughly equal sales volume.

    Equal volume rather than equal time, because the business grows tenfold in 2013: equal time
    would make the first batches nearly empty and the last ones huge.
    """

    def __init__(self, count: int) -> None:
        self.count = count
        weights = [lines_per_day(d) for d in days()]
        total = sum(weights)
        starts: list[int] = []
        running = 0.0
        target = 1
        for day, w in zip(days(), weights, strict=True):
            while target < count and running >= total * target / count:
                starts.append(day)
                target += 1
            running += w
        while len(starts) < count - 1:  # more batches than days: the rest start after the end
            starts.append(LAST_DAY + 1 + len(starts))
        self._starts = starts

    def of(self, day: int) -> int:
        """0-based batch index of ``day``."""
        return bisect_right(self._starts, day)
