"""Orders: the CRM sales_details lines, generated day by day and written as they are made."""

from __future__ import annotations

import random
from bisect import bisect_right
from itertools import accumulate

from medallion.generate.customers import NO_ORDER_RATE, Customers
from medallion.generate.dirt import DirtMenu, impossible_date, money, odd_date
from medallion.generate.products import Assortment
from medallion.generate.timeline import LAST_DAY, WEB_SHOP_DAY, days, iso, lines_per_day, ymd
from medallion.generate.writer import Sink

FIRST_ORDER_NUMBER = 43697
CUSTOMERS_AT_SCALE_1 = 18484

SALES_DEFECTS: dict[str, float] = {
    "order_zero": 0.0003,  # 0 instead of a date
    "order_garbage": 0.00005,  # 5489, 32154
    "order_impossible": 0.00005,  # 20130230
    "order_unpadded": 0.00003,  # 2013-1-5: not an accepted spelling
    "order_iso": 0.00005,  # 2013-01-05: accepted
    "order_slash": 0.00005,  # 2013/01/05: accepted
    "ship_zero": 0.00005,
    "ship_impossible": 0.00003,
    "sales_blank": 0.00013,
    "sales_zero": 0.00005,
    "sales_negative": 0.00005,
    "sales_wrong": 0.00012,  # differs from quantity x price
    "price_blank": 0.00012,
    "price_negative": 0.00008,
    "price_zero": 0.00003,
    "both_blank": 0.00002,  # price missing: the (missing) sales stands
    "qty_mismatch": 0.00005,  # quantity 2 or 3, sales recorded for one
    "redeliver": 0.0003,  # the line is delivered again, corrected, a few days later
}
# Lines per order once the web shop sells accessories (before it, every order is one bike).
_WEB_LINE_COUNTS = (1, 2, 3, 4, 5, 6, 7, 8)
_WEB_LINE_CUM = tuple(accumulate((3972, 7697, 5542, 3008, 666, 105, 11, 3)))
_WEB_MEAN_LINES = (
    sum(
        n * w
        for n, w in zip(_WEB_LINE_COUNTS, (3972, 7697, 5542, 3008, 666, 105, 11, 3), strict=True)
    )
    / _WEB_LINE_CUM[-1]
)
TABLE = "crm_sales_details"


def _orders_per_day(day: int, scale: float) -> float:
    mean_lines = _WEB_MEAN_LINES if day >= WEB_SHOP_DAY else 1.0
    return scale * lines_per_day(day) / mean_lines


class Sales:
    """Emits each day's order lines; buyers are new customers (created on the spot) or returning.

    The chance that an order brings a new customer is set so that the customer count lands near
    18,484 x scale, spread over time the way orders are.
    """

    def __init__(
        self,
        rng: random.Random,
        assortments: list[Assortment],
        customers: Customers,
        sink: Sink,
        scale: float,
    ) -> None:
        self._rng = rng
        self._assortments = assortments
        self._starts = [a.start for a in assortments]
        self._prices = [tuple(money(p) for p in a.prices) for a in assortments]
        self._customers = customers
        self._sink = sink
        self._scale = scale
        self.next_order = FIRST_ORDER_NUMBER
        expected_orders = sum(_orders_per_day(d, scale) for d in days())
        expected_lines = scale * sum(lines_per_day(d) for d in days())
        target = CUSTOMERS_AT_SCALE_1 * scale / (1 + NO_ORDER_RATE)
        self._p_new = min(1.0, target / max(expected_orders, 1e-9))
        self._menu = DirtMenu(SALES_DEFECTS, expected_lines)

    def run_day(self, day: int) -> None:
        rng = self._rng
        expected = _orders_per_day(day, self._scale)
        count = int(expected) + (rng.random() < expected - int(expected))
        if not count:
            return
        k = bisect_right(self._starts, day) - 1
        offer, price_text = self._assortments[k], self._prices[k]
        web = day >= WEB_SHOP_DAY
        order_dt, due_dt = ymd(day), ymd(day + 12)
        usual_ship = ymd(day + 7)
        customers, menu, p_new = self._customers, self._menu, self._p_new
        rows: list[list[str]] = []
        for _ in range(count):
            order = f"SO{self.next_order}"
            self.next_order += 1
            new = customers.created == 0 or rng.random() < p_new
            cust = str(customers.new(day) if new else customers.returning())
            ship_dt = usual_ship if rng.random() < 0.9 else ymd(day + rng.randint(2, 10))
            n_lines = 1
            if web:
                n_lines = _WEB_LINE_COUNTS[
                    bisect_right(_WEB_LINE_CUM, rng.random() * _WEB_LINE_CUM[-1])
                ]
            picked: set[int] = set()
            for _ in range(n_lines * 3):  # distinct products; give up early on tiny offers
                picked.add(offer.pick(rng))
                if len(picked) == n_lines:
                    break
            for i in sorted(picked):
                qty = 1 if rng.random() >= 0.01 else rng.randint(2, 4)
                price = price_text[i]
                sales = price if qty == 1 else money(qty * offer.prices[i])
                row = [
                    order,
                    offer.numbers[i],
                    cust,
                    order_dt,
                    ship_dt,
                    due_dt,
                    sales,
                    str(qty),
                    price,
                ]
                defect = menu.draw(rng)
                if defect is not None:
                    self._spoil(row, defect, day, offer.prices[i] * qty)
                rows.append(row)
        self._sink.write_many(TABLE, rows)

    def _spoil(self, row: list[str], defect: str, day: int, amount: int) -> None:
        rng = self._rng
        year = int(iso(day)[:4])
        if defect == "order_zero":
            row[3] = "0"
        elif defect == "order_garbage":
            row[3] = str(rng.randrange(1000, 99999))
        elif defect == "order_impossible":
            row[3] = impossible_date(year, rng, "")
        elif defect == "order_unpadded":
            row[3] = odd_date(day, "unpadded", rng)
        elif defect == "order_iso":
            row[3] = iso(day)
        elif defect == "order_slash":
            row[3] = odd_date(day, "slash", rng)
        elif defect == "ship_zero":
            row[4] = "0"
        elif defect == "ship_impossible":
            row[4] = impossible_date(year, rng, "")
        elif defect == "sales_blank":
            row[6] = ""
        elif defect == "sales_zero":
            row[6] = "0"
        elif defect == "sales_negative":
            row[6] = money(-amount)
        elif defect == "sales_wrong":
            row[6] = money(rng.randrange(100, amount) if amount > 100 else amount + 100)
        elif defect == "price_blank":
            row[8] = ""
        elif defect == "price_negative":
            row[8] = "-" + row[8]
        elif defect == "price_zero":
            row[8] = "0"
        elif defect == "both_blank":
            row[6] = row[8] = ""
        elif defect == "qty_mismatch":
            row[7] = str(int(row[7]) + rng.randint(1, 2))
        elif defect == "redeliver":
            qty = int(row[7]) + 1
            fixed = [*row[:6], money(amount // int(row[7]) * qty), str(qty), row[8]]
            self._sink.schedule(min(day + rng.randint(1, 30), LAST_DAY), TABLE, fixed)
