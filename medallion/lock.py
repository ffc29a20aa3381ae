"""The warehouse lock: one run at a time per warehouse, and a dead holder's lock recovered."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from medallion.errors import LockError

LOCK_FILE = "medallion.lock"
GUARD_FILE = ".medallion.lock.guard"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LockHolder:
    """Who holds a lock, as written in the lock file: enough to find the process, or to tell
    that it is gone."""

    pid: int
    host: str
    started_at: str
    command: str
    pid_started: int | None = None  # kernel start time of the pid (Linux), to catch pid reuse

    def describe(self) -> str:
        return (
            f"pid {self.pid} on host {self.host}, started {self.started_at} "
            f"({' '.join(self.command.split())[:120]!r})"
        )


@dataclass(frozen=True)
class WarehouseLock:
    path: Path
    holder: LockHolder
    recovered: str | None = None  # the warning, when a dead run's lock was taken over


@contextmanager
def warehouse_lock(warehouse: Path, *, command: str | None = None) -> Iterator[WarehouseLock]:
    """Hold ``<warehouse>/medallion.lock`` for the duration of the block.

    A second run fails at once with LockError naming the holder rather than waiting: a run can
    take long, and two runs interleaving batches would break exactly-once ingestion. The lock
    is released on exit, exceptions included; a run killed outright (SIGKILL, power loss)
    leaves the file behind, and the next run on the same host takes it over with a warning
    once the holder's pid is gone.
    """
    lock = acquire(warehouse, command=command)
    try:
        yield lock
    finally:
        release(lock)


def acquire(warehouse: Path, *, command: str | None = None) -> WarehouseLock:
    warehouse.mkdir(parents=True, exist_ok=True)
    path = warehouse / LOCK_FILE
    me = LockHolder(
        pid=os.getpid(),
        host=socket.gethostname(),
        started_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        command=command or " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        pid_started=_process_start(os.getpid()),
    )
    for _ in range(3):  # the holder may release between our two looks: try again
        if _create(path, me):
            return WarehouseLock(path, me)
        holder = _read(path)
        if holder is None:
            continue
        if not _is_stale(holder):
            raise LockError(
                f"warehouse {warehouse} is in use by another medallion run: "
                f"{holder.describe()}; wait for it to finish, or if that process is gone, "
                f"delete {path}"
            )
        # Two runs may both find the lock stale: the guard lets one of them check again and
        # replace it, so that the other then sees the new, live holder.
        with _guard(warehouse):
            if _read(path) != holder:
                continue
            path.unlink()
            if not _create(path, me):
                continue
        warning = (
            f"took over the lock {path} of a medallion run that is gone "
            f"({holder.describe()}); the database rolled back whatever it had not committed"
        )
        log.warning(warning)
        return WarehouseLock(path, me, warning)
    raise LockError(
        f"warehouse {warehouse}: the lock {path} keeps changing hands; another run is "
        "starting, wait for it to finish"
    )


def release(lock: WarehouseLock) -> None:
    """Remove the lock file, if it is still ours (never another run's)."""
    if _read(lock.path, retries=0) == lock.holder:
        lock.path.unlink(missing_ok=True)


def _create(path: Path, holder: LockHolder) -> bool:
    """Create the lock file atomically with the holder in it; False if it exists."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    try:
        os.write(fd, json.dumps(asdict(holder)).encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return True


def _read(path: Path, retries: int = 10) -> LockHolder | None:
    """The holder named in the lock file, or None if there is no lock file.

    A lock file is created empty and filled a moment later, so an unreadable one is read
    again briefly before it is reported.
    """
    for attempt in range(retries + 1):
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            data = json.loads(text)
            return LockHolder(**data)
        except (ValueError, TypeError):
            if attempt < retries:
                time.sleep(0.02)
    if retries == 0:
        return None
    raise LockError(
        f"the lock file {path} is unreadable; if no medallion run is active on this "
        "warehouse, delete it"
    )


def _is_stale(holder: LockHolder) -> bool:
    """True only when the holder is certainly gone: same host, and no process with its pid
    (or a different process that reused the pid). A lock from another host is never stale
    here: its process cannot be looked up."""
    if holder.host != socket.gethostname():
        return False
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, under another user
    started = _process_start(holder.pid)
    return holder.pid_started is not None and started is not None and started != holder.pid_started


def _process_start(pid: int) -> int | None:
    """The process start time in clock ticks since boot (Linux /proc), None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


@contextmanager
def _guard(warehouse: Path) -> Iterator[None]:
    fd = os.open(warehouse / GUARD_FILE, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the flock
