"""How each kind of model is brought up to date: rebuilt and diffed, or merged by partition."""

from __future__ import annotations

import inspect
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from medallion.changes import ModelState, change_table, changes_since, record_changes
from medallion.config import Settings
from medallion.cuts import Cuts
from medallion.engines.base import META, Engine, staging_name
from medallion.errors import ConfigError
from medallion.kinds import KeyMap, MergeByKey, Rebuild
from medallion.quality.gate import Gate, quarantine_table
from medallion.registry import Built, ModelSpec


@dataclass
class ModelResult:
    name: str
    rows: int
    seconds: float
    rule_counts: dict[str, int] = field(default_factory=dict)
    mode: str = "full"  # full | incremental | diff | unchanged


@dataclass
class BuildContext:
    """What every strategy needs: the engine, the run's identity and every model's state."""

    engine: Engine
    settings: Settings
    run: int  # this run's sequence number
    batch: int  # the highest bronze batch this run takes in
    state: dict[str, ModelState]
    gate: Gate
    full_refresh: bool = False

    @property
    def cuts(self) -> Cuts:
        """The run's cuts, which the gate owns: merges add to them, its tests read them."""
        return self.gate.cuts


def build_model(spec: ModelSpec, ctx: BuildContext) -> ModelResult:
    """Bring one model up to date, validate it against its contract, record what changed."""
    started = time.perf_counter()
    engine = ctx.engine
    previous = ctx.state.get(spec.name)
    as_of = ctx.settings.as_of if _reads_as_of(spec) else None
    inputs = [engine.table(*name.split(".", 1)) for name in spec.inputs]
    exists = engine.exists(spec.layer, spec.table)
    fresh = (
        ctx.full_refresh
        or previous is None
        or not exists
        or (as_of is not None and previous.as_of != as_of)
    )
    merging = isinstance(spec.kind, MergeByKey) and not fresh
    changes = _input_changes(spec, ctx, previous) if merging and previous else None
    if isinstance(spec.kind, MergeByKey) and changes is not None:
        with _selects_unfused():
            counts, mode = _merge(spec, ctx, inputs, changes), "incremental"
    elif isinstance(spec.kind, KeyMap) and not fresh and previous is not None:
        with _selects_unfused():
            numbered = _number_new_keys(spec, ctx, previous)
        if numbered is None:
            counts, mode = _leave_unchanged(spec, ctx), "unchanged"
        else:
            counts, mode = numbered, "incremental"
    elif (
        isinstance(spec.kind, Rebuild)
        and not fresh
        and previous is not None
        and _unchanged(spec, ctx, previous)
    ):
        counts, mode = _leave_unchanged(spec, ctx), "unchanged"
    else:
        diff = isinstance(spec.kind, Rebuild) and exists and not ctx.full_refresh
        counts, mode = _rebuild(spec, ctx, inputs, diff=diff), "diff" if diff else "full"
    if mode != "unchanged":
        ctx.gate.built[spec.name] = mode
    rows = engine.count(spec.layer, spec.table)
    full_run = ctx.run if mode == "full" else (previous.full_run if previous else ctx.run)
    ctx.state[spec.name] = ModelState(ctx.batch, ctx.run, full_run, as_of)
    return ModelResult(spec.name, rows, time.perf_counter() - started, counts, mode)


def _rebuild(
    spec: ModelSpec, ctx: BuildContext, inputs: list[ir.Table], *, diff: bool
) -> dict[str, int]:
    """Recompute from all inputs; with ``diff``, log the rows that differ from the old table.
    Returns the rule counts."""
    engine = ctx.engine
    with _shared_stored(engine, spec, spec.build(inputs, as_of=ctx.settings.as_of)) as built:
        staged = engine.stage(spec.layer, spec.table, built.table)
        # Counted before the audit (which may quarantine rows), from the staged rows where
        # the counts read the model's output: its rows are not computed a second time.
        counts = _rule_counts(engine, built, staged)
    ctx.gate.audit_staged(spec)
    staged = engine.table(spec.layer, staging_name(spec.table))
    if diff:
        old = engine.table(spec.layer, spec.table)
        changed = staged.difference(old).union(old.difference(staged))
        record_changes(engine, spec.name, changed, ctx.run)
    elif isinstance(spec.kind, MergeByKey | KeyMap):
        # A merge model rebuilt in full: consumers see full_run and rebuild too; the log
        # starts afresh from this run.
        engine.drop(META, change_table(spec.name))
    engine.publish(spec.layer, spec.table)
    return counts


def _merge(
    spec: ModelSpec, ctx: BuildContext, inputs: list[ir.Table], changes: list[ir.Table]
) -> dict[str, int]:
    """Recompute the partitions that new data touches, with the model's own function."""
    assert isinstance(spec.kind, MergeByKey)
    partition = spec.kind.partition
    restriction = spec.kind.restrict(inputs, changes)
    engine = ctx.engine
    # What a merge stages is small and in the transaction its merge begins anyway: begun
    # now, none of it is committed on its own (on DuckDB, it went to the log and the
    # checkpoint wrote about 4 MB of it to the file, to be dropped at the end of the run).
    engine.begin_now()
    keys = engine.stage(
        spec.layer, f"{spec.table}_keys", restriction.keys.select(*partition).distinct()
    )
    # The inputs are cut down by the keys as staged: fact_sales' keys take every line of a
    # changed product or customer, a scan of all lines that each input would otherwise repeat.
    found = restriction.keys
    swap = {found.op(): keys.op()} if found.schema() == keys.schema() else {}
    # The cut-down inputs are written once: finding them scans the whole input (the touched
    # partitions' keys are computed for every row), and the build, its rule counts and its
    # audit would each repeat that scan. Inputs passed whole are read as they are. A later
    # input made from an earlier one reads its stored rows: dim_customer's ERP rows are those
    # of the touched customers' numbers, which another scan of the customers would find.
    build_inputs, staged_inputs = [], []
    for i, (table, whole) in enumerate(zip(restriction.inputs, inputs, strict=True)):
        if table.equals(whole):
            build_inputs.append(table)
            continue
        name = f"{spec.table}__input{i}"
        # An input cut to the touched partitions by their key is read from rows an earlier
        # step of the run stored, where some cover the keys; and is kept for later readers.
        by_key = set(partition) <= set(whole.columns) and table.equals(
            whole.semi_join(found, list(partition))
        )
        if by_key:
            cut = ctx.cuts.semi_join(spec.inputs[i], whole, keys, partition)
        else:
            cut = table.op().replace(swap).to_expr() if swap else table
        stored = engine.stage(spec.layer, name, cut)
        swap[table.op()] = stored.op()
        build_inputs.append(stored)
        if by_key:
            ctx.cuts.add(spec.inputs[i], partition, keys, stored)
            ctx.cuts.keep(spec.layer, staging_name(name))
        else:
            staged_inputs.append(name)
    with _shared_stored(engine, spec, spec.build(build_inputs, as_of=ctx.settings.as_of)) as built:
        if restriction.new_only:
            built = _with_held_rows(engine, spec, built, keys)
            staged_inputs.append(f"{spec.table}__held")
        # Only rows of the touched partitions (a dimension's unknown member is not one).
        staged = engine.stage(spec.layer, spec.table, built.table.semi_join(keys, list(partition)))
        # Built from new rows and the rows held for their keys: every row is in a touched
        # partition, so the counts read the rows as staged rather than choose the latest
        # versions a second time (at scale 100, the four silver models' counts compiled in
        # 0.014 s instead of 0.059 s; crm_sales' ran in 3 ms instead of 14 ms).
        counts = _rule_counts(engine, built, staged if restriction.new_only else None)
    _checked_merge(spec, ctx, partition, keys, keep=True)
    # The staged rows are now the table's rows for these keys: fact_orders takes fact_sales'.
    ctx.cuts.add(spec.name, partition, keys, engine.table(spec.layer, staging_name(spec.table)))
    for kept in (spec.table, f"{spec.table}_keys"):
        ctx.cuts.keep(spec.layer, staging_name(kept))
    for name in staged_inputs:
        engine.drop(spec.layer, staging_name(name))
    return counts


def _with_held_rows(engine: Engine, spec: ModelSpec, built: Built, keys: ir.Table) -> Built:
    """``built`` choosing among its new rows and the rows the model holds for ``keys``, in the
    table or its quarantine (``Restriction.new_only``).

    The held rows carry no rule flags: their rules were counted in the run that delivered
    them. So a run counts what its own rows did, a row superseded in this run included, and
    the counts of every run add up to a full rebuild's.
    """
    assert isinstance(spec.kind, MergeByKey)
    candidates = built.candidates
    if candidates is None:
        raise TypeError(
            f"{spec.name}: a restriction to new rows needs the latest version per key of "
            "them as its output (versions(...).built())"
        )
    partition = list(spec.kind.partition)
    flags = set(candidates.columns) - set(built.table.columns)  # the rule flags: False here
    held = []
    for name in (spec.table, quarantine_table(spec.table)):
        if not engine.exists(spec.layer, name):
            continue
        rows = engine.table(spec.layer, name).semi_join(keys, partition)
        if missing := sorted(set(built.table.columns) - set(rows.columns)):
            raise ConfigError(
                f"{spec.layer}.{name} has no column {', '.join(missing)}, which {spec.name} "
                "now writes: rebuild it with `medallion run --full-refresh`"
            )
        held.append(
            rows.select(
                **{
                    column: (ibis.literal(False) if column in flags else rows[column]).cast(dtype)
                    for column, dtype in candidates.schema().items()
                }
            )
        )
    if not held:
        return built
    # Stored: the latest per key reads its candidates three times (latest_per_key).
    rows = held[0].union(*held[1:]) if len(held) > 1 else held[0]
    stored = engine.stage(spec.layer, f"{spec.table}__held", rows)
    more = candidates.union(stored)
    swap = {candidates.op(): more.op()}
    counts = built.rule_counts
    return Built(
        built.table.op().replace(swap).to_expr(),
        None if counts is None else counts.op().replace(swap).to_expr(),
        candidates=more,
    )


def _number_new_keys(
    spec: ModelSpec, ctx: BuildContext, previous: ModelState
) -> dict[str, int] | None:
    """Number the natural keys first delivered in new bronze rows, after the existing ones.
    None when they bring no new key: the map is as it was."""
    assert isinstance(spec.kind, KeyMap)
    natural, key = spec.kind.natural_key, spec.kind.key
    engine = ctx.engine
    engine.begin_now()  # as a merge does: what it stages is small, and it merges
    (name,) = spec.inputs  # one bronze table
    new_rows = changes_since(engine, name, previous, ctx.state.get(name))
    assert new_rows is not None  # bronze changes are its newer batches, always on record
    # Numbered 1, 2, ... among the new rows, in order of first delivery; the keys already
    # numbered are dropped and the rest follow the existing ones in that order.
    numbered = spec.build([new_rows], as_of=ctx.settings.as_of).table
    existing = engine.table(spec.layer, spec.table)
    fresh = numbered.anti_join(existing, natural)
    offset = existing[key].max().fill_null(0).as_scalar()
    ordinal = ibis.row_number().over(order_by=fresh[key])  # 0 for the earliest
    staged = engine.stage(
        spec.layer,
        spec.table,
        fresh.select(natural, **{key: (offset + ordinal + 1).cast(dt.int64)}),
    )
    if not engine.count(spec.layer, staging_name(spec.table)):
        # Most deliveries bring no new country: nothing to check or merge (20 ms at any scale).
        engine.drop(spec.layer, staging_name(spec.table))
        return None
    keys = engine.stage(spec.layer, f"{spec.table}_keys", staged.select(natural))
    _checked_merge(spec, ctx, (natural,), keys, keep=False)
    return {}


def _checked_merge(
    spec: ModelSpec, ctx: BuildContext, partition: tuple[str, ...], keys: ir.Table, *, keep: bool
) -> None:
    """Write-audit-publish of a merge whose rows and keys are staged: the new rows meet the
    contract and tests before anyone sees them. Where nobody sees the merge before the run
    commits, the tests follow it and read the merged table. With ``keep``, the staged rows
    and keys stay for the caller."""
    engine = ctx.engine
    later = engine.private_until_commit
    ctx.gate.audit_staged(spec, partition=partition, keys=keys, tests=not later)
    record_changes(engine, spec.name, keys, ctx.run)
    engine.merge(spec.layer, spec.table, partition, keep=keep or later)
    if later:
        ctx.gate.test_merged(spec, partition=partition, keys=keys)
        if not keep:
            for staged in (spec.table, f"{spec.table}_keys"):
                engine.drop(spec.layer, staging_name(staged))


def _leave_unchanged(spec: ModelSpec, ctx: BuildContext) -> dict[str, int]:
    """Keep the model as it is; run the tests due at it that read what did change. Returns
    its (empty) rule counts."""
    ctx.gate.test_unchanged(spec)
    engine = ctx.engine
    if not engine.exists(META, change_table(spec.name)):
        # A log, though empty: without one its consumers could not tell "nothing changed"
        # from "not on record", and would rebuild in full (a full build keeps none).
        empty = engine.table(spec.layer, spec.table).limit(0)
        record_changes(engine, spec.name, empty, ctx.run)
    return {}


def _input_changes(
    spec: ModelSpec, ctx: BuildContext, previous: ModelState
) -> list[ir.Table] | None:
    changes = []
    for name in spec.inputs:
        found = changes_since(ctx.engine, name, previous, ctx.state.get(name))
        if found is None:
            return None
        changes.append(found)
    return changes


def _unchanged(spec: ModelSpec, ctx: BuildContext, previous: ModelState) -> bool:
    """No input changed since the model last ran: its function would give the rows it has.

    Products, categories and the small dimensions are rebuilt and compared in full, about
    0.15 s each, though most deliveries bring none of their rows. Like a merge, a model is
    not recomputed for a change of medallion's own rules: that takes ``--full-refresh``.
    """
    changes = _input_changes(spec, ctx, previous)
    if changes is None:
        return False
    for changed in changes:
        found = ctx.engine.to_arrow(changed.limit(1).count().as_table()).column(0)[0].as_py()
        if found:
            return False
    return True


@contextmanager
def _selects_unfused() -> Iterator[None]:
    """Compile without Ibis fusing consecutive selects into one, for the few rows a merge
    reads. Fusing is a rewrite of the whole expression that pays off in DuckDB's plan for
    large inputs (crm_sales' full build: 9.6 s fused, 13.2 s not), not for a merge's: at
    scale 100, an incremental run compiled in 0.51 s instead of 0.57 s."""
    fused = ibis.options.sql.fuse_selects
    ibis.options.sql.fuse_selects = False
    try:
        yield
    finally:
        ibis.options.sql.fuse_selects = fused


def _reads_as_of(spec: ModelSpec) -> bool:
    return spec.func is not None and "as_of" in inspect.signature(spec.func).parameters


@contextmanager
def _shared_stored(engine: Engine, spec: ModelSpec, built: Built) -> Iterator[Built]:
    """``built`` with the intermediate its output and counts share stored, and both pointed
    at it, until the block ends. Crm_sales otherwise parsed its 6 million bronze lines twice,
    for its stage and again for its counts."""
    if built.shared is None:
        yield built
        return
    name = f"{spec.table}__shared"
    stored = engine.stage(spec.layer, name, built.shared)
    swap = {built.shared.op(): stored.op()}
    counts = built.rule_counts
    candidates = built.candidates
    yield Built(
        built.table.op().replace(swap).to_expr(),
        None if counts is None else counts.op().replace(swap).to_expr(),
        candidates=None if candidates is None else candidates.op().replace(swap).to_expr(),
    )
    # Not on failure: the run's transaction then drops what it staged, and a DROP in an
    # aborted transaction would hide the error.
    engine.drop(spec.layer, staging_name(name))


def _rule_counts(engine: Engine, built: Built, staged: ir.Table | None) -> dict[str, int]:
    """The model's rule counts; where they read its output (``dropped_superseded`` counts its
    rows), they read ``staged``, the same rows already written, when given."""
    if built.rule_counts is None:
        return {}
    counts = built.rule_counts
    if staged is not None:
        counts = counts.op().replace({built.table.op(): staged.op()}).to_expr()
    row = engine.to_arrow(counts).to_pylist()[0]
    return {name: int(value or 0) for name, value in row.items()}
