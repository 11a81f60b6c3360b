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
from pathlib import Path
from typing import Any

import httpx
from deploy.conftest import Cluster
from deploy.pgdb import API, drop_pg, fresh_pg_url, seeded, serve, terminate_backends
from service.world import PG_URL
from sqlalchemy import Engine, text

from dispatch.server.persistence.db import make_engine

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


def _connections(admin: Engine, db: str, *, allowed: bool) -> None:
    """Let the database take connections, or refuse them and end the ones it has (as a
    database being restarted or failed over refuses them for a while)."""
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'ALTER DATABASE "{db}" ALLOW_CONNECTIONS {str(allowed).lower()}'))
        if not allowed:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db"),
                {"db": db},
            )


def test_a_database_away_while_the_caller_is_looked_up_is_a_503(tmp_path: Path) -> None:
    """CI once got a 500 from the test above: a killed connection met the lookup of a new
    token's caller, which a request with a body makes before the app's exception handlers
    (`authfirst`), and a database error there was not the 503 it is everywhere else."""
    url = fresh_pg_url("auth_away")
    engine, tokens = seeded(url)
    db = url.rsplit("/", 1)[1]
    admin = make_engine(PG_URL)

    def h(who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[who]}"}

    try:
        with serve(url, tmp_path) as (base,), httpx.Client(base_url=base + API, timeout=30) as c:
            customer = c.get("/customers", headers=h("dana")).json()["items"][0]["id"]
            engine.dispose()
            body = {"title": "written while the database is away", "customer_id": customer}
            _connections(admin, db, allowed=False)
            try:
                # tokens not used yet, so not in the service's caller cache: looked up now
                with_body = c.post("/tickets", json=body, headers=h("lea"))
                without = c.get("/me", headers=h("adam"))
            finally:
                _connections(admin, db, allowed=True)
            for answer in (with_body, without):
                assert answer.status_code == 503, answer.text
                assert answer.headers["content-type"] == "application/problem+json"
                assert int(answer.headers["retry-after"]) > 0
            assert with_body.headers["connection"] == "close", "its body was never read"
            again = c.post("/tickets", json=body, headers=h("lea"))
            assert again.status_code == 201, again.text
    finally:
        admin.dispose()
        drop_pg(url)
