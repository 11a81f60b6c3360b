"""First contact: health, auth, intake, read back."""

from __future__ import annotations

from service.world import World


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
