"""Continuous mode: poll the landing zone and run the pipeline whenever new files have settled."""

from __future__ import annotations

import _thread
import math
import os
import signal
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import duckdb

from medallion.config import Settings
from medallion.errors import ConfigError, LandingError, LockError, MedallionError
from medallion.ingest.landing import LandingFile, check_landing, discover
from medallion.ingest.policy import IngestPolicy

#: A file version as the ledger identifies it: path, size, mtime.
Version = tuple[str, int, int]
#: Exit code of a watcher whose run was aborted by a second signal (128 + SIGINT, as shells do).
ABORTED_EXIT_CODE = 130
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: Longest wait, in seconds, before files a failed run left are tried again.
MAX_BACKOFF = 60.0


def version(file: LandingFile) -> Version:
    return (file.path, file.size, file.mtime_ns)


@dataclass
class _Seen:
    file: LandingFile  # the version last observed
    since: float  # when this version was first observed
    returned: bool = False


class SettleTracker:
    """Which landing files have stopped changing, from successive listings of the zone.

    A writer copying a file makes its size and mtime move; a file is *settled* once its
    (size, mtime_ns) has been the same for at least ``settle_seconds`` and across at least two
    polls (a single listing proves nothing, however old the mtime: ``cp -p`` sets it last).
    ``observe`` returns each settled version once; a file that changes again is a new version,
    tracked from scratch. Pure: the caller lists the files and supplies the clock.
    """

    def __init__(self, settle_seconds: float) -> None:
        self.settle_seconds = settle_seconds
        self._seen: dict[str, _Seen] = {}

    def observe(self, files: Sequence[LandingFile], now: float) -> list[LandingFile]:
        """Record one listing taken at ``now``; return the versions that settled with it."""
        present = {f.path for f in files}
        for path in [p for p in self._seen if p not in present]:
            del self._seen[path]  # gone (moved away, renamed from .part): forget it
        settled: list[LandingFile] = []
        for file in files:
            seen = self._seen.get(file.path)
            if seen is None or version(seen.file) != version(file):
                # First sight of this version: even an old mtime needs a second look.
                self._seen[file.path] = _Seen(file, since=now)
                continue
            if not seen.returned and now - seen.since >= self.settle_seconds:
                seen.returned = True
                settled.append(file)
        return settled

    def settling(self) -> list[LandingFile]:
        """Files seen but not settled yet: still being written, or not watched long enough."""
        return [s.file for s in self._seen.values() if not s.returned]


def ledgered_versions(settings: Settings) -> set[Version] | None:
    """Every file version the warehouse's ledger records, whatever its status (ingested,
    failed or skipped: a run has dealt with it); None when the warehouse cannot be read now.

    Read through a short read-only connection, not the engine: a read-write open would take
    DuckDB's single writer slot and stop a run (ours or a user's) from opening the file, and
    would fail while a user has the warehouse open read-only. A run holds the file while it
    works, so None is ordinary: the caller lets the run decide.
    """
    if settings.backend != "duckdb":
        return None
    if not settings.database.exists():
        return set()
    try:
        con = duckdb.connect(str(settings.database), read_only=True)
    except duckdb.Error:
        return None
    try:
        rows = con.execute("select path, size, mtime_ns from meta.file_ledger").fetchall()
    except duckdb.CatalogException:
        return set()  # no run has ingested anything yet
    except duckdb.Error:
        return None
    finally:
        con.close()
    return {(str(path), int(size), int(mtime)) for path, size, mtime in rows}


@dataclass(frozen=True)
class WatchSummary:
    """How a watch ended: the runs it started, how many of them failed, and whether the last
    one was aborted by a second signal."""

    runs: int
    failed_runs: int
    aborted: bool

    @property
    def exit_code(self) -> int:
        return ABORTED_EXIT_CODE if self.aborted else 0


class StopSignals:
    """SIGINT and SIGTERM for a watcher: the first stops it, at once when idle, else once the
    run in progress has finished; a second one during a run aborts that run.

    The abort raises KeyboardInterrupt in the main thread, wherever the run is: every write a
    run makes is inside a transaction (one per landing file, one for the silver and gold
    publish) that rolls back on any exception, and the warehouse lock is released by its
    context manager, so an aborted run leaves what the last completed transaction left. A
    further signal raises again (should the clean-up itself hang): that is no worse for the
    data than ``kill -9``, which the crash tests cover, though the lock file may then be left
    for the next run to recover.
    """

    def __init__(self) -> None:
        self.received = 0
        self.running = False  # a run is in progress
        self.aborting = False

    @property
    def stop_requested(self) -> bool:
        return self.received > 0

    def handle(self, signum: int, frame: FrameType | None) -> None:
        self.received += 1
        if not self.running:
            return  # idle: the loop sees the request before its next poll
        name = signal.Signals(signum).name
        if self.received == 1:
            _notify(
                f"{name}: stopping once the current run has finished "
                "(send it again to abort the run instead)"
            )
            return
        if _in_finalizer(frame):
            # Raised in a finalizer, the exception would be printed and ignored and the run
            # would go on: deliver this signal again in a moment, outside it.
            self.received -= 1
            retry = threading.Timer(0.05, _thread.interrupt_main, (signum,))
            retry.daemon = True
            retry.start()
            return
        if not self.aborting:
            self.aborting = True
            _notify(f"{name}: aborting the current run; its open transaction rolls back")
        raise KeyboardInterrupt

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Handle the stop signals inside the block, restoring the previous handlers after.
        Signal handlers can only be set from the main thread: elsewhere, nothing is installed
        (stop the watcher through its ``stop`` event)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {s: signal.signal(s, self.handle) for s in STOP_SIGNALS}
        try:
            yield
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)


def _in_finalizer(frame: FrameType | None) -> bool:
    """Whether the signal interrupted a finalizer: a ``__del__`` or a ``weakref.finalize``
    callback (ibis drops its temporary tables from one), run by the garbage collector at any
    point of the run."""
    while frame is not None:
        code = frame.f_code
        if code.co_name == "__del__" or code.co_filename == weakref.__file__:
            return True
        frame = frame.f_back
    return False


def _notify(message: str) -> None:
    """Write from a signal handler: straight to file descriptor 2, because print() would
    raise if the signal interrupted a write to the same buffered stream."""
    with suppress(OSError):
        os.write(2, f"{time.strftime('%H:%M:%S')} {message}\n".encode())


def _check_arguments(interval: float, settle: float, max_runs: int | None) -> None:
    if not (math.isfinite(interval) and interval > 0):
        raise ConfigError(f"watch interval must be a positive number of seconds, got {interval}")
    if not (math.isfinite(settle) and settle >= 0):
        raise ConfigError(f"settle time must be a number of seconds, 0 or more, got {settle}")
    if max_runs is not None and max_runs < 1:
        raise ConfigError(f"max runs must be at least 1, got {max_runs}")


def _names(files: Sequence[LandingFile], limit: int = 3) -> str:
    shown = ", ".join(f.path for f in files[:limit])
    return shown + (f" and {len(files) - limit} more" if len(files) > limit else "")


def watch(
    settings: Settings,
    *,
    interval: float = 5.0,
    settle: float = 10.0,
    selectors: Sequence[str] = (),
    full_refresh: bool = False,
    policy: IngestPolicy | None = None,
    run_once: Callable[[], bool] | None = None,
    echo: Callable[[str], Any] = print,
    warn: Callable[[str], Any] | None = None,
    stop: threading.Event | None = None,
    max_runs: int | None = None,
    heartbeat: float = 60.0,
    max_wait: float | None = None,
) -> WatchSummary:
    """Poll ``settings.landing`` every ``interval`` seconds and run the pipeline whenever a file
    version the ledger does not know has settled (see SettleTracker), until SIGINT/SIGTERM (see
    StopSignals), ``stop`` is set, or ``max_runs`` runs have been made.

    ``run_once()`` makes one run and returns False when files failed; the default runs
    ``medallion.runner.run`` with ``selectors``, ``full_refresh`` and ``policy``, silently (the
    CLI passes one that prints the plan and report). A run ingests every new file, so while
    another new file is still being written the run waits for it too, up to ``max_wait``
    seconds (default: the longer of a minute and six settle times) after the first file
    settled: a stalled half-copied file must not hold the others back forever, and a file
    that changes while it is read keeps nothing and is read again later.

    A run that fails (a MedallionError: a contract, another run holding the warehouse) or
    that has failed files is reported and the watch goes on: files it ingested are in the
    ledger, and files it did not reach are still new and tried again: on the next poll when
    another run held the warehouse (LockError), else after a back-off doubling from
    ``interval`` up to a minute. Anything else (a bug) propagates. Lines go to ``echo`` (one
    per run, a heartbeat at most every ``heartbeat`` seconds when idle), problems to ``warn``.
    """
    from medallion.runner import preflight
    from medallion.runner import run as run_pipeline

    _check_arguments(interval, settle, max_runs)
    if settings.landing is None:
        raise LandingError("no landing folder to watch: pass --landing DIR")
    landing = settings.landing
    check_landing(landing)
    names = preflight(settings, selectors)  # a bad selection fails now, not on every run
    if not any(n.startswith("bronze.") for n in names):
        raise ConfigError(
            "watch runs the pipeline when new files land, so the selection must include "
            "ingestion: add --select bronze, or select +MODEL to include its upstream"
        )

    def quiet_run() -> bool:
        report = run_pipeline(settings, select_=selectors, full_refresh=full_refresh, policy=policy)
        return report.ok

    warn = warn or echo
    max_wait = max(60.0, 6 * settle) if max_wait is None else max_wait
    signals = StopSignals()
    loop = _Loop(settings, landing, interval, settle, max_wait, run_once or quiet_run, signals)
    loop.echo, loop.warn = echo, warn

    def stopping() -> bool:
        return signals.stop_requested or (stop is not None and stop.is_set())

    echo(
        f"Watching {landing} every {interval:g}s: a new file is ingested once its size and "
        f"mtime have not changed for {settle:g}s. Stop with Ctrl-C or SIGTERM."
    )
    with signals.installed():
        try:
            while not stopping():
                loop.poll(stopping)
                if max_runs is not None and loop.runs >= max_runs:
                    echo(f"{_now()} stopped after {loop.runs} run(s), the most asked for")
                    return loop.summary()
                if time.monotonic() - loop.last_line >= heartbeat:
                    loop.heartbeat()
                _sleep(interval, stopping)
        except KeyboardInterrupt:
            if not signals.aborting:
                raise
            warn(
                f"{_now()} aborted run {loop.started}: nothing of it is half-written: files it "
                "had committed are in bronze (each whole) and are not read again; silver and "
                "gold are as the last completed run published them. Stopped."
            )
            return loop.summary(aborted=True)
    echo(f"{_now()} stopped after {loop.runs} run(s)")
    return loop.summary()


def _now() -> str:
    return time.strftime("%H:%M:%S")


def _sleep(seconds: float, stopping: Callable[[], bool]) -> None:
    """Sleep in short steps, so that a stop request while idle is acted on at once."""
    deadline = time.monotonic() + seconds
    while not stopping():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.1))


class _Loop:
    """The state of one watch between polls: what has settled, what awaits a run."""

    def __init__(
        self,
        settings: Settings,
        landing: Path,
        interval: float,
        settle: float,
        max_wait: float,
        run_once: Callable[[], bool],
        signals: StopSignals,
    ) -> None:
        self.settings = settings
        self.landing = landing
        self.interval = interval
        self.tracker = SettleTracker(settle)
        self.max_wait = max_wait
        self.run_once = run_once
        self.signals = signals
        self.echo: Callable[[str], Any] = print
        self.warn: Callable[[str], Any] = print
        self.pending: dict[str, tuple[LandingFile, float]] = {}  # settled, not in the ledger
        self.files = 0
        self.runs = 0
        self.failed_runs = 0
        self.started: int | None = None  # the number of the run in progress
        self.failures = 0  # failed runs in a row (MedallionError), for the back-off
        self.retry_at = 0.0  # no run before this time, after failed runs
        self.last_line = time.monotonic()
        self._said: dict[str, str] = {}  # kind of line -> the last one said, see once()

    def summary(self, aborted: bool = False) -> WatchSummary:
        return WatchSummary(self.runs, self.failed_runs, aborted)

    def say(self, line: str) -> None:
        self.echo(f"{_now()} {line}")
        self.last_line = time.monotonic()

    def once(self, kind: str, line: str, *, problem: bool = False) -> None:
        """Say a line unless it repeats the last one of its kind: a state that lasts (a
        warehouse held by another run, a file still being written) is told once, not on every
        poll."""
        if self._said.get(kind) != line:
            (self.warn if problem else self.echo)(f"{_now()} {line}")
            self.last_line = time.monotonic()
        self._said[kind] = line

    def heartbeat(self) -> None:
        settling = len(self.tracker.settling())
        self.say(
            f"watching: {self.files} file(s) in the landing zone, {settling} settling, "
            f"{self.runs} run(s) so far"
        )

    def poll(self, stopping: Callable[[], bool]) -> None:
        now = time.monotonic()
        try:
            files = discover(self.landing).files
        except LandingError as exc:
            self.once(
                "landing", f"cannot list the landing zone: {exc}; still watching", problem=True
            )
            return
        self._said.pop("landing", None)
        self.files = len(files)
        for file in self.tracker.observe(files, now):
            self.pending[file.path] = (file, now)
        current = {version(f) for f in files}
        self.pending = {p: (f, t) for p, (f, t) in self.pending.items() if version(f) in current}
        if not self.pending:
            return
        ledger = ledgered_versions(self.settings)
        if ledger is not None:
            self.pending = {
                p: (f, t) for p, (f, t) in self.pending.items() if version(f) not in ledger
            }
        if not self.pending:
            return
        writing = [f for f in self.tracker.settling() if ledger is None or version(f) not in ledger]
        waited = now - min(t for _, t in self.pending.values())
        if writing and waited < self.max_wait:
            self.once(
                "wait",
                f"{len(self.pending)} new file(s) settled; waiting for {len(writing)} still "
                f"changing to settle too ({_names(writing)})",
            )
            return
        if now >= self.retry_at:
            self._run(stopping)

    def _run(self, stopping: Callable[[], bool]) -> None:
        files = sorted((f for f, _ in self.pending.values()), key=lambda f: f.path)
        self.signals.running = True
        try:
            # Checked after ``running`` is set: a signal from here on finds the run started.
            if stopping():
                return
            number = self.started = self.runs + 1
            self.once("start", f"run {number}: {len(files)} new file(s) settled: {_names(files)}")
            began = time.monotonic()
            try:
                ok = self.run_once()
            except BaseException as exc:
                if self.signals.aborting and not isinstance(exc, KeyboardInterrupt):
                    # The interrupt surfaced as another error (DuckDB's, or wrapped in ours).
                    raise KeyboardInterrupt from exc
                if isinstance(exc, LockError):
                    self.once("problem", f"run {number} waits: {exc}", problem=True)
                    return  # retried on the next poll, and its start not told again
                if not isinstance(exc, MedallionError):
                    raise
                # Files it ingested are in the ledger now; the others are tried again, after a
                # back-off (a user holding the DuckDB file open keeps failing the runs).
                self.runs, self.failed_runs = number, self.failed_runs + 1
                self.failures += 1
                delay = min(MAX_BACKOFF, self.interval * 2**self.failures)
                self.retry_at = time.monotonic() + delay
                self.once("problem", f"run {number} failed: {exc}; still watching", problem=True)
                return
            self.runs = number
            self.failures, self.retry_at = 0, 0.0
            self.pending.clear()  # dealt with, even a file it could not open: no retry loop
            self._said.clear()
            seconds = time.monotonic() - began
            if ok:
                self.say(f"run {number} finished in {seconds:.1f}s; watching")
            else:
                self.failed_runs += 1
                self.warn(
                    f"{_now()} run {number} finished in {seconds:.1f}s with failed files "
                    "(listed above); still watching"
                )
        finally:
            self.signals.running = False
