"""A fixed piece of pure-Python work, timed before and after a run: the machine's speed.

Sessions measure on whatever machine they get, and those machines differ by several times
per core (and one machine's speed drifts when its host is busy). Core count and CPU model do
not tell that apart; the time of the same work does. It is the kind of work the service and
the console spend their time on (dicts, strings, JSON), single-threaded, with nothing else
of ours running. Figures of two runs compare only when their yardsticks are alike.
"""

from __future__ import annotations

import json
import statistics
import time

ROUNDS = 7


def _work() -> int:
    rows = [
        {"id": i, "title": f"ticket {i} printer offline", "priority": i % 4, "tags": ["a", "b"]}
        for i in range(20_000)
    ]
    text = json.dumps(rows)
    total = sum(len(row["title"]) for row in json.loads(text))
    for i in range(200_000):
        total += i * i % 7
    return total


def yardstick_ms(rounds: int = ROUNDS) -> float:
    """Median wall time in ms of the fixed work over `rounds` runs (after one warm-up)."""
    _work()
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        _work()
        samples.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(samples), 1)


BASELINE_MS: float | None = None
"""The run's first yardstick (set by `python -m bench`), which `rest` waits to come back to."""


def rest(limit_seconds: float = 90.0, within: float = 1.3) -> str:
    """Wait, up to `limit_seconds`, until one round of the fixed work takes at most `within`
    times the run's first yardstick again; a note of how long that took and how fast the
    machine was then.

    This machine slows to about half its speed after a few minutes of sustained load and
    recovers within a minute or so of rest. A run's later parts (PostgreSQL after SQLite,
    after the fan-out's 1.6 s-per-PATCH "before" mode) were measured on the slowed machine
    and the earlier ones were not; resting before each part measures both on the same one.
    """
    global BASELINE_MS
    if BASELINE_MS is None:
        BASELINE_MS = yardstick_ms()
    began = time.monotonic()
    now = yardstick_ms(1)
    while now > BASELINE_MS * within and time.monotonic() - began < limit_seconds:
        time.sleep(5)
        now = yardstick_ms(1)
    waited = time.monotonic() - began
    return (
        f"rested {waited:.0f} s before this part: yardstick {now:.0f} ms "
        f"(the run began at {BASELINE_MS:.0f})"
    )
