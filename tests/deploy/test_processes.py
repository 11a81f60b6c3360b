"""Two `dispatch serve` processes on one PostgreSQL database behave as one service."""

from __future__ import annotations

import statistics
import threading
import time
import uuid

import httpx
from deploy.conftest import Cluster
from deploy.pgdb import terminate_backends
from sqlalchemy import text

API = "/api/v1"
ROUNDS = 5


def _listeners(cluster: Cluster) -> int:
    with cluster.engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND query = 'LISTEN dispatch_feed'"
                )
            ).scalar_one()
        )


def _wait_for_listeners(cluster: Cluster, count: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while _listeners(cluster) < count:
        assert time.monotonic() < deadline, "the service processes did not LISTEN again"
        time.sleep(0.05)


def _wake_latencies(cluster: Cluster, rounds: int) -> list[float]:
    """Long-poll on process A, write through process B: seconds from B's answer to A's."""
    a = httpx.Client(base_url=cluster.urls[0] + API, headers=cluster.h("adam"), timeout=30)
    b = httpx.Client(base_url=cluster.urls[1] + API, headers=cluster.h(), timeout=30)
    latencies = []
    try:
        customer = b.get("/customers").json()["items"][0]["id"]
        for n in range(rounds):
            since = cluster.last_seq()
            answer: list[tuple[float, httpx.Response]] = []

            def long_poll(
                since: int = since, answer: list[tuple[float, httpx.Response]] = answer
            ) -> None:
                page = a.get("/changes", params={"since": since, "wait": 20})
                answer.append((time.monotonic(), page))

            poll = threading.Thread(target=long_poll)
            poll.start()
            time.sleep(0.5)  # across processes there is no hook to see the poll waiting
            r = b.post("/tickets", json={"title": f"wake {n}", "customer_id": customer})
            written = time.monotonic()
            assert r.status_code == 201, r.text
            poll.join(20)
            assert answer, "the long-poll on A never returned"
            returned, page = answer[0]
            assert [c["id"] for c in page.json()["changes"]] == [r.json()["id"]]
            latencies.append(max(0.0, returned - written))
    finally:
        a.close()
        b.close()
    return latencies


def test_a_long_poll_on_one_process_wakes_on_a_write_through_the_other(cluster: Cluster) -> None:
    _wait_for_listeners(cluster, 2)
    latencies = _wake_latencies(cluster, ROUNDS)
    # Without NOTIFY, A would only find the write at its next re-check, 5 s apart.
    assert max(latencies) < 1.0, latencies
    print(
        f"\ncross-process wake: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms over {ROUNDS} rounds"
    )


def test_the_processes_listen_again_after_their_connections_are_killed(cluster: Cluster) -> None:
    _wait_for_listeners(cluster, 2)
    assert terminate_backends(cluster.engine) >= 2
    _wait_for_listeners(cluster, 2)
    latencies = _wake_latencies(cluster, 2)
    assert max(latencies) < 1.0, latencies


def test_an_idempotency_key_replays_across_processes(cluster: Cluster) -> None:
    key = str(uuid.uuid4())
    title = f"once only {key}"
    with (
        httpx.Client(base_url=cluster.urls[0] + API, timeout=30) as a,
        httpx.Client(base_url=cluster.urls[1] + API, timeout=30) as b,
    ):
        headers = cluster.h(**{"Idempotency-Key": key})
        customer = a.get("/customers", headers=headers).json()["items"][0]["id"]
        body = {"title": title, "customer_id": customer}
        first = a.post("/tickets", json=body, headers=headers)
        assert first.status_code == 201, first.text
        again = b.post("/tickets", json=body, headers=headers)
        assert again.status_code == 201, again.text
        assert again.headers.get("idempotent-replayed") == "true"
        assert again.json() == first.json()
        other = b.post("/tickets", json={**body, "title": "something else"}, headers=headers)
        assert other.status_code == 422, other.text
    with cluster.engine.connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM ticket WHERE title = :t"), {"t": title}
        ).scalar_one()
    assert count == 1
