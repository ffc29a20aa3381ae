"""The machine-readable record of each run: ``<warehouse>/run_results.json`` (the latest) and
``<warehouse>/runs/<run id>.json`` (every run). The format is documented in docs/run-results.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from medallion.config import RUN_RESULTS_FILE

FORMAT = "medallion.run_results/1"
LATEST = RUN_RESULTS_FILE
HISTORY = "runs"


def new_run_id(now: dt.datetime | None = None) -> str:
    """Sortable by start time, unique across hosts: ``20261126T190512Z-3f2a9c``."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def write_record(warehouse: Path, record: dict[str, Any]) -> Path:
    """Write the record atomically (a reader never sees half a file), history first."""
    history = warehouse / HISTORY / f"{record['run_id']}.json"
    text = json.dumps(record, indent=2, default=str) + "\n"
    for path in (history, warehouse / LATEST):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return history


def read_latest(warehouse: Path) -> dict[str, Any] | None:
    """The latest run's record, or None when no run has written one (or it is unreadable)."""
    path = warehouse / LATEST
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("format") == FORMAT else None
