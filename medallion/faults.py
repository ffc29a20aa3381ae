"""Named points where a test can kill the process, to prove that a crash loses nothing.

Set ``MEDALLION_KILL_AT=<point>`` (optionally ``<point>:<n>`` for its n-th passage) and the
process sends itself SIGKILL there, as an out-of-memory killer or a pulled plug would.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

_passed: Counter[str] = Counter()


def checkpoint(point: str) -> None:
    target = os.environ.get("MEDALLION_KILL_AT")
    if not target:
        return
    name, _, nth = target.rpartition(":")
    if not nth.isdigit():
        name, nth = target, "1"
    if name != point:
        return
    _passed[point] += 1
    if _passed[point] == int(nth):
        os.kill(os.getpid(), signal.SIGKILL)
