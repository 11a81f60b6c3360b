"""500 writes through a misbehaving TCP proxy to a real uvicorn server: each applied once.

The service runs under uvicorn in a subprocess on 127.0.0.1 (a free port, a watchdog that
stops it); a small asyncio proxy sits in front of it and, per connection, chosen by a
seeded RNG, passes the request, refuses it (closes at once), resets it (closes after
the request head), stalls it (holds it past the client's timeout, then forwards it
anyway), or drops the response after forwarding (the service committed). The console's
SyncEngine drains its outbox through the proxy with its own retry and backoff. At the
end every write (a unique ticket title or a unique comment body) is on the service
exactly once, and each ticket's title is the last one queued for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from enum import Enum
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select
from sync.service_process import QuietListener, Service

from dispatch.client.api import ApiClient
from dispatch.client.cache import LocalCache
from dispatch.client.store import Store
from dispatch.client.sync import SyncEngine
from dispatch.models import ChangeEvent
from dispatch.models.comment import Comment
from dispatch.models.ticket import Ticket

WRITES = 500
CLIENT_TIMEOUT = 0.25  # seconds the client waits for an answer
STALL = 0.4  # a stalled request is held this long, then forwarded all the same
IO_LIMIT = 10.0  # no proxy connection lives longer than this
DEADLINE = 150.0  # the outbox must drain within this (a safety bound for busy machines)


class Fault(Enum):
    PASS = "pass"
    REFUSE = "refuse"  # accept, then close before reading anything
    RESET = "reset"  # read the request head, then close: the service never sees it
    STALL = "stall"  # hold it past the client's timeout, then forward it
    DROP = "drop"  # forward it (the service commits), then close without an answer


WEIGHTS = {Fault.PASS: 74, Fault.REFUSE: 6, Fault.RESET: 6, Fault.STALL: 2, Fault.DROP: 12}


class FaultProxy:
    """One TCP connection per request (it forces Connection: close), each with its fault."""

    def __init__(self, upstream: int, rng: random.Random) -> None:
        self.upstream = upstream
        self.rng = rng
        self.enabled = False
        self.seen: Counter[Fault] = Counter()
        self.inflight: set[asyncio.Task[None]] = set()
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def abort(self) -> None:
        """Cut every connection still open (the test failed; nothing may linger)."""
        for task in list(self.inflight):
            task.cancel()
        if self.inflight:
            await asyncio.wait(set(self.inflight), timeout=IO_LIMIT)

    async def settle(self) -> None:
        """Wait for every connection still open (stalled requests arriving late)."""
        if self.inflight:
            await asyncio.wait(set(self.inflight), timeout=IO_LIMIT + 1)
        assert not self.inflight, "a proxied connection outlived its limit"

    def pick(self) -> Fault:
        if not self.enabled:
            return Fault.PASS
        faults = list(WEIGHTS)
        return self.rng.choices(faults, weights=[WEIGHTS[f] for f in faults])[0]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.inflight.add(task)
        try:
            await asyncio.wait_for(self._serve(reader, writer), IO_LIMIT)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        finally:
            writer.transport.abort()
            self.inflight.discard(task)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        fault = self.pick()
        self.seen[fault] += 1
        if fault is Fault.REFUSE:
            return
        head = await reader.readuntil(b"\r\n\r\n")
        if fault is Fault.RESET:
            return
        lines = head[:-4].split(b"\r\n")
        length = 0
        kept = [lines[0]]
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
            if name.strip().lower() != b"connection":
                kept.append(line)
        kept.append(b"Connection: close")
        body = await reader.readexactly(length)
        request = b"\r\n".join(kept) + b"\r\n\r\n" + body
        if fault is Fault.STALL:
            await asyncio.sleep(STALL)  # the client has given up by now
        response = await self._forward(request)
        if fault in (Fault.STALL, Fault.DROP):
            return
        writer.write(response)
        await writer.drain()

    async def _forward(self, request: bytes) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        try:
            writer.write(request)
            await writer.drain()
            return await reader.read()  # the service closes after one answer
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


def outbox_size(cache: LocalCache) -> int:
    """Rows in the outbox, counted without parsing them (the test polls this)."""
    row = cache.db.execute("SELECT count(*) FROM outbox").fetchone()
    return int(row[0])


async def test_every_write_lands_exactly_once_through_a_faulty_network(
    service_db: tuple[str, dict[str, str], Engine], tmp_path: Path
) -> None:
    url, tokens, db = service_db
    started = time.monotonic()
    service = Service(url)
    service.start()
    rng = random.Random(20261127)
    proxy = FaultProxy(service.port, rng)
    port = await proxy.start()
    client = ApiClient(f"http://127.0.0.1:{port}", tokens["anna.becker"], timeout=CLIENT_TIMEOUT)
    cache = LocalCache(tmp_path / "cache.sqlite")
    engine = SyncEngine(client, cache, Store(), QuietListener(), backoff_cap=0.02, rng=rng)
    sender: asyncio.Task[None] | None = None
    try:
        await engine.full_sync()  # a clean start; the faults begin with the writes
        synced = sorted(engine.store.tickets.values(), key=lambda t: t["id"])
        with Session(db) as session:
            assert len(synced) == session.exec(select(func.count()).select_from(Ticket)).one()
        tickets = synced[:12]  # the drawn ones; the demo's contingent work has more after them
        proxy.enabled = True
        titles: dict[str, int] = {}
        bodies: dict[str, int] = {}
        last_title: dict[int, str] = {}
        sender = asyncio.ensure_future(engine.send_loop())
        for n in range(WRITES):
            ticket = engine.store.tickets[rng.choice(tickets)["id"]]
            if rng.random() < 0.4:
                title = f"proxy title {n}"
                engine.patch_ticket(ticket, {"title": title})
                titles[title] = ticket["id"]
                last_title[ticket["id"]] = title
            else:
                body = f"proxy comment {n}"
                engine.comment(ticket, body)
                bodies[body] = ticket["id"]
            if n % 25 == 24:
                await asyncio.sleep(0)  # the user types on while the sender works
        deadline = time.monotonic() + DEADLINE
        while outbox_size(cache):
            assert time.monotonic() < deadline, (
                f"{outbox_size(cache)} writes still in the outbox; faults so far {proxy.seen}"
            )
            if sender.done():
                sender.result()  # it never returns: raise its error
            await asyncio.sleep(0.1)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
        await proxy.settle()  # stalled requests reach the service late; let them
    finally:
        if sender is not None and not sender.done():
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
        await client.aclose()
        cache.close()
        await proxy.abort()
        await proxy.stop()
        service.close()

    for fault in Fault:
        assert proxy.seen[fault] > 0, f"the run never tried {fault.value}: {proxy.seen}"
    with Session(db) as session:
        stored = Counter(
            c.body
            for c in session.exec(
                select(Comment).where(col(Comment.body).startswith("proxy comment"))
            ).all()
        )
        events = session.exec(
            select(ChangeEvent).where(ChangeEvent.entity == "ticket", ChangeEvent.op == "update")
        ).all()
    applied = Counter(str(e.fields["title"][1]) for e in events if "title" in e.fields)
    assert {b: stored[b] for b in bodies} == dict.fromkeys(bodies, 1)
    assert {t: applied[t] for t in titles} == dict.fromkeys(titles, 1)
    assert sum(stored.values()) == len(bodies) and sum(applied.values()) == len(titles)
    with Session(db) as session:
        final = {t.id: t.title for t in session.exec(select(Ticket)).all()}
    for ticket_id, title in last_title.items():
        assert final[ticket_id] == title, "writes to one ticket land in the order they were made"
    assert time.monotonic() - started < DEADLINE + 30
