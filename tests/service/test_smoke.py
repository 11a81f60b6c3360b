"""First contact: health, auth, intake, read back."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from service.world import World
from sqlalchemy import Engine

from dispatch.domain import sla
from dispatch.domain.types import StateCode
from dispatch.server.http.app import create_app
from dispatch.settings import Settings


def test_health_needs_no_token(world: World) -> None:
    r = world.client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_intake_and_read(world: World) -> None:
    t = world.new_ticket(priority="P2", tags=["Firewall"])
    assert t["number"] >= 100_000
    assert t["status"] == "new"
    assert t["tags"] == ["firewall"]
    assert t["first_response_due"] > t["received_at"]
    r = world.client.get(f"/api/v1/tickets/{t['id']}", headers=world.h("dana"))
    assert r.status_code == 200
    assert r.headers["etag"] == '"1"'
    assert r.json()["history"][0]["op"] == "create"


def test_the_service_builds_the_holiday_calendars_when_it_starts(db: Engine) -> None:
    """The first write would otherwise load every country of the holidays package (0.3 s)."""
    sla._holidays.cache_clear()
    with TestClient(create_app(Settings(), engine=db, create=False)):
        deadline = time.monotonic() + 10
        while sla._holidays.cache_info().currsize < 3 * len(StateCode):
            assert time.monotonic() < deadline, sla._holidays.cache_info()
            time.sleep(0.01)
