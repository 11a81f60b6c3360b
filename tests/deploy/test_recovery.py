"""PostgreSQL dropping the service's connections mid-load costs 503s, never a write or the service.

`pg_terminate_backend` does to the connections what a database restart does (the
cluster itself stays up, so the rest of the suite is unaffected). Every answer
must be 201 or a 503 problem with Retry-After; every 201 must be in the database
afterwards; retrying each 503 with its Idempotency-Key must leave every ticket
exactly once.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

import httpx
from deploy.conftest import Cluster
from deploy.pgdb import terminate_backends
from sqlalchemy import text

API = "/api/v1"
CLIENTS, WRITES, KILLS = 4, 40, 5


def test_killed_connections_cost_503s_and_no_acknowledged_write(cluster: Cluster) -> None:
    run = uuid.uuid4().hex[:8]
    answers: list[tuple[str, dict[str, Any], httpx.Response]] = []
    lock = threading.Lock()
    stop = threading.Event()
    with httpx.Client(base_url=cluster.urls[0] + API, headers=cluster.h(), timeout=30) as c:
        customer = c.get("/customers").json()["items"][0]["id"]

    def load(n: int) -> None:
        base = cluster.urls[n % 2] + API
        with httpx.Client(base_url=base, headers=cluster.h(), timeout=30) as client:
            for i in range(WRITES):
                key = f"{run}-{n}-{i}"
                body = {"title": f"recovery {key}", "customer_id": customer}
                r = client.post("/tickets", json=body, headers={"Idempotency-Key": key})
                with lock:
                    answers.append((key, body, r))

    killed: list[int] = []

    def kill() -> None:
        for _ in range(KILLS):
            if stop.wait(0.3):
                return
            killed.append(terminate_backends(cluster.engine))

    threads = [threading.Thread(target=load, args=(n,)) for n in range(CLIENTS)]
    killer = threading.Thread(target=kill)
    for t in threads:
        t.start()
    killer.start()
    for t in threads:
        t.join(60)
    stop.set()
    killer.join(10)
    assert not any(t.is_alive() for t in threads), "the load did not finish"

    statuses = sorted({r.status_code for _, _, r in answers})
    assert set(statuses) <= {201, 503}, [r.text for _, _, r in answers if r.status_code != 201]
    unavailable = [(k, b, r) for k, b, r in answers if r.status_code == 503]
    for _, _, r in unavailable:
        assert r.headers["content-type"] == "application/problem+json"
        assert int(r.headers["retry-after"]) > 0
        assert r.json()["status"] == 503
    acked = {r.json()["id"]: b["title"] for _, b, r in answers if r.status_code == 201}

    # The service came back by itself: retries with the same key all succeed.
    with httpx.Client(base_url=cluster.urls[1] + API, headers=cluster.h(), timeout=30) as c:
        for key, body, _ in unavailable:
            r = c.post("/tickets", json=body, headers={"Idempotency-Key": key})
            assert r.status_code == 201, r.text
            acked[r.json()["id"]] = body["title"]

    with cluster.engine.connect() as conn:
        stored: dict[int, str] = dict(
            conn.execute(
                text("SELECT id, title FROM ticket WHERE title LIKE :p"), {"p": f"recovery {run}-%"}
            ).all()
        )
    assert stored == acked, "an acknowledged write is missing, or a retry wrote twice"
    assert len(stored) == CLIENTS * WRITES
    print(
        f"\nrecovery: {len(answers)} writes, {sum(killed)} connections killed in {len(killed)} "
        f"rounds, {len(unavailable)} answered 503 (retried with their key), 0 lost or doubled"
    )
