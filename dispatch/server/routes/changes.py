"""GET /changes: the long-polled change feed."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlmodel import Session

from dispatch.models.base import utcnow
from dispatch.models.event import ChangeFeed
from dispatch.server import feed
from dispatch.server.deps import Caller, CallerDep
from dispatch.server.problems import ProblemError, invalid, problems
from dispatch.server.writes import json_response
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
    wait: Annotated[float, Query(ge=0, description="seconds to wait for a change (max 60)")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> JSONResponse:
    settings: Settings = request.app.state.settings
    engine: Engine = request.app.state.engine
    signal: feed.FeedSignal = request.app.state.feed_signal
    if wait > settings.max_wait_seconds:
        raise invalid("query.wait", f"wait is at most {settings.max_wait_seconds:g} seconds")
    deadline = anyio.current_time() + wait
    while True:
        seen = signal.generation
        page = await anyio.to_thread.run_sync(_read, engine, settings, caller, since, limit)
        left = deadline - anyio.current_time()
        if page.changes or left <= 0 or await request.is_disconnected():
            return json_response(page)
        if signal.generation != seen:
            continue  # a commit landed while we read: read again rather than wait
        await signal.wait(min(left, signal.recheck_seconds))
