"""Continuous mode: files are taken once settled, runs follow arrivals, signals stop it cleanly."""

from __future__ import annotations

import contextlib
import gc
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import duckdb
import pytest
from click.testing import CliRunner

from medallion.cli import main
from medallion.config import Settings
from medallion.errors import ContractError, LockError
from medallion.generate import generate_landing
from medallion.ingest.landing import LandingFile
from medallion.lock import LOCK_FILE
from medallion.runner import run
from medallion.sources import SOURCE_TABLES
from medallion.watch import SettleTracker, StopSignals, WatchSummary, _in_finalizer, watch
from tests.conftest import AS_OF
from tests.warehouses import table_differences

REPO = Path(__file__).resolve().parents[2]
DATABASE = "medallion.duckdb"
TIMEOUT = 90.0  # per wait: generous, for a loaded two-core machine
CUSTOMERS = (
    "cst_id,cst_key,cst_firstname,cst_lastname,cst_marital_status,cst_gndr,cst_create_date\n"
)


# The settle tracker, on listings made by hand


def listed(path: str, size: int, mtime_ns: int = 1) -> LandingFile:
    return LandingFile(f"crm/cust_info/data/{path}", size, mtime_ns, SOURCE_TABLES[0])


def test_a_growing_file_is_not_returned_until_stable_for_the_settle_time() -> None:
    tracker = SettleTracker(settle_seconds=10)
    assert tracker.observe([listed("a.csv", 100, 1)], now=0) == []
    assert tracker.observe([listed("a.csv", 200, 2)], now=5) == []  # grew: starts again
    assert tracker.observe([listed("a.csv", 300, 3)], now=20) == []
    assert tracker.observe([listed("a.csv", 300, 3)], now=29) == []  # stable for 9s only
    assert [f.path for f in tracker.settling()] == ["crm/cust_info/data/a.csv"]
    assert tracker.observe([listed("a.csv", 300, 3)], now=30) == [listed("a.csv", 300, 3)]
    assert tracker.settling() == []


def test_a_file_needs_a_second_look_however_old_its_mtime() -> None:
    tracker = SettleTracker(settle_seconds=0)
    assert tracker.observe([listed("a.csv", 100)], now=1_000) == []
    assert tracker.observe([listed("a.csv", 100)], now=1_000) == [listed("a.csv", 100)]


def test_a_settled_file_is_returned_once() -> None:
    tracker = SettleTracker(settle_seconds=1)
    a, b = listed("a.csv", 10), listed("b.csv", 20)
    tracker.observe([a], now=0)
    assert tracker.observe([a], now=1) == [a]
    tracker.observe([a, b], now=2)
    assert tracker.observe([a, b], now=3) == [b]
    assert tracker.observe([a, b], now=100) == []


def test_a_modified_file_is_a_new_version_returned_again_once_settled() -> None:
    tracker = SettleTracker(settle_seconds=1)
    first, touched, grown = listed("a.csv", 10, 1), listed("a.csv", 10, 2), listed("a.csv", 11, 2)
    tracker.observe([first], now=0)
    assert tracker.observe([first], now=1) == [first]
    assert tracker.observe([touched], now=2) == []  # new mtime: watched from scratch
    assert tracker.observe([grown], now=3) == []  # new size too
    assert tracker.observe([grown], now=3.5) == []
    assert tracker.observe([grown], now=4) == [grown]


def test_a_file_that_vanishes_and_comes_back_is_watched_from_scratch() -> None:
    tracker = SettleTracker(settle_seconds=1)
    a = listed("a.csv", 10)
    tracker.observe([a], now=0)
    assert tracker.observe([a], now=1) == [a]
    assert tracker.observe([], now=2) == []
    assert tracker.observe([a], now=3) == []
    assert tracker.observe([a], now=4) == [a]


# The stop signals, handled by hand


def test_a_signal_when_idle_only_asks_to_stop() -> None:
    signals = StopSignals()
    signals.handle(signal.SIGTERM, sys._getframe())
    signals.handle(signal.SIGINT, sys._getframe())
    assert signals.stop_requested and not signals.aborting


def test_the_second_signal_during_a_run_aborts_it_and_any_later_one_again() -> None:
    signals = StopSignals()
    signals.running = True
    signals.handle(signal.SIGTERM, sys._getframe())  # the run goes on
    assert signals.stop_requested and not signals.aborting
    with pytest.raises(KeyboardInterrupt):
        signals.handle(signal.SIGINT, sys._getframe())
    assert signals.aborting
    with pytest.raises(KeyboardInterrupt):
        signals.handle(signal.SIGINT, sys._getframe())


def test_an_abort_is_not_raised_where_it_would_be_swallowed() -> None:
    """A KeyboardInterrupt raised in a finalizer is printed and ignored, the run going on."""
    seen: list[bool] = []

    class Temporary:
        def __del__(self) -> None:
            seen.append(_in_finalizer(sys._getframe()))

    class Plain:
        pass

    Temporary()
    weakref.finalize(Plain(), lambda: seen.append(_in_finalizer(sys._getframe())))
    gc.collect()
    assert seen == [True, True]
    assert not _in_finalizer(sys._getframe())


# The watch loop in this process, with a stand-in for the run


def write(landing: Path, rel: str, text: str) -> Path:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def settings_for(landing: Path, warehouse: Path) -> Settings:
    return Settings(landing=landing, warehouse=warehouse, as_of=AS_OF)


def watch_fast(
    tmp_path: Path,
    run_once: Callable[[], bool],
    lines: list[str],
    *,
    max_runs: int | None = None,
    stop: threading.Event | None = None,
    heartbeat: float = 60.0,
    settle: float = 0.2,
) -> WatchSummary:
    """A watch of ``tmp_path/landing`` polling every 50 ms."""
    return watch(
        settings_for(tmp_path / "landing", tmp_path / "warehouse"),
        interval=0.05,
        settle=settle,
        run_once=run_once,
        echo=lines.append,
        max_runs=max_runs,
        stop=stop,
        heartbeat=heartbeat,
    )


def test_a_run_waits_for_a_file_still_being_written(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write(landing, "crm/cust_info/data/a.csv", CUSTOMERS + "1,AW1,A,B,M,M,2020-01-01\n")
    growing = write(landing, "crm/cust_info/data/b.csv", CUSTOMERS)
    finished = threading.Event()

    def writer() -> None:  # a line every 50 ms for 1.5 s, well under the settle time apart
        for n in range(30):
            with growing.open("a", encoding="utf-8") as handle:
                handle.write(f"{n + 2},AW{n + 2},A,B,M,M,2020-01-01\n")
            time.sleep(0.05)
        finished.set()

    seen_at_run: list[bool] = []

    def run_once() -> bool:
        seen_at_run.append(finished.is_set())
        return True

    thread = threading.Thread(target=writer)
    thread.start()
    lines: list[str] = []
    summary = watch_fast(tmp_path, run_once, lines, max_runs=1, settle=1.0)
    thread.join()
    assert seen_at_run == [True], lines
    assert summary.runs == 1
    assert any("run 1: 2 new file(s) settled" in line for line in lines), lines


def test_a_locked_warehouse_is_retried_and_a_failed_run_does_not_stop_the_watch(
    tmp_path: Path,
) -> None:
    write(tmp_path / "landing", "crm/cust_info/data/a.csv", CUSTOMERS)
    outcomes: list[Exception | bool] = [
        LockError("warehouse in use by another medallion run"),
        LockError("warehouse in use by another medallion run"),
        ContractError("silver.crm_customers: column cst_id failed not_nullable"),
        True,
    ]
    calls: list[int] = []

    def run_once() -> bool:
        calls.append(1)
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    lines: list[str] = []
    summary = watch_fast(tmp_path, run_once, lines, max_runs=2)
    assert len(calls) == 4 and not outcomes
    assert summary == WatchSummary(runs=2, failed_runs=1, aborted=False)
    text = "\n".join(lines)
    assert text.count("run 1 waits: warehouse in use") == 1, text  # told once, not per poll
    assert text.count("run 1: 1 new file(s) settled") == 1, text
    assert "run 1 failed: silver.crm_customers" in text and "still watching" in text
    assert "run 2 finished" in text


def test_stop_event_ends_an_idle_watch_at_once(tmp_path: Path) -> None:
    (tmp_path / "landing").mkdir()
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    lines: list[str] = []
    started = time.monotonic()
    summary = watch_fast(tmp_path, lambda: True, lines, stop=stop, heartbeat=0.1)
    assert time.monotonic() - started < 5
    assert summary.exit_code == 0 and summary.runs == 0
    assert "watching: 0 file(s) in the landing zone, 0 settling, 0 run(s) so far" in lines[1]
    assert lines[-1].endswith("stopped after 0 run(s)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--interval", "0"), "Error: watch interval must be a positive number of seconds"),
        (("--settle", "-1"), "Error: settle time must be a number of seconds, 0 or more"),
        (("--select", "silver"), "Error: watch runs the pipeline when new files land"),
        (("--select", "gold.nope"), "Error: --select 'gold.nope' matches no layer or model"),
    ],
)
def test_bad_watch_options_are_one_line_errors(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    (tmp_path / "landing").mkdir()
    result = CliRunner().invoke(
        main, ["watch", "--landing", str(tmp_path / "landing"), "--warehouse", str(tmp_path), *args]
    )
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert result.output.startswith(message), result.output


def test_missing_landing_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["watch", "--landing", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: landing folder {tmp_path / 'missing'} does not exist: pass --landing DIR"
    )


# `medallion watch` as a real process, stopped by real signals


@pytest.fixture(scope="module")
def deliveries(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated landing data in two batch files per table."""
    out = tmp_path_factory.mktemp("generated")
    generate_landing(out, scale=0.01, seed=1, batches=2)
    return out


def land(deliveries: Path, landing: Path, batch: int) -> None:
    """Deliver one batch the way a careful writer does: every file copied as ``.part`` (which
    the watcher ignores), then all renamed at once, so that the batch is one run's."""
    copied: list[tuple[Path, Path]] = []
    for path in sorted(deliveries.rglob(f"batch-{batch:04d}.csv")):
        target = landing / path.relative_to(deliveries)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        shutil.copy2(path, partial)
        copied.append((partial, target))
    for partial, target in copied:
        os.replace(partial, target)


@dataclass(frozen=True)
class References:
    """Warehouses of clean runs: after batch 1, and after batch 1 then batch 2."""

    after_1: Path
    after_2: Path
    seconds: float  # how long the run of batch 2 took, in a process already warm


@pytest.fixture(scope="module")
def references(deliveries: Path, tmp_path_factory: pytest.TempPathFactory) -> References:
    root = tmp_path_factory.mktemp("clean")
    landing, warehouse = root / "landing", root / "warehouse"
    land(deliveries, landing, 1)
    run(settings_for(landing, warehouse))
    first = root / "after-batch-1.duckdb"
    shutil.copy(warehouse / DATABASE, first)
    land(deliveries, landing, 2)
    started = time.monotonic()
    run(settings_for(landing, warehouse))
    return References(first, warehouse / DATABASE, time.monotonic() - started)


class Watcher:
    """``medallion watch`` in a subprocess, its output lines collected as they come."""

    def __init__(self, landing: Path, warehouse: Path) -> None:
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "medallion", "watch", "--landing", str(landing)),
                *("--warehouse", str(warehouse), "--as-of", AS_OF.isoformat()),
                *("--interval", "0.2", "--settle", "0.5"),
            ],
            cwd=REPO,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._new: queue.Queue[str] = queue.Queue()
        self._readers = [
            threading.Thread(target=self._read, args=(stream,), daemon=True)
            for stream in (self.process.stdout, self.process.stderr)
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._new.put(line.rstrip("\n"))

    def _take(self) -> None:
        while not self._new.empty():
            self.lines.append(self._new.get())

    def wait_for(self, text: str, timeout: float = TIMEOUT) -> None:
        """Until a line containing ``text`` has been printed (since the start)."""
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            left = deadline - time.monotonic()
            if left <= 0 or (self.process.poll() is not None and self._new.empty()):
                raise AssertionError(f"no line with {text!r}; output:\n" + self.output())
            with contextlib.suppress(queue.Empty):
                self.lines.append(self._new.get(timeout=min(left, 0.5)))

    def stop(self, *signals: signal.Signals, pause: float = 0.0) -> int:
        """Send the signals (``pause`` seconds apart) and return the exit code."""
        for n, sig in enumerate(signals):
            if n:
                time.sleep(pause)
            self.process.send_signal(sig)
        code = self.process.wait(timeout=TIMEOUT)
        self.close()
        return code

    def output(self) -> str:
        self._take()
        return "\n".join(self.lines)

    def close(self) -> None:
        """Kill the process if it still runs, and take its last lines."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for reader in self._readers:
            reader.join(timeout=10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        self._take()


@pytest.fixture
def watcher(tmp_path: Path) -> Iterator[Callable[[], Watcher]]:
    started: list[Watcher] = []

    def start() -> Watcher:
        started.append(Watcher(tmp_path / "landing", tmp_path / "warehouse"))
        return started[-1]

    yield start
    for w in started:
        w.close()


def query(database: Path, sql: str) -> int:
    """One number from the warehouse, opened read-only; retried while a run holds the file."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            with duckdb.connect(str(database), read_only=True) as con:
                row = con.execute(sql).fetchone()
                assert row is not None
                return int(row[0])
        except duckdb.IOException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


IGNORE = ("_ingested_at",)


@pytest.mark.slow
def test_watch_runs_once_per_arrival_and_stops_on_sigterm(
    tmp_path: Path,
    deliveries: Path,
    references: References,
    watcher: Callable[[], Watcher],
) -> None:
    landing, database = tmp_path / "landing", tmp_path / "warehouse" / DATABASE
    landing.mkdir()
    w = watcher()
    w.wait_for("Watching")
    land(deliveries, landing, 1)
    w.wait_for("run 1 finished")
    assert query(database, "select count(*) from gold.fact_sales") > 0
    land(deliveries, landing, 2)
    w.wait_for("run 2 finished")
    assert query(database, "select max(_batch_id) from bronze.crm_sales_details") == 2
    assert w.stop(signal.SIGTERM) == 0, w.output()
    text = w.output()
    assert "run 3" not in text, text  # a batch is run once, however many polls see it
    assert text.splitlines()[-1].endswith("stopped after 2 run(s)"), text
    assert "Traceback" not in text
    assert not (tmp_path / "warehouse" / LOCK_FILE).exists()
    layers = ("bronze", "silver", "gold")
    assert table_differences(database, references.after_2, layers, IGNORE) == {}


@pytest.mark.slow
def test_sigterm_during_a_run_lets_it_finish(
    tmp_path: Path,
    deliveries: Path,
    references: References,
    watcher: Callable[[], Watcher],
) -> None:
    landing, database = tmp_path / "landing", tmp_path / "warehouse" / DATABASE
    land(deliveries, landing, 1)
    w = watcher()
    w.wait_for("run 1: 6 new file(s) settled")
    assert w.stop(signal.SIGTERM) == 0, w.output()
    text = w.output()
    assert "SIGTERM: stopping once the current run has finished" in text, text
    assert "run 1 finished" in text and "stopped after 1 run(s)" in text, text
    assert (
        table_differences(database, references.after_1, ("bronze", "silver", "gold"), IGNORE) == {}
    )


@pytest.mark.slow
@pytest.mark.parametrize("into_run", [0.0, 0.5])
def test_a_second_signal_aborts_the_run_and_leaves_nothing_half_written(
    into_run: float,
    tmp_path: Path,
    deliveries: Path,
    references: References,
    watcher: Callable[[], Watcher],
) -> None:
    """Wherever the abort lands (``into_run``: a fraction of a run's time after the first
    signal; in practice during ingestion, then during the build), silver and gold are the
    previous run's (or the new ones, had the publish just committed), never partial, and a
    rerun completes bronze as if nothing had happened."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    land(deliveries, landing, 1)
    warehouse.mkdir()
    shutil.copy(references.after_1, warehouse / DATABASE)  # batch 1 already ingested and built
    w = watcher()
    w.wait_for("Watching")
    land(deliveries, landing, 2)
    w.wait_for("run 1: 6 new file(s) settled")  # batch 1 is in the ledger: no run for it
    pause = max(0.2, into_run * references.seconds)
    assert w.stop(signal.SIGTERM, signal.SIGINT, pause=pause) == 130, w.output()
    text = w.output()
    assert "SIGINT: aborting the current run" in text, text
    assert "aborted run 1: nothing of it is half-written" in text, text
    assert "Traceback" not in text, text
    assert not (warehouse / LOCK_FILE).exists()  # released, not left for recovery
    database = warehouse / DATABASE
    before = table_differences(database, references.after_1, ignore=IGNORE)
    after = table_differences(database, references.after_2, ignore=IGNORE)
    assert before == {} or after == {}, (before, after)

    rerun = run(settings_for(landing, warehouse))
    assert rerun.ok and not rerun.warnings
    # Files committed before the abort keep its batch id; the others get the rerun's.
    ignore = (*IGNORE, "_batch_id")
    layers = ("bronze", "silver", "gold")
    assert table_differences(database, references.after_2, layers, ignore) == {}
