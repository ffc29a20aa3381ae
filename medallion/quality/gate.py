"""Write-audit-publish: staged rows meet their contract and tests before anyone can read them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import ibis.expr.types as ir

from medallion.changes import change_table
from medallion.cuts import Cuts
from medallion.engines.base import META, Engine, staging_name
from medallion.errors import ConfigError
from medallion.quality.audit import audit, raise_for_failures
from medallion.quality.checks import contract_checks
from medallion.quality.datatests import DataTest
from medallion.quality.evaluate import run_test
from medallion.quality.results import CheckResult
from medallion.quality.severity import SeverityPolicy
from medallion.registry import ModelSpec

QUARANTINE_SUFFIX = "_quarantine"


def quarantine_table(table: str) -> str:
    """``fact_sales`` -> ``fact_sales_quarantine``, in the same layer."""
    return table + QUARANTINE_SUFFIX


@dataclass
class Gate:
    """The audit step of every model a run builds, and the results it gathered."""

    engine: Engine
    policy: SeverityPolicy
    run: int
    tests_at: dict[str, list[DataTest]] = field(default_factory=dict)
    enabled: bool = True
    results: list[CheckResult] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # auditing time per model
    built: dict[str, str] = field(default_factory=dict)  # models built so far: their mode
    cuts: Cuts = field(init=False)  # rows the run already cut out of tables, for tests per key

    def __post_init__(self) -> None:
        self.cuts = Cuts(self.engine)

    @contextmanager
    def _timed(self, model: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[model] = self.seconds.get(model, 0.0) + time.perf_counter() - started

    def audit_staged(
        self,
        spec: ModelSpec,
        *,
        partition: tuple[str, ...] = (),
        keys: ir.Table | None = None,
        tests: bool = True,
    ) -> None:
        """Check the staged rows of ``spec``; raise on an error-severity failure.

        For a merge (``partition`` and the staged ``keys`` given) the staged rows are only the
        touched partitions: row checks and keys containing the partition need nothing else,
        other checks see the table as it will be after the merge. Rows failing a quarantine
        check leave the staged table for ``<table>_quarantine``, replaced partition-wise too.
        Without ``tests``, the data tests wait for ``test_merged``.
        """
        if not self.enabled:
            return
        with self._timed(spec.name):
            staged = self._check_contract(spec, partition, keys)
            if tests:
                merged = self._after_merge(spec, staged, partition, keys)
                self._test(spec, partition, keys, staged, merged)

    def test_merged(self, spec: ModelSpec, *, partition: tuple[str, ...], keys: ir.Table) -> None:
        """The data tests of a merge, run after it, where the engine keeps the run's changes
        from readers until the run commits (``Engine.private_until_commit``): a failure still
        publishes nothing. They read the merged table itself, which before the merge they had
        to compute (fact_orders' totals: an anti join of all its orders with the merge's)."""
        if not self.enabled:
            return
        engine = self.engine
        with self._timed(spec.name):
            staged = engine.table(spec.layer, staging_name(spec.table))
            self._test(spec, partition, keys, staged, engine.table(spec.layer, spec.table))

    def _check_contract(
        self, spec: ModelSpec, partition: tuple[str, ...], keys: ir.Table | None
    ) -> ir.Table:
        """The contract's checks of the staged rows; returns them, quarantined rows gone."""
        engine = self.engine
        staged = engine.table(spec.layer, staging_name(spec.table))
        if spec.contract is None:
            return staged
        checks = contract_checks(spec.name, spec.contract, self.policy)
        found = audit(
            engine,
            checks,
            staged,
            old=engine.table(spec.layer, spec.table) if keys is not None else None,
            keys=keys,
            partition=partition,
            run=self.run,
        )
        self.results.extend(found.results)
        raise_for_failures(spec.name, found.results)
        self._quarantine(spec, found.quarantined, partition, keys)
        if found.kept is not None:
            staged = engine.stage(spec.layer, spec.table, found.kept)
        return staged

    def _test(
        self,
        spec: ModelSpec,
        partition: tuple[str, ...],
        keys: ir.Table | None,
        staged: ir.Table,
        merged: ir.Table,
    ) -> None:
        """The data tests due at ``spec``, on its ``staged`` rows or the table ``merged``
        (as it is or will be after its merge; the staged rows when it is rebuilt)."""
        engine = self.engine
        tested = []
        within: dict[str, bool] = {}  # per model: are its changes among this model's keys?
        for test in self.tests_at.get(spec.name, []):
            only_new = spec.name in test.row_models or (
                bool(test.key) and set(partition) <= set(test.key)
            )
            mine = staged if only_new or keys is None else merged
            changed = None
            if keys is not None and test.per and set(test.per) == set(partition):
                changed = self._changed_keys(test, spec.name, keys, within)
            narrowed = None  # the keys of the staged rows, when those are some of the rows
            if keys is not None and spec.name in test.row_models and test.narrow_by:
                narrowed = staged.select(*test.narrow_by).distinct()

            def resolve(
                name: str,
                mine: ir.Table = mine,
                changed: ir.Table | None = changed,
                narrowed: ir.Table | None = narrowed,
                test: DataTest = test,
            ) -> ir.Table:
                table = mine if name == spec.name else engine.table(*name.split(".", 1))
                if (
                    narrowed is not None
                    and name != spec.name
                    and set(test.narrow_by) <= set(table.columns)
                ):
                    return self.cuts.semi_join(name, table, narrowed, test.narrow_by)
                if changed is None:
                    return table
                if name == spec.name and changed is keys:
                    return staged  # exactly the changed keys' rows
                if name == spec.name:
                    return merged.semi_join(changed, list(partition))
                return self.cuts.semi_join(name, table, changed, partition)

            if all(m == spec.name or engine.exists(*m.split(".", 1)) for m in test.models):
                tested.append(run_test(engine, test, resolve))
        self.results.extend(tested)
        raise_for_failures(spec.name, tested)

    def test_unchanged(self, spec: ModelSpec) -> None:
        """The data tests due at a model this run leaves as it was, where another table they
        read may have changed in this run (bronze, or a model built before it): on the
        published tables. The others passed on these very rows when they last ran."""
        if not self.enabled:
            return
        engine = self.engine
        due = [
            test
            for test in self.tests_at.get(spec.name, [])
            if any(m.startswith("bronze.") or m in self.built for m in test.models)
            and all(engine.exists(*m.split(".", 1)) for m in test.models)
        ]
        with self._timed(spec.name):
            tested = [
                run_test(engine, test, lambda name: engine.table(*name.split(".", 1)))
                for test in due
            ]
        self.results.extend(tested)
        raise_for_failures(spec.name, tested)

    def _changed_keys(
        self, test: DataTest, model: str, keys: ir.Table, within: dict[str, bool]
    ) -> ir.Table | None:
        """The keys (``test.per``) this run changed in any model the test reads: the staged
        ``keys`` of ``model``, and what the change logs of others built in this run record.
        None when one was rebuilt in full or is bronze: every key must then be checked.

        Keys nothing changed in this run were checked, with the same rows, when they last
        changed; that holds for runs with checks on (a run without checks defers them to
        ``medallion test``).
        """
        per = list(test.per)
        outside = []
        for name in test.models:
            if name.startswith("bronze."):
                return None  # new batches change bronze in every run
            if name == model or name not in self.built:
                continue  # the merge's own keys; or a model this run left unchanged
            if self.built[name] == "full":
                return None
            log = self.engine.table(META, change_table(name))
            if not set(per) <= set(log.columns):
                return None
            changed = log.filter(log._run == self.run).select(*per)
            if name not in within:
                extra = changed.anti_join(keys, per).count().as_table()
                within[name] = not self.engine.to_arrow(extra).column(0)[0].as_py()
            if not within[name]:
                outside.append(changed)
        if not outside:
            return keys  # the usual case: what others changed, this model changed too
        return keys.select(*per).union(*outside).distinct()

    def check_bronze(self, spec: ModelSpec, since_batch: int) -> None:
        """Bronze rows of batches after ``since_batch`` meet the contract before silver reads
        them. Bronze is append-only: a failing row stays, reported (warn) or stopping the run
        until it is dealt with (error); it cannot be quarantined."""
        if not self.enabled or spec.contract is None:
            return
        checks = contract_checks(spec.name, spec.contract, self.policy)
        for check in checks:
            if check.severity == "quarantine":
                raise ConfigError(
                    f"{check.id}: bronze is append-only and cannot quarantine; unparseable "
                    "rows are quarantined at ingest. Use error or warn"
                )
        with self._timed(spec.name):
            bronze = self.engine.table(spec.layer, spec.table)
            new = bronze.filter(bronze._batch_id > since_batch)
            # A file's rows share one batch, so a duplicated (file, row) shows among new rows.
            found = audit(self.engine, checks, new, run=self.run)
        self.results.extend(found.results)
        raise_for_failures(spec.name, found.results)

    def _after_merge(
        self,
        spec: ModelSpec,
        staged: ir.Table,
        partition: tuple[str, ...],
        keys: ir.Table | None,
    ) -> ir.Table:
        """The table as the merge will leave it (the staged rows when it is rebuilt)."""
        if keys is None:
            return staged
        old = self.engine.table(spec.layer, spec.table)
        return old.anti_join(keys, list(partition)).union(staged.select(*old.columns))

    def _quarantine(
        self,
        spec: ModelSpec,
        rows: ir.Table | None,
        partition: tuple[str, ...],
        keys: ir.Table | None,
    ) -> None:
        """Replace the quarantined rows of what was rebuilt: the partitions a merge touched,
        or all of them; so the quarantine, like the table, equals a full refresh's."""
        engine, layer, name = self.engine, spec.layer, quarantine_table(spec.table)
        exists = engine.exists(layer, name)
        if keys is None:
            if rows is not None:
                engine.stage(layer, name, rows)
                engine.publish(layer, name)
            elif exists:
                engine.drop(layer, name)
            return
        if exists:
            old = engine.table(layer, name)
            remaining = old.anti_join(keys, list(partition))
            if rows is not None:
                remaining = remaining.union(rows.select(*old.columns))
            engine.stage(layer, name, remaining)
            engine.publish(layer, name)
        elif rows is not None:
            engine.append(layer, name, rows)
