"""Landing-zone discovery: which CSV files of the known tables are there, in delivery order."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from medallion.errors import LandingError
from medallion.sources import BY_FOLDER, SourceTable


@dataclass(frozen=True, order=True)
class LandingFile:
    """A file as the ledger identifies it: path relative to the landing root, size, mtime."""

    path: str  # posix, relative to the landing root; also the delivery order within a batch
    size: int
    mtime_ns: int
    table: SourceTable

    def absolute(self, landing: Path) -> Path:
        return landing / self.path


@dataclass(frozen=True)
class Discovery:
    files: list[LandingFile]
    warnings: list[str]


def discover(landing: Path) -> Discovery:
    """Every ``<source>/<table>/data/*.csv`` under the landing root, sorted by path.

    Files elsewhere are reported, not read: an unknown table folder is most likely a new export
    nobody has modelled yet, and guessing its meaning would be worse than saying so.
    """
    if not landing.exists():
        raise LandingError(f"landing folder {landing} does not exist: pass --landing DIR")
    if not landing.is_dir():
        raise LandingError(f"landing path {landing} is not a folder: pass --landing DIR")
    files: list[LandingFile] = []
    warnings: list[str] = []
    unknown_folders: set[str] = set()
    for path in sorted(landing.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        rel = path.relative_to(landing)
        parts = rel.parts
        known = len(parts) >= 4 and parts[2] == "data" and BY_FOLDER.get((parts[0], parts[1]))
        if not known:
            folder = "/".join(parts[:2]) if len(parts) > 2 else rel.as_posix()
            if folder not in unknown_folders:
                unknown_folders.add(folder)
                warnings.append(
                    f"{rel.as_posix()}: not under a known table folder "
                    f"(<source>/<table>/data/ with one of {', '.join(sorted(_known()))}); ignored"
                )
            continue
        if path.suffix.lower() != ".csv":
            warnings.append(f"{rel.as_posix()}: not a .csv file; ignored")
            continue
        stat = path.stat()
        files.append(LandingFile(rel.as_posix(), stat.st_size, stat.st_mtime_ns, known))
    return Discovery(sorted(files, key=lambda f: f.path), warnings)


def _known() -> list[str]:
    return [f"{source}/{table}" for source, table in BY_FOLDER]
