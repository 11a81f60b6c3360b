"""Profiles behind the figures that miss their targets: `uv run python -m bench.profile [WHAT]`.

WHAT is any of `memory` (the console's load path in-process: RSS per step, a full GC's
pause, the filter's own cost per keystroke; `--cache FILE` runs it on an existing cache),
`console` (the remote console under pyinstrument in a pty: cold start, cursor,
page down, filter typing, then quit), `embedded` (the same in embedded mode), `sync` (the
client's full_sync under pyinstrument, `dispatch serve` under py-spy meanwhile) and `service`
(`dispatch serve` under py-spy during list, PATCH and q= load). Default: all of them.

Same data as `python -m bench` (demo generator, seed 7, `--tickets`, default 100,000). Reports
go to `--out` (default: a temp dir, printed); py-spy comes from `uvx py-spy` (needs ptrace,
e.g. root) and is skipped with a note when it cannot run.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench import console_figures as cf
from bench import service_figures as sf
from bench.harness import QUEUE_ROW, Server, console, stop


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def py_spy(pid: int, out: Path) -> Iterator[None]:
    """Sample every thread of `pid` (100 Hz, raw collapsed stacks) while the block runs."""
    uvx = shutil.which("uvx")
    proc = None
    if uvx:
        proc = subprocess.Popen(
            [uvx, "py-spy", "record", "-p", str(pid), "-r", "100", "-f", "raw", "-o", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        time.sleep(2)
    try:
        yield
    finally:
        if proc is not None:
            import signal

            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                stop(proc)


IDLE = {"Condition.wait", "Queue.get", "epoll.poll", "select", "sleep", "_wait_for_tstate_lock"}


def summarize_raw(path: Path, top: int = 30) -> str:
    """Inclusive and self sample shares per function from py-spy's raw (collapsed) output."""
    if not path.exists():
        return f"(no py-spy output in {path})"
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if f and not f.startswith("process ")]
        frames = [f for f in frames if not f.startswith("thread ")]
        if not frames or frames[-1].split(" (")[0] in IDLE:
            continue  # a thread waiting for work, not using the CPU
        total += count
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
    lines = [f"{total} busy samples (all threads; idle waits left out)", "", "inclusive:"]
    for frame, count in inclusive.most_common(top):
        lines.append(f"  {100 * count / total:5.1f}%  {frame}")
    lines += ["", "self (leaf):"]
    for frame, count in own.most_common(top):
        lines.append(f"  {100 * count / total:5.1f}%  {frame}")
    return "\n".join(lines)


def setup(root: Path, tickets: int) -> cf.World:
    from dispatch.console import prepare_demo

    os.environ["XDG_DATA_HOME"] = str(root / "xdg-data")
    os.environ["XDG_CONFIG_HOME"] = str(root / "xdg-config")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as python -m bench: bytecode in the temp dir
    os.environ["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    log(f"seeding {tickets:,} tickets")
    db = root / "sqlite"
    db.mkdir(parents=True, exist_ok=True)
    settings, tokens = prepare_demo(db, tickets=tickets, seed=7)
    return cf.World(root, tickets, settings.database_url, tokens, "anna.becker")


def profile_sync(world: cf.World, out: Path) -> None:
    from pyinstrument import Profiler

    from dispatch.client.api import ApiClient
    from dispatch.client.cache import LocalCache
    from dispatch.client.store import Store
    from dispatch.client.sync import SyncEngine

    assert world.server is not None
    path = world.root / "profiled-sync.sqlite"
    cache = LocalCache(path)

    async def once() -> None:
        async with ApiClient(world.server.url, world.token, timeout=60) as client:
            await SyncEngine(client, cache, Store(), sf._Quiet()).full_sync()

    profiler = Profiler(interval=0.001, async_mode="enabled")
    with py_spy(world.server.pid, out / "sync-server.raw"):
        profiler.start()
        asyncio.run(once())
        profiler.stop()
    cache.close()
    world.synced_cache = path
    (out / "sync-client.txt").write_text(profiler.output_text(show_all=False))
    (out / "sync-server.txt").write_text(summarize_raw(out / "sync-server.raw"))
    log(f"sync: {out / 'sync-client.txt'}, {out / 'sync-server.txt'}")


def profile_console(world: cf.World, out: Path, mode: str) -> None:
    """The console under pyinstrument: paint, 20 j, 10 PgDn, filter 'vpn' and 'bäck', quit."""
    assert world.server is not None
    session = out / f"console-{mode}.pyisession"
    report = out / f"console-{mode}.txt"
    prefix = [sys.executable, "-m", "pyinstrument", "--interval", "0.001", "-r", "pyisession"]
    prefix += ["-o", str(session)]
    if mode == "remote":
        world.prime_cache(world.server.url)
        args, env = world.remote_args(), world.env
    else:
        world.prime_cache(world.database_url)
        args, env = ["--token", world.token], world.embedded_env()
    with console(args, env, prefix) as con:
        if con.wait_for(QUEUE_ROW, timeout=120) is None:
            log(f"console {mode}: no queue row within 120 s")
            return
        con.drain(quiet=1.0, timeout=30)
        for keys in [b"j"] * 20 + [b"\x1b[6~"] * 10 + [b"/"]:
            con.send(keys)
            con.settle(quiet=0.2, timeout=10)
        for term in ("vpn", "bäck"):
            for char in term:
                con.send(char.encode())
                con.settle(quiet=0.2, timeout=10)
            con.send(cf.CLEAR)
            con.settle(quiet=0.2, timeout=10)
        con.send(b"\r")  # leave the filter box
        con.drain(quiet=0.3)
        con.send(b"q")
        deadline = time.monotonic() + 60
        while con.proc.poll() is None and time.monotonic() < deadline:
            con.read(0.1)
    if not session.exists():
        log(f"console {mode}: no profile written ({session})")
        return
    for path, extra in ((report, []), (out / f"console-{mode}-all.txt", ["--show-all"])):
        rendered = subprocess.run(
            [sys.executable, "-m", "pyinstrument", "--load", str(session), "-r", "text", *extra],
            capture_output=True,
            text=True,
            check=False,
        )
        path.write_text(rendered.stdout)
    log(f"console {mode}: {report}")


def profile_service(world: cf.World, out: Path) -> None:
    assert world.server is not None
    raw = out / "service-server.raw"
    with py_spy(world.server.pid, raw):
        sf.load(
            world.server,
            world.token,
            "sqlite",
            world.tickets,
            lists=1000,
            rounds=2,
            patches=200,
            searches=60,
            budget=90,
        )
    (out / "service-server.txt").write_text(summarize_raw(raw))
    log(f"service: {out / 'service-server.txt'}")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def profile_memory(cache_file: Path, out: Path) -> None:
    """In this process, the console's load path step by step: RSS after each step, the pause of
    a full GC with everything loaded, and the filter's own cost per keystroke (no Textual)."""
    import gc
    from datetime import datetime

    from dispatch.client.cache import LocalCache
    from dispatch.client.store import Store
    from dispatch.client.sync import SyncEngine
    from dispatch.screens.queue import OPEN
    from dispatch.widgets.rows import ticket_row

    lines = [f"RSS after imports: {rss_mb():.0f} MB"]
    cache = LocalCache(cache_file)
    engine = SyncEngine(None, cache, Store(), sf._Quiet())  # type: ignore[arg-type]
    began = time.perf_counter()
    tickets = cache.load("ticket")
    lines.append(
        f"cache.load('ticket'): {len(tickets):,} dicts in {time.perf_counter() - began:.2f} s, "
        f"RSS {rss_mb():.0f} MB"
    )
    began = time.perf_counter()
    engine.paint_from_cache()  # loads again, keeps SyncEngine.server and Store.tickets
    lines.append(
        f"paint_from_cache (load + server dicts + store copies): "
        f"{time.perf_counter() - began:.2f} s, RSS {rss_mb():.0f} MB"
    )
    del tickets
    gc.collect()
    lines.append(f"  after dropping the first list: RSS {rss_mb():.0f} MB")
    began = time.perf_counter()
    now = datetime.now().astimezone()
    rows = [ticket_row(t, now) for t in engine.store.tickets.values() if t["status"] in OPEN]
    lines.append(
        f"queue rows: {len(rows):,} in {time.perf_counter() - began:.2f} s, RSS {rss_mb():.0f} MB"
    )
    pauses = []
    for _ in range(3):
        began = time.perf_counter()
        gc.collect()
        pauses.append((time.perf_counter() - began) * 1000)
    lines.append(
        f"full gc.collect() with all of it alive: {min(pauses):.0f}-{max(pauses):.0f} ms "
        f"({len(gc.get_objects()):,} tracked objects)"
    )
    gc.freeze()
    began = time.perf_counter()
    gc.collect()
    lines.append(f"  after gc.freeze(): {(time.perf_counter() - began) * 1000:.0f} ms")
    gc.unfreeze()
    for term in cf.FILTER_TERMS:
        costs = []
        visible = rows
        for i in range(1, len(term) + 1):
            prefix = term[:i]
            began = time.perf_counter()
            visible = [row for row in visible if prefix in row.search]  # FastTable._text_filter
            costs.append(f"{(time.perf_counter() - began) * 1000:.1f}")
        began = time.perf_counter()
        _ = rows[:]  # the clear: every row visible again
        lines.append(
            f"filter '{term}': ms per keystroke {', '.join(costs)} -> {len(visible):,} rows"
        )
    cache.close()
    (out / "memory.txt").write_text("\n".join(lines) + "\n")
    log("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument(
        "what", nargs="*", default=["sync", "memory", "console", "embedded", "service"]
    )
    parser.add_argument("--cache", type=Path, help="memory only: use this synced cache file")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="dispatch-profile-"))
    out.mkdir(parents=True, exist_ok=True)
    if args.cache:  # the memory figures of an existing cache, without seeding or a server
        profile_memory(args.cache, out)
        return
    root = Path(tempfile.mkdtemp(prefix="dispatch-bench-"))
    try:
        world = setup(root, args.tickets)
        with Server(world.database_url, root / "serve.log") as server:
            world.server = server
            profile_sync(world, out)  # always: the consoles need its cache
            for what in args.what:
                if what in ("console", "embedded"):
                    profile_console(world, out, "remote" if what == "console" else "embedded")
                elif what == "service":
                    profile_service(world, out)
                elif what == "memory":
                    assert world.synced_cache is not None
                    profile_memory(world.synced_cache, out)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    log(f"reports in {out}")


if __name__ == "__main__":
    main()
