"""The product catalogue: product numbers, their dated versions and prices, the prd_info rows."""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from medallion.generate.categories import COLORS, SUBCATEGORIES, Subcategory
from medallion.generate.dirt import DirtMenu, money, pad
from medallion.generate.timeline import FIRST_DAY, WEB_SHOP_DAY, iso

FIRST_PRD_ID = 210
# A real catalogue does not grow like the customer base: products grow with sqrt(scale), and
# never shrink below the reference's ~300 product numbers / ~400 versions.
_MARKUP = {"Bikes": 1.65, "Components": 1.55, "Accessories": 2.6, "Clothing": 2.1}
_TIERS = ("LL", "ML", "HL", "Sport", "Pro", "Classic", "Elite", "Comfort")
# The source's prd_end_dt of an old version is 3.5 years *before* its start: unreliable.
_BOGUS_END_DAYS = 1281

PRODUCT_DEFECTS: dict[str, float] = {
    "cost_blank": 0.005,  # blank cost -> 0
    "cost_text": 0.0025,  # cost that is not a number -> null
    "line_blank": 0.03,
    "line_case": 0.005,  # "r " : codes compare case-insensitively
    "line_tight": 0.005,  # "R" without the usual trailing blank
    "name_pad": 0.005,
    "start_compact": 0.005,  # 20130701: an accepted spelling
    "start_slash": 0.003,  # 2013/07/01: an accepted spelling
    "end_on_current": 0.01,  # the latest version carries an end date anyway
}


@dataclass(frozen=True)
class Version:
    prd_id: int
    start: int  # day ordinal
    cost_cents: int
    price_cents: int


@dataclass
class Product:
    number: str
    sub: Subcategory
    name: str
    popularity: float
    versions: list[Version] = field(default_factory=list)

    @property
    def intro(self) -> int:
        return self.versions[0].start

    def price_on(self, day: int) -> int:
        """List price of the version in force on ``day`` (the first one before any started)."""
        current = self.versions[0]
        for v in self.versions:
            if v.start <= day:
                current = v
        return current.price_cents


@dataclass(frozen=True)
class Assortment:
    """What the shop sells, at which price and how often, from ``start`` until the next one."""

    start: int
    numbers: tuple[str, ...]
    prices: tuple[int, ...]
    cum: tuple[float, ...]

    def pick(self, rng: random.Random) -> int:
        i = bisect_right(self.cum, rng.random() * self.cum[-1])
        return min(i, len(self.cum) - 1)


def _july(year: int) -> int:
    return date(year, 7, 1).toordinal()


def _cents(value: float, fine: bool) -> int:
    return max(1, round(value * 100)) if fine else max(1, round(value)) * 100


class Catalog:
    def __init__(self, rng: random.Random, scale: float) -> None:
        self._rng = rng
        self._used: set[str] = set()
        self.products: list[Product] = []
        growth = max(1.0, math.sqrt(scale))
        next_id = FIRST_PRD_ID
        for sub in SUBCATEGORIES:
            for m in range(max(1, round(sub.models * growth))):
                next_id = self._add_model(sub, first=(m == 0), next_id=next_id)

    def _stem(self, sub: Subcategory) -> tuple[str, int]:
        framed = sub.code in ("BK", "FR")  # BK-R93R-62: the letter is the product line
        letter = sub.line if framed and sub.line else chr(65 + self._rng.randrange(26))
        width = 2 if framed else 3
        for attempt in range(10_000):
            num = self._rng.randrange(10 ** (width - 1), 10**width)
            stem = f"{sub.code}-{letter}{num}"
            if stem not in self._used:
                self._used.add(stem)
                return stem, num
            if attempt % 50 == 49:
                width += 1
        raise AssertionError("product number space exhausted")  # pragma: no cover

    def _add_model(self, sub: Subcategory, first: bool, next_id: int) -> int:
        rng = self._rng
        # The first road and mountain bike models exist from the start: the 2010 shop sells them.
        year = 2010 if first and sub.early_share else rng.choice(sub.intro)
        years = [year]
        for later in (2011, 2012, 2013):
            if later > year and len(years) < 3 and rng.random() < 0.4:
                years.append(later)
        fine = sub.cost[1] <= 60 and rng.random() < 0.3
        ninety_nine = sub.category in ("Accessories", "Clothing") and rng.random() < 0.12
        cost = rng.uniform(*sub.cost)
        costs = [cost]
        for _ in years[1:]:
            costs.append(costs[-1] * rng.uniform(0.9, 1.15))
        stem, num = self._stem(sub)
        colors = [c for c in sub.colors if rng.random() < 0.5] or list(sub.colors[:1]) or [""]
        sizes = [s for s in sub.sizes if rng.random() < 0.8] or list(sub.sizes[:1]) or [""]
        tier = rng.choice(_TIERS)
        for color in colors:
            for size in sizes:
                number, name = self._label(sub, stem, num, tier, color, size)
                product = Product(number, sub, name, rng.expovariate(1.0) + 0.2)
                for y, c in zip(years, costs, strict=True):
                    cost_cents = _cents(c, fine)
                    price = c * _MARKUP[sub.category]
                    price_cents = (
                        (max(1, round(price)) * 100 - 1) if ninety_nine else _cents(price, False)
                    )
                    product.versions.append(Version(next_id, _july(y), cost_cents, price_cents))
                    next_id += 1
                self.products.append(product)
        return next_id

    @staticmethod
    def _label(
        sub: Subcategory, stem: str, num: int, tier: str, color: str, size: str
    ) -> tuple[str, str]:
        if sub.code in ("BK", "FR"):  # BK-R93R-62 "Road-930 Red- 62"
            number = f"{stem}{color}-{size}" if size else f"{stem}{color}"
            base = f"{sub.noun}-{num * 10}" if sub.code == "BK" else f"{tier} {sub.noun}"
            parts = [base + (f" {COLORS[color]}" if color else "")]
        else:  # HL-U509-R "Sport-100 Helmet- Red", LJ-A192-M "HL Logo Jersey- M"
            number = stem + (f"-{color}" if color else "") + (f"-{size}" if size else "")
            parts = [f"{tier} {sub.noun}" if sub.models > 1 or sub.sizes else sub.noun]
            if color:
                parts.append(f" {COLORS[color]}")
        if size:
            parts.append(f" {size}")
        return number, "-".join(parts)

    def rows(self, rng: random.Random) -> Iterator[tuple[int, list[str]]]:
        """prd_info rows as (delivery day, row), in delivery order.

        A version is delivered when it starts (versions older than the first trading day on the
        first day), so later batches carry new versions and the end dates must be recomputed.
        """
        versions = sum(len(p.versions) for p in self.products)
        menu = DirtMenu(PRODUCT_DEFECTS, versions)
        out: list[tuple[int, int, list[str]]] = []
        for p in self.products:
            for i, v in enumerate(p.versions):
                nxt = p.versions[i + 1] if i + 1 < len(p.versions) else None
                defect = menu.draw(rng)
                cost = money(v.cost_cents)
                if defect == "cost_blank":
                    cost = ""
                elif defect == "cost_text":
                    cost = rng.choice(("n/a", "TBD", "12,5"))
                line = f"{p.sub.line} " if p.sub.line else ""
                if defect == "line_blank":
                    line = ""
                elif defect == "line_case" and p.sub.line:
                    line = line.lower()
                elif defect == "line_tight" and p.sub.line:
                    line = p.sub.line
                name = pad(p.name, rng) if defect == "name_pad" else p.name
                start = iso(v.start)
                if defect == "start_compact":
                    start = start.replace("-", "")
                elif defect == "start_slash":
                    start = start.replace("-", "/")
                if nxt is not None:
                    plausible = rng.random() < 0.15
                    end = iso(nxt.start - 1 if plausible else v.start - _BOGUS_END_DAYS)
                else:
                    end = iso(v.start - _BOGUS_END_DAYS) if defect == "end_on_current" else ""
                key = f"{p.sub.crm_prefix}-{p.number}"
                row = [str(v.prd_id), key, name, cost, line, start, end]
                out.append((max(v.start, FIRST_DAY), v.prd_id, row))
        out.sort(key=lambda t: (t[0], t[1]))
        for day, _, row in out:
            yield day, row

    def assortments(self) -> list[Assortment]:
        """The shop's offer over time: it changes every July 1 and when the web shop opens."""
        starts = [FIRST_DAY, _july(2011), _july(2012), WEB_SHOP_DAY, _july(2013)]
        result: list[Assortment] = []
        for start in starts:
            web = start >= WEB_SHOP_DAY
            active = [p for p in self.products if p.intro <= start]
            per_sub: dict[str, float] = {}
            for p in active:
                per_sub[p.sub.erp_id] = per_sub.get(p.sub.erp_id, 0.0) + p.popularity
            numbers: list[str] = []
            prices: list[int] = []
            cum: list[float] = []
            running = 0.0
            for p in active:
                share = p.sub.web_share if web else p.sub.early_share
                if share <= 0:
                    continue
                running += share * p.popularity / per_sub[p.sub.erp_id]
                numbers.append(p.number)
                prices.append(p.price_on(start))
                cum.append(running)
            result.append(Assortment(start, tuple(numbers), tuple(prices), tuple(cum)))
        return result
