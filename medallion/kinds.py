"""Incremental kinds: how a model's table is brought up to date (pure data, run by strategies)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ibis.expr.types as ir


@dataclass(frozen=True)
class AppendNewFiles:
    """Bronze: rows of newly landed files are appended; nothing is ever rewritten."""


@dataclass(frozen=True)
class Rebuild:
    """Recomputed from all its inputs on every run and swapped in atomically.

    For small tables (products, categories, locations, dates), where recomputing costs less
    than working out what changed. The runner still records which rows changed, by comparing
    the new version with the old, so that merge models downstream know what to redo.
    """


@dataclass(frozen=True)
class Restriction:
    """What an incremental run of a merge model recomputes.

    ``inputs`` are the model's inputs cut down to what the affected partitions need, in the
    order the model takes them; ``keys`` holds the affected partition keys (one row each).

    With ``new_only``, ``inputs`` hold only the rows delivered since the model last ran, and
    the rows the model already holds for ``keys`` compete with them for the latest version
    per key (``Built.candidates``), as a MERGE of a change feed does. That is a full
    rebuild's choice among every version ever delivered: each older version lost to a held
    row. Only for a model whose output is the latest version per key (``versions``).
    """

    inputs: Sequence[ir.Table]
    keys: ir.Table
    new_only: bool = False


# (inputs, changes since the model last ran) -> Restriction. A change table of a bronze input
# holds its new rows; of a model input, the partition keys (merge) or rows (rebuild) it changed.
Restrict = Callable[[Sequence[ir.Table], Sequence[ir.Table]], Restriction]


@dataclass(frozen=True)
class MergeByKey:
    """Only partitions touched by new data are recomputed, by the model's own function on its
    inputs restricted to those partitions, then replace their old rows.

    A partition's rows must depend only on input rows of that partition (or on small inputs
    passed whole): then recomputing the touched partitions equals a full rebuild.
    """

    partition: tuple[str, ...]
    restrict: Restrict


@dataclass(frozen=True)
class KeyMap:
    """A surrogate key map over one bronze table: every natural key ever delivered, numbered
    1, 2, ... in order of first delivery, never renumbered.

    An incremental run applies the model's function to the new bronze rows only and appends
    the natural keys it has not numbered yet, after the existing ones, in their order. New rows
    come after every earlier batch, so those are the numbers a full rebuild gives; the run
    reads only the new rows rather than every delivery.
    """

    natural_key: str
    key: str


Kind = AppendNewFiles | Rebuild | MergeByKey | KeyMap
