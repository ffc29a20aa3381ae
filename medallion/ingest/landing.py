"""Landing-zone discovery: which CSV files of the known tables are there, safe to read, in order."""

from __future__ import annotations

import io
import os
import stat
import unicodedata
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from medallion.errors import LandingError
from medallion.sources import BY_FOLDER, SourceTable

#: Names writers give a file while they are still copying it; such files are not deliveries yet.
TEMPORARY_SUFFIXES = (
    ".tmp",
    ".temp",
    ".part",
    ".partial",
    ".crdownload",
    ".download",
    ".filepart",
    "~",
)
MAX_NAME_BYTES = 255
#: Bidirectional overrides make a name display as something it is not (``x\u202evsc.exe``).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class FileRejected(Exception):
    """The file as a whole cannot be ingested; the message says why and what to do."""


class FileChanged(Exception):
    """The file changed while it was read (a writer still copying?): read again next run."""


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


def is_temporary(name: str) -> bool:
    """Hidden files, writer scratch files (``x.csv.part``, ``~$x.csv``) and Spark/Hadoop
    markers (``_SUCCESS``, ``_temporary``): ignored silently, as a copy in progress is normal."""
    return name.startswith((".", "_", "~$")) or name.lower().endswith(TEMPORARY_SUFFIXES)


def odd_name(name: str) -> str | None:
    """Why a file or folder name is refused, or None: names that break logs, shells or the
    ledger are never read (the file may still be a real export: rename it)."""
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:  # os.walk decodes undecodable bytes as lone surrogates
        return "is not valid UTF-8"
    if len(encoded) > MAX_NAME_BYTES:
        return f"is longer than {MAX_NAME_BYTES} bytes"
    if any(unicodedata.category(c) == "Cc" for c in name):
        return "contains a control character (newline, tab, ...)"
    if any(c in BIDI_CONTROLS for c in name):
        return "contains a bidirectional text override"
    if name.startswith("-"):
        return "starts with '-' (shell tools would read it as an option)"
    return None


def shown(text: str) -> str:
    """``text`` with unprintable characters escaped, so a warning is always one clean line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def check_landing(landing: Path) -> None:
    """A one-line error for a landing path that cannot be a landing zone."""
    if not landing.exists():
        raise LandingError(f"landing folder {landing} does not exist: pass --landing DIR")
    if not landing.is_dir():
        raise LandingError(f"landing path {landing} is not a folder: pass --landing DIR")


def discover(landing: Path) -> Discovery:
    """Every ``<source>/<table>/data/**/*.csv`` under the landing root, sorted by path.

    Files elsewhere are reported, not read: an unknown table folder is most likely a new export
    nobody has modelled yet, and guessing its meaning would be worse than saying so. Files that
    are unsafe to read (a symlink leading outside the root, an odd name, not a regular file)
    are refused with a warning and never enter the ledger.
    """
    check_landing(landing)
    root = landing.resolve()
    files: list[LandingFile] = []
    warnings: list[str] = []
    unknown_folders: set[str] = set()

    def unreadable(error: OSError) -> None:
        warnings.append(f"{shown(str(error.filename))}: cannot list folder ({error.strerror})")

    for folder, dirnames, filenames in os.walk(landing, onerror=unreadable):
        here = Path(folder)
        kept = []
        for name in sorted(dirnames):
            if is_temporary(name):
                continue
            if (here / name).is_symlink():
                rel = (here / name).relative_to(landing).as_posix()
                warnings.append(
                    f"{shown(rel)}: symlinked folder, not followed; "
                    "link the files themselves or move the folder into the landing zone"
                )
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if is_temporary(name):
                continue
            found = _consider(landing, root, here / name, unknown_folders, warnings)
            if found is not None:
                files.append(found)
    return Discovery(sorted(files, key=lambda f: f.path), warnings)


def classify(rel: str, unknown_folders: set[str], warnings: list[str]) -> SourceTable | None:
    """The source table a landing path (relative, posix) belongs to, or None with a warning:
    the rules every landing store applies, whatever lists its files."""
    parts = tuple(rel.split("/"))
    for part in parts:
        reason = odd_name(part)
        if reason:
            warnings.append(
                f"{shown(rel)}: refused, the name {reason}; "
                "rename it to plain printable UTF-8 to have it ingested"
            )
            return None
    known = len(parts) >= 4 and parts[2] == "data" and BY_FOLDER.get((parts[0], parts[1]))
    if not known:
        folder = "/".join(parts[:2]) if len(parts) > 2 else rel
        if folder not in unknown_folders:
            unknown_folders.add(folder)
            warnings.append(
                f"{rel}: not under a known table folder "
                f"(<source>/<table>/data/ with one of {', '.join(sorted(_known()))}); ignored"
            )
        return None
    if not parts[-1].lower().endswith(".csv"):
        warnings.append(f"{rel}: not a .csv file; ignored")
        return None
    return known


def _consider(
    landing: Path, root: Path, path: Path, unknown_folders: set[str], warnings: list[str]
) -> LandingFile | None:
    rel = path.relative_to(landing)
    known = classify(rel.as_posix(), unknown_folders, warnings)
    if known is None:
        return None
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        if not target.is_relative_to(root):
            warnings.append(
                f"{rel.as_posix()}: refused, a symlink to {shown(str(target))} outside the "
                f"landing root {root}; copy the file into the landing zone instead"
            )
            return None
    try:
        info = path.stat()
    except OSError as exc:
        warnings.append(f"{rel.as_posix()}: cannot be read ({exc.strerror}); ignored")
        return None
    if not stat.S_ISREG(info.st_mode):
        warnings.append(f"{rel.as_posix()}: not a regular file (a pipe or device?); ignored")
        return None
    return LandingFile(rel.as_posix(), info.st_size, info.st_mtime_ns, known)


def open_inside(landing: Path, file: LandingFile) -> io.BufferedReader:
    """Open a discovered file for reading, checking again that it is a regular file inside the
    landing root: discovery and reading are apart in time, and the zone is shared."""
    root = landing.resolve()
    target = Path(os.path.realpath(file.absolute(landing)))
    if not target.is_relative_to(root):
        raise FileRejected(
            f"now leads outside the landing root ({target}); copy the file into the landing zone"
        )
    # O_NOFOLLOW: the resolved path has no link left, so a link swapped in now is refused;
    # O_NONBLOCK: a pipe swapped in must not hang the run (it is refused just below).
    fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    handle = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        handle.close()
        raise FileRejected("is no longer a regular file; ignored until it is one")
    return handle


def check_unchanged(handle: io.BufferedReader, file: LandingFile) -> None:
    """Raise FileChanged when the open file no longer has the size and mtime discovery saw:
    the rows read may belong to neither version, so none of them may be kept."""
    now = os.fstat(handle.fileno())
    if (now.st_size, now.st_mtime_ns) != (file.size, file.mtime_ns):
        raise FileChanged(
            "changed while it was being read (a writer still copying?); nothing of it was "
            "kept, and it is read again on the next run"
        )


def _known() -> list[str]:
    return [f"{source}/{table}" for source, table in BY_FOLDER]


class LandingStore(Protocol):
    """Where landing files are listed and read: the local filesystem, or Spark's file APIs
    (a Unity Catalog Volume on Databricks). Both apply the same naming rules (``classify``)."""

    @property
    def root(self) -> Path: ...

    def check(self) -> None:
        """A one-line LandingError when the root cannot be a landing zone."""

    def discover(self) -> Discovery: ...

    def open(self, file: LandingFile) -> AbstractContextManager[io.BufferedReader]: ...

    def check_unchanged(self, handle: io.BufferedReader, file: LandingFile) -> None:
        """Raise FileChanged when the file read is not the version discovery saw."""


@dataclass(frozen=True)
class LocalLanding:
    """A landing zone on this machine's filesystem (DuckDB, and anything mounted)."""

    root: Path

    def check(self) -> None:
        check_landing(self.root)

    def discover(self) -> Discovery:
        return discover(self.root)

    def open(self, file: LandingFile) -> AbstractContextManager[io.BufferedReader]:
        return open_inside(self.root, file)

    def check_unchanged(self, handle: io.BufferedReader, file: LandingFile) -> None:
        check_unchanged(handle, file)
