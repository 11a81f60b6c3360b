"""The console's figures, measured on the real `dispatch` in a pseudo-terminal.

Keys go to the console's own terminal driver as bytes; a frame counts as painted when its
synchronized-output end (ESC [?2026l) arrives on the terminal, so every time here is from the
first byte sent (or from spawn) to the end of the last frame written for it.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import (
    QUEUE_LOADED,
    QUEUE_ROW,
    Figure,
    Server,
    child_env,
    console,
    peak_rss_mb,
)
from dispatch.client.api import ApiClient
from dispatch.client.cache import cache_path


@dataclass
class World:
    """The benchmark's data: one SQLite demo database, its server and its users."""

    root: Path
    tickets: int
    database_url: str
    tokens: dict[str, str]
    user: str  # the dispatcher the consoles log in as
    server: Server | None = None
    synced_cache: Path | None = None  # a cache after a full sync, copied into place per run
    open_tickets: int = 0

    @property
    def env(self) -> dict[str, str]:
        return child_env(
            XDG_DATA_HOME=str(self.root / "xdg-data"), XDG_CONFIG_HOME=str(self.root / "xdg-config")
        )

    @property
    def token(self) -> str:
        return self.tokens[self.user]

    def cache_dir(self) -> Path:
        return self.root / "xdg-data" / "dispatch" / "cache"

    def prime_cache(self, where: str) -> Path:
        """Put the synced cache where the console for `where` (server URL or DB URL) looks."""
        assert self.synced_cache is not None
        target = cache_path(self.cache_dir(), where, self.user)
        target.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.synced_cache, target)
        return target

    def remote_args(self) -> list[str]:
        assert self.server is not None
        return ["--server", self.server.url, "--token", self.token]

    def embedded_env(self) -> dict[str, str]:
        return {**self.env, "DATABASE_URL": self.database_url}


def _log(message: str) -> None:
    import sys

    print(f"  · {message}", file=sys.stderr, flush=True)


# --- cold start ---------------------------------------------------------------------------------


def cold_start(world: World, runs: int) -> list[Figure]:
    """Spawn to the first painted queue row, remote and embedded, cache primed each run."""
    assert world.server is not None
    figures = []
    modes = [
        ("remote", world.server.url, world.remote_args(), world.env),
        ("embedded", world.database_url, ["--token", world.token], world.embedded_env()),
    ]
    for mode, where, args, env in modes:
        fig = Figure(
            key=f"cold_start_{mode}",
            name=f"console cold start, {mode}",
            measured=(
                f"spawn of `dispatch {'--server URL ' if mode == 'remote' else ''}--token T` "
                "in a 120x40 pty until a queue row (priority, SLA, ticket number) is on the "
                "terminal; the cache was filled by a full sync beforehand"
            ),
            data=f"{world.tickets:,} tickets cached ({world.open_tickets:,} open in the queue)",
            unit="s",
            target="< 0.5 s",
            limit=0.5,
            stat="median",
        )
        rss = []
        world.prime_cache(where)
        with console(args, env) as con:  # first start: compiles bytecode, warms the OS caches
            first = con.wait_for(QUEUE_ROW, timeout=60)
        if first is not None:
            fig.extra["first_start_s"] = round(first, 2)
            fig.notes.append(
                f"the very first start (no bytecode yet, cold OS caches) took {first:.2f} s "
                "and is not a sample"
            )
        for _ in range(runs):
            world.prime_cache(where)
            with console(args, env) as con:
                seen = con.wait_for(QUEUE_ROW, timeout=60)
                if seen is None:
                    fig.notes.append("a run timed out (60 s) or the console exited")
                    continue
                fig.samples.append(seen)
                rss.append(peak_rss_mb(con.proc.pid))
        if rss:
            fig.extra["peak_rss_mb_at_first_row"] = max(rss)
        _log(f"cold start {mode}: median {fig.median:.2f} s")
        figures.append(fig)
    return figures


# --- keys ---------------------------------------------------------------------------------------

FILTER_TERMS = ["vpn", "bäck", "1550", "drucker", "engel"]
CLEAR = b"\x15"  # ctrl+u: clear the filter box (one keystroke, a full re-filter)


def interaction(world: World, moves: int, pages: int, terms: list[str]) -> list[Figure]:
    """Keystrokes to settled repaint in one remote console; also its peak RSS afterwards."""
    world.prime_cache(world.server.url if world.server else "")
    data = f"{world.tickets:,} tickets cached, {world.open_tickets:,} open rows in the queue"
    measured = (
        "bytes of one key written to the console's pty until the end (sync-output end) of the "
        "last frame it caused; 'settled' = no output for 200 ms afterwards; from 1 s after the "
        "queue shows every cached ticket"
    )
    cursor = Figure(
        "cursor_move", "cursor move (j)", measured, data, "ms", target="p95 < 16 ms", limit=16
    )
    page = Figure(
        "page_down", "page down (PgDn)", measured, data, "ms", target="p95 < 16 ms", limit=16
    )
    filt = Figure(
        "filter_keystroke",
        "filter keystroke",
        measured + f"; typing {', '.join(terms)} letter by letter, ctrl+u between terms",
        data,
        "ms",
        target="p95 < 50 ms",
        limit=50,
    )
    memory = Figure(
        "memory",
        "console peak RSS",
        "VmHWM of the console process after painting from the cache, following the feed and "
        "all the keystrokes above",
        data,
        "MB",
        target="< 300 MB",
        limit=300,
        stat="median",
    )
    lost = 0

    def key(con: Any, keys: bytes, fig: Figure) -> None:
        nonlocal lost
        sent = con.send(keys)
        end = con.settle(quiet=0.2, timeout=10)
        if end is None:
            lost += 1
        else:
            fig.samples.append((end - sent) * 1000)

    with console(world.remote_args(), world.env) as con:
        # Keys on the whole queue: the first frame shows the most urgent rows and the rest of
        # the cache is read after it (keys before that moved over 200 rows, not 100k).
        if con.wait_for(QUEUE_LOADED, timeout=60) is None:
            for fig in (cursor, page, filt, memory):
                fig.skipped = "the console did not finish reading its cache within 60 s"
            return [cursor, page, filt, memory]
        con.drain(quiet=1.0, timeout=30)
        for _ in range(moves):
            key(con, b"j", cursor)
        for _ in range(pages):
            key(con, b"\x1b[6~", page)
        con.send(b"g")  # home again, not counted
        con.drain(quiet=0.3)
        con.send(b"/")
        con.drain(quiet=0.3)
        for term in terms:
            for char in term:
                key(con, char.encode(), filt)
            key(con, CLEAR, filt)
        con.drain(quiet=0.5)
        memory.samples.append(peak_rss_mb(con.proc.pid))
    if lost:
        for fig in (cursor, page, filt):
            fig.notes.append(f"{lost} keystroke(s) in the session painted no frame within 10 s")
    _log(
        f"keys: cursor p95 {cursor.p95:.1f} ms, page p95 {page.p95:.1f} ms, "
        f"filter p95 {filt.p95:.1f} ms; peak RSS {memory.median:.0f} MB"
    )
    return [cursor, page, filt, memory]


# --- change propagation -------------------------------------------------------------------------


def propagation(world: World, runs: int) -> Figure:
    """PATCH through client A (ApiClient) until the new title is painted in console B."""
    assert world.server is not None
    fig = Figure(
        "propagation",
        "change propagation A -> B",
        "client A (dispatch.client.api.ApiClient, another dispatcher) PATCHes the title of a "
        "ticket in the middle of console B's first queue page; timed from just before the "
        "request until the new title is on B's terminal (B follows the long-poll feed of "
        "`dispatch serve`)",
        f"{world.tickets:,} tickets, B's cache full",
        "ms",
        target="p95 < 200 ms",
        limit=200,
    )
    url, token_a = world.server.url, world.tokens["tom.lehmann"]
    world.prime_cache(url)

    async def call(fn: Any) -> Any:
        async with ApiClient(url, token_a) as client:
            return await fn(client)

    with console(world.remote_args(), world.env) as con:
        # As the keystrokes: from the queue holding every cached ticket. The first row comes
        # before the rest of the cache is read, and a change painted while B still read it
        # was the first sample of every run, at 1-1.5 s.
        if con.wait_for(QUEUE_LOADED, timeout=60) is None:
            fig.skipped = "console B did not finish reading its cache within 60 s"
            return fig
        con.drain(quiet=1.0, timeout=30)
        # Home first: the queue may open scrolled away from the top (see RESULTS.md). Then take
        # a row from the middle of the page, so a live re-sort by a few seconds keeps it in view.
        start = len(con.raw)
        con.send(b"g")
        con.drain(quiet=0.5, timeout=10)
        rows = QUEUE_ROW.findall(con.text(start)) or QUEUE_ROW.findall(con.text())
        number = int(rows[len(rows) // 2])
        ticket = asyncio.run(call(lambda c: c.find_ticket(number)))
        title = ticket["title"]
        for i in range(runs):
            current = asyncio.run(call(lambda c: c.get_ticket(ticket["id"])))
            marker = f"zq{i:03d}x"
            changes = {"title": f"{marker} {title}"[:200]}
            start = len(con.raw)
            errors: list[BaseException] = []

            def write(
                version: int = current["version"],
                body: dict[str, Any] = changes,
                errors: list[BaseException] = errors,
            ) -> None:
                try:
                    asyncio.run(call(lambda c: c.patch_ticket(ticket["id"], body, version)))
                except BaseException as exc:  # reported below, never silently
                    errors.append(exc)

            thread = threading.Thread(target=write)
            began = time.perf_counter()
            thread.start()
            seen = con.wait_for(re.compile(marker.encode()), timeout=10, start=start)
            thread.join(15)
            if errors:
                fig.notes.append(f"PATCH failed: {errors[0]!r}")
            elif seen is None:
                fig.notes.append("a change was not painted in B within 10 s")
            else:
                fig.samples.append((con.started + seen - began) * 1000)
            con.drain(quiet=0.2, timeout=3)

        async def restore(client: ApiClient) -> None:
            version = int((await client.get_ticket(ticket["id"]))["version"])
            await client.patch_ticket(ticket["id"], {"title": title}, version)

        asyncio.run(call(restore))
    _log(f"propagation: median {fig.median:.0f} ms, p95 {fig.p95:.0f} ms")
    return fig
