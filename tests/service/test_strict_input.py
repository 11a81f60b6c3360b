"""What the schema calls wrong is refused even where Python would coerce it."""

from __future__ import annotations

from service.world import World


def test_true_is_not_a_number(world: World) -> None:
    r = world.client.post(
        "/api/v1/tickets",
        json={"title": "x", "customer_id": world.customer_id, "site_id": True},
        headers=world.h("dana"),
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    ticket = world.new_ticket()
    assigned = world.client.post(
        f"/api/v1/tickets/{ticket['id']}/assignment",
        json={"technician_id": True},
        headers=world.h("dana"),
    )
    assert assigned.status_code == 422, assigned.text


def test_a_single_value_parameter_given_twice_is_refused(world: World) -> None:
    r = world.client.get("/api/v1/customers?q=a&q=b", headers=world.h("dana"))
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"].endswith("q")
    # list parameters may repeat
    ok = world.client.get("/api/v1/tickets?status=new&status=triaged", headers=world.h("dana"))
    assert ok.status_code == 200, ok.text


def test_repeated_parameters_without_a_token_are_401(world: World) -> None:
    r = world.client.get("/api/v1/customers?q=a&q=b")
    assert r.status_code == 401


def test_a_parameter_without_a_name_is_refused(world: World) -> None:
    """`?cursor=0&=null` (schemathesis found it): a value that names no parameter is 422,
    and without a token 401 as ever."""
    r = world.client.get("/api/v1/customers/directory?cursor=0&=null", headers=world.h("tina"))
    assert r.status_code == 422, r.text
    assert "needs a name" in r.text
    assert world.client.get("/api/v1/customers/directory?=null").status_code == 401
