"""medallion: CRM and ERP landing files to a tested star schema, written once in Ibis."""

from __future__ import annotations

__version__ = "0.1.0"
