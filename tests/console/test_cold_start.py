"""A second start paints the most urgent tickets from the cache before anything else, then the
rest; who the token belongs to is remembered, and still checked once the queue is painted."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
from console.demo_db import demo_copy, tickets_in
from console.harness import DISPATCHER, settle

import dispatch.app
import dispatch.client.sync
from dispatch.app import DispatchApp
from dispatch.client.known import forget_me, known_me, remember_me
from dispatch.client.shapes import MeShape
from dispatch.console import client_factory
from dispatch.screens.context import tickets_of
from dispatch.screens.queue import QueueScreen
from dispatch.widgets.fast_table import FastTable


async def _first_start(tmp_path: Path) -> tuple[object, dict[str, str], dict[str, object], Path]:
    settings, tokens = demo_copy(tmp_path / "demo", tickets=60, seed=7)
    factory = client_factory(settings, tokens[DISPATCHER])
    async with factory() as probe:
        me = await probe.me()
    cache_file = tmp_path / "cache.sqlite"
    app = DispatchApp(
        settings=settings, client_factory=factory, me=me, server_label="t", cache_file=cache_file
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # every ticket: the 60 drawn and those the demo's contingent work is logged on
        assert len(app.store.tickets) == tickets_in(settings) > 60
    return settings, tokens, me, cache_file


def _second_start(
    settings: object,
    tokens: dict[str, str],
    me: dict[str, object],
    cache_file: Path,
    *,
    verify_me: bool = False,
) -> DispatchApp:
    """The console again, on the cache `_first_start` filled."""
    return DispatchApp(
        settings=settings,  # type: ignore[arg-type]
        client_factory=client_factory(settings, tokens[DISPATCHER]),  # type: ignore[arg-type]
        me=cast("MeShape", me),
        server_label="t",
        cache_file=cache_file,
        verify_me=verify_me,
    )


async def test_the_second_start_paints_the_head_first_then_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, tokens, me, cache_file = await _first_start(tmp_path)
    monkeypatch.setattr(dispatch.app, "HEAD_ROWS", 5)
    seen_at_mount: list[int] = []
    original = DispatchApp.load_cache

    def spy(self: DispatchApp) -> None:
        seen_at_mount.append(len(self.store.tickets))
        original(self)

    monkeypatch.setattr(DispatchApp, "load_cache", spy)
    app = _second_start(settings, tokens, me, cache_file, verify_me=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert seen_at_mount == [5], "the first frame had only the head"
        assert isinstance(app.screen, QueueScreen)
        table = app.screen.query_one(FastTable)
        open_tickets = [t for t in tickets_of(app.store).values() if app.screen.lists_ticket(t)]
        assert table.total_count == len(open_tickets) > 5
        assert not app.loading and not app.refused


async def test_a_refused_token_ends_the_console_with_a_sentence(tmp_path: Path) -> None:
    settings, _tokens, me, cache_file = await _first_start(tmp_path)
    app = DispatchApp(
        settings=settings,  # type: ignore[arg-type]
        client_factory=client_factory(settings, "revoked-token"),  # type: ignore[arg-type]
        me=cast("MeShape", me),
        server_label="t",
        cache_file=cache_file,
        verify_me=True,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):
            if app.refused:
                break
            await pilot.pause(0.05)
    assert app.refused
    assert app.return_code == 2


def test_who_a_token_belongs_to_is_remembered_without_the_token(tmp_path: Path) -> None:
    me = {"user": {"name": "anna.becker", "display_name": "Anna"}, "role": "dispatcher"}
    assert known_me(tmp_path, "http://x", "secret-token") is None
    remember_me(tmp_path, "http://x", "secret-token", cast("MeShape", me))
    assert known_me(tmp_path, "http://x", "secret-token") == me
    assert known_me(tmp_path, "http://x", "other-token") is None
    assert known_me(tmp_path, "http://y", "secret-token") is None
    (stored,) = (tmp_path / "who").iterdir()
    assert "secret-token" not in stored.read_text()
    assert stored.stat().st_mode & 0o077 == 0
    forget_me(tmp_path, "http://x", "secret-token")
    assert known_me(tmp_path, "http://x", "secret-token") is None


async def test_the_collector_rests_while_the_cache_is_read_and_the_store_is_frozen_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Full collections over the growing store stalled the painted screen (50-150 ms each,
    six of them for 100k tickets): off during the read, then the store is frozen."""
    import gc

    settings, tokens, me, cache_file = await _first_start(tmp_path)
    collecting_during_read: list[bool] = []
    original = dispatch.client.sync.SyncEngine.read_cached_tickets

    def spy(self: object) -> object:
        collecting_during_read.append(gc.isenabled())
        return original(self)  # type: ignore[arg-type]

    monkeypatch.setattr(dispatch.client.sync.SyncEngine, "read_cached_tickets", spy)
    frozen_before = gc.get_freeze_count()
    app = _second_start(settings, tokens, me, cache_file)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not app.loading
        assert collecting_during_read == [False]
        assert gc.isenabled()
        assert gc.get_freeze_count() > frozen_before
