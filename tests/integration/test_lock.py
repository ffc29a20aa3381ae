"""The warehouse lock across real processes: fail fast, recover a dead holder, always release."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medallion.errors import LockError
from medallion.lock import LOCK_FILE, warehouse_lock

REPO = Path(__file__).resolve().parents[2]

# Takes the lock, says so, and holds it until its stdin closes.
HOLDER = """
import sys
from pathlib import Path
from medallion.errors import LockError
from medallion.lock import warehouse_lock
try:
    with warehouse_lock(Path(sys.argv[1]), command="holder under test"):
        print("locked", flush=True)
        sys.stdin.read()
except LockError:
    print("refused", flush=True)
"""


def start_holder(warehouse: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(warehouse)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def held_by(warehouse: Path) -> subprocess.Popen[str]:
    holder = start_holder(warehouse)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


def dead_pid() -> int:
    """The pid of a process that has exited (and was reaped)."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return gone.pid


def test_second_acquirer_fails_at_once_naming_the_holder(tmp_path: Path) -> None:
    holder = held_by(tmp_path)
    try:
        started = time.perf_counter()
        with pytest.raises(LockError) as raised, warehouse_lock(tmp_path):
            pass
        assert time.perf_counter() - started < 1.0
        message = str(raised.value)
        assert "\n" not in message
        assert f"pid {holder.pid} on host {socket.gethostname()}" in message
        assert "holder under test" in message and "started 20" in message
        assert str(tmp_path / LOCK_FILE) in message
    finally:
        holder.communicate("")  # closes stdin: the holder releases and exits
    assert holder.returncode == 0
    assert not (tmp_path / LOCK_FILE).exists()
    with warehouse_lock(tmp_path) as lock:  # free again
        assert lock.recovered is None


def test_lock_of_a_killed_run_is_recovered_as_stale(tmp_path: Path) -> None:
    holder = held_by(tmp_path)
    holder.kill()  # SIGKILL: no cleanup runs, the lock file stays
    holder.communicate()
    assert json.loads((tmp_path / LOCK_FILE).read_text())["pid"] == holder.pid
    with warehouse_lock(tmp_path) as lock:
        assert lock.recovered is not None
        assert f"pid {holder.pid}" in lock.recovered and "gone" in lock.recovered
        assert json.loads(lock.path.read_text())["pid"] != holder.pid
    assert not (tmp_path / LOCK_FILE).exists()


def test_stale_lock_of_a_dead_pid_is_taken_over_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pid = dead_pid()
    stale = {"pid": pid, "host": socket.gethostname(), "started_at": "x", "command": "old run"}
    (tmp_path / LOCK_FILE).write_text(json.dumps(stale))
    with warehouse_lock(tmp_path) as lock:
        assert lock.recovered and f"pid {pid}" in lock.recovered
    assert f"pid {pid}" in caplog.text


def test_lock_from_another_host_is_not_taken_over(tmp_path: Path) -> None:
    other = {"pid": dead_pid(), "host": "elsewhere", "started_at": "x", "command": "remote"}
    (tmp_path / LOCK_FILE).write_text(json.dumps(other))
    with pytest.raises(LockError, match="on host elsewhere"), warehouse_lock(tmp_path):
        pass
    assert (tmp_path / LOCK_FILE).exists()


def test_lock_is_released_after_an_exception(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), warehouse_lock(tmp_path):
        assert (tmp_path / LOCK_FILE).exists()
        raise RuntimeError("a run failed")
    assert not (tmp_path / LOCK_FILE).exists()
    with warehouse_lock(tmp_path):
        pass


def test_one_of_many_racing_runs_takes_over_a_stale_lock(tmp_path: Path) -> None:
    stale = {"pid": dead_pid(), "host": socket.gethostname(), "started_at": "x", "command": "x"}
    (tmp_path / LOCK_FILE).write_text(json.dumps(stale))
    racers = [start_holder(tmp_path) for _ in range(6)]
    answers = [r.stdout.readline().strip() for r in racers if r.stdout is not None]
    for racer in racers:
        racer.communicate("")
    assert sorted(answers) == ["locked"] + ["refused"] * 5
