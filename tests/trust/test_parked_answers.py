"""A woken long-poll's answer is sent after the middleware stack, and in one socket write.

Both paths were taken to cut the service's time per answer when one write wakes 1,000
long-polls (bench/RESULTS.md). They must not change a byte of what a client gets: the
parked answer has the same status, headers and body as the same request answered inside
the stack (`wait=0`), problems included; and uvicorn's cycle, made to write a response's
head with its body, still writes every byte, in order, whatever the response.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from deploy.pgdb import seeded, serve
from sqlmodel import Session, select

from dispatch.models import Customer

API = "/api/v1"


# -- the same answer, parked or not ------------------------------------------------------------


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], int]]:
    url = f"sqlite:///{tmp_path / 'parked.db'}"
    engine, tokens = seeded(url)
    with Session(engine) as s:
        customer = s.exec(select(Customer.id)).first()
    engine.dispose()
    assert customer is not None
    with serve(url, tmp_path) as (base,):
        yield base, tokens, customer


def _raw(base: str, token: str, query: str, *, then: Any = None) -> tuple[bytes, dict[str, str]]:
    """GET /changes?`query` as raw HTTP/1.1 (`then()` runs once it is sent): the status
    line, and the headers without Date, and the body."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(
            f"GET {API}/changes?{query} HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {token}\r\nConnection: close\r\n\r\n".encode()
        )
        if then is not None:
            then()
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines)}
    headers.pop("date", None)
    headers["(status)"] = status
    return body, headers


def test_a_woken_long_poll_answers_what_the_same_request_answers_inside_the_stack(
    server: tuple[str, dict[str, str], int],
) -> None:
    base, tokens, customer = server
    auth = {"Authorization": f"Bearer {tokens['dana']}"}
    since = httpx.get(f"{base}{API}/changes", headers=auth).json()["last_seq"]

    def write() -> None:
        import time

        time.sleep(0.5)  # the long-poll is waiting by then
        made = httpx.post(
            f"{base}{API}/tickets", json={"title": "wake", "customer_id": customer}, headers=auth
        )
        assert made.status_code == 201, made.text

    woken = _raw(base, tokens["dana"], f"since={since}&wait=10", then=write)
    at_once = _raw(base, tokens["dana"], f"since={since}&wait=0")
    assert woken[1]["(status)"] == "HTTP/1.1 200 OK"
    assert [c["op"] for c in httpx.Response(200, content=woken[0]).json()["changes"]] == ["create"]
    assert woken == at_once
    assert set(woken[1]) == {"(status)", "content-length", "content-type", "connection"}


def test_a_parked_problem_is_the_same_problem(server: tuple[str, dict[str, str], int]) -> None:
    base, tokens, _ = server
    ahead = _raw(base, tokens["dana"], "since=999999&wait=5")  # 410 from inside the park
    at_once = _raw(base, tokens["dana"], "since=999999&wait=0")
    assert ahead[1]["(status)"] == "HTTP/1.1 410 Gone"
    assert ahead[1]["content-type"] == "application/problem+json"
    assert ahead == at_once
