"""The landing zone through Spark's file APIs: a Unity Catalog Volume, cloud storage or a local
folder, listed and read by the session, so the driver needs no mount of its own.

Spark lists with the ``binaryFile`` source (path, size, modification time; the content column
is pruned) and reads one file's bytes the same way. The bytes then go through the very reader
the local store uses, so a file ingests to the same rows whichever engine reads it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from medallion.errors import LandingError
from medallion.ingest.landing import (
    Discovery,
    FileChanged,
    FileRejected,
    LandingFile,
    classify,
    is_temporary,
)

#: Spark's binaryFile source refuses files above 2 GiB; exports are far smaller.
MAX_FILE_BYTES = 2**31 - 1


class _Bytes(io.BufferedReader):
    """A file's bytes as read, with the (size, mtime) Spark reported alongside them."""

    seen: tuple[int, int]


@dataclass(frozen=True)
class SparkLanding:
    session: Any
    root: Path

    def _uri(self) -> str:
        return (self.root if self.root.is_absolute() else self.root.resolve()).as_posix()

    def _listing(self, path: str) -> Any:
        return (
            self.session.read.format("binaryFile").option("recursiveFileLookup", "true").load(path)
        )

    def check(self) -> None:
        self.discover()

    def discover(self) -> Discovery:
        try:
            rows = self._listing(self._uri()).select("path", "length", "modificationTime").collect()
        except Exception as exc:  # AnalysisException [PATH_NOT_FOUND] and friends
            text = str(exc)
            if "PATH_NOT_FOUND" in text or "does not exist" in text:
                raise LandingError(
                    f"landing folder {self.root} does not exist: pass --landing DIR"
                ) from None
            raise LandingError(
                f"cannot list landing folder {self.root}: {text.splitlines()[0]}"
            ) from None
        files: list[LandingFile] = []
        warnings: list[str] = []
        unknown: set[str] = set()
        base = _path_of(self._uri()).rstrip("/") + "/"
        for row in rows:
            full = _path_of(row.path)
            if not full.startswith(base):
                continue
            rel = full[len(base) :]
            if any(is_temporary(part) for part in rel.split("/")):
                continue
            table = classify(rel, unknown, warnings)
            if table is None:
                continue
            if row.length > MAX_FILE_BYTES:
                warnings.append(f"{rel}: larger than 2 GiB, which Spark cannot read as one file")
                continue
            files.append(LandingFile(rel, int(row.length), _mtime_ns(row.modificationTime), table))
        return Discovery(sorted(files, key=lambda f: f.path), warnings)

    @contextmanager
    def open(self, file: LandingFile) -> Iterator[io.BufferedReader]:
        target = f"{self._uri().rstrip('/')}/{file.path}"
        try:
            found = self._listing(target).select("content", "length", "modificationTime").collect()
        except Exception as exc:
            raise FileRejected(
                f"cannot be read through Spark: {str(exc).splitlines()[0]}"
            ) from None
        if len(found) != 1:
            raise FileChanged(
                "vanished or changed while it was being read; nothing of it was kept, and it "
                "is read again on the next run"
            )
        row = found[0]
        handle = _Bytes(io.BytesIO(bytes(row.content)))
        handle.seen = (int(row.length), _mtime_ns(row.modificationTime))
        yield handle

    def check_unchanged(self, handle: io.BufferedReader, file: LandingFile) -> None:
        """The bytes read came with their size and time: they must be the version listed."""
        if getattr(handle, "seen", None) != (file.size, file.mtime_ns):
            raise FileChanged(
                "changed between listing and reading (a writer still copying?); nothing of it "
                "was kept, and it is read again on the next run"
            )


def _path_of(uri: str) -> str:
    """The path part of what Spark reports (``file:/x``, ``dbfs:/Volumes/x``) or was given."""
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme else uri


def _mtime_ns(moment: dt.datetime) -> int:
    """Spark's modification time (milliseconds) in the ledger's nanoseconds."""
    return round(moment.timestamp() * 1000) * 1_000_000
