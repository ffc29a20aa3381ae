"""Country names: the aliases the ERP uses, and ISO 3166-1 alpha-2 codes for dim_location.

Extend the two mappings below to teach medallion a new country or spelling; nothing else
needs to change.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from medallion import rules

UNKNOWN = "n/a"

# Canonical name -> ISO 3166-1 alpha-2 code.
ISO_CODES: dict[str, str] = {
    "Australia": "AU",
    "Austria": "AT",
    "Belgium": "BE",
    "Canada": "CA",
    "China": "CN",
    "Denmark": "DK",
    "France": "FR",
    "Germany": "DE",
    "India": "IN",
    "Ireland": "IE",
    "Italy": "IT",
    "Japan": "JP",
    "Mexico": "MX",
    "Netherlands": "NL",
    "New Zealand": "NZ",
    "Norway": "NO",
    "Poland": "PL",
    "Portugal": "PT",
    "Spain": "ES",
    "Sweden": "SE",
    "Switzerland": "CH",
    "United Kingdom": "GB",
    "United States": "US",
}

# Alias (compared trimmed, case-insensitively) -> canonical name. Every ISO code above is an
# alias of its country, and so is the canonical name in any case.
ALIASES: dict[str, str] = {
    **{code: name for name, code in ISO_CODES.items()},
    **{name.upper(): name for name in ISO_CODES},
    "USA": "United States",
    "UNITED STATES OF AMERICA": "United States",
    "UK": "United Kingdom",
    "GREAT BRITAIN": "United Kingdom",
    "DEUTSCHLAND": "Germany",
}


def country_name(raw: ir.StringValue) -> ir.StringValue:
    """SPEC 2: DE -> Germany, US/USA -> United States, blank -> n/a, otherwise trimmed as given."""
    trimmed = rules.clean_text(raw)
    known = ibis.map(ALIASES).get(rules.code(raw))
    return trimmed.isnull().ifelse(UNKNOWN, known.fill_null(trimmed))


def country_code(name: ir.StringValue) -> ir.StringValue:
    """The ISO code of a canonical country name, null when unknown."""
    return ibis.map(ISO_CODES).get(name)
