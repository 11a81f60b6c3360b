"""A 2xx means committed: the service is SIGKILLed 20 times while 8 writers write.

`dispatch serve` runs as a child process on 127.0.0.1 with a SQLite file. Eight writers
send 500 intakes with unique titles, each with an Idempotency-Key and retried on
connection errors until acknowledged. At 20 seeded moments (after a seeded number of
acknowledgements) the service is killed with SIGKILL, the file is checked with
`PRAGMA integrity_check` while nothing holds it, and the service is restarted on the
same port. Afterwards every acknowledged write is there exactly once, the change feed
has exactly one event per ticket, and the file is intact.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from service.world import API, seed
from sqlalchemy import text

from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.schema import create_schema

WRITERS = 8
WRITES = 500
KILLS = 20
SEED = 20261127
DEADLINE_SECONDS = 180.0  # a hard stop; an idle 2-core machine needs far less
FORKSERVE = Path(__file__).with_name("forkserve.py")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Service:
    """The service on 127.0.0.1:`port`, forked by forkserve.py and killed with SIGKILL."""

    def __init__(self, database: Path, port: int, log: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self.starts = 0
        self.pid: int | None = None
        env = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCH_")}
        env.update(
            DATABASE_URL=f"sqlite:///{database}",
            DISPATCH_RATE_LIMIT_PER_MINUTE="0",
            XDG_CONFIG_HOME=str(log.parent / "config"),
            XDG_DATA_HOME=str(log.parent / "data"),
        )
        self.out = log.open("ab")
        self.launcher = subprocess.Popen(
            [sys.executable, str(FORKSERVE), str(port)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.out,
            text=True,
        )

    def _ask(self, line: str) -> str:
        assert self.launcher.stdin is not None and self.launcher.stdout is not None
        self.launcher.stdin.write(line + "\n")
        self.launcher.stdin.flush()
        return self.launcher.stdout.readline().strip()

    def start(self) -> None:
        self.pid = int(self._ask("start"))
        self.starts += 1
        give_up = time.monotonic() + 60
        while time.monotonic() < give_up:
            try:
                if httpx.get(f"{self.url}{API}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.02)
        raise AssertionError(f"the service did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        assert self.pid is not None
        os.kill(self.pid, signal.SIGKILL)
        assert self._ask(f"reap {self.pid}") == "gone"
        self.pid = None

    def stop(self) -> None:
        if self.pid is not None:
            self.kill()
        assert self.launcher.stdin is not None
        self.launcher.stdin.close()
        self.launcher.wait(30)
        self.out.close()


def _integrity(database: Path) -> str:
    with sqlite3.connect(database) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def test_acknowledged_writes_survive_sigkill(tmp_path: Path, figure: Callable[[str], None]) -> None:
    database = tmp_path / "crash.db"
    engine = make_engine(f"sqlite:///{database}")
    create_schema(engine)
    tokens, (_, _, customer_id, _, _) = seed(engine)
    engine.dispose()
    service = Service(database, _free_port(), tmp_path / "serve.log")
    rng = random.Random(SEED)
    thresholds = sorted(rng.sample(range(10, WRITES - 10), KILLS))
    delays = [rng.uniform(0.0, 0.05) for _ in range(KILLS)]
    acknowledged: dict[str, int] = {}  # title -> ticket id
    lock = threading.Lock()
    deadline = time.monotonic() + DEADLINE_SECONDS
    retries = 0
    people = ["dana", "lea", "adam"]
    errors: Counter[str] = Counter()

    def writer(w: int) -> None:
        nonlocal retries
        headers = {"Authorization": f"Bearer {tokens[people[w % len(people)]]}"}
        with httpx.Client(base_url=service.url, timeout=10, headers=headers) as client:
            for n in range(w, WRITES, WRITERS):
                title = f"crash write {n:03d}"
                while time.monotonic() < deadline:
                    try:
                        r = client.post(
                            f"{API}/tickets",
                            json={"title": title, "customer_id": customer_id},
                            headers={"Idempotency-Key": f"crash-{n}"},
                        )
                    except httpx.TransportError as exc:
                        errors[type(exc).__name__] += 1
                        r = None
                    if r is not None and r.status_code == 201:
                        with lock:
                            acknowledged[title] = int(r.json()["id"])
                        break
                    assert r is None or r.status_code >= 500, r.text  # never a client error
                    with lock:
                        retries += 1
                    time.sleep(0.05)  # the service is restarting: back off

    integrity: list[str] = []
    downtime: list[float] = []
    service.start()
    try:
        with ThreadPoolExecutor(WRITERS) as pool:
            futures = [pool.submit(writer, w) for w in range(WRITERS)]
            for threshold, delay in zip(thresholds, delays, strict=True):
                while len(acknowledged) < threshold and time.monotonic() < deadline:
                    time.sleep(0.002)
                time.sleep(delay)
                service.kill()
                integrity.append(_integrity(database))
                began = time.monotonic()
                service.start()
                downtime.append(time.monotonic() - began)
            for f in futures:
                f.result()
    finally:
        service.stop()
    integrity_final = _integrity(database)

    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        tickets: dict[str, int] = dict(conn.execute(text("SELECT title, id FROM ticket")).all())
        duplicates = conn.execute(
            text("SELECT count(*) - count(DISTINCT title) FROM ticket")
        ).scalar_one()
        per_ticket: dict[int, int] = dict(
            conn.execute(
                text(
                    "SELECT entity_id, count(*) FROM change_event "
                    "WHERE entity = 'ticket' GROUP BY entity_id"
                )
            ).all()
        )
        events = conn.execute(text("SELECT count(*) FROM change_event")).scalar_one()
    engine.dispose()
    lost = [t for t, i in acknowledged.items() if tickets.get(t) != i]
    wrong_events = [i for i in tickets.values() if per_ticket.get(i) != 1]
    ok = integrity.count("ok")
    figure(
        f"crash: {service.starts - 1} SIGKILLs (seed {SEED}), {len(acknowledged)}/{WRITES} "
        f"writes acknowledged ({retries} retries), lost {len(lost)}, duplicates {duplicates}, "
        f"feed events {events} for {len(tickets)} tickets, integrity ok {ok}/{len(integrity)}; "
        f"restart {sum(downtime) / max(1, len(downtime)):.2f} s on average, "
        f"transport errors {dict(errors)}"
    )
    assert service.starts - 1 == KILLS
    assert len(acknowledged) == WRITES, "the run hit its deadline"
    assert not lost
    assert duplicates == 0
    assert not wrong_events and events == len(tickets)
    assert ok == KILLS and integrity_final == "ok"
