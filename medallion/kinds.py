"""Incremental kinds: how a model's table is brought up to date (pure data, run by the runner)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AppendNewFiles:
    """Bronze: rows of newly landed files are appended; nothing is ever rewritten."""


@dataclass(frozen=True)
class Rebuild:
    """Recomputed from its inputs on every run and swapped in atomically.

    Every silver and gold model is of this kind for now: recomputing from append-only bronze
    makes "incremental equals full refresh" hold by construction. Merge kinds that touch only
    new batches replace it model by model, and must give the same tables.
    """


Kind = AppendNewFiles | Rebuild
