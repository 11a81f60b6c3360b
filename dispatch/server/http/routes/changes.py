"""GET /changes: the long-polled change feed."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.types import Receive

from dispatch.models.base import utcnow
from dispatch.models.event import ChangeFeed
from dispatch.server.http.deps import Caller, CallerDep
from dispatch.server.http.feedhub import FeedHub
from dispatch.server.http.parking import Parked
from dispatch.server.http.problems import ProblemError, invalid, problems
from dispatch.server.http.writes import PreparedJSON, json_response
from dispatch.server.persistence import feed
from dispatch.settings import Settings

router = APIRouter(tags=["changes"])


def _read(engine: Engine, settings: Settings, caller: Caller, since: int, limit: int) -> ChangeFeed:
    with Session(engine) as session:
        last = feed.max_seq(session)
        if since > last:
            raise ProblemError(
                410,
                f"seq {since} is ahead of this feed (last is {last}); resync from scratch",
                title="Gone",
                extra={"last_seq": last},
            )
        oldest = feed.oldest_served(
            session, utcnow() - timedelta(hours=settings.feed_retention_hours)
        )
        if oldest is not None and since < oldest - 1:
            raise ProblemError(
                410,
                f"the feed keeps changes from seq {oldest} on; resync from scratch",
                title="Gone",
                extra={"oldest_seq": oldest, "last_seq": last},
            )
        changes = [c for c in feed.read(session, caller, since, limit) if c.seq <= last]
        if len(changes) == limit:
            last = changes[-1].seq
        return ChangeFeed(changes=changes, last_seq=last)


@router.get("/changes", response_model=ChangeFeed, responses=problems(410))
async def changes(
    request: Request,
    caller: CallerDep,
    since: Annotated[int, Query(ge=0, description="the last seq you have seen")] = 0,
    wait: Annotated[
        float,
        Query(
            ge=0,
            description="seconds to wait for a change (max 60); a token may hold 4 such "
            "long-polls open at once, the next is 429 with Retry-After",
        ),
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> Response:
    settings: Settings = request.app.state.settings
    engine: Engine = request.app.state.engine
    if wait > settings.max_wait_seconds:
        raise invalid("query.wait", f"wait is at most {settings.max_wait_seconds:g} seconds")
    if wait <= 0:
        return json_response(
            await anyio.to_thread.run_sync(_read, engine, settings, caller, since, limit)
        )
    hub = _hub(request)
    token = request.headers.get("authorization", "")

    async def finish(receive: Receive) -> Response:
        # Run by DispatchAPI after the middleware stack (see parking.py); a 429 for the
        # token's cap, a 410, a database error are answered by the same handlers as inside.
        with hub.admit(token, wait):
            gone = asyncio.ensure_future(_gone(receive))
            try:
                return await _long_poll(hub, engine, settings, caller, since, limit, wait, gone)
            finally:
                gone.cancel()

    return Parked(finish)


async def _long_poll(
    hub: FeedHub,
    engine: Engine,
    settings: Settings,
    caller: Caller,
    since: int,
    limit: int,
    wait: float,
    gone: asyncio.Future[None],
) -> Response:
    """Read the feed; when nothing is new for the caller, wait in the hub for the next
    batch (no query while waiting) and answer from it, reading the database again only when
    the hub's memory does not reach back to what the caller has seen."""
    deadline = anyio.current_time() + wait
    signal = hub.signal
    read_for: int | None = None
    """The hub's newest seq when memory last sent us to the database."""
    while True:
        seen = signal.generation
        page = await anyio.to_thread.run_sync(_read, engine, settings, caller, since, limit)
        if page.changes or anyio.current_time() >= deadline or gone.done():
            return json_response(page)
        if signal.generation != seen:
            continue  # a commit landed while we read: read again rather than wait
        last = page.last_seq
        waiter = hub.register()
        try:
            with hub.ends(waiter, deadline - anyio.current_time(), gone):
                while True:
                    found = hub.answer(caller, last, limit)
                    if isinstance(found, bytes):
                        return PreparedJSON.page(found)
                    if found is None and hub.top != read_for:
                        read_for = hub.top
                        break  # memory does not reach back to `last`: read the database
                    last = last if found is None else found  # (None: wait for the reader)
                    if waiter.ended or anyio.current_time() >= deadline or gone.done():
                        return json_response(ChangeFeed(changes=[], last_seq=last))
                    await hub.wait(waiter)
                    hub.rearm(waiter)
        finally:
            hub.unregister(waiter)
        since = last


def _hub(request: Request) -> FeedHub:
    """The app's hub, made at its first long-poll (it listens to the app's feed signal)."""
    state = request.app.state
    hub: FeedHub | None = getattr(state, "feed_hub", None)
    if hub is None:
        hub = state.feed_hub = FeedHub(state.engine, state.feed_signal, state.settings)
    return hub


async def _gone(receive: Receive) -> None:
    """Return when the client has hung up (a long-poll need not wait for nobody)."""
    while (await receive())["type"] != "http.disconnect":
        pass
