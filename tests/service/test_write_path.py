"""The one write path: every write endpoint goes through `@write_endpoint`, and it checks
what it needs of an endpoint when the module is imported, not at the first request."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from service.world import API, PROBLEM, World

from dispatch.models import IdempotencyRecord
from dispatch.server.http.app import ROUTES
from dispatch.server.http.deps import CallerDep, WriteSessionDep
from dispatch.server.http.write_path import write_endpoint
from dispatch.server.http.writes import WriteResult

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
QUEUED = "write_endpoint.<locals>.queued"  # the code of every endpoint @write_endpoint made


def test_every_write_route_runs_through_the_write_path() -> None:
    routes = [r for m in ROUTES for r in m.router.routes if isinstance(r, APIRoute)]
    writes = [r for r in routes if (r.methods or set()) & WRITE_METHODS]
    assert len(writes) >= 10
    for route in writes:
        assert route.endpoint.__code__.co_qualname == QUEUED, route.path
    for route in routes:
        if not (route.methods or set()) & WRITE_METHODS:
            assert route.endpoint.__code__.co_qualname != QUEUED, route.path


def test_an_endpoint_without_one_write_session_and_one_caller_is_refused_at_import() -> None:
    def no_session(caller: CallerDep) -> WriteResult:
        return WriteResult(200, {})

    def no_caller(session: WriteSessionDep) -> WriteResult:
        return WriteResult(200, {})

    def two_sessions(a: WriteSessionDep, b: WriteSessionDep, caller: CallerDep) -> WriteResult:
        return WriteResult(200, {})

    with pytest.raises(TypeError, match="one WriteSessionDep"):
        write_endpoint(no_session)
    with pytest.raises(TypeError, match="one CallerDep"):
        write_endpoint(no_caller)
    with pytest.raises(TypeError, match="one WriteSessionDep"):
        write_endpoint(two_sessions)


def test_a_dry_run_with_a_malformed_idempotency_key_is_422_and_changes_nothing(
    world: World,
) -> None:
    t = world.new_ticket()
    events = world.event_count()
    r = world.client.post(
        f"{API}/tickets/{t['id']}/assignment?dry_run=true",
        json={"technician_id": world.tech_id},
        headers=world.h("dana", **{"Idempotency-Key": "k" * 201}),
    )
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    assert "Idempotency-Key" in r.json()["detail"]
    assert world.ticket(t["id"])["assignee_id"] is None
    assert world.event_count() == events
    assert world.rows(IdempotencyRecord) == 0
