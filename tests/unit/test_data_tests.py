"""Each generic and star-schema data test passes on good tables and fails on a broken one."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from medallion.changes import record_changes
from medallion.engines.duckdb import DuckDBEngine
from medallion.errors import ConfigError
from medallion.quality import datatests
from medallion.quality.datatests import (
    DataTest,
    accepted_values,
    data_test,
    load_tests,
    not_null,
    relationships,
    unique,
)
from medallion.quality.evaluate import run_test
from medallion.quality.gate import Gate
from medallion.quality.severity import SeverityPolicy
from medallion.quality.star import grain, reconcile, unknown_member
from medallion.registry import load_models


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[DuckDBEngine]:
    with DuckDBEngine(tmp_path / "w.duckdb") as engine:
        yield engine


@pytest.fixture(autouse=True)
def own_registry() -> Iterator[None]:
    """Tests declared here must not leak into the project's registry (or clash by id)."""
    load_tests()
    saved = dict(datatests.TESTS)
    datatests.TESTS.clear()
    yield
    datatests.TESTS.clear()
    datatests.TESTS.update(saved)


def check(engine: DuckDBEngine, test: DataTest, **tables: ir.Table) -> tuple[int, list[dict]]:
    by_model = {m: tables[m.split(".", 1)[1]] for m in test.models}
    result = run_test(engine, test, by_model.__getitem__)
    return result.failures, result.sample


def dim(keys: list[int]) -> ir.Table:
    return ibis.memtable({"customer_key": keys, "name": [f"c{k}" for k in keys]})


def test_unique_fails_on_a_duplicated_key(engine: DuckDBEngine) -> None:
    test = unique("gold.dim", "customer_key")
    assert check(engine, test, dim=dim([1, 2, 3]))[0] == 0
    failures, sample = check(engine, test, dim=dim([1, 2, 2]))
    assert failures == 1
    assert sample == [{"customer_key": 2, "duplicates": 2}]


def test_not_null_fails_on_a_null(engine: DuckDBEngine) -> None:
    test = not_null("gold.t", "x")
    assert check(engine, test, t=ibis.memtable({"x": [1, 2]}))[0] == 0
    table = ibis.memtable(pa.table({"x": pa.array([1, None, None], pa.int64())}))
    assert check(engine, test, t=table)[0] == 2


def test_accepted_values_fails_on_another_value_and_ignores_nulls(engine: DuckDBEngine) -> None:
    test = accepted_values("gold.t", "gender", ["Male", "Female", "n/a"])
    good = ibis.memtable(pa.table({"gender": pa.array(["Male", None, "n/a"], pa.string())}))
    assert check(engine, test, t=good)[0] == 0
    failures, sample = check(engine, test, t=ibis.memtable({"gender": ["Male", "M", "female"]}))
    assert failures == 2
    assert {row["gender"] for row in sample} == {"M", "female"}


def test_relationships_fails_on_an_orphan_key(engine: DuckDBEngine) -> None:
    test = relationships("gold.fact", "customer_key", to="gold.dim.customer_key")
    fact = ibis.memtable(pa.table({"customer_key": pa.array([1, -1, None], pa.int64())}))
    assert check(engine, test, fact=fact, dim=dim([-1, 1]))[0] == 0
    failures, sample = check(engine, test, fact=fact, dim=dim([-1, 2]))
    assert (failures, sample) == (1, [{"customer_key": 1}])


def test_relationships_is_judged_per_key_only_where_both_columns_share_a_name() -> None:
    assert relationships("gold.a", "order_number", to="gold.b.order_number").per == (
        "order_number",
    )
    assert relationships("gold.c", "customer_key", to="gold.d.key").per == ()


def changed_keys_of(
    engine: DuckDBEngine, built: dict[str, str], logged: dict[str, list[str]], mine: list[str]
) -> list[str] | None:
    """What a gate merging ``gold.mine`` (run 2, keys ``mine``) restricts a per-key test of
    gold.mine, gold.other and gold.third to, after the runs' change logs ``logged``."""
    for model, keys in logged.items():
        record_changes(engine, model, ibis.memtable({"k": keys}), 1)  # an earlier run
        record_changes(engine, model, ibis.memtable({"k": keys[1:]}), 2)  # this run
    models = ("gold.mine", "gold.other", "gold.third")
    test = DataTest("t", models, lambda *tables: tables[0], "", per=("k",))
    gate = Gate(engine, SeverityPolicy(), run=2, built=built)
    keys = ibis.memtable({"k": mine})
    found = gate._changed_keys(test, "gold.mine", keys, {})
    if found is None:
        return None
    return sorted(engine.to_arrow(found).column("k").to_pylist())


def test_a_gate_checks_every_key_this_run_changed_in_any_model_a_per_key_test_reads(
    engine: DuckDBEngine,
) -> None:
    logs = {"gold.other": ["a", "b", "c"]}  # run 2 changed b and c
    built = {"gold.other": "incremental"}
    assert changed_keys_of(engine, built, logs, ["b", "c"]) == ["b", "c"]
    assert changed_keys_of(engine, built, logs, ["b"]) == ["b", "c"]
    # gold.third was not built this run: unchanged, so it adds nothing.
    assert changed_keys_of(engine, built, logs, ["x"]) == ["b", "c", "x"]


def test_a_per_key_test_checks_every_key_after_a_full_rebuild_or_of_bronze(
    engine: DuckDBEngine,
) -> None:
    logs = {"gold.other": ["a", "b"]}
    assert changed_keys_of(engine, {"gold.other": "full"}, logs, ["b"]) is None
    test = DataTest("t", ("gold.mine", "bronze.raw"), lambda a, b: a, "", per=("k",))
    gate = Gate(engine, SeverityPolicy(), run=2)
    assert gate._changed_keys(test, "gold.mine", ibis.memtable({"k": ["b"]}), {}) is None


def test_relationships_names_a_bad_target() -> None:
    with pytest.raises(ValueError, match="layer"):
        relationships("gold.fact", "k", to="dim_customer")


def test_custom_test_is_one_decorator_and_fails_on_its_rows(engine: DuckDBEngine) -> None:
    @data_test("gold.fact", severity="warn")
    def no_free_lines(fact: ir.Table) -> ir.Table:
        """Every line has a price."""
        return fact.filter(fact.price <= 0)

    test = datatests.TESTS["custom:no_free_lines"]
    assert (test.severity, test.description) == ("warn", "Every line has a price.")
    assert check(engine, test, fact=ibis.memtable({"price": [1, 2]}))[0] == 0
    assert check(engine, test, fact=ibis.memtable({"price": [1, 0, -3]}))[0] == 2


def test_custom_test_needs_a_docstring() -> None:
    with pytest.raises(ValueError, match="docstring"):

        @data_test("gold.fact")
        def undocumented(fact: ir.Table) -> ir.Table:
            return fact


def test_grain_ignores_rows_at_the_unknown_member(engine: DuckDBEngine) -> None:
    test = grain("gold.fact", ["order_number", "product_key"])
    lines = {"order_number": ["A", "A", "A", "B"], "product_key": [1, -1, -1, 1]}
    assert check(engine, test, fact=ibis.memtable(lines))[0] == 0
    lines["product_key"] = [1, 1, -1, 1]
    failures, sample = check(engine, test, fact=ibis.memtable(lines))
    assert (failures, sample[0]["order_number"]) == (1, "A")


def test_unknown_member_must_be_present_once_with_na_text_and_null_rest(
    engine: DuckDBEngine,
) -> None:
    test = unknown_member("gold.dim", "key", codes=("code",))

    def table(rows: list[tuple]) -> ir.Table:
        schema = pa.schema([("key", pa.int64()), ("name", pa.string()), ("code", pa.string())])
        return ibis.memtable(
            pa.Table.from_pylist([dict(zip(schema.names, r, strict=True)) for r in rows], schema)
        )

    good = [(-1, "n/a", None), (1, "Germany", "DE")]
    assert check(engine, test, dim=table(good))[0] == 0
    missing = check(engine, test, dim=table(good[1:]))
    assert missing == (1, [{"unknown_members": 0, "with_wrong_attributes": 0}])
    wrong = check(engine, test, dim=table([(-1, "n/a", "XX"), (1, "Germany", "DE")]))
    assert wrong[1] == [{"unknown_members": 1, "with_wrong_attributes": 1}]
    twice = check(engine, test, dim=table([(-1, "n/a", None), (-1, "n/a", None)]))
    assert twice[1][0]["unknown_members"] == 2


def test_reconcile_reports_the_keys_whose_totals_differ(engine: DuckDBEngine) -> None:
    money = pa.decimal128(18, 2)

    def lines(orders: list[str], amounts: list[str | None]) -> ir.Table:
        values = pa.array([None if a is None else Decimal(a) for a in amounts], money)
        return ibis.memtable(pa.table({"order_number": orders, "sales_amount": values}))

    silver = lines(["A", "A", "B"], ["1.00", "2.00", None])
    same = lines(["A", "B"], ["3.00", None])
    assert engine.to_arrow(reconcile({"s": silver, "g": same}, ["sales_amount"])).num_rows == 0
    by_order = reconcile({"s": silver, "g": same}, ["sales_amount"], by=["order_number"])
    assert engine.to_arrow(by_order).num_rows == 0
    off = lines(["A", "B"], ["3.01", "0.00"])
    differ = reconcile({"s": silver, "g": off}, ["sales_amount"], by=["order_number"])
    assert sorted(engine.to_arrow(differ).column("order_number").to_pylist()) == ["A", "B"]
    assert engine.to_arrow(reconcile({"s": silver, "g": off}, ["sales_amount"])).num_rows == 1
    # A key one table lacks differs, whichever table it is, even with null totals.
    extra = lines(["A", "B", "C"], ["3.00", None, None])
    only_c = reconcile({"s": silver, "g": extra}, ["sales_amount"], by=["order_number"])
    assert engine.to_arrow(only_c).column("order_number").to_pylist() == ["C"]
    missing = lines(["A"], ["3.00"])
    only_b = reconcile(
        {"s": lines(["A", "B"], ["3.00", "1.00"]), "g": missing, "h": missing},
        ["sales_amount"],
        by=["order_number"],
    )
    assert engine.to_arrow(only_b).column("order_number").to_pylist() == ["B"]
    in_the_third = reconcile(
        {"s": missing, "g": missing, "h": lines(["A", "D"], ["3.00", "0.00"])},
        ["sales_amount"],
        by=["order_number"],
    )
    assert engine.to_arrow(in_the_third).column("order_number").to_pylist() == ["D"]
    # A table of one row per key is read as its own totals, with the same outcome.
    for other, expected in ((same, []), (off, ["A", "B"]), (extra, ["C"])):
        found = reconcile(
            {"s": silver, "g": other}, ["sales_amount"], by=["order_number"], one_per_key=["g"]
        )
        assert sorted(engine.to_arrow(found).column("order_number").to_pylist()) == expected


def test_severity_override_applies_by_pattern_and_rejects_quarantine() -> None:
    test = not_null("gold.t", "x")
    assert test.with_policy(SeverityPolicy((("not_null:gold.*", "warn"),))).severity == "warn"
    assert test.with_policy(SeverityPolicy((("unique:*", "warn"),))).severity == "error"
    with pytest.raises(ConfigError, match="cannot quarantine"):
        test.with_policy(SeverityPolicy((("not_null:*", "quarantine"),)))


def test_the_project_declares_every_gold_relationship_of_the_star() -> None:
    datatests.TESTS.clear()
    import importlib

    import schemas.data_tests

    importlib.reload(schemas.data_tests)
    ids = set(datatests.TESTS)
    for fact in ("fact_sales", "fact_orders"):
        for key in ("customer_key", "location_key", "order_date_key", "ship_date_key"):
            assert f"relationships:gold.{fact}.{key}" in ids
    assert "relationships:gold.fact_sales.product_key" in ids
    # Every gold grain is checked once: by a grain test, or by the contract's unique key.
    for spec in load_models().values():
        if spec.layer != "gold":
            continue
        test_id = f"grain:{spec.name}.{'+'.join(spec.grain)}"
        unique = spec.contract.to_schema().unique if spec.contract else None
        assert (test_id in ids) != (set(unique or ()) == set(spec.grain)), spec.name
    assert "grain:gold.fact_sales.order_number+product_key" in ids
    assert "relationships:gold.dim_customer.location_key" in ids
    for dim_name in ("dim_customer", "dim_product", "dim_location", "dim_date"):
        assert f"unknown_member:gold.{dim_name}" in ids


def test_unknown_members_only_where_missing_reports_orders_pointing_wrongly(
    engine: DuckDBEngine,
) -> None:
    from schemas.data_tests import unknown_members_only_where_missing as test

    dim_customer = ibis.memtable({"customer_key": [-1, 1], "customer_id": [None, 10]})
    dim_product = ibis.memtable({"product_key": [-1, 1], "product_number": [None, "P1"]})
    # Order A: customer 10 and product P1 known; order B: customer 99 and product P9 are not.
    sales = ibis.memtable(
        {
            "order_number": ["A", "A", "B"],
            "customer_id": [10, 10, 99],
            "product_number": ["P1", "P9", "P9"],
        }
    )

    def failing(customer_keys: list[int], product_keys: list[int]) -> list[str]:
        fact = ibis.memtable(
            {
                "order_number": ["A", "A", "B"],
                "customer_key": customer_keys,
                "product_key": product_keys,
            }
        )
        rows = test(fact, sales, dim_customer, dim_product)
        return sorted(engine.to_arrow(rows).column("order_number").to_pylist())

    assert failing([1, 1, -1], [1, -1, -1]) == []
    assert failing([1, -1, -1], [1, -1, -1]) == ["A"]  # a known customer left at -1
    assert failing([1, 1, -1], [1, -1, 1]) == ["B"]  # an unknown product given a key
    # Only the orders of the fact lines given are judged (a run passes its new lines).
    only_b = ibis.memtable({"order_number": ["B"], "customer_key": [-1], "product_key": [-1]})
    assert engine.to_arrow(test(only_b, sales, dim_customer, dim_product)).num_rows == 0
