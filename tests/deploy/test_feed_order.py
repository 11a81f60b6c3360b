"""`seq` follows commit order on PostgreSQL: a reader following the feed misses nothing.

Eight writer processes post 200 comments each, at full speed, half of them to
each of two `dispatch serve` processes (whose thread pools run many write
transactions at once), while a reader follows `GET /changes?since=` with
long-polls. If two writes could commit out of `seq` order, the reader, having
moved `since` past the later seq, would never see the earlier one: the test
compares what it saw with everything in the table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

import httpx
from deploy.conftest import Cluster
from sqlalchemy import text

API = "/api/v1"
WRITERS, WRITES = 8, 200
BOUND_SECONDS = 60


def _line(stream: IO[str]) -> str:
    """The next line a writer prints, waiting at most BOUND_SECONDS."""
    box: list[str] = []
    t = threading.Thread(target=lambda: box.append(stream.readline()), daemon=True)
    t.start()
    t.join(BOUND_SECONDS)
    assert box and box[0], "a writer process did not answer in time"
    return box[0].strip()


def test_eight_writer_processes_and_a_reader_following_the_feed(cluster: Cluster) -> None:
    tests = str(Path(__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([tests, os.environ.get("PYTHONPATH", "")])}
    seen: list[dict[str, Any]] = []
    reader_errors: list[str] = []
    writers_done = threading.Event()
    reader = httpx.Client(base_url=cluster.urls[0] + API, headers=cluster.h(), timeout=30)
    writer = httpx.Client(base_url=cluster.urls[1] + API, headers=cluster.h(), timeout=30)
    customer = writer.get("/customers").json()["items"][0]["id"]
    tickets = []
    for i in range(WRITERS):
        r = writer.post("/tickets", json={"title": f"writer {i}", "customer_id": customer})
        assert r.status_code == 201, r.text
        tickets.append(r.json()["id"])
    first = since = cluster.last_seq()

    def follow() -> None:
        nonlocal since
        quiet = 0
        while quiet < 2:
            r = reader.get("/changes", params={"since": since, "wait": 1, "limit": 1000})
            if r.status_code != 200:
                reader_errors.append(r.text)
                return
            page = r.json()
            seen.extend(page["changes"])
            since = page["last_seq"]
            quiet = quiet + 1 if writers_done.is_set() and not page["changes"] else 0

    procs = [
        subprocess.Popen(
            [
                *(sys.executable, "-m", "deploy.writers", cluster.urls[i % 2]),
                *(cluster.tokens["dana"], str(tickets[i]), str(WRITES), f"w{i}"),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        for i in range(WRITERS)
    ]
    follower = threading.Thread(target=follow)
    acked: dict[str, list[int]] = {}
    failed: dict[str, list[int]] = {}
    try:
        for p in procs:  # every writer is up ...
            assert p.stdout is not None
            assert _line(p.stdout) == "ready"
        follower.start()
        began = time.monotonic()
        for p in procs:  # ... go
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        for p in procs:
            assert p.stdout is not None
            out = json.loads(_line(p.stdout))
            acked[out["name"]], failed[out["name"]] = out["acked"], out["failed"]
        elapsed = time.monotonic() - began
        writers_done.set()
        follower.join(BOUND_SECONDS)
        assert not follower.is_alive(), "the reader did not catch up"
    finally:
        writers_done.set()
        for p in procs:
            p.kill()
            p.wait(10)
        reader.close()
        writer.close()

    assert reader_errors == []
    assert failed == {f"w{i}": [] for i in range(WRITERS)}
    seqs = [c["seq"] for c in seen]
    assert seqs == sorted(set(seqs)), "the reader saw an event twice or out of order"
    with cluster.engine.connect() as conn:
        stored = (
            conn.execute(
                text("SELECT seq FROM change_event WHERE seq > :s ORDER BY seq"), {"s": first}
            )
            .scalars()
            .all()
        )
    assert seqs == list(stored), "the reader missed events that committed behind its since"
    comments = sorted(c["id"] for c in seen if c["entity"] == "comment" and c["op"] == "create")
    assert comments == sorted(i for ids in acked.values() for i in ids)
    assert len(comments) == WRITERS * WRITES
    print(
        f"\nfeed order: {WRITERS} writer processes x {WRITES} writes through 2 service "
        f"processes: {len(seqs)} events read once each, in order, in {elapsed:.1f} s "
        f"({len(seqs) / elapsed:.0f} writes/s)"
    )
