"""Long-polls of GET /changes: one reader per process, and waiters that cost nothing idle.

Each long-poll used to re-read the feed every `recheck_seconds` on its own, so idle
long-polls kept a core busy, and one write woke every one of them into a read of its own.
Now a waiting long-poll is a future and a timer. One thread per process,
the feed reader, looks for growth: at once when this process committed a write (the writer
calls `FeedSignal.notify`, which pokes it), when PostgreSQL's NOTIFY arrives (the listener
does the same), and otherwise with one shared `SELECT max(seq)` every `recheck_seconds`
(0.5 s; 5 s while the NOTIFY listener is live). Only while someone waits: with no waiter the
reader ends. When the feed grew it reads the new events once, with the current assignee of
each event's ticket, and wakes every waiter, which picks the events its caller may see from
memory (the same rule as `feed.visible_filter`) without another query.

A waiter answers from memory only when the batch read starts at or before what it has seen;
otherwise (it began waiting while two batches went by, or the reader had been idle) it reads
the database as any request does. Open long-polls are capped per token and per process:
each one holds a socket, and a token is one person's console, which needs one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dispatch.models.event import ChangeEvent, ChangeFeed, ChangePublic
from dispatch.models.ticket import Ticket
from dispatch.server.http.deps import Caller
from dispatch.server.http.problems import ProblemError
from dispatch.server.persistence import feed
from dispatch.settings import Settings

log = logging.getLogger("dispatch.server")

IDLE_SECONDS = 5.0
"""How long the reader thread outlives the last waiter (a console's next long-poll comes
right after its last one ended; a thread per poll would start and stop for every one)."""
MAX_BATCH_ROWS = 2000
"""A growth larger than this (an import, a reader that was idle for long) is not read into
memory: waiters read the database instead."""
PROCESS_RETRY_SECONDS = 5
"""Retry-After when the process has no long-poll to spare."""


@dataclass(frozen=True, slots=True)
class Row:
    """An event of a batch and what decides who may see it (as `feed.visible_filter`)."""

    change: ChangePublic
    assignee: int | None
    """The current assignee of the event's ticket when the batch was read."""
    technician: int | None
    prev_technician: int | None

    def visible_to(self, caller: Caller) -> bool:
        if caller.sees_all:
            return True
        tech = caller.technician_id if caller.technician_id is not None else -1
        return tech in (self.assignee, self.technician, self.prev_technician)


@dataclass
class Batch:
    """The events in (after, upto], read once for every waiter of the process."""

    after: int
    upto: int
    rows: list[Row]
    pages: dict[tuple[str, int, int], bytes] = field(default_factory=dict)
    """Answers already serialised, by (whose: "all" or a technician id, last seen, limit): a
    write usually wakes many waiters that get the same page."""


@dataclass(slots=True, eq=False)
class Waiter:
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[None]
    ended: bool = False
    """Its deadline came or its client left: it waits no more (set by `stop`)."""

    def stop(self, *_: object) -> None:
        """Wake this waiter now, for good (its deadline came, or its client left)."""
        self.ended = True
        if not self.future.done():
            self.future.set_result(None)


class FeedHub:
    """This process's long-poll waiters, its one feed reader, and the caps on open polls."""

    def __init__(self, engine: Engine, signal: feed.FeedSignal, settings: Settings) -> None:
        self.engine = engine
        self.signal = signal
        self.settings = settings
        self.top: int | None = None
        """The newest seq the reader has seen; None while it does not run (stale)."""
        self.latest: Batch | None = None
        """The last batch read (None: the last growth was not read into memory)."""
        self.reads = 0
        """`max(seq)` checks so far (tests and figures watch the reader's cost with it)."""
        self._cond = threading.Condition()
        self._waiters: dict[Waiter, None] = {}
        """Every waiting long-poll (a dict: insertion order, cheap removal)."""
        self._poked = False
        self._running = False
        self._open: dict[str, list[float]] = {}
        """Open long-polls per token digest: their deadlines (for Retry-After)."""
        self._open_count = 0
        signal.on_notify(self.poke)

    # -- caps -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def admit(self, token: str, seconds: float) -> Iterator[None]:
        """Hold one of the token's long-polls for the block; 429 when it has none left."""
        key = hashlib.sha256(token.encode()).hexdigest()
        deadline = time.monotonic() + seconds
        with self._cond:
            mine = self._open.get(key, [])
            if len(mine) >= self.settings.long_polls_per_token:
                # Its first long-poll ends by then at the latest (a cap of 0: no long-polls).
                first_end = min(mine, default=time.monotonic() + PROCESS_RETRY_SECONDS)
                retry = max(1, math.ceil(first_end - time.monotonic()))
                raise _too_many(
                    f"this token has {len(mine)} long-polls open, the most it may; "
                    f"try again in {retry} s",
                    retry,
                )
            if self._open_count >= self.settings.long_polls_per_process:
                raise _too_many(
                    "this service process has no long-poll to spare; "
                    f"try again in {PROCESS_RETRY_SECONDS} s",
                    PROCESS_RETRY_SECONDS,
                )
            self._open[key] = mine
            mine.append(deadline)
            self._open_count += 1
        try:
            yield
        finally:
            with self._cond:
                mine.remove(deadline)
                self._open_count -= 1
                if not mine:
                    self._open.pop(key, None)

    # -- waiting --------------------------------------------------------------------------

    def register(self) -> Waiter:
        """A long-poll starts waiting: its future is resolved at the next batch. Register
        (and `rearm`) before asking `answer`: a batch published in between then still
        wakes it."""
        loop = asyncio.get_running_loop()
        waiter = Waiter(loop, loop.create_future())
        with self._cond:
            self._waiters[waiter] = None
            if not self._running:
                self._running = True
                self._poked = True  # look at once
                threading.Thread(target=self._run, name="dispatch-feed-reader", daemon=True).start()
            elif len(self._waiters) == 1:
                # The first waiter after a pause: what the reader knows may be stale (it
                # does not poll while nobody waits), so it is not used until it looked again.
                self.top, self.latest = None, None
                self._poked = True
                self._cond.notify()
        return waiter

    def rearm(self, waiter: Waiter) -> None:
        """A fresh future for a waiter that was woken and waits on."""
        with self._cond:
            waiter.future = waiter.loop.create_future()
            if waiter.ended:
                waiter.future.set_result(None)

    def unregister(self, waiter: Waiter) -> None:
        with self._cond:
            self._waiters.pop(waiter, None)

    def answer(self, caller: Caller, last: int, limit: int) -> bytes | int | None:
        """What memory says for a caller who has seen up to `last`.

        A page for them, serialised (once for every waiter who gets the same); or the
        seq they have now seen up to, with nothing for them yet (an int: wait on); or None:
        memory does not reach back to `last`, read the database.
        """
        with self._cond:
            top, batch = self.top, self.latest
        if top is None or top <= last:
            return last
        if batch is None or batch.after > last:
            return None
        # Everyone who sees all gets the same page; a technician their own (-1: a technician
        # user without a technician record sees nothing, as in `visible_to`).
        who = "all" if caller.sees_all else str(caller.technician_id or -1)
        key = (who, last, limit)
        page = batch.pages.get(key)
        if page is not None:
            return page
        rows = [r.change for r in batch.rows if r.change.seq > last and r.visible_to(caller)]
        if not rows:
            return batch.upto
        rows = rows[:limit]
        found = ChangeFeed(
            changes=rows, last_seq=rows[-1].seq if len(rows) == limit else batch.upto
        )
        batch.pages[key] = found.model_dump_json().encode()
        return batch.pages[key]

    @staticmethod
    @contextlib.contextmanager
    def ends(waiter: Waiter, seconds: float, gone: asyncio.Future[None]) -> Iterator[None]:
        """For the block, `waiter` is also woken after `seconds` and when `gone` is done
        (its client left): set up once per long-poll, so that each `wait` is one future
        (`asyncio.wait` made a future, a set and callbacks on every wait of every waiter)."""
        timer = waiter.loop.call_later(max(0.0, seconds), waiter.stop)
        gone.add_done_callback(waiter.stop)
        try:
            yield
        finally:
            timer.cancel()
            gone.remove_done_callback(waiter.stop)

    async def wait(self, waiter: Waiter) -> None:
        """Until the next batch, or the end `ends` set."""
        await waiter.future

    # -- the reader -----------------------------------------------------------------------

    def poke(self) -> None:
        """The feed may have grown (a commit here, a NOTIFY): look now, if anyone waits."""
        with self._cond:
            if self._running:
                self._poked = True
                self._cond.notify()

    def waiting(self) -> int:
        with self._cond:
            return len(self._waiters)

    def _run(self) -> None:
        idle_since: float | None = None
        while True:
            with self._cond:
                if not self._poked:
                    self._cond.wait(self.signal.recheck_seconds if self._waiters else IDLE_SECONDS)
                poked, self._poked = self._poked, False
                if self._waiters:
                    idle_since = None
                else:
                    now = time.monotonic()
                    idle_since = idle_since or now
                    if now - idle_since >= IDLE_SECONDS:
                        # Nobody waited for a while: stop, and forget what we knew, which
                        # goes stale from now on.
                        self._running = False
                        self.top, self.latest = None, None
                        return
                    if not poked:
                        continue  # no one to look for
            try:
                self._look()
            except Exception:  # the database is away: waiters time out, the reader goes on
                log.exception("the feed reader could not read the feed")
                time.sleep(self.signal.recheck_seconds)

    def _look(self) -> None:
        with Session(self.engine) as session:
            self.reads += 1
            top = feed.max_seq(session)
            known = self.top
            if known is not None and top == known:
                return
            batch = None  # first look, a large growth, or a feed that went back (a restore)
            if known is not None and known < top <= known + MAX_BATCH_ROWS:
                batch = Batch(known, top, _rows(session, known, top))
        self._publish(top, batch)

    def _publish(self, top: int, batch: Batch | None) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
        with self._cond:
            self.top, self.latest = top, batch
            for w in self._waiters:
                by_loop.setdefault(w.loop, []).append(w.future)
        for loop, futures in by_loop.items():
            with contextlib.suppress(RuntimeError):  # that loop has closed
                loop.call_soon_threadsafe(_wake, futures)


def _wake(futures: list[asyncio.Future[None]]) -> None:
    for future in futures:
        if not future.done():
            future.set_result(None)


def _rows(session: Session, after: int, upto: int) -> list[Row]:
    stmt = (
        select(ChangeEvent, Ticket.assignee_id)
        .outerjoin(Ticket, col(Ticket.id) == col(ChangeEvent.ticket_id))
        .where(col(ChangeEvent.seq) > after, col(ChangeEvent.seq) <= upto)
        .order_by(col(ChangeEvent.seq))
    )
    return [
        Row(feed.public(ev), assignee, ev.technician_id, ev.prev_technician_id)
        for ev, assignee in session.exec(stmt).all()
    ]


def _too_many(detail: str, retry_after: int) -> ProblemError:
    return ProblemError(
        429, detail, title="Too Many Requests", headers={"Retry-After": str(retry_after)}
    )
