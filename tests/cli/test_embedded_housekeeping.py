"""The embedded service does the housekeeping `dispatch serve` does, beside the console.

httpx's ASGITransport never runs an app's lifespan, so the embedded console kept every
Idempotency-Key of every write forever. Now the console's connection turns housekeeping on
after its preflight check, and the first request in the console's loop starts the lifespan.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from dispatch.console import Connection
from dispatch.models import IdempotencyRecord
from dispatch.models.base import utcnow
from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.schema import create_schema
from dispatch.settings import Settings


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return Settings(database_url=f"sqlite:///{tmp_path / 'embedded.db'}", server=None, token=None)


def _keys(settings: Settings) -> list[str]:
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(IdempotencyRecord.key)).all())
    finally:
        engine.dispose()


def _old_key(settings: Settings, user_id: int) -> None:
    """A key stored long past its lifetime, as a console would have left it months ago."""
    engine = make_engine(settings.database_url)
    create_schema(engine)
    with Session(engine) as session:
        session.add(
            IdempotencyRecord(
                user_id=user_id,
                key="months-old",
                fingerprint="x",
                status_code=200,
                body="{}",
                created_at=utcnow() - timedelta(days=90),
            )
        )
        session.commit()
    engine.dispose()


async def _ask_me(connection: Connection) -> dict[str, object]:
    async with connection() as client:
        me: dict[str, object] = await client.me()
        return me


def test_the_console_connection_prunes_old_keys_and_a_preflight_does_not(
    settings: Settings,
) -> None:
    connection = Connection(settings)  # creates the local user and its token
    me = asyncio.run(_ask_me(connection))  # the preflight, in a loop of its own
    user_id = me["user"]["id"]  # type: ignore[index]
    assert isinstance(user_id, int)
    _old_key(settings, user_id)
    asyncio.run(_ask_me(connection))
    assert _keys(settings) == ["months-old"]  # no housekeeping before the console's loop
    assert connection._transport is not None and not connection._transport.living

    connection.keep_house()

    async def console_loop() -> list[str]:
        await _ask_me(connection)
        transport = connection._transport
        assert transport is not None and transport.living
        for _ in range(200):  # pruning runs at once, in a worker thread
            if not _keys(settings):
                break
            await asyncio.sleep(0.05)
        return _keys(settings)

    assert asyncio.run(console_loop()) == []
    # The loop's end cancelled the lifespan; it is not left running.
    assert not connection._transport.living


def test_a_new_loop_starts_the_housekeeping_again(settings: Settings) -> None:
    connection = Connection(settings)
    connection.keep_house()

    async def one_loop() -> bool:
        await _ask_me(connection)
        assert connection._transport is not None
        return connection._transport.living

    assert asyncio.run(one_loop())
    assert asyncio.run(one_loop())
