"""Fan-out figures: what one PATCH costs the service while 100 consoles follow the feed, and
how long it takes to reach the last of them.

100 simulated consoles, each on a keep-alive connection of its own (the lean h11 client,
so the load generator leaves the cores to the service), make the HTTP calls the console's
sync engine makes: a long-poll `GET /changes?since=&wait=&limit=500`, and for what a page
cannot carry, one `GET /tickets?ids=`. Whether a page can be applied as it is is decided
by the engine's own rule (`dispatch.client.feed_apply.applied`) on the ticket each console
holds. One ticket is then changed by another user; a sample is the time from sending the
PATCH to a console having the new ticket (its answer read, and a read it needed done).

The service's CPU is read from /proc/<pid>/task/*/schedstat (nanoseconds on a CPU, every
thread of the service): from just before the PATCH until the last console has the ticket,
so it covers the write, the wake-up and every answer and read it caused. `detail` mode
replays what consoles did before the feed was applied from its fields (one full
`GET /tickets/{id}` per event per console) for comparison.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from bench.harness import Figure, Server, cpu_ns
from bench.loadgen import LeanClient, event_loop_runner
from bench.longpoll_figures import STAFF
from dispatch.client.feed_apply import applied

CONSOLES = 100
PER_TOKEN = 100
"""DISPATCH_LONG_POLLS_PER_TOKEN of the measured service: 25 consoles per staff login."""
WAIT = 30.0
SETTLE_SECONDS = 1.5
API = "/api/v1"
Json = dict[str, Any]


def _log(message: str) -> None:
    print(f"  · {message}", file=sys.stderr, flush=True)


async def _console(client: LeanClient, since: int, held: Json, detail: bool) -> tuple[float, int]:
    """One console's turn: wait for the feed, then bring the ticket up to date as the sync
    engine does; (time.perf_counter() when it has the new ticket, reads it needed)."""
    page = (
        await client.get("/changes", {"since": since, "wait": f"{WAIT:g}", "limit": 500})
    ).json()
    reads = 0
    ticket = held
    for change in page["changes"]:
        if change["entity"] != "ticket" or change["id"] != held["id"]:
            continue
        if detail:  # before: the whole ticket, with history, comments and appointments
            await client.get(f"/tickets/{change['id']}")
            reads += 1
            continue
        new = applied(ticket, change)
        if new is None:
            found = await client.get("/tickets", {"ids": str(change["id"])})
            reads += 1
            new = found.json()["items"][0]
        ticket = new
    return time.perf_counter(), reads


async def _alone(server: Server, writer: LeanClient, ticket_id: int) -> float:
    """The service CPU (ms) of the same PATCH with no console following: the write's own
    share of the fan-out figure."""
    held = (await writer.get("/tickets", {"ids": str(ticket_id)})).json()["items"][0]
    await asyncio.sleep(0.3)
    cpu = cpu_ns(server.pid)
    await writer.patch(
        f"/tickets/{ticket_id}",
        {"title": f"alone {time.time_ns()}"},
        {"If-Match": f'"{held["version"]}"'},
    )
    return (cpu_ns(server.pid) - cpu) / 1e6


async def _round(
    server: Server, tokens: dict[str, str], writer: LeanClient, ticket_id: int, detail: bool
) -> tuple[float, list[float], int, list[str]]:
    """One PATCH while CONSOLES follow: (service CPU ms, latencies ms, reads, errors)."""
    writer.close()
    held = (await writer.get("/tickets", {"ids": str(ticket_id)})).json()["items"][0]
    since = int((await writer.get("/changes", {"limit": 1, "since": 2**62})).json()["last_seq"])
    clients = [
        LeanClient(f"{server.url}{API}", {"Authorization": f"Bearer {tokens[STAFF[i % 4]]}"})
        for i in range(CONSOLES)
    ]
    tasks = [asyncio.create_task(_console(c, since, held, detail)) for c in clients]
    await asyncio.sleep(SETTLE_SECONDS)  # every long-poll is in and waiting
    errors = (
        [f"{sum(t.done() for t in tasks)} answered early"] if any(t.done() for t in tasks) else []
    )
    writer.close()
    await writer.get("/health")  # a fresh connection, not timed
    cpu, sent = cpu_ns(server.pid), time.perf_counter()
    answer = await writer.patch(
        f"/tickets/{ticket_id}",
        {"title": f"fan-out {time.time_ns()}"},
        {"If-Match": f'"{held["version"]}"'},
    )
    done = await asyncio.gather(*tasks, return_exceptions=True)
    spent_ms = (cpu_ns(server.pid) - cpu) / 1e6
    for client in clients:
        client.close()
    if answer.status_code != 200:
        errors.append(f"PATCH {answer.status_code}")
    woke, reads = [], 0
    for result in done:
        if isinstance(result, BaseException):
            errors.append(result.__class__.__name__)
        else:
            woke.append((result[0] - sent) * 1000)
            reads += result[1]
    return spent_ms, woke, reads, errors


def _figures(backend: str, detail: bool) -> tuple[Figure, Figure]:
    mode = "one full ticket read per event (before)" if detail else "applied from the feed"
    data = f"{CONSOLES} consoles following the feed, {backend}, {mode}"
    suffix = "_detail" if detail else ""
    cpu = Figure(
        f"fanout_cpu_{backend}{suffix}",
        f"one PATCH, 100 consoles: service CPU, {backend}{suffix.replace('_', ' ')}",
        "service CPU (every thread, /proc schedstat) from sending one PATCH until the last "
        "of 100 long-polling consoles has the new ticket: write, wake-up, answers and reads",
        data,
        "ms",
        target="" if detail else "median < 5 ms",
        limit=None if detail else 5,
        stat="median",
    )
    reach = Figure(
        f"fanout_reach_{backend}{suffix}",
        f"one PATCH reaches 100 consoles, {backend}{suffix.replace('_', ' ')}",
        "from sending the PATCH to each console having the new ticket (feed answer read, and "
        "any read it needed); one sample per console and round",
        data,
        "ms",
        target="" if detail else "p95 < 250 ms",
        limit=None if detail else 250,
    )
    return cpu, reach


def fanout(
    server: Server, tokens: dict[str, str], backend: str, rounds: int, *, detail: bool = False
) -> list[Figure]:
    """The CPU and reach figures of one PATCH against `server` (started with `env()`)."""
    cpu, reach = _figures(backend, detail)
    errors: list[str] = []
    reads: list[int] = []
    alone: list[float] = []

    async def run() -> None:
        writer = LeanClient(
            f"{server.url}{API}", {"Authorization": f"Bearer {tokens['anna.becker']}"}
        )
        try:
            page = (await writer.get("/tickets", {"limit": 1, "open": "true"})).json()
            ticket_id = int(page["items"][0]["id"])
            for _ in range(rounds):
                try:
                    alone.append(await _alone(server, writer, ticket_id))
                    spent, woke, read, wrong = await _round(
                        server, tokens, writer, ticket_id, detail
                    )
                except ConnectionError as exc:  # said in the notes, not the end of the run
                    errors.append(f"{exc.__class__.__name__}: {exc}")
                    continue
                cpu.samples.append(spent)
                reach.samples += woke
                reads.append(read)
                errors.extend(wrong)
                _log(f"fan-out ({cpu.data}): {spent:.1f} ms CPU, {len(woke)} reached, {read} reads")
        finally:
            writer.close()

    with event_loop_runner() as runner:
        runner.run(run())
    if errors:
        reach.notes.append(f"errors: {', '.join(sorted(set(errors)))} ({len(errors)})")
    cpu.notes.append(f"reads the consoles made per PATCH: {sorted(set(reads))}")
    if alone:
        floor = sorted(alone)[len(alone) // 2]
        cpu.notes.append(f"the same PATCH with no console following: median {floor:.1f} ms CPU")
    return [cpu, reach]


def both(root: Path, rounds: int, tickets: int, postgres: bool) -> list[Figure]:
    """The figures on SQLite and PostgreSQL (a fresh database), each also in `detail` mode
    (what it cost when every console read the whole ticket for every event)."""
    import os

    from bench import service_figures as sf
    from bench.yardstick import rest
    from dispatch.console import prepare_demo

    _log(f"fan-out, SQLite ({CONSOLES} consoles, {rounds} PATCHes)")
    (root / "fanout").mkdir(parents=True, exist_ok=True)
    settings, tokens = prepare_demo(root / "fanout", tickets=tickets, seed=7)
    with Server(settings.database_url, root / "serve-fanout.log", env=env()) as server:
        figures = fanout(server, tokens, "sqlite", rounds)
        figures += fanout(server, tokens, "sqlite", rounds, detail=True)
    if not postgres:
        return figures
    name = f"dispatch_bench_fo_{os.getpid()}"
    _log(f"fan-out, PostgreSQL (fresh database {name})")
    try:
        with sf.postgres_database(name) as url:
            tokens = sf.seed(url, tickets)
            rested = rest()
            _log(rested)
            with Server(url, root / "serve-fanout-pg.log", env=env()) as server:
                found = fanout(server, tokens, "postgres", rounds)
                found += fanout(server, tokens, "postgres", rounds, detail=True)
            for figure in found:
                figure.notes.append(rested)
            figures += found
    except Exception as exc:  # PostgreSQL missing is a note, not a crash of the whole run
        _log(f"PostgreSQL skipped: {exc!r}")
        skipped = Figure("fanout_cpu_postgres", "fan-out, postgres", "", "", "")
        skipped.skipped = f"PostgreSQL not usable: {exc!r}"
        figures.append(skipped)
    return figures


def env() -> dict[str, str]:
    """What the measured service needs: room for 100 long-polls of four logins."""
    return {"DISPATCH_LONG_POLLS_PER_TOKEN": str(PER_TOKEN)}
