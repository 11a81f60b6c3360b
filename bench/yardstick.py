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
