"""The semantic models: gold's star schema flattened into one wide table per subject.

``sales`` is one row per order line with every attribute of its product, customer, country and
order date; ``customers`` is one row per known customer with their country. Both are pure Ibis
functions of gold tables. Unknown members (key -1) keep their attributes as gold has them
(``n/a``), so a total over a model counts them once, under ``n/a``.
"""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from medallion.metrics.registry import GoldTable, dimension, semantic_model
from medallion.models.gold.members import UNKNOWN_KEY, UNKNOWN_TEXT

# Age at the latest order date in the data (SPEC 5): the data's "now", not the calendar's.
AGE_BANDS = ("<30", "30-39", "40-49", "50-59", "60-69", "70-79", "80+", "unknown")
UNKNOWN_AGE = "unknown"

dimension("country", "string", "the customer's country (n/a when unknown)")
dimension("category", "string", "product category (ERP)")
dimension("subcategory", "string", "product subcategory (ERP)")
dimension("product_line", "string", "Mountain, Road, Touring, Other Sales or n/a")
dimension("product", "string", "product name (product number)", keys=("product_key",))
dimension("year", "integer", "calendar year of the order date")
dimension("quarter", "integer", "calendar quarter (1-4) of the order date")
dimension("month", "string", "year and month of the order date, YYYY-MM (n/a when unknown)")
dimension("order_date", "date", "the order date")
dimension("gender", "string", "Male, Female or n/a")
dimension("marital_status", "string", "Single, Married or n/a")
dimension(
    "age_band",
    "string",
    "age at the latest order date in the data: " + ", ".join(AGE_BANDS),
)
dimension("customer", "string", "first last (customer number)", keys=("customer_key",))

CUSTOMER_DIMENSIONS = ("country", "gender", "marital_status", "age_band", "customer")


def age_in_years(birth_date: ir.DateValue, on: ir.DateValue) -> ir.IntegerValue:
    """Completed years of age on ``on``: one less until the birthday comes round (someone born
    on 29 February turns a year older on 1 March in a common year)."""
    before_birthday = (on.month() * 100 + on.day()) < (birth_date.month() * 100 + birth_date.day())
    return on.year() - birth_date.year() - before_birthday.cast(dt.int64)


def age_band(birth_date: ir.DateValue, on: ir.DateValue) -> ir.StringValue:
    """Ten-year bands from 30 to 80; ``unknown`` without a birth date (or a date to age at)."""
    age = age_in_years(birth_date, on)
    return ibis.cases(
        (age.isnull(), UNKNOWN_AGE),
        (age < 30, "<30"),
        (age < 40, "30-39"),
        (age < 50, "40-49"),
        (age < 60, "50-59"),
        (age < 70, "60-69"),
        (age < 80, "70-79"),
        else_="80+",
    )


def customer_label(customers: ir.Table) -> ir.StringValue:
    """``first last (customer number)``; the unknown member is ``n/a``."""
    c = customers
    name = (c.first_name.fill_null("") + " " + c.last_name.fill_null("")).strip()
    number = c.customer_number.fill_null(UNKNOWN_TEXT)
    named = (name == "").ifelse(number, name + " (" + number + ")")
    return (c.customer_key == UNKNOWN_KEY).ifelse(UNKNOWN_TEXT, named)


def product_label(products: ir.Table) -> ir.StringValue:
    p = products
    named = p.product_name.fill_null(UNKNOWN_TEXT) + " (" + p.product_number + ")"
    return (p.product_key == UNKNOWN_KEY).ifelse(UNKNOWN_TEXT, named)


def latest_order_date(gold: GoldTable) -> ir.Table:
    """One row, ``reference_date``: the latest order date in fact_sales (null when none)."""
    sales, dates = gold("fact_sales"), gold("dim_date")
    ordered = sales.join(dates, sales.order_date_key == dates.date_key)
    return ordered.aggregate(reference_date=dates.date.max())


def customer_attributes(gold: GoldTable) -> ir.Table:
    """Every customer (the unknown member too) with the attributes the models slice by."""
    c = gold("dim_customer")
    aged = c.cross_join(latest_order_date(gold))
    return aged.select(
        "customer_key",
        "location_key",
        customer=customer_label(aged),
        gender=aged.gender,
        marital_status=aged.marital_status,
        birth_date=aged.birth_date,
        age_band=age_band(aged.birth_date, aged.reference_date),
    )


@semantic_model(
    "sales",
    inputs=("fact_sales", "dim_product", "dim_customer", "dim_location", "dim_date"),
    dimensions=(
        "country",
        "category",
        "subcategory",
        "product_line",
        "product",
        "year",
        "quarter",
        "month",
        "order_date",
        "gender",
        "marital_status",
        "age_band",
        "customer",
    ),
)
def sales(gold: GoldTable) -> ir.Table:
    """One row per order line (fact_sales) with its product, customer, country and order date."""
    f = gold("fact_sales")
    p = gold("dim_product")
    c = customer_attributes(gold)
    loc = gold("dim_location")
    d = gold("dim_date")
    # Fact date keys of unknown dates are null (SPEC 6); they meet dim_date's unknown member.
    joined = (
        f.left_join(p, f.product_key == p.product_key)
        .left_join(c, f.customer_key == c.customer_key)
        .left_join(loc, f.location_key == loc.location_key)
        .left_join(d, f.order_date_key.fill_null(UNKNOWN_KEY) == d.date_key)
    )
    return joined.select(
        f.order_number,
        f.product_key,
        f.customer_key,
        f.quantity,
        f.price,
        f.sales_amount,
        f.cost_amount,
        f.profit,
        country=loc.country,
        category=p.category,
        subcategory=p.subcategory,
        product_line=p.product_line,
        product=product_label(p),
        year=d.year,
        quarter=d.quarter,
        month=d.year_month,
        order_date=d.date,
        gender=c.gender,
        marital_status=c.marital_status,
        age_band=c.age_band,
        customer=c.customer,
    )


@semantic_model(
    "customers",
    inputs=("dim_customer", "dim_location", "fact_sales", "dim_date"),
    dimensions=CUSTOMER_DIMENSIONS,
)
def customers(gold: GoldTable) -> ir.Table:
    """One row per known customer (dim_customer without the unknown member), with country."""
    c = customer_attributes(gold)
    known = c.filter(c.customer_key != UNKNOWN_KEY)
    loc = gold("dim_location")
    joined = known.left_join(loc, known.location_key == loc.location_key)
    return joined.select(
        known.customer_key,
        country=loc.country.fill_null(UNKNOWN_TEXT),
        gender=known.gender,
        marital_status=known.marital_status,
        age_band=known.age_band,
        customer=known.customer,
    )
