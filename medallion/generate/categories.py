"""The product taxonomy: the ERP category export and the per-subcategory rules products follow."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from medallion.generate.timeline import FIRST_DAY

# fmt: off
COLORS: dict[str, str] = {
    "B": "Black", "R": "Red", "S": "Silver", "Y": "Yellow", "U": "Blue", "W": "White",
}
# fmt: on


@dataclass(frozen=True)
class Subcategory:
    """One ERP category row plus what products of that subcategory look like.

    ``crm_prefix`` is the 5-character prefix of ``prd_key``. It is the ERP id with ``-`` for
    ``_``, except for pedals: the CRM says ``CO-PE`` where the ERP says ``CO_PD``, so pedals have
    no category, a mismatch the real extract has too.
    """

    erp_id: str
    category: str
    subcategory: str
    maintenance: str
    code: str  # product number type code, e.g. BK in BK-R93R-62
    noun: str  # name stem
    line: str  # product line code; "" when the source leaves it blank
    cost: tuple[int, int]  # cost range of a model, whole currency units
    models: int  # models at scale <= 1
    colors: str  # colour letters a model may come in ("" = no colour variants)
    sizes: tuple[str, ...]  # sizes a model comes in (() = one size)
    early_share: float  # share of order lines before the 2013 web shop
    web_share: float  # share of order lines from 2013 on
    intro: tuple[int, ...]  # years a model may be introduced (July 1), equally likely

    @property
    def crm_prefix(self) -> str:
        return "CO-PE" if self.erp_id == "CO_PD" else self.erp_id.replace("_", "-")


_BIKE = (2010, 2010, 2010, 2011, 2012, 2013)
_PART = (2003, *[2010] * 11, *[2011] * 4, *[2012] * 4, *[2013] * 4)
_NEW = (2012, 2013, 2013)
_ROAD = ("44", "48", "52", "56", "58", "60", "62")
_MTB = ("38", "40", "42", "44", "46", "48")
_WEAR = ("S", "M", "L", "XL")

# fmt: off
S = Subcategory
SUBCATEGORIES: tuple[Subcategory, ...] = (
    S("AC_BR", "Accessories", "Bike Racks", "Yes", "RA", "Hitch Rack", "S", (30, 60), 1, "", (),
      0, .005, _NEW),
    S("AC_BS", "Accessories", "Bike Stands", "No", "ST", "All-Purpose Bike Stand", "S", (50, 70),
      1, "", (), 0, .004, _NEW),
    S("AC_BC", "Accessories", "Bottles and Cages", "No", "BC", "Water Bottle", "S", (1, 5), 3, "",
      (), 0, .125, _NEW),
    S("AC_CL", "Accessories", "Cleaners", "Yes", "CL", "Bike Wash", "S", (2, 4), 1, "", (), 0,
      .014, _NEW),
    S("AC_FE", "Accessories", "Fenders", "No", "FE", "Fender Set", "S", (7, 10), 1, "", (), 0,
      .033, _NEW),
    S("AC_HE", "Accessories", "Helmets", "Yes", "HL", "Sport-100 Helmet", "S", (12, 15), 1, "BRU",
      (), 0, .10, _NEW),
    S("AC_HP", "Accessories", "Hydration Packs", "No", "HY", "Hydration Pack", "S", (18, 22), 1,
      "", (), 0, .011, _NEW),
    S("AC_LI", "Accessories", "Lights", "Yes", "LT", "Headlights", "S", (6, 20), 3, "", (), 0,
      .002, _NEW),
    S("AC_LO", "Accessories", "Locks", "Yes", "LO", "Cable Lock", "S", (9, 11), 1, "", (), 0,
      .002, _NEW),
    S("AC_PA", "Accessories", "Panniers", "No", "PA", "Touring-Panniers", "S", (45, 55), 1, "",
      (), 0, .002, _NEW),
    S("AC_PU", "Accessories", "Pumps", "Yes", "PU", "Mini Pump", "S", (8, 11), 2, "", (), 0, .002,
      _NEW),
    S("AC_TT", "Accessories", "Tires and Tubes", "Yes", "TI", "Tire", "S", (1, 15), 11, "", (), 0,
      .27, _NEW),
    S("BI_MB", "Bikes", "Mountain Bikes", "Yes", "BK", "Mountain", "M", (300, 2000), 4, "BSR",
      _MTB, .27, .055, _BIKE),
    S("BI_RB", "Bikes", "Road Bikes", "Yes", "BK", "Road", "R", (250, 2200), 5, "BRY", _ROAD,
      .73, .065, _BIKE),
    S("BI_TB", "Bikes", "Touring Bikes", "Yes", "BK", "Touring", "T", (450, 1500), 3, "UY",
      ("46", "50", "54", "60"), 0, .034, _NEW),
    S("CL_BS", "Clothing", "Bib-Shorts", "No", "SB", "Men's Bib-Shorts", "S", (35, 40), 1, "",
      _WEAR[:3], 0, .002, _NEW),
    S("CL_CA", "Clothing", "Caps", "No", "CA", "Cycling Cap", "S", (5, 7), 1, "", (), 0, .034,
      _NEW),
    S("CL_GL", "Clothing", "Gloves", "No", "GL", "Gloves", "S", (9, 20), 2, "", _WEAR[:3], 0,
      .022, _NEW),
    S("CL_JE", "Clothing", "Jerseys", "No", "LJ", "Logo Jersey", "S", (25, 40), 3, "", _WEAR, 0,
      .052, _NEW),
    S("CL_SH", "Clothing", "Shorts", "No", "SH", "Sports Shorts", "S", (25, 30), 2, "", _WEAR[:3],
      0, .016, _NEW),
    S("CL_SO", "Clothing", "Socks", "No", "SO", "Bike Socks", "S", (3, 4), 2, "", _WEAR[1:3], 0,
      .009, _NEW),
    S("CL_TI", "Clothing", "Tights", "No", "TG", "Women's Tights", "S", (28, 32), 1, "",
      _WEAR[:3], 0, .002, _NEW),
    S("CL_VE", "Clothing", "Vests", "No", "VE", "Classic Vest", "S", (22, 26), 1, "", _WEAR[:3], 0,
      .009, _NEW),
    S("CO_BB", "Components", "Bottom Brackets", "Yes", "BB", "Bottom Bracket", "", (20, 90), 3, "",
      (), 0, 0, _PART),
    S("CO_BR", "Components", "Brakes", "Yes", "BR", "Brakes", "R", (40, 50), 2, "", (), 0, 0,
      _PART),
    S("CO_CH", "Components", "Chains", "Yes", "CH", "Chain", "", (8, 10), 1, "", (), 0, 0, _PART),
    S("CO_CS", "Components", "Cranksets", "Yes", "CS", "Crankset", "R", (80, 180), 3, "", (), 0, 0,
      _PART),
    S("CO_DE", "Components", "Derailleurs", "Yes", "DE", "Derailleur", "R", (40, 55), 2, "", (),
      0, 0, _PART),
    S("CO_FO", "Components", "Forks", "Yes", "FK", "Fork", "R", (65, 150), 3, "", (), 0, 0, _PART),
    S("CO_HB", "Components", "Handlebars", "No", "HB", "Handlebars", "M", (20, 55), 8, "", (), 0,
      0, _PART),
    S("CO_HS", "Components", "Headsets", "No", "HS", "Headset", "M", (15, 50), 3, "", (), 0, 0,
      _PART),
    S("CO_MF", "Components", "Mountain Frames", "Yes", "FR", "Mountain Frame", "M", (150, 750), 4,
      "BS", _MTB, 0, 0, _PART),
    S("CO_PD", "Components", "Pedals", "No", "PD", "Pedal", "M", (10, 40), 5, "", (), 0, 0, _PART),
    S("CO_RF", "Components", "Road Frames", "Yes", "FR", "Road Frame", "R", (180, 850), 5, "BR",
      _ROAD, 0, 0, _PART),
    S("CO_SA", "Components", "Saddles", "No", "SE", "Saddle", "M", (12, 30), 7, "", (), 0, 0,
      _PART),
    S("CO_TF", "Components", "Touring Frames", "Yes", "FR", "Touring Frame", "T", (200, 600), 2,
      "UY", ("46", "50", "54", "60"), 0, 0, _PART),
    S("CO_WH", "Components", "Wheels", "Yes", "WH", "Wheel", "R", (30, 220), 10, "", (), 0, 0,
      _PART),
)
del S
# fmt: on

CATEGORY_UPDATE_DAY = date(2013, 10, 1).toordinal()


def category_rows(rng: random.Random) -> Iterator[tuple[int, list[str]]]:
    """The ERP category export: (delivery day, row), in delivery order.

    The full list arrives on the first day, one maintenance flag with a stray blank; half-way a
    corrected row for one category arrives, so "the later batch wins" has something to decide.
    """
    padded = rng.randrange(len(SUBCATEGORIES))
    for i, sub in enumerate(SUBCATEGORIES):
        flag = sub.maintenance + " " if i == padded else sub.maintenance
        yield FIRST_DAY, [sub.erp_id, sub.category, sub.subcategory, flag]
    changed = SUBCATEGORIES[rng.randrange(len(SUBCATEGORIES))]
    flipped = "No" if changed.maintenance == "Yes" else "Yes"
    yield CATEGORY_UPDATE_DAY, [changed.erp_id, changed.category, changed.subcategory, flipped]
