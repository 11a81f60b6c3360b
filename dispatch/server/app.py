"""The FastAPI app factory: nothing is created at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from dispatch import __version__
from dispatch.server import problems
from dispatch.server.db import WRITE, make_engine
from dispatch.server.feed import FeedSignal, attach_signal
from dispatch.server.middleware import BodyLimit
from dispatch.server.routes import (
    assignment,
    calendar,
    changes,
    customers,
    escalations,
    meta,
    suggestions,
    tickets,
    users,
)
from dispatch.server.schema import create_schema
from dispatch.settings import Settings

API_PREFIX = "/api/v1"


def create_app(
    settings: Settings | None = None, *, engine: Engine | None = None, create: bool = True
) -> FastAPI:
    """Build the service for `settings` (its own engine unless one is given)."""
    settings = settings or Settings()
    engine = engine or make_engine(settings.database_url)
    if create:
        create_schema(engine)
    signal = FeedSignal()
    write_sessions = sessionmaker(
        engine.execution_options(**{WRITE: True}), class_=Session, expire_on_commit=False
    )
    attach_signal(write_sessions, signal)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield

    app = FastAPI(
        title="dispatch",
        version=__version__,
        description="REST service of the dispatch console (see DESIGN.md)",
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.feed_signal = signal
    app.state.write_sessions = write_sessions
    problems.install(app)
    api = APIRouter(prefix=API_PREFIX)
    for module in (
        meta,
        tickets,
        assignment,
        suggestions,
        escalations,
        calendar,
        customers,
        changes,
        users,
    ):
        api.include_router(module.router)
    app.include_router(api)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app
