"""Long-poll figures: what 1,000 idle `GET /changes?wait=` cost, and how fast one write wakes
them all.

1,000 long-polls, each on a connection of its own (raw HTTP/1.1 over asyncio streams, so the
load generator's own CPU stays small), from the demo's four staff users, who see every
change; the service runs with `DISPATCH_LONG_POLLS_PER_TOKEN` raised to let 250 long-polls
per token through (its default is 4: one console needs one). Once the service holds them all,
its process's CPU time (/proc/<pid>/stat) is read over a few idle seconds; then one ticket is
created, and the time from sending that write to each long-poll's answer is one sample.
"""

from __future__ import annotations

import asyncio
import sys
import time
from urllib.parse import urlsplit

from bench.harness import Figure, Server, cpu_ns, cpu_seconds, quantile
from bench.loadgen import LeanClient, event_loop_runner, one_answer

WAITERS = 1000
PER_TOKEN = 1000
"""DISPATCH_LONG_POLLS_PER_TOKEN of the measured service (see `Server(env=...)`)."""
STAFF = ("admin", "anna.becker", "lukas.schneider", "tom.lehmann")
IDLE_SECONDS = 5.0
SETTLE_LIMIT = 20.0
"""At most this long for the service to take in every long-poll before the idle window."""
API = "/api/v1"


def _log(message: str) -> None:
    print(f"  · {message}", file=sys.stderr, flush=True)


async def _long_poll(url: str, token: str, since: int, wait: float) -> tuple[int, float]:
    """One GET /changes on a connection of its own (as a console's); (status,
    time.perf_counter() when its whole answer had arrived). Read by `loadgen.one_answer`,
    a protocol that parses no more than the status and the length: a stream reader and a
    task per connection made the load generator a rival of the service it measures."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    request = (
        f"GET {API}/changes?since={since}&wait={wait:g} HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {token}\r\n\r\n"
    ).encode()
    return await one_answer(host, port, request)


async def _settle(server: Server) -> None:
    """Until the service has read every long-poll once (its CPU falls quiet), bounded."""
    deadline = time.monotonic() + SETTLE_LIMIT
    await asyncio.sleep(1.0)
    while time.monotonic() < deadline:
        before = cpu_seconds(server.pid)
        await asyncio.sleep(0.5)
        if cpu_seconds(server.pid) - before < 0.02:
            return


async def _round(
    server: Server, tokens: dict[str, str], writer: LeanClient, customer_id: int, since: int
) -> tuple[float, list[float], int, list[str]]:
    """One round: idle share of a core, wake-up latencies (ms), the new last seq, errors."""
    polls = [
        asyncio.create_task(
            _long_poll(server.url, tokens[STAFF[i % len(STAFF)]], since, IDLE_SECONDS + 25)
        )
        for i in range(WAITERS)
    ]
    await _settle(server)
    early = sum(p.done() for p in polls)
    cpu, wall = cpu_seconds(server.pid), time.perf_counter()
    await asyncio.sleep(IDLE_SECONDS)
    idle = (cpu_seconds(server.pid) - cpu) / (time.perf_counter() - wall)
    writer.close()  # the service ends idle keep-alive connections: a fresh one, not timed
    await writer.get("/health")
    cpu, sent = cpu_ns(server.pid), time.perf_counter()
    created = await writer.request(
        "POST", "/tickets", json_body={"title": "wake the long-polls", "customer_id": customer_id}
    )
    wrote_ms = (time.perf_counter() - sent) * 1000
    answers = await asyncio.gather(*polls, return_exceptions=True)
    spent_ms = (cpu_ns(server.pid) - cpu) / 1e6  # the write, the wake-up and every answer
    errors: list[str] = [f"{early} answered before the write"] if early else []
    if created.status_code != 201:
        errors.append(f"write {created.status_code}")
    woke = []
    for answer in answers:
        if isinstance(answer, BaseException):
            errors.append(answer.__class__.__name__)
        elif answer[0] != 200:
            errors.append(str(answer[0]))
        else:
            woke.append((answer[1] - sent) * 1000)
    if woke:
        # The write's own time varies most on a busy machine; the spread from the first
        # answer to the 95th percentile is the service's per-answer path (and the reader's).
        spread = quantile(woke, 0.95) - min(woke)
        _log(
            f"write answered after {wrote_ms:.0f} ms; first long-poll answer {min(woke):.0f} "
            f"ms; first to p95 {spread:.0f} ms; service CPU {spent_ms:.1f} ms"
        )
    last = await writer.get("/changes", {"since": since})
    return idle * 100, woke, int(last.json()["last_seq"]), errors


def long_polls(server: Server, tokens: dict[str, str], backend: str, rounds: int) -> list[Figure]:
    """The idle cost and wake-up figures against `server` (started with PER_TOKEN)."""
    data = f"{WAITERS:,} long-polls, {backend}" + (
        f", dispatch serve --workers {server.workers}" if server.workers > 1 else ""
    )
    idle = Figure(
        f"longpoll_idle_{backend}",
        f"1,000 idle long-polls, {backend}",
        f"server CPU over {IDLE_SECONDS:g} s while {WAITERS:,} GET /changes?wait= wait with "
        "nothing to report, in % of one core; one sample per round",
        data,
        "% core",
        target="< 5 % core",
        limit=5,
        stat="median",
    )
    wake = Figure(
        f"longpoll_wake_{backend}",
        f"one write wakes 1,000 long-polls, {backend}",
        "from sending POST /tickets to each waiting long-poll's answer arriving; one sample per "
        "long-poll and round",
        data,
        "ms",
        target="p95 < 100 ms",
        limit=100,
    )
    errors: list[str] = []

    async def run() -> None:
        writer = LeanClient(
            f"{server.url}{API}", {"Authorization": f"Bearer {tokens['anna.becker']}"}
        )
        try:
            some = await writer.get("/tickets", {"limit": 1})
            customer_id = int(some.json()["items"][0]["customer_id"])
            since = int((await writer.get("/changes")).json()["last_seq"])
            # A first round warms the service up (its first POST, the first wake of 1,000)
            # and is not a sample, as the console's first start is not: the figure is of a
            # service that has been running.
            share, woke, since, wrong = await _round(server, tokens, writer, customer_id, since)
            warm = f"p95 {quantile(woke, 0.95):.0f} ms" if woke else "no answer"
            _log(f"long-polls: warm-up round, not a sample: {warm}")
            wake.notes.append(f"the warm-up round (not a sample): {warm}")
            errors.extend(wrong)
            for _ in range(rounds):
                share, woke, since, wrong = await _round(server, tokens, writer, customer_id, since)
                idle.samples.append(share)
                wake.samples += woke
                errors.extend(wrong)
                _log(f"long-polls: idle {share:.1f} % of a core; woke {len(woke)}")
        finally:
            writer.close()

    with event_loop_runner() as runner:
        runner.run(run())
    if errors:
        wake.notes.append(f"errors: {', '.join(sorted(set(errors)))} ({len(errors)})")
    wake.notes.append(f"{rounds} round(s) of {WAITERS:,} waiters; {len(wake.samples)} answers")
    return [idle, wake]


def env() -> dict[str, str]:
    """What the measured service needs: room for 1,000 long-polls of four tokens."""
    return {"DISPATCH_LONG_POLLS_PER_TOKEN": str(PER_TOKEN)}
