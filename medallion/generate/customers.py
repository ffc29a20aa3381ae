"""Customers: the CRM cust_info rows and their ERP twins (cust_az12, loc_a101), versions and all."""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import date
from itertools import accumulate

from medallion.generate.dirt import DirtMenu, odd_date, pad, tab_pad
from medallion.generate.names import FEMALE_FIRST, JUNK_KEYS, LAST, MALE_FIRST, ODD_LAST
from medallion.generate.timeline import LAST_DAY, iso
from medallion.generate.writer import Sink

FIRST_CST_ID = 11000
NO_ORDER_RATE = 0.005  # customers who register and never buy

CRM_DEFECTS: dict[str, float] = {
    "first_pad": 0.001,
    "last_pad": 0.0012,
    "name_tab": 0.0002,
    "odd_last": 0.0002,  # O'Brien, "Smith, Jr." (quoted), Müller
    "code_case": 0.0003,  # " m", "s", "F " instead of M, S, F
    "marital_blank": 0.0004,
    "date_slash": 0.0002,
    "date_compact": 0.0002,
    "date_unpadded": 0.0001,
    "date_impossible": 0.0001,
    "partial": 0.0005,  # an incomplete version now, the complete one days later
    "update": 0.003,  # the complete version, then a changed one months later
    "junk_blank_id": 0.0003,  # plus a row with a blank cst_id and a junk key
    "junk_id": 0.0001,  # plus a row whose cst_id is not an integer ("11207a")
}
AZ_DEFECTS: dict[str, float] = {
    "nas_case": 0.0005,  # "nas" / "Nas": the prefix is removed case-insensitively
    "cid_pad": 0.0002,  # keys join after trimming
    "future": 0.0006,  # birth date decades ahead
    "far_future": 0.0003,  # 9999-..., 2980-...
    "bdate_blank": 0.0003,
    "bdate_slash": 0.0002,
    "bdate_impossible": 0.0001,
    "gen_odd": 0.0005,  # M, F, "M ", " ", male, FEMALE
    "missing": 0.001,  # no demographics row at all
    "update": 0.001,  # a corrected row in a later delivery
}
LOC_DEFECTS: dict[str, float] = {
    "no_dash": 0.01,  # AW00011000 instead of AW-00011000
    "country_blank": 0.018,
    "country_space": 0.0003,  # only blanks
    "country_pad": 0.0005,  # " Germany", "DE "
    "missing": 0.001,
    "update": 0.001,  # the customer moves: a new country in a later delivery
}
# How the ERP spells each country, with its share of customers: the US and Germany arrive under
# several names (as in the reference extract: ~40% US, ~10% Germany).
COUNTRY_SPELLINGS: tuple[tuple[str, float], ...] = (
    ("Australia", 0.194),
    ("United States", 0.405 * 0.45),
    ("USA", 0.405 * 0.35),
    ("US", 0.405 * 0.20),
    ("United Kingdom", 0.103),
    ("France", 0.098),
    ("Canada", 0.085),
    ("Germany", 0.096 * 0.68),
    ("DE", 0.096 * 0.32),
)
_COUNTRY_CUM = tuple(accumulate(w for _, w in COUNTRY_SPELLINGS))
_BIRTH_DECADES = tuple(date(y, 1, 1).toordinal() for y in range(1910, 1990, 10))
_BIRTH_CUM = tuple(accumulate((8, 24, 153, 1138, 2597, 4488, 6344, 3716)))
_ODD_GENDER = ("M", "F", "M ", "F ", " ", "  ", "male", "FEMALE")


class Customers:
    """Creates customers as the sales stream first needs them, ids in order of first purchase.

    No per-customer state is kept: a returning buyer is any id created so far, and the few rows
    delivered later (new versions, ERP corrections) wait in the sink's schedule.
    """

    def __init__(self, rng: random.Random, sink: Sink, expected: float) -> None:
        self._rng = rng
        self._sink = sink
        self.created = 0
        self._crm = DirtMenu(CRM_DEFECTS, expected)
        self._az = DirtMenu(AZ_DEFECTS, expected)
        self._loc = DirtMenu(LOC_DEFECTS, expected)

    def returning(self) -> int:
        return FIRST_CST_ID + self._rng.randrange(self.created)

    def new(self, day: int) -> int:
        """A customer whose first order is on ``day``; a few register without ever buying."""
        cst_id = self._create(day)
        if self._rng.random() < NO_ORDER_RATE:
            self._create(day)
        return cst_id

    def _create(self, day: int) -> int:
        rng = self._rng
        cst_id = FIRST_CST_ID + self.created
        self.created += 1
        key = f"AW{cst_id:08d}"
        male = rng.random() < 0.5
        first = rng.choice(MALE_FIRST if male else FEMALE_FIRST)
        last = rng.choice(LAST)
        marital = "M" if rng.random() < 0.54 else "S"
        gender = ("M" if male else "F") if rng.random() < 0.75 else ""
        created = day - rng.randrange(8)
        self._crm_rows(day, cst_id, key, [first, last, marital, gender], created)
        self._az_row(day, key, male)
        self._loc_row(day, key)
        return cst_id

    def _crm_rows(self, day: int, cst_id: int, key: str, attrs: list[str], created: int) -> None:
        rng, sink = self._rng, self._sink
        first, last, marital, gender = attrs
        defect = self._crm.draw(rng)
        since = iso(created)
        if defect == "first_pad":
            first = pad(first, rng)
        elif defect == "last_pad":
            last = pad(last, rng)
        elif defect == "name_tab":
            first = tab_pad(first, rng)
        elif defect == "odd_last":
            last = rng.choice(ODD_LAST)
        elif defect == "code_case":
            marital, gender = rng.choice(
                (
                    (marital.lower(), gender),
                    (marital, f" {gender}"),
                    (f"{marital} ", gender.lower()),
                )
            )
        elif defect == "marital_blank":
            marital = ""
        elif defect is not None and defect.startswith("date_"):
            since = odd_date(created, defect[5:], rng)
        full = [str(cst_id), key, first, last, marital, gender]
        if defect == "partial":
            partial = [str(cst_id), key, *self._blank_some([first, last, marital, gender])]
            older = "" if rng.random() < 0.2 else since  # a null create date ranks lowest
            sink.write("crm_cust_info", [*partial, older])
            due = min(day + rng.randint(1, 45), LAST_DAY)
            sink.schedule(due, "crm_cust_info", [*full, iso(due)])
            if rng.random() < 0.3:  # the stale version is exported again: it must still lose
                stale = min(due + rng.randint(1, 60), LAST_DAY)
                sink.schedule(stale, "crm_cust_info", [*partial, older])
            return
        sink.write("crm_cust_info", [*full, since])
        if defect == "update":
            due = min(day + rng.randint(30, 400), LAST_DAY)
            changed = [*full]
            changed[4] = "M" if marital.strip().upper() != "M" else "S"
            if rng.random() < 0.3:
                changed[3] = rng.choice(LAST)
            sink.schedule(due, "crm_cust_info", [*changed, iso(due)])
        elif defect == "junk_blank_id":
            sink.write("crm_cust_info", ["", rng.choice(JUNK_KEYS), "", "", "", "", ""])
        elif defect == "junk_id":
            sink.write("crm_cust_info", [f"{cst_id}{rng.choice('aox')}", *full[1:], since])

    def _blank_some(self, attrs: list[str]) -> list[str]:
        keep = self._rng.sample(range(4), self._rng.randint(0, 2))
        return [a if i in keep else "" for i, a in enumerate(attrs)]

    def _birth(self) -> int:
        rng = self._rng
        decade = _BIRTH_DECADES[bisect_right(_BIRTH_CUM, rng.random() * _BIRTH_CUM[-1])]
        return decade + rng.randrange(3652)

    def _az_row(self, day: int, key: str, male: bool) -> None:
        rng = self._rng
        defect = self._az.draw(rng)
        if defect == "missing":
            return
        prefix = "NAS" if rng.random() < 0.6 else ""
        if defect == "nas_case":
            prefix = rng.choice(("nas", "Nas"))
        cid = prefix + key
        if defect == "cid_pad":
            cid = pad(cid, rng)
        born = self._birth()
        bdate = iso(born)
        if defect == "future":
            bdate = iso(_year_start(rng.randint(2030, 2080)) + rng.randrange(365))
        elif defect == "far_future":
            bdate = (
                f"{rng.choice(('9999', '9999', '2980'))}-{rng.randint(1, 12):02d}-"
                f"{rng.randint(1, 28):02d}"
            )
        elif defect == "bdate_blank":
            bdate = ""
        elif defect == "bdate_slash":
            bdate = odd_date(born, "slash", rng)
        elif defect == "bdate_impossible":
            bdate = odd_date(born, "impossible", rng)
        u = rng.random()
        gen = "" if u < 0.08 else ("Male" if male else "Female")
        if defect == "gen_odd":
            gen = rng.choice(_ODD_GENDER)
        self._sink.write("erp_cust_az12", [cid, bdate, gen])
        if defect == "update":
            due = min(day + rng.randint(30, 300), LAST_DAY)
            fixed = iso(born + rng.randint(-400, 400))
            self._sink.schedule(due, "erp_cust_az12", [cid, fixed, "Male" if male else "Female"])

    def _loc_row(self, day: int, key: str) -> None:
        rng = self._rng
        defect = self._loc.draw(rng)
        if defect == "missing":
            return
        cid = key if defect == "no_dash" else f"{key[:2]}-{key[2:]}"
        country = self._country()
        if defect == "country_blank":
            country = ""
        elif defect == "country_space":
            country = " " * rng.randint(1, 3)
        elif defect == "country_pad":
            country = pad(country, rng)
        self._sink.write("erp_loc_a101", [cid, country])
        if defect == "update":
            due = min(day + rng.randint(30, 300), LAST_DAY)
            self._sink.schedule(due, "erp_loc_a101", [cid, self._country()])

    def _country(self) -> str:
        i = bisect_right(_COUNTRY_CUM, self._rng.random() * _COUNTRY_CUM[-1])
        return COUNTRY_SPELLINGS[min(i, len(COUNTRY_SPELLINGS) - 1)][0]


def _year_start(year: int) -> int:
    return date(year, 1, 1).toordinal()
