"""The service's figures: initial sync; load from 20 concurrent clients, SQLite and PostgreSQL.

The load generator is one asyncio process with 20 keep-alive connections (one per client, h11
over asyncio streams: bench/loadgen.py); it shares the 2 cores with the server, so the
server's own CPU time per request (from /proc/<pid>/stat) is printed next to every figure:
that is the cost that does not depend on the load generator.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from bench.harness import Figure, Server, cpu_seconds, quantile
from bench.loadgen import Answer, LeanClient
from dispatch.client.api import ApiClient
from dispatch.client.cache import LocalCache
from dispatch.client.store import Store
from dispatch.client.sync import SyncEngine

CLIENTS = 20


def _log(message: str) -> None:
    print(f"  · {message}", file=sys.stderr, flush=True)


class _Quiet:
    """A SyncListener that listens to nothing."""

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None


# --- initial sync -------------------------------------------------------------------------------


def full_sync(server: Server, token: str, tickets: int, runs: int, workdir: Path) -> Figure:
    """SyncEngine.full_sync into an empty cache file; keeps the last cache for the console."""
    fig = Figure(
        "initial_sync",
        "initial sync into an empty cache",
        "dispatch.client.sync.SyncEngine.full_sync() against `dispatch serve` (SQLite) into a "
        "fresh LocalCache file: pages of 500 tickets, technicians, escalations, cache write",
        f"{tickets:,} tickets",
        "s",
        target="< 10 s",
        limit=10,
        stat="median",
    )
    server_cpu = []

    async def once(path: Path) -> float:
        cache = LocalCache(path)
        try:
            async with ApiClient(server.url, token, timeout=60) as client:
                engine = SyncEngine(client, cache, Store(), _Quiet())
                began = time.perf_counter()
                await engine.full_sync()
                return time.perf_counter() - began
        finally:
            cache.close()

    for i in range(runs):
        path = workdir / f"synced-{i}.sqlite"
        cpu = cpu_seconds(server.pid)
        fig.samples.append(asyncio.run(once(path)))
        server_cpu.append(cpu_seconds(server.pid) - cpu)
        fig.extra["cache_file"] = str(path)
    fig.extra["server_cpu_s"] = server_cpu
    fig.notes.append(
        f"server CPU per sync: {min(server_cpu):.1f}-{max(server_cpu):.1f} s of the wall time"
    )
    _log(f"initial sync: median {fig.median:.1f} s")
    return fig


# --- load -------------------------------------------------------------------------------------

LIST_FILTERS = [
    {"status": "new"},
    {"status": "triaged"},
    {"priority": "P1"},
    {"priority": "P2"},
    {"open": "true"},
    {"escalated": "false"},
    {"status": "waiting_customer"},
    {"assignee": "none"},
]
SEARCH_TERMS = ["vpn", "bäckerei", "drucker", "155080", "firewall warendorf", "outlook"]


Request = Callable[[LeanClient, int], Awaitable[Answer]]
"""Request number i, sent on one client's connection."""


async def _phase(
    clients: list[LeanClient], count: int, request: Request, deadline: float
) -> tuple[list[float], float, list[str]]:
    """`count` requests from the concurrent clients; latencies (ms), wall seconds, errors."""
    latencies: list[float] = []
    errors: list[str] = []
    counter = iter(range(count))

    async def worker(client: LeanClient) -> None:
        for i in counter:
            if time.perf_counter() > deadline:
                return
            began = time.perf_counter()
            try:
                response = await request(client, i)
            except OSError as exc:
                errors.append(exc.__class__.__name__)
                continue
            latencies.append((time.perf_counter() - began) * 1000)
            if response.status_code >= 400:
                errors.append(str(response.status_code))

    began = time.perf_counter()
    await asyncio.gather(*(worker(client) for client in clients))
    return latencies, time.perf_counter() - began, errors


async def _alone(client: LeanClient, request: Request, indexes: range) -> dict[str, float]:
    """Median and p95 ms of requests sent one after another: service time without queueing."""
    times = []
    for i in indexes:
        began = time.perf_counter()
        await request(client, i)
        times.append((time.perf_counter() - began) * 1000)
    return {"median": round(quantile(times, 0.5), 1), "p95": round(quantile(times, 0.95), 1)}


@contextlib.contextmanager
def _cpu(server: Server, into: list[float]) -> Iterator[None]:
    before = cpu_seconds(server.pid)
    yield
    into.append(cpu_seconds(server.pid) - before)


def load(
    server: Server,
    token: str,
    backend: str,
    tickets: int,
    *,
    lists: int,
    rounds: int,
    patches: int,
    searches: int,
    budget: float,
) -> list[Figure]:
    """`budget` seconds for each phase (list, PATCH, search): a slow service is measured on
    fewer requests rather than holding the run up; the notes say how many were done."""
    """List throughput, PATCH latency and q= latency against one running service."""
    data = f"{tickets:,} tickets, {backend}"
    lst = Figure(
        f"list_rps_{backend}",
        f"ticket list throughput, {backend}",
        f"GET /tickets?limit=100 with one filter (status, priority, open, escalated or "
        f"assignee, in turn), {CLIENTS} concurrent keep-alive clients, {lists:,} requests in "
        f"{rounds} rounds; one sample = requests/s of one round",
        data,
        "req/s",
        target=">= 400 req/s",
        limit=400,
        stat="median",
        at_least=True,
    )
    patch = Figure(
        f"patch_{backend}",
        f"PATCH /tickets/{{id}}, {backend}",
        f"priority change with If-Match and Idempotency-Key, {CLIENTS} concurrent clients, "
        f"each on its own open tickets, {patches:,} requests; latency per request",
        data,
        "ms",
        target="p95 < 50 ms",
        limit=50,
    )
    search = Figure(
        f"search_{backend}",
        f"text search q=, {backend}",
        f"GET /tickets?q=TERM&limit=100 (terms {', '.join(SEARCH_TERMS)}), {CLIENTS} "
        f"concurrent clients, {searches:,} requests; latency per request",
        data,
        "ms",
        target="p95 < 50 ms",
        limit=50,
    )
    list_latency: list[float] = []
    cpu: dict[str, list[float]] = {"list": [], "patch": [], "search": []}
    done: dict[str, int] = {"list": 0, "patch": 0, "search": 0}
    errors: dict[str, list[str]] = {"list": [], "patch": [], "search": []}

    async def run() -> None:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        clients = [LeanClient(f"{server.url}/api/v1", headers) for _ in range(CLIENTS)]
        try:
            await load_phases(clients)
        finally:
            for client in clients:
                client.close()

    async def load_phases(clients: list[LeanClient]) -> None:
        def get_list(client: LeanClient, i: int) -> Awaitable[Answer]:
            return client.get("/tickets", {"limit": 100, **LIST_FILTERS[i % 8]})

        stop_at = time.perf_counter() + budget
        await _phase(clients, CLIENTS * 2, get_list, stop_at)  # warm connections and caches
        per_round = max(1, lists // rounds)
        for _ in range(rounds):
            with _cpu(server, cpu["list"]):
                lat, wall, err = await _phase(clients, per_round, get_list, stop_at)
            if lat:
                lst.samples.append(len(lat) / wall)
            list_latency.extend(lat)
            done["list"] += len(lat)
            errors["list"] += err

        # PATCH: every request its own open ticket (no 412 between clients)
        targets: list[dict[str, Any]] = []
        cursor = None
        while len(targets) < patches:
            params: dict[str, Any] = {"open": "true", "sort": "number", "limit": 500}
            if cursor:
                params["cursor"] = cursor
            page = (await clients[0].get("/tickets", params)).json()
            targets += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        targets = targets[:patches]

        async def do_patch(client: LeanClient, i: int) -> Answer:
            t = targets[i % len(targets)]
            new = "P4" if t["priority"] != "P4" else "P3"
            t["priority"] = new
            response = await client.patch(
                f"/tickets/{t['id']}",
                {"priority": new},
                {
                    "If-Match": f'"{t["version"]}"',
                    "Idempotency-Key": f"bench-{t['id']}-{t['version']}-{time.time_ns()}",
                },
            )
            if response.status_code == 200:
                t["version"] = response.json()["version"]
            return response

        # warm the write path (statements, writer thread) as the list phase warms its own
        await _phase(clients, CLIENTS, do_patch, time.perf_counter() + budget)
        with _cpu(server, cpu["patch"]):
            lat, _, err = await _phase(
                clients, len(targets), do_patch, time.perf_counter() + budget
            )
        patch.samples += lat
        done["patch"] = len(lat)
        errors["patch"] = err
        alone = await _alone(clients[0], do_patch, range(len(targets), len(targets) + 40))
        patch.extra["one_client_ms"] = alone
        patch.notes.append(
            f"one client alone (40 sequential PATCHes): median {alone['median']} ms, "
            f"p95 {alone['p95']} ms"
        )

        def do_search(client: LeanClient, i: int) -> Awaitable[Answer]:
            term = SEARCH_TERMS[i % len(SEARCH_TERMS)]
            return client.get("/tickets", {"q": term, "limit": 100})

        # warm the search path (its statements, the index's pages) as the other phases warm theirs
        await _phase(clients, CLIENTS * 2, do_search, time.perf_counter() + budget)
        with _cpu(server, cpu["search"]):
            lat, _, err = await _phase(clients, searches, do_search, time.perf_counter() + budget)
        search.samples += lat
        done["search"] = len(lat)
        errors["search"] = err
        alone = await _alone(clients[0], do_search, range(4 * len(SEARCH_TERMS)))
        search.extra["one_client_ms"] = alone
        search.notes.append(
            f"one client alone ({4 * len(SEARCH_TERMS)} sequential searches): "
            f"median {alone['median']} ms, p95 {alone['p95']} ms"
        )
        alone = await _alone(clients[0], get_list, range(40))
        lst.extra["one_client_ms"] = alone
        lst.notes.append(
            f"one client alone (40 sequential lists): median {alone['median']} ms, "
            f"p95 {alone['p95']} ms"
        )

    asyncio.run(run())
    for fig, name in ((lst, "list"), (patch, "patch"), (search, "search")):
        n = done[name]
        if n:
            per = sum(cpu[name]) * 1000 / n
            fig.extra["server_cpu_ms_per_request"] = round(per, 2)
            fig.notes.append(f"server CPU {per:.1f} ms per request over {n:,} requests")
        if errors[name]:
            fig.notes.append(f"{len(errors[name])} error responses, e.g. {errors[name][:3]}")
    if list_latency:
        lst.extra["latency_ms_median"] = round(sorted(list_latency)[len(list_latency) // 2], 1)
        lst.notes.append(
            f"list latency median {lst.extra['latency_ms_median']} ms at {CLIENTS} concurrent"
        )
    for fig, name, wanted in ((lst, "list", lists), (patch, "patch", patches)):
        if done[name] < wanted:
            fig.notes.append(
                f"the {budget:.0f} s budget ended the phase after {done[name]:,} of "
                f"{wanted:,} requests"
            )
    if done["search"] < searches:
        search.notes.append(
            f"the {budget:.0f} s budget ended the phase after {done['search']} of {searches}"
        )
    _log(
        f"{backend}: list {lst.median:.0f} req/s, PATCH p95 {patch.p95:.0f} ms, "
        f"q= p95 {search.p95:.0f} ms"
    )
    return [lst, patch, search]


# --- PostgreSQL -----------------------------------------------------------------------------------

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """A fresh database `name` on the local PostgreSQL, dropped afterwards."""
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(database_url: str, tickets: int) -> dict[str, str]:
    """Schema and demo data (seed 7) in `database_url`; the demo users' tokens."""
    from sqlalchemy import text
    from sqlmodel import Session

    from dispatch.demo import DemoSize, seed_demo
    from dispatch.server.persistence.db import make_engine
    from dispatch.server.persistence.schema import create_schema

    engine = make_engine(database_url)
    try:
        create_schema(engine)
        with Session(engine) as session:
            logins = seed_demo(session, seed=7, size=DemoSize(tickets=tickets))
            session.commit()
        # Statistics, as autovacuum would gather them a little later on a live database:
        # without them the planner guesses LIKE selectivity and sorts 13k q= matches where
        # walking the received_at index finds a page in a few hundred rows (36 ms vs 1 ms).
        # On PostgreSQL also the vacuum a live database had long ago: the first reader of a
        # freshly inserted row otherwise sets its hint bits (a page write) during the load.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(
                text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
            )
    finally:
        engine.dispose()
    return logins.tokens
