"""Where one wake-up of 1,000 long-polls spends the service's time: `uv run python -m
bench.wake_profile [--waiters N] [--rounds N] [--out DIR]`.

The service runs as `dispatch serve` does (the same app, protocol and uvloop), in a process
of this module's own (`python -m bench.wake_profile serve --host H --port P`) that runs
cProfile on its event-loop thread between SIGUSR1 and SIGUSR2 only: the load generator opens
the long-polls, waits until the service is quiet, sends SIGUSR1, one POST /tickets wakes them
all, and once every answer has arrived SIGUSR2 writes the profile. Own time (cProfile's
tottime) is then summed by layer (module) and divided by the answers: cProfile slows every
call by a similar amount, so the shares are what to read, the absolute times are inflated.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LAYERS: tuple[tuple[str, str], ...] = (
    ("dispatch/server/http/routes/changes.py", "long-poll route (changes.py)"),
    ("dispatch/server/http/feedhub.py", "feed hub (answer, wake)"),
    ("dispatch/server/http/ratelimit.py", "rate-limit middlewares"),
    ("dispatch/server/http/authfirst.py", "AuthFirst middleware"),
    ("dispatch/server/http/middleware.py", "BodyLimit middleware"),
    ("dispatch/server/http/strictness.py", "strictness dependencies"),
    ("dispatch/server/http/deps.py", "caller dependency"),
    ("dispatch/server/http/http_guard.py", "one-write cycle (incl. the socket write)"),
    ("dispatch/server/http/", "other dispatch http"),
    ("dispatch/", "other dispatch"),
    ("pydantic", "pydantic (validation, dumps)"),
    ("fastapi/", "FastAPI (routing, dependencies)"),
    ("starlette/", "Starlette (middleware stack, Request/Response)"),
    ("uvicorn/protocols/", "uvicorn protocol (cycle, send)"),
    ("uvicorn/", "uvicorn other"),
    ("anyio/", "anyio"),
    ("asyncio/", "asyncio (tasks, futures)"),
    ("<built-in", "built-ins (C calls)"),
    ("~", "built-ins (C calls)"),
)


# -- the service side ------------------------------------------------------------------------


def serve(host: str, port: int, out: Path) -> None:
    """`dispatch serve` with cProfile switched on by SIGUSR1 and dumped by SIGUSR2."""
    import uvicorn

    from dispatch.cli.common import load_settings
    from dispatch.server.http.app import create_app
    from dispatch.server.http.http_guard import uvicorn_config

    profiler = cProfile.Profile()
    dumps = 0

    def start(*_: Any) -> None:
        profiler.enable()

    def dump(*_: Any) -> None:
        nonlocal dumps
        profiler.disable()
        profiler.dump_stats(out / f"wake-{dumps}.prof")
        dumps += 1
        profiler.clear()

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, dump)
    settings = load_settings()
    uvicorn.Server(uvicorn_config(create_app(settings), settings, host, port)).run()


# -- the load side ---------------------------------------------------------------------------


def layer_of(filename: str) -> str:
    for needle, name in LAYERS:
        if needle in filename:
            return name
    return "other"


def by_layer(stats: pstats.Stats) -> dict[str, float]:
    """Own seconds per layer."""
    layers: dict[str, float] = {}
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, func), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        name = layer_of(filename if filename != "~" else f"<built-in {func}")
        layers[name] = layers.get(name, 0.0) + tottime
    return layers


async def _wake_once(server: Any, tokens: dict[str, str], waiters: int) -> tuple[int, float]:
    from bench import longpoll_figures as lp
    from bench.loadgen import LeanClient

    writer = LeanClient(f"{server.url}{lp.API}", {"Authorization": f"Bearer {tokens['anna']}"})
    since = int((await writer.get("/changes", {"limit": 1, "since": 0})).json()["last_seq"])
    since = int((await writer.get("/changes", {"since": since})).json()["last_seq"])
    customer = int((await writer.get("/tickets", {"limit": 1})).json()["items"][0]["customer_id"])
    polls = [
        asyncio.create_task(lp._long_poll(server.url, tokens[lp.STAFF[i % 4]], since, 30))
        for i in range(waiters)
    ]
    await lp._settle(server)
    writer.close()
    await writer.get("/health")
    os.kill(server.pid, signal.SIGUSR1)
    await asyncio.sleep(0.2)
    sent = time.perf_counter()
    await writer.request("POST", "/tickets", json_body={"title": "wake", "customer_id": customer})
    answers = await asyncio.gather(*polls)
    spent = max(at for _, at in answers) - sent
    os.kill(server.pid, signal.SIGUSR2)
    writer.close()
    return sum(status == 200 for status, _ in answers), spent


def probe_parser(doc: str | None, rounds: int) -> argparse.ArgumentParser:
    """The command line of a probe that runs as the load (default) and as the service
    (`serve --host H --port P`, started by the load): this one and `gc_probe`."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("mode", nargs="?", default="load")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--waiters", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=rounds)
    return parser


def main() -> None:
    parser = probe_parser(__doc__, rounds=3)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--serve-python",
        default=None,
        help="the interpreter of another checkout's venv: profile its service (A/B)",
    )
    args = parser.parse_args()
    if args.mode == "serve":
        serve(args.host, args.port, Path(os.environ["BENCH_PROFILE_DIR"]))
        return
    from bench import longpoll_figures as lp
    from bench.__main__ import LONGPOLL_TICKETS
    from bench.harness import Server
    from bench.loadgen import event_loop_runner
    from dispatch.console import prepare_demo

    out = args.out or Path(tempfile.mkdtemp(prefix="wake-profile-"))
    out.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="data-", dir=out))  # a fresh demo each run
    settings, tokens = prepare_demo(data, tickets=LONGPOLL_TICKETS, seed=7)
    tokens["anna"] = tokens["anna.becker"]
    env = {**lp.env(), "BENCH_PROFILE_DIR": str(out)}
    command = [sys.executable, "-m", "bench.wake_profile"]
    if args.serve_python:
        # A copy outside bench/, whose profile.py would stand in for the standard library's;
        # that interpreter imports its own checkout's `dispatch`.
        script = shutil.copy(__file__, out / "wake_profile_serve.py")
        command = [args.serve_python, str(script)]
    with Server(settings.database_url, out / "serve.log", env=env, command=command) as server:
        for n in range(args.rounds):
            with event_loop_runner() as runner:
                woke, spent = runner.run(_wake_once(server, tokens, args.waiters))
            print(f"round {n}: {woke} answers, last after {spent * 1000:.0f} ms (profiled)")
        time.sleep(0.5)
    report(out, args.rounds, args.waiters)


def report(out: Path, rounds: int, waiters: int) -> None:
    files = [str(out / f"wake-{n}.prof") for n in range(rounds)]
    stats = pstats.Stats(*files)
    layers = by_layer(stats)
    total = sum(layers.values())
    answers = rounds * waiters
    print(f"\n{answers} answers; loop-thread own time {total * 1000:.0f} ms under cProfile")
    print("| layer | ms per 1,000 answers | share |\n| --- | ---: | ---: |")
    for name, seconds in sorted(layers.items(), key=lambda kv: -kv[1]):
        print(f"| {name} | {seconds * 1e6 / answers:.1f} | {seconds / total:.0%} |")
    stats.sort_stats("tottime").print_stats(35)
    print(f"profiles in {out}")


if __name__ == "__main__":
    main()
