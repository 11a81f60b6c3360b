"""A test hook: the fetch process kills itself (SIGKILL) at a named point of its N-th message.

The exactly-once tests (`tests/mail/test_imap_exactly_once.py`) run `dispatch mail fetch`
with `DISPATCH_TEST_IMAP_CRASH=committed:3` and the process dies like a power cut right after
the third message's commit, before it is marked on the server: no handler, no cleanup, no
flush. The points are `fetched` (before the intake's commit), `committed` (between commit and
mark) and `marked` (after both). Unset, as everywhere but in those tests, it does nothing.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

ENV = "DISPATCH_TEST_IMAP_CRASH"
POINTS = ("fetched", "committed", "marked")

_seen: Counter[str] = Counter()


def _target() -> tuple[str, int] | None:
    value = os.environ.get(ENV, "")
    point, _, nth = value.partition(":")
    if point not in POINTS or not nth.isdigit():
        return None
    return point, int(nth)


def reached(point: str) -> None:
    """Count `point`; SIGKILL this process when it is the one the environment names."""
    target = _target()
    if target is None:
        return
    _seen[point] += 1
    if target == (point, _seen[point]):
        os.kill(os.getpid(), signal.SIGKILL)
