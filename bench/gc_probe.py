"""What the cyclic garbage collector costs the service around a wake of 1,000 long-polls:
`uv run python -m bench.gc_probe [--waiters N] [--rounds N] [--threshold G0,G1,G2]`.

The service runs as `dispatch serve` does, in a process of this module's own (`python -m
bench.gc_probe serve ...`) with a `gc.callbacks` hook that counts the collections of each
generation and times them. Each round opens the long-polls, waits until the service is
quiet, takes a census of the tracked objects (SIGUSR1), wakes them all with one write and
reads the counts a second later (SIGUSR2), when the answers' garbage is made. `--threshold`
sets `gc.set_threshold(G0, G1, G2)` in the service at the first census, over what the service
set itself at its start (`app.OLDEST_GENERATION_THRESHOLD`): for comparing the settings.
"""

from __future__ import annotations

import asyncio
import collections
import gc
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO


def serve(host: str, port: int, log: TextIO) -> None:
    """`dispatch serve` with the hook; the census and the counts go to `log`."""
    import uvicorn

    from dispatch.cli.common import load_settings
    from dispatch.server.http.app import create_app
    from dispatch.server.http.http_guard import uvicorn_config

    threshold = os.environ.get("BENCH_GC_THRESHOLD")
    counts = [0, 0, 0]
    longest = [0.0, 0.0, 0.0]
    total = [0.0, 0.0, 0.0]
    began = [0.0, 0.0, 0.0]

    def hook(phase: str, info: dict[str, Any]) -> None:
        generation = info["generation"]
        if phase == "start":
            counts[generation] += 1
            began[generation] = time.perf_counter()
            return
        spent = (time.perf_counter() - began[generation]) * 1000
        total[generation] += spent
        longest[generation] = max(longest[generation], spent)

    def census(*_: object) -> None:
        if threshold:  # over what the service set at its start
            gc.set_threshold(*map(int, threshold.split(",")))
        tracked = gc.get_objects()
        kinds = collections.Counter(type(o).__name__ for o in tracked)
        most = ", ".join(f"{k} {v}" for k, v in kinds.most_common(12))
        log.write(f"census: {len(tracked)} tracked ({most}); {gc.get_freeze_count()} frozen\n")
        del tracked

    def counted(*_: object) -> None:
        log.write(
            f"collections per generation {counts}, longest (ms) "
            + " / ".join(f"{v:.1f}" for v in longest)
            + ", total (ms) "
            + " / ".join(f"{v:.0f}" for v in total)
            + "\n"
        )

    gc.callbacks.append(hook)
    signal.signal(signal.SIGUSR1, census)
    signal.signal(signal.SIGUSR2, counted)
    settings = load_settings()
    uvicorn.Server(uvicorn_config(create_app(settings), settings, host, port)).run()


async def _rounds(server: Any, tokens: dict[str, str], waiters: int, rounds: int) -> None:
    from bench import longpoll_figures as lp
    from bench.loadgen import LeanClient

    writer = LeanClient(f"{server.url}{lp.API}", {"Authorization": f"Bearer {tokens['anna']}"})
    customer = int((await writer.get("/tickets", {"limit": 1})).json()["items"][0]["customer_id"])
    for n in range(rounds):
        since = int((await writer.get("/changes", {"limit": 1, "since": 0})).json()["last_seq"])
        since = int((await writer.get("/changes", {"since": since})).json()["last_seq"])
        staff = lp.STAFF
        polls = [
            asyncio.create_task(lp._long_poll(server.url, tokens[staff[i % 4]], since, 30))
            for i in range(waiters)
        ]
        await lp._settle(server)
        os.kill(server.pid, signal.SIGUSR1)
        await asyncio.sleep(0.5)
        sent = time.perf_counter()
        await writer.request(
            "POST", "/tickets", json_body={"title": "wake", "customer_id": customer}
        )
        answered = sorted(at for _, at in await asyncio.gather(*polls))
        await asyncio.sleep(1.0)
        os.kill(server.pid, signal.SIGUSR2)
        p95 = (answered[int(0.95 * len(answered))] - sent) * 1000
        print(f"round {n}: {len(answered)} answers, p95 {p95:.0f} ms", flush=True)
    writer.close()


def main() -> None:
    from bench.wake_profile import probe_parser

    parser = probe_parser(__doc__, rounds=6)
    parser.add_argument("--threshold", default="", help="G0,G1,G2 for gc.set_threshold")
    args = parser.parse_args()
    if args.mode == "serve":
        with open(os.environ["BENCH_GC_LOG"], "a", buffering=1) as written:
            serve(args.host, args.port, written)
        return
    from bench import longpoll_figures as lp
    from bench.__main__ import LONGPOLL_TICKETS
    from bench.harness import Server
    from bench.loadgen import event_loop_runner
    from dispatch.console import prepare_demo

    out = Path(tempfile.mkdtemp(prefix="gc-probe-"))
    settings, tokens = prepare_demo(out, tickets=LONGPOLL_TICKETS, seed=7)
    tokens["anna"] = tokens["anna.becker"]
    log = out / "gc.log"
    env = {**lp.env(), "BENCH_GC_LOG": str(log), "BENCH_GC_THRESHOLD": args.threshold}
    command = [sys.executable, "-m", "bench.gc_probe"]
    with Server(settings.database_url, out / "serve.log", env=env, command=command) as server:
        with event_loop_runner() as runner:
            runner.run(_rounds(server, tokens, args.waiters, args.rounds))
        time.sleep(0.5)
    print(log.read_text())


if __name__ == "__main__":
    main()
