"""Exporting published tables as files any BI tool reads (Parquet or CSV), all or nothing."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from medallion.config import Settings
from medallion.engines import connect
from medallion.errors import ConfigError
from medallion.lock import warehouse_lock
from medallion.run_record import read_latest

FORMATS = ("parquet", "csv")
MANIFEST = "manifest.json"


@dataclass
class ExportReport:
    out: Path
    file_format: str
    tables: dict[str, int] = field(default_factory=dict)  # file name -> rows


def export_tables(
    settings: Settings,
    out: Path,
    *,
    file_format: str = "parquet",
    layer: str = "gold",
    on_table: Callable[[str], None] | None = None,
) -> ExportReport:
    """Write every table of ``layer`` to ``out/<table>.<format>`` plus a manifest.

    Files are written into a temporary folder beside ``out`` and moved in at the end, so a
    failed export leaves ``out`` as it was: a BI tool never reads half an export. Existing
    files of the same names in ``out`` are replaced; other files there are left alone.
    """
    if file_format not in FORMATS:
        raise ConfigError(f"export format {file_format!r}: choose one of {', '.join(FORMATS)}")
    if not settings.built():
        raise ConfigError(
            f"no warehouse at {settings.where()}: run `medallion run` first or pass --warehouse"
        )
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file: give a folder to export into")
    out.mkdir(parents=True, exist_ok=True)
    report = ExportReport(out, file_format)
    with (
        warehouse_lock(settings.warehouse),
        connect(settings) as engine,
        tempfile.TemporaryDirectory(dir=out, prefix=".export-") as tmp,
    ):
        staging = Path(tmp)
        columns: dict[str, list[dict[str, str]]] = {}
        for name in engine.list_tables(layer):
            if name.startswith("_"):
                continue
            if on_table:
                on_table(name)
            table = engine.table(layer, name)
            file_name = f"{name}.{file_format}"
            engine.write_file(table, staging / file_name, file_format)
            report.tables[file_name] = engine.count(layer, name)
            columns[file_name] = [
                {"name": column, "type": str(dtype)} for column, dtype in table.schema().items()
            ]
        record = read_latest(settings.warehouse)
        manifest = {
            "exported_at": dt.datetime.now(dt.UTC).isoformat(),
            "layer": layer,
            "format": file_format,
            "warehouse": str(settings.warehouse),
            "last_run_id": record["run_id"] if record else None,
            "tables": {
                file_name: {"rows": rows, "columns": columns[file_name]}
                for file_name, rows in report.tables.items()
            },
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        # The manifest last: when it is new, every file it lists is too.
        for path in sorted(staging.iterdir(), key=lambda p: (p.name == MANIFEST, p.name)):
            target = out / path.name
            if target.is_dir():
                shutil.rmtree(target)
            path.replace(target)
    return report
