"""silver.crm_customers: one row per CRM customer, the latest version of each."""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from medallion import rules
from medallion.kinds import MergeByKey, Restriction
from medallion.partitions import new_keys_of_bronze
from medallion.registry import Built, model
from medallion.versions import versions
from schemas.silver import CrmCustomers

MARITAL_STATUS = {"S": "Single", "M": "Married"}
GENDER = {"F": "Female", "M": "Male"}
COLUMNS = (
    "customer_id",
    "customer_number",
    "first_name",
    "last_name",
    "marital_status",
    "gender",
    "create_date",
    *rules.LINEAGE,
)


def with_customer_id(cust_info: ir.Table) -> ir.Table:
    """Bronze rows with their partition key, ``customer_id`` (null for an unusable id)."""
    return cust_info.mutate(customer_id=rules.parse_int(cust_info.cst_id))


def changed_customers(inputs: Sequence[ir.Table], changes: Sequence[ir.Table]) -> Restriction:
    """Customers with a new version delivered; it competes with the version held."""
    return new_keys_of_bronze(changes[0], with_customer_id, ["customer_id"])


def crm_customer_rows(cust_info: ir.Table) -> ir.Table:
    """Every bronze row with its cleaned columns beside the raw ones, before versions collapse."""
    t = rules.parse_dates(with_customer_id(cust_info), create_date="cst_create_date")
    return t.mutate(
        customer_number=rules.clean_text(t.cst_key),
        first_name=rules.clean_text(t.cst_firstname),
        last_name=rules.clean_text(t.cst_lastname),
        marital_status=rules.map_code(t.cst_marital_status, MARITAL_STATUS),
        gender=rules.map_code(t.cst_gndr, GENDER),
    )


@model(
    "silver.crm_customers",
    inputs=["bronze.crm_cust_info"],
    grain=["customer_id"],
    kind=MergeByKey(("customer_id",), changed_customers),
    contract=CrmCustomers,
)
def crm_customers(cust_info: ir.Table) -> Built:
    """CRM customers, one row per customer_id: the version with the latest create date."""
    rows = crm_customer_rows(cust_info)
    kept = versions(
        rows,
        COLUMNS,
        ["customer_id"],
        unusable=("dropped_blank_or_invalid_id", rows.customer_id.isnull()),
        # A null create date ranks below any known date (SPEC 6).
        order_by=lambda t: [ibis.desc(t.create_date.notnull()), ibis.desc(t.create_date)],
        name_trimmed_or_nulled=rules.changed(rows.first_name, rows.cst_firstname)
        | rules.changed(rows.last_name, rows.cst_lastname),
        marital_status_to_na=rows.marital_status == "n/a",
        gender_to_na=rows.gender == "n/a",
        create_date_nulled=rows.cst_create_date.notnull() & rows.create_date.isnull(),
    )
    return kept.built()
