"""Column types shared by the contracts, so that money means the same everywhere."""

from __future__ import annotations

from typing import Annotated

import ibis.expr.datatypes as dt

Money = Annotated[dt.Decimal, 18, 2, True]
GENDERS = ["Male", "Female", "n/a"]
MARITAL_STATUSES = ["Single", "Married", "n/a"]
PRODUCT_LINES = ["Mountain", "Road", "Other Sales", "Touring", "n/a"]
