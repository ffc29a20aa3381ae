"""Rows a run has already cut out of a table for a set of keys, kept for its later readers.

An incremental run reads the same few orders out of the 6-million-line tables again and
again: fact_sales takes silver's lines of its orders, fact_orders takes fact_sales' lines of
the same orders, and the tests per order read both. Each such read scans the whole table
(0.1-0.2 s at scale 100), where the rows are already stored: a merge stages its cut-down
inputs, and its own new rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import ibis.expr.types as ir

from medallion.engines.base import Engine


@dataclass(frozen=True)
class Cut:
    """``rows`` are the model's rows whose ``on`` columns match a row of ``keys``, stored.

    True while the model does not change: in a run, once it is final (an input of a model
    being built, or a merge's own table after its merge; each model is built once a run).
    """

    on: tuple[str, ...]
    keys: ir.Table
    rows: ir.Table


@dataclass
class Cuts:
    """The run's cuts, per model; and the staged tables to drop when the run is done."""

    engine: Engine
    _by_model: dict[str, list[Cut]] = field(default_factory=dict)
    _covered: dict[tuple[int, object], bool] = field(default_factory=dict)
    _staged: list[tuple[str, str]] = field(default_factory=list)

    def add(self, model: str, on: Sequence[str], keys: ir.Table, rows: ir.Table) -> None:
        self._by_model.setdefault(model, []).append(Cut(tuple(on), keys, rows))

    def keep(self, layer: str, staged: str) -> None:
        """Drop this staged table when the run is done, not before: a cut reads it."""
        self._staged.append((layer, staged))

    def semi_join(self, model: str, table: ir.Table, keys: ir.Table, on: Sequence[str]) -> ir.Table:
        """``table.semi_join(keys, on)``, where ``table`` is ``model`` as it is now: from the
        stored rows of a cut whose keys include ``keys``, if there is one."""
        for cut in self._by_model.get(model, ()):
            if cut.on == tuple(on) and self._covers(cut, keys):
                return cut.rows.semi_join(keys, list(on))
        return table.semi_join(keys, list(on))

    def _covers(self, cut: Cut, keys: ir.Table) -> bool:
        if keys.equals(cut.keys):
            return True
        memo = (id(cut), keys.op())
        if memo not in self._covered:
            outside = keys.select(*cut.on).anti_join(cut.keys, list(cut.on)).limit(1).count()
            found = self.engine.to_arrow(outside.as_table()).column(0)[0].as_py()
            self._covered[memo] = not found
        return self._covered[memo]

    def release(self) -> None:
        """The run is done with them: drop the staged tables the cuts read."""
        for layer, staged in self._staged:
            self.engine.drop(layer, staged)
        self._by_model.clear()
        self._covered.clear()
        self._staged.clear()
