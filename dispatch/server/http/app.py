"""The FastAPI app factory: nothing is created at import time."""

from __future__ import annotations

import functools
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime

import anyio
from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import Engine
from sqlmodel import Session

from dispatch import __version__
from dispatch.domain import sla
from dispatch.server.http import openapi_doc, problems
from dispatch.server.http.authfirst import AuthFirst, refused_without_token
from dispatch.server.http.middleware import BodyLimit
from dispatch.server.http.parking import DispatchAPI
from dispatch.server.http.ratelimit import AuthFailureLimit, RateLimit
from dispatch.server.http.routes import (
    assignment,
    calendar,
    changes,
    contingent,
    customers,
    escalations,
    mails,
    meta,
    notifications,
    reports,
    sla_forecast,
    ssh_keys,
    suggestions,
    technicians,
    tickets,
    time_entries,
    users,
)
from dispatch.server.http.strictness import no_repeated_scalars, strict_body
from dispatch.server.mail.imap_config import ImapConfigError
from dispatch.server.mail.imap_loop import MailboxPoller
from dispatch.server.mail.imap_service import start_poller
from dispatch.server.notify import config as notify_config
from dispatch.server.notify.sender import Sender
from dispatch.server.persistence import search
from dispatch.server.persistence.db import WRITE, is_postgres, make_engine
from dispatch.server.persistence.feed import FeedSignal, lock_writes
from dispatch.server.persistence.idempotency import prune_idempotency
from dispatch.server.persistence.pgfeed import FeedListener, conninfo
from dispatch.server.persistence.schema import create_schema
from dispatch.server.persistence.writer import Writer
from dispatch.server.rules.contingent_close import close_all
from dispatch.settings import Settings

log = logging.getLogger("dispatch.server")

API_PREFIX = "/api/v1"
PRUNE_SECONDS = 3600.0
CONTINGENT_SECONDS = 3600.0
"""How often the service closes ended contingent months and credits the running one: at
start, then hourly, so balances are right without a cron job (a new month's lot comes within
the hour after midnight; `dispatch contingent close` does it at once)."""


async def _every(seconds: float, job: Callable[[], None], *, wait_first: bool = False) -> None:
    """Run the blocking `job` in a thread now (or after `seconds` with `wait_first`) and every
    `seconds`; a failure waits a round."""
    if wait_first:
        await anyio.sleep(seconds)
    while True:
        try:
            await anyio.to_thread.run_sync(job)
        except Exception:
            log.exception("housekeeping failed; trying again later")
        await anyio.sleep(seconds)


_frozen = False


def _prepare_calendars() -> None:
    """Holiday calendars of last, this and next year, before the first write needs one."""
    year = datetime.now(UTC).year
    try:
        sla.prepare(range(year - 1, year + 2))
    except Exception:  # the first write builds what it needs, as before
        log.exception("could not prepare the holiday calendars")


OLDEST_GENERATION_THRESHOLD = 100
"""Collections of the middle generation between two full passes (Python's default: 10)."""


def _freeze_once() -> None:
    """Leave everything made until now (modules, models, routes, the engine), which lives as
    long as the process, out of the collector's full passes. Those scanned it all and paused
    every request a few times a minute under load. Once per process:
    tests build many apps, and frozen objects are never collected as cycles."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()  # O(1); no collection first, which would stall an embedded console
        # A long-poll lives long enough to reach the oldest generation, so each round of
        # them started a full pass over every live object, about two per round (~100 ms
        # with 1,000 open). A finished request leaves no cycles (test_request_garbage), so
        # those passes found next to nothing: now they come ten times less often.
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, OLDEST_GENERATION_THRESHOLD)


def create_app(
    settings: Settings | None = None, *, engine: Engine | None = None, create: bool = True
) -> FastAPI:
    """Build the service for `settings` (its own engine unless one is given)."""
    settings = settings or Settings()
    engine = engine or make_engine(settings.database_url)
    if create:
        create_schema(engine)
    signal = FeedSignal()
    writes = engine.execution_options(**{WRITE: True})
    app = DispatchAPI(
        title="dispatch",
        version=__version__,
        description="REST service of the dispatch console (see DESIGN.md)",
        lifespan=_lifespan(settings, engine, writes, signal),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        # `/tickets/%2F` was redirected to the list: a path is what it says or 404
        redirect_slashes=False,
        dependencies=[Depends(no_repeated_scalars), Depends(strict_body)],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.feed_signal = signal
    app.state.feed_listener = None
    app.state.mailbox_poller = None
    # Write endpoints (`@write_endpoint`) run here, one at a time, their commits grouped.
    app.state.writer = Writer(writes, signal, info=notify_config.session_info(settings))
    problems.install(app, refused_without_token)
    api = APIRouter(prefix=API_PREFIX)
    for module in ROUTES:
        api.include_router(module.router)
    app.include_router(api)
    openapi_doc.install(app)
    _add_middleware(app, settings, engine)
    return app


ROUTES = (
    meta,
    tickets,
    assignment,
    suggestions,
    escalations,
    sla_forecast,
    calendar,
    technicians,
    customers,
    contingent,
    changes,
    users,
    mails,
    notifications,
    ssh_keys,
    reports,
    time_entries,
)


def _lifespan(
    settings: Settings, engine: Engine, writes: Engine, signal: FeedSignal
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Housekeeping that any number of service processes may do at the same time, and on
    PostgreSQL the listener through which other processes' writes wake this one's
    long-polls."""

    def prune() -> None:
        with Session(writes, expire_on_commit=False) as session:
            lock_writes(session)
            prune_idempotency(session, settings.idempotency_hours)
            session.commit()

    def close_contingents() -> None:
        with Session(writes, expire_on_commit=False) as session:
            result = close_all(session)
        if result.changed:
            log.info("contingent: %s", result.describe())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _freeze_once()
        # Before the first request, not beside it: a balance read at start (or a contract
        # made then) must not race the close that credits the running month.
        try:
            await anyio.to_thread.run_sync(close_contingents)
        except Exception:
            log.exception("closing contingent months failed; trying again in an hour")
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(_every, PRUNE_SECONDS, prune)
            tasks.start_soon(
                functools.partial(_every, CONTINGENT_SECONDS, close_contingents, wait_first=True)
            )
            tasks.start_soon(anyio.to_thread.run_sync, _prepare_calendars)
            tasks.start_soon(
                _every, search.TRIGRAM_SECONDS, lambda: search.refresh_trigram_counts(engine)
            )
            mail = notify_config.mail_config(settings)
            if mail is not None and settings.smtp_poll_seconds > 0:
                sender = Sender(engine, mail, signal=signal)
                tasks.start_soon(_every, settings.smtp_poll_seconds, sender.run)
            listener: FeedListener | None = None
            if is_postgres(engine):
                listener = FeedListener(conninfo(engine), signal, fallback_recheck=0.5)
                listener.start()
            app.state.feed_listener = listener
            app.state.mailbox_poller = poller = _start_mailbox_poller(settings, engine, signal)
            try:
                yield
            finally:
                if listener is not None:
                    await anyio.to_thread.run_sync(listener.stop)
                if poller is not None:
                    await anyio.to_thread.run_sync(poller.stop)
            tasks.cancel_scope.cancel()

    return lifespan


def _start_mailbox_poller(
    settings: Settings, engine: Engine, signal: FeedSignal
) -> MailboxPoller | None:
    """The IMAP intake's poller when the settings name a mailbox (`dispatch serve` refuses
    to start with IMAP settings that cannot work; here they are logged and nothing polls)."""
    try:
        return start_poller(settings, engine, signal)
    except ImapConfigError as exc:
        log.error("mail intake is off: %s", exc)
        return None


def _add_middleware(app: FastAPI, settings: Settings, engine: Engine) -> None:
    """The middleware, innermost first (Starlette runs the last one added first)."""
    # Never counted, never refused for its token: monitors poll it.
    exempt = frozenset({f"{API_PREFIX}/health"})
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, settings=settings)
    # No byte of a body is read for a caller without a live token.
    app.add_middleware(AuthFirst, engine=engine, exempt=exempt)
    # A caller over its rate is turned away before its body is read.
    app.add_middleware(RateLimit, settings=settings, exempt=exempt)
    # Outermost: an address that keeps failing authentication is turned away first.
    app.add_middleware(AuthFailureLimit, settings=settings, exempt=exempt, engine=engine)
