"""A damaged cache never ends the console: it is set aside, the outbox salvaged, synced again.

Each test fills a real cache from the real (in-process) service with two queued writes,
damages it one way, and starts the console on it through Pilot: one line says what
happened, the damaged file is kept under another name, the readable queued writes are
sent, and the queue is full again from the service.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from console.demo_db import tickets_in
from console.harness import DISPATCHER, settle
from sync.service_process import QuietListener

from dispatch.app import DispatchApp
from dispatch.client.api import new_key
from dispatch.client.cache import LocalCache
from dispatch.client.store import Store
from dispatch.client.sync import SyncEngine
from dispatch.console import client_factory, prepare_demo


def _truncate(path: Path) -> None:
    with path.open("r+b") as fh:
        fh.truncate(path.stat().st_size // 3)


def _random(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def _sql(*statements: str) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        db = sqlite3.connect(path)
        for statement in statements:
            db.execute(statement)
        db.commit()
        db.close()

    return damage


# name -> (damage, queued writes that survive it: None = unknown, said so)
DAMAGE: dict[str, tuple[Callable[[Path], None], int | None]] = {
    "truncated": (_truncate, None),
    "random bytes": (_random, None),
    "open ticket row not JSON": (
        _sql(
            "UPDATE objects SET body = 'not json {' WHERE kind = 'ticket' AND id = "
            "(SELECT min(id) FROM ticket_head WHERE open = 1)"
        ),
        2,
    ),
    # not on the first screen: found by the thread that reads the rest after the first frame
    "closed ticket row not JSON": (
        _sql(
            "UPDATE objects SET body = 'not json {' WHERE kind = 'ticket' AND id = "
            "(SELECT min(id) FROM ticket_head WHERE open = 0)"
        ),
        2,
    ),
    "ticket row of another shape": (
        _sql("UPDATE objects SET body = '[1, 2]' WHERE kind = 'ticket' AND id = 7"),
        2,
    ),
    "feed position not JSON": (_sql("UPDATE kv SET value = '{' WHERE key = 'last_seq'"), 2),
    "outbox row not JSON": (_sql("UPDATE outbox SET body = 'nope' WHERE id = 1"), 1),
    "altered schema": (_sql("ALTER TABLE objects RENAME COLUMN body TO content"), 2),
}


async def console_on(settings: Any, token: str, path: Path) -> DispatchApp:
    """The console for `token` on the (damaged) cache file at `path`."""
    factory = client_factory(settings, token)
    async with factory() as probe:
        me = await probe.me()
    return DispatchApp(
        settings=settings, client_factory=factory, me=me, server_label="test", cache_file=path
    )


async def filled_cache(tmp_path: Path) -> tuple[Any, dict[str, str], Path, list[int]]:
    """A demo service and a dispatcher's cache of it with two comments queued."""
    settings, tokens = prepare_demo(tmp_path, tickets=60, seed=7)
    path = tmp_path / "cache" / "cache.sqlite"
    cache = LocalCache(path)
    engine = SyncEngine(
        client_factory(settings, tokens[DISPATCHER]), cache, Store(), QuietListener()
    )
    await engine.full_sync()
    await engine.client.aclose()
    heads = cache.db.execute("SELECT open, count(*) FROM ticket_head GROUP BY open").fetchall()
    assert dict(heads).get(0), "some tickets are closed (read after the first frame)"
    ids = sorted(engine.server)[:2]
    for ticket_id in ids:
        cache.add_op(
            key=new_key(),
            kind="comment",
            method="POST",
            path=f"/tickets/{ticket_id}/comments",
            body={"body": "written before the cache broke"},
            ticket_id=ticket_id,
            base_version=None,
            base=None,
        )
    cache.close()  # checkpoints the WAL into the file: the damage hits the real pages
    return settings, tokens, path, ids


@pytest.mark.parametrize("kind", DAMAGE)
async def test_a_damaged_cache_is_set_aside_and_synced_again(
    tmp_path: Path, kind: str, figure: Callable[[str], None]
) -> None:
    damage, kept = DAMAGE[kind]
    settings, tokens, path, ids = await filled_cache(tmp_path)
    damage(path)
    app = await console_on(settings, tokens[DISPATCHER], path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        said = [str(n.message) for n in app._notifications if "cache was damaged" in n.message]
        assert len(said) == 1 and "\n" not in said[0], said
        aside = [p for p in path.parent.iterdir() if ".damaged-" in p.name]
        assert any(p.name.endswith(tuple("0123456789")) for p in aside), aside
        assert aside[0].name.split(".damaged-")[0] == path.name
        assert len(app.store.tickets) == tickets_in(settings), "synced again from the service"
        if kept is None:
            assert "could not be read" in said[0]
        else:
            assert f"{kept} queued write{'s' if kept != 1 else ''} kept" in said[0]
        async with app.client_factory() as client:
            comments = [
                c
                for ticket_id in ids
                for c in (await client.get_ticket(ticket_id))["comments"]
                if c["body"] == "written before the cache broke"
            ]
        assert len(comments) == (kept or 0), "the salvaged writes were sent, once each"
        assert app.is_running and app._exception is None
        figure(f"damaged cache [{kind}]: {said[0]}")
    reopened = LocalCache(path)
    assert reopened.notice is None, "the new cache is whole"
    reopened.close()


async def test_damage_a_write_into_the_cache_meets_is_set_aside_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages nobody read at start (a free list, an index) can fail the first write of a
    sync: `r` then sets the cache aside and syncs again, like damage found at start."""
    settings, tokens, path, _ = await filled_cache(tmp_path)
    app = await console_on(settings, tokens[DISPATCHER], path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        real = LocalCache.replace_tickets

        def replace_tickets(cache: LocalCache, rows: Any) -> None:
            if cache.notice is None:  # the damaged file; the one set up after it is whole
                raise sqlite3.DatabaseError("database disk image is malformed")
            real(cache, rows)

        monkeypatch.setattr(LocalCache, "replace_tickets", replace_tickets)
        await pilot.press("r")
        await settle(pilot)
        said = [str(n.message) for n in app._notifications if "cache was damaged" in n.message]
        assert said and "database disk image is malformed" in said[0], said
        assert (
            len(app.store.tickets) == tickets_in(settings)
            and app.is_running
            and app._exception is None
        )
