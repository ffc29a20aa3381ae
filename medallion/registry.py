"""The model registry: ``@model`` specs, the DAG derived from them, and ``--select``."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from typing import Any

import ibis.expr.types as ir

from medallion.errors import SelectionError
from medallion.kinds import AppendNewFiles, Kind, Rebuild

LAYER_ORDER = ("bronze", "silver", "gold")


@dataclass(frozen=True)
class Built:
    """A model's output and, optionally, one row counting what each cleaning rule changed.

    ``shared`` is an intermediate both read (the parsed bronze rows): a run stores it first
    and points both at the stored rows, so its work is done once. Read without a run, they
    compute it inline, with the same results.

    ``candidates``, where the output is the latest version per key of these rows: an
    incremental run that passes only new rows adds the rows the model already holds for
    their keys (``Restriction.new_only``).
    """

    table: ir.Table
    rule_counts: ir.Table | None = None
    shared: ir.Table | None = None
    candidates: ir.Table | None = None


@dataclass(frozen=True)
class ModelSpec:
    name: str
    inputs: tuple[str, ...]
    kind: Kind
    grain: tuple[str, ...]
    description: str
    contract: type | None = None
    func: Callable[..., Built | ir.Table] | None = field(default=None, compare=False)

    @property
    def layer(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def table(self) -> str:
        return self.name.split(".", 1)[1]

    def build(self, inputs: list[ir.Table], *, as_of: Any = None) -> Built:
        """Call the pure transform; ``as_of`` is passed only to models that declare it."""
        assert self.func is not None, f"{self.name} is produced by ingestion, not a transform"
        kwargs = {"as_of": as_of} if "as_of" in inspect.signature(self.func).parameters else {}
        out = self.func(*inputs, **kwargs)
        return out if isinstance(out, Built) else Built(out)


REGISTRY: dict[str, ModelSpec] = {}


def register(spec: ModelSpec) -> ModelSpec:
    if spec.name in REGISTRY:
        raise ValueError(f"model {spec.name} is registered twice")
    if spec.layer not in LAYER_ORDER or "." in spec.table:
        raise ValueError(f"model name {spec.name!r} must be <bronze|silver|gold>.<table>")
    REGISTRY[spec.name] = spec
    return spec


def model(
    name: str,
    *,
    inputs: Iterable[str],
    grain: Iterable[str],
    kind: Kind | None = None,
    contract: type | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a pure transform: ``@model("silver.x", inputs=["bronze.y"], grain=["id"])``.

    The function takes one Ibis table per input, in order, and returns a table (or ``Built``).
    Its docstring's first line is the model's description in the docs.
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        doc = inspect.getdoc(func) or ""
        if not doc:
            raise ValueError(f"model {name} needs a docstring: it is the table's description")
        register(
            ModelSpec(
                name=name,
                inputs=tuple(inputs),
                kind=kind or Rebuild(),
                grain=tuple(grain),
                description=doc.splitlines()[0],
                contract=contract,
                func=func,
            )
        )
        return func

    return decorate


def source(
    name: str, *, description: str, grain: Iterable[str] = (), contract: type | None = None
) -> ModelSpec:
    """Register a bronze table, filled by ingestion rather than a transform."""
    return register(
        ModelSpec(name, (), AppendNewFiles(), tuple(grain), description, contract=contract)
    )


def load_models() -> dict[str, ModelSpec]:
    """Import every model module (they register themselves) and return the registry."""
    import medallion.models  # noqa: F401  (import registers)

    return REGISTRY


def run_order(specs: dict[str, ModelSpec]) -> list[str]:
    """Models in dependency order; ties broken by layer then name, so plans read stably."""
    graph = {name: set(spec.inputs) for name, spec in specs.items()}
    sorter = TopologicalSorter(graph)
    sorter.prepare()
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=lambda n: (LAYER_ORDER.index(n.split(".")[0]), n))
        order.extend(ready)
        sorter.done(*ready)
    return order


def _downstream(specs: dict[str, ModelSpec], name: str) -> set[str]:
    found: set[str] = set()
    frontier = [name]
    while frontier:
        current = frontier.pop()
        for other, spec in specs.items():
            if current in spec.inputs and other not in found:
                found.add(other)
                frontier.append(other)
    return found


def _upstream(specs: dict[str, ModelSpec], name: str) -> set[str]:
    found: set[str] = set()
    frontier = [name]
    while frontier:
        for parent in specs[frontier.pop()].inputs:
            if parent not in found:
                found.add(parent)
                frontier.append(parent)
    return found


def select(specs: dict[str, ModelSpec], selectors: Iterable[str]) -> list[str]:
    """Resolve ``--select`` expressions to models in run order.

    A selector is a layer (``silver``), a model (``gold.fact_sales``, or just ``fact_sales``),
    optionally with ``+`` before (and everything upstream) or after (and everything downstream).
    No selector means everything.
    """
    selectors = [s.strip() for s in selectors if s.strip()]
    if not selectors:
        return run_order(specs)
    chosen: set[str] = set()
    for selector in selectors:
        up, down = selector.startswith("+"), selector.endswith("+")
        core = selector.strip("+")
        if core in LAYER_ORDER:
            names = {n for n, s in specs.items() if s.layer == core}
        else:
            names = {n for n in specs if n == core or n.split(".", 1)[1] == core}
        if not names:
            raise SelectionError(
                f"--select {selector!r} matches no layer or model; "
                f"layers: {', '.join(LAYER_ORDER)}; models: {', '.join(sorted(specs))}"
            )
        for name in set(names):
            if up:
                names |= _upstream(specs, name)
            if down:
                names |= _downstream(specs, name)
        chosen |= names
    return [n for n in run_order(specs) if n in chosen]


def rule_counts(
    table: ir.Table,
    *,
    superseded: tuple[ir.Table, ir.Table] | None = None,
    **rules: ir.BooleanValue,
) -> ir.Table:
    """One row: for each rule, how many rows of ``table`` it nulled, fixed or dropped.

    ``superseded=(candidates, survivors)`` adds ``dropped_superseded``: the rows that lost to a
    newer version of the same key.
    """
    counts = table.aggregate(
        **{
            name: cond.fill_null(False).cast("int64").sum().fill_null(0)
            for name, cond in rules.items()
        }
    )
    if superseded is not None:
        candidates, survivors = superseded
        counts = counts.mutate(
            dropped_superseded=candidates.count().as_scalar() - survivors.count().as_scalar()
        )
    return counts


__all__ = ["REGISTRY", "Built", "ModelSpec", "load_models", "model", "select", "source"]
