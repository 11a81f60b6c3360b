"""Bad input: always a 4xx problem document a person can read, never a 500, never a change."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import schemathesis
from httpx import Response
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok
from service.world import API, PROBLEM, Json, MakeWorld, World

from dispatch.models import Appointment, Comment, Escalation, Ticket

MiB = 1024 * 1024


def _problem(r: Response, status: int) -> Json:
    """Check `r` is an RFC 9457 problem document with `status` and return it."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body: Json = r.json()
    assert body["status"] == status
    assert body["type"] and body["title"] and body["detail"]
    return body


def _snapshot(world: World) -> tuple[int, ...]:
    return (
        world.event_count(),
        world.rows(Ticket),
        world.rows(Comment),
        world.rows(Escalation),
        world.rows(Appointment),
    )


def _writes(world: World, t: Json, esc: Json, appt: Json) -> list[tuple[str, str, str | None]]:
    """(method, path, If-Match) of every write that takes a JSON body."""
    return [
        ("POST", "/tickets", None),
        ("PATCH", f"/tickets/{t['id']}", '"1"'),
        ("POST", f"/tickets/{t['id']}/comments", None),
        ("POST", f"/tickets/{t['id']}/assignment", None),
        ("POST", f"/tickets/{t['id']}/escalations", None),
        ("PATCH", f"/escalations/{esc['id']}", '"1"'),
        ("POST", "/appointments", None),
        ("PATCH", f"/appointments/{appt['id']}", '"1"'),
        ("POST", "/users", None),
    ]


def _send(world: World, method: str, path: str, tag: str | None, **kwargs: Any) -> Response:
    headers = world.h("adam", **({"If-Match": tag} if tag else {}))
    headers.update(kwargs.pop("headers", {}))
    r: Response = world.client.request(method, API + path, headers=headers, **kwargs)
    return r


def _objects(world: World) -> tuple[Json, Json, Json]:
    t = world.new_ticket()
    other = world.new_ticket()
    esc = world.escalate(other)
    appt = world.book().json()
    return world.ticket(t["id"]), esc, appt


def test_page_sizes_are_capped(world: World) -> None:
    world.new_ticket()
    assert world.get("dana", "/tickets", limit=500).status_code == 200
    problem = _problem(world.get("dana", "/tickets", limit=501), 422)
    assert problem["errors"][0]["field"] == "query.limit"
    assert "500" in problem["detail"]
    for path, too_many in [("/tickets", 0), ("/customers", 501), ("/changes", 1001)]:
        _problem(world.get("dana", path, limit=too_many), 422)


def test_the_page_size_cap_is_a_setting(make_world: MakeWorld) -> None:
    world = make_world(max_page_size=3)
    assert world.get("dana", "/tickets", limit=3).status_code == 200
    assert "at most 3" in _problem(world.get("dana", "/tickets", limit=4), 422)["detail"]


def test_bodies_over_one_mebibyte_are_413(world: World) -> None:
    t, esc, appt = _objects(world)
    before = _snapshot(world)
    huge = {"title": "x", "customer_id": world.customer_id, "description": "x" * MiB}
    for method, path, tag in _writes(world, t, esc, appt):
        r = _send(world, method, path, tag, json=huge)
        assert "1048576" in _problem(r, 413)["detail"], (method, path)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"title": "x", "description": "'
        for _ in range(17):
            yield b"y" * 65536
        yield b'"}'

    r = world.client.post(
        f"{API}/tickets",
        content=chunks(),
        headers=world.h("dana", **{"content-type": "application/json"}),
    )
    _problem(r, 413)
    assert _snapshot(world) == before


def test_the_body_limit_is_exact(make_world: MakeWorld) -> None:
    world = make_world(max_body_bytes=200)
    body = {"title": "", "customer_id": world.customer_id}
    raw = json.dumps(body).encode()
    fits = json.dumps({**body, "title": "t" * (200 - len(raw))}).encode()
    assert len(fits) == 200
    r = world.client.post(
        f"{API}/tickets",
        content=fits,
        headers=world.h("dana", **{"content-type": "application/json"}),
    )
    assert r.status_code == 201, r.text
    r = world.client.post(
        f"{API}/tickets",
        content=fits[:-1] + b" }",
        headers=world.h("dana", **{"content-type": "application/json"}),
    )
    _problem(r, 413)


def test_unknown_fields_are_422_on_every_write(world: World) -> None:
    t, esc, appt = _objects(world)
    before = _snapshot(world)
    for method, path, tag in _writes(world, t, esc, appt):
        r = _send(world, method, path, tag, json={"bogus": 1})
        problem = _problem(r, 422)
        bogus = [e for e in problem["errors"] if e["field"] == "bogus"]
        assert bogus, (method, path, problem)
        assert bogus[0]["message"] == "this field cannot be set here"
    assert _snapshot(world) == before


def test_malformed_bodies_are_422_never_500(world: World) -> None:
    t, esc, appt = _objects(world)
    before = _snapshot(world)
    bodies: list[tuple[bytes, str]] = [
        (b"{bad json", "application/json"),
        (b"", "application/json"),
        (b"null", "application/json"),
        (b"[]", "application/json"),
        (b'"a string"', "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"[" * 50_000 + b"]" * 50_000, "application/json"),
    ]
    for method, path, tag in _writes(world, t, esc, appt):
        for raw, kind in bodies:
            r = _send(world, method, path, tag, content=raw, headers={"content-type": kind})
            problem = _problem(r, 422)
            assert problem["errors"], (method, path, raw[:20])
        # Bodies are JSON or nothing (tests/trust/test_strict_http.py).
        for raw, kind in [(b'{"title": "x"}', "text/plain"), (b"title=x", "form-urlencoded")]:
            r = _send(world, method, path, tag, content=raw, headers={"content-type": kind})
            _problem(r, 415)
    json_type = {"content-type": "application/json"}
    r = _send(world, "POST", "/tickets", None, content=b'{"title": ', headers=json_type)
    assert "not valid JSON" in _problem(r, 422)["detail"]
    r = _send(world, "POST", "/tickets", None, content=b"[]", headers=json_type)
    assert "JSON object" in _problem(r, 422)["detail"]
    r = _send(world, "POST", "/tickets", None, content=b'{"title": "x"}', headers={})
    assert "Content-Type: application/json" in _problem(r, 415)["detail"]
    assert _snapshot(world) == before


def test_out_of_range_numbers_times_and_text_are_422(world: World) -> None:
    t = world.new_ticket()
    before = _snapshot(world)
    huge = 10**20
    gets = [
        f"/tickets/{huge}",
        f"/tickets/{2**31}",
        "/tickets/0",
        f"/tickets?customer={huge}",
        f"/tickets?assignee={huge}",
        f"/customers/{huge}",
        f"/customers?cursor={huge}",
        f"/escalations/{huge}",
        f"/appointments/{huge}",
        f"/technicians/{huge}/calendar",
        f"/appointments?start=2030-03-04T00:00:00%2B01:00&end=2030-03-05T00:00:00%2B01:00&technician={huge}",
        "/tickets?q=a%00b",
        "/customers?q=a%00b",
        "/changes?wait=nan",
        "/changes?since=x",
    ]
    for path in gets:
        _problem(world.client.get(API + path, headers=world.h("dana")), 422)
    for cursor in (["number", huge, 1], ["-received_at", "2030-01-01T00:00:00", 1]):
        raw = base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode()
        sort = str(cursor[0])
        _problem(world.get("dana", "/tickets", sort=sort, cursor=raw), 422)
    posts: list[tuple[str, Json]] = [
        ("/tickets", {"title": "x", "customer_id": huge}),
        ("/tickets", {"title": "x", "customer_id": world.customer_id, "site_id": -1}),
        ("/tickets", {"title": "a\x00b", "customer_id": world.customer_id}),
        ("/tickets", {"title": "x", "customer_id": world.customer_id, "tags": ["a\x00"]}),
        (f"/tickets/{t['id']}/comments", {"body": "nul \x00 here"}),
        (f"/tickets/{t['id']}/escalations", {"reason": "other", "note": "\x00"}),
        (f"/tickets/{t['id']}/assignment", {"technician_id": huge}),
        (
            "/appointments",
            {
                "technician_id": huge,
                "start": "2030-03-04T09:00:00+01:00",
                "end": "2030-03-04T10:00:00+01:00",
            },
        ),
        ("/users", {"name": "nul", "display_name": "\x00", "role": "dispatcher"}),
    ]
    for path, body in posts:
        problem = _problem(world.post("adam", path, body), 422)
        assert problem["errors"], (path, problem)
    r = world.patch("dana", t, title="x\x00y")
    assert "NUL" in _problem(r, 422)["detail"]
    assert _snapshot(world) == before


def test_unknown_routes_and_methods_are_problems(world: World) -> None:
    _problem(world.client.get(f"{API}/nothing-here", headers=world.h("dana")), 404)
    r = world.client.put(f"{API}/tickets/1", headers=world.h("dana"))
    _problem(r, 405)
    assert "allow" in r.headers


def test_generated_requests_never_crash_the_service(world: World) -> None:
    """Valid and invalid requests made up from the OpenAPI document: 4xx problems, never 5xx.

    Few examples per operation, derandomised, so the run is short and repeatable; the
    schemathesis command line does the long runs.
    """
    for i in range(2):
        t = world.new_ticket(title=f"fuzz {i}")
        world.escalate(t)
        world.book(start=f"2030-03-0{4 + i}T09:00:00+01:00", end=f"2030-03-0{4 + i}T10:00:00+01:00")
    schema = schemathesis.openapi.from_asgi(f"{API}/openapi.json", world.client.app)
    auth = {"Authorization": f"Bearer {world.tokens['adam']}"}
    checked = 0

    def call(case: Any) -> None:
        case.headers = {**(case.headers or {}), **auth}
        if case.method in ("PATCH", "DELETE"):
            case.headers.setdefault("If-Match", '"1"')
        if case.path.endswith("/changes") and isinstance(case.query, dict):
            case.query["wait"] = 0
        r = case.call()
        where = (case.method, case.formatted_path, case.query, case.body)
        assert r.status_code < 500, where
        if r.status_code >= 400:
            assert "problem+json" in str(r.headers.get("content-type")), where

    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        raw = operation.definition.raw
        modes = [GenerationMode.POSITIVE]
        if raw.get("parameters") or "requestBody" in raw:  # else nothing can be invalid
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:
            run = settings(
                max_examples=3,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )(given(case=operation.as_strategy(generation_mode=mode))(call))
            try:
                run()
            except Unsatisfiable:  # no invalid request exists (e.g. GET /health)
                assert mode is GenerationMode.NEGATIVE
                continue
            checked += 1
    assert checked >= 45
