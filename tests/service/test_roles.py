"""Who may do what: every cell of the DESIGN.md role table, generated from permissions.TABLE.

Forbidden is 403; another user's object a role may not see is 404. For technicians each
ticket action is tried on their own ticket and on a colleague's.
"""

from __future__ import annotations

import hashlib
import re

import pytest
from service.roles_cases import CASES, PEOPLE, Case, expected
from service.world import API, NO_SUCH_ID, PROBLEM, World
from sqlmodel import Session, select

from dispatch.domain.permissions import TABLE
from dispatch.domain.types import Role
from dispatch.models import ApiToken, IdempotencyRecord


def test_the_people_cover_every_role_and_the_cases_every_action() -> None:
    assert set(PEOPLE.values()) == set(Role)
    assert {c.action for c in CASES} == set(TABLE)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_role_table(world: World, case: Case) -> None:
    cells = [(who, role, own) for who, role in PEOPLE.items() for own in (True, False)]
    wrong = []
    for who, role, own in cells:
        if role is not Role.TECHNICIAN and not own:
            continue  # "own" only distinguishes technicians
        r = case.run(world, who, own)
        want = expected(case, role, own)
        if r.status_code != want:
            wrong.append(f"{who} ({'own' if own else 'other'}): {r.status_code} != {want} {r.text}")
        elif r.status_code >= 400:
            assert r.headers["content-type"] == PROBLEM
    assert not wrong, "\n".join(wrong)


def test_refused_requests_change_nothing(world: World) -> None:
    mine = world.assigned_ticket("tina")
    events = world.event_count()
    assert world.patch("tina", mine, priority="P1").status_code == 403
    assert world.patch("tina", mine, status="in_progress", title="x").status_code == 403
    assert (
        world.post("tina", f"/tickets/{mine['id']}/assignment", {"technician_id": 1}).status_code
        == 403
    )
    assert (
        world.post(
            "dana", "/users", {"name": "x", "display_name": "X", "role": "admin"}
        ).status_code
        == 403
    )
    assert world.event_count() == events
    assert world.ticket(mine["id"])["version"] == mine["version"]


def test_technicians_list_only_their_own_work(world: World) -> None:
    mine = world.assigned_ticket("tina")
    theirs = world.assigned_ticket("otto")
    world.new_ticket()  # unassigned
    world.escalate(mine)
    their_escalation = world.escalate(theirs)
    my_appt = world.book(technician_id=world.tech_id).json()
    their_appt = world.book(technician_id=world.other_tech_id).json()

    items = world.get("tina", "/tickets").json()["items"]
    assert [t["id"] for t in items] == [mine["id"]]
    assert world.get("tina", "/tickets", assignee=str(world.other_tech_id)).json()["items"] == []
    escalations = world.get("tina", "/escalations").json()["items"]
    assert [e["ticket_id"] for e in escalations] == [mine["id"]]
    week = {"start": "2030-03-04T00:00:00+01:00", "end": "2030-03-11T00:00:00+01:00"}
    appts = world.get("tina", "/appointments", **week).json()["items"]
    assert [a["id"] for a in appts] == [my_appt["id"]]

    assert world.get("tina", f"/escalations/{their_escalation['id']}").status_code == 404
    assert world.get("tina", f"/appointments/{their_appt['id']}").status_code == 404
    assert world.get("tina", f"/appointments/{my_appt['id']}").status_code == 200
    assert (
        world.get("tina", f"/technicians/{world.other_tech_id}/calendar", **week).status_code == 404
    )
    assert world.get("tina", f"/technicians/{world.tech_id}/calendar", **week).status_code == 200
    # Everyone else sees everything.
    assert len(world.get("dana", "/tickets").json()["items"]) == 3


def test_me(world: World) -> None:
    for who, role in PEOPLE.items():
        r = world.get(who, "/me")
        assert r.status_code == 200
        me = r.json()
        assert (me["user"]["name"], me["role"]) == (who, role.value)
        assert me["technician_id"] == (world.tech_id if who == "tina" else None)
        assert "token" not in str(me)
        assert r.headers["etag"].startswith('"')


def _api_routes(world: World) -> list[tuple[str, str]]:
    """Every operation of the OpenAPI document, path parameters filled with 1."""
    schema = world.client.app.openapi()  # type: ignore[attr-defined]
    out: list[tuple[str, str]] = []
    for path, operations in schema["paths"].items():
        if path.endswith("/health"):
            continue
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        out.extend((method.upper(), concrete) for method in operations)
    return out


def test_every_endpoint_but_health_needs_a_live_token(world: World) -> None:
    routes = _api_routes(world)
    assert len(routes) >= 20
    bad = [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": f"Basic {world.tokens['adam']}"},
        {"Authorization": world.tokens["adam"]},
    ]
    for method, path in routes:
        for headers in bad:
            r = world.client.request(method, path, headers=headers)
            assert r.status_code == 401, (method, path, headers, r.text)
            assert r.headers["content-type"] == PROBLEM
            assert r.headers["www-authenticate"] == "Bearer"
    assert world.client.get(f"{API}/health").status_code == 200


def test_revoked_tokens_stop_working_and_new_ones_do(world: World) -> None:
    tina = world.get("adam", "/me").json()  # warm-up, and adam is fine
    assert tina["role"] == "admin"
    users = {u["name"]: u["id"] for u in world.get("adam", "/users").json()["items"]}
    assert world.post("adam", f"/users/{users['tina']}/revoke").status_code == 200
    assert world.get("tina", "/me").status_code == 401
    issued = world.post("adam", f"/users/{users['tina']}/tokens")
    assert issued.status_code == 201
    token = issued.json()["token"]
    r = world.client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert r.json()["user"]["name"] == "tina"
    assert world.get("tina", "/me").status_code == 401  # the old one stays revoked


def test_a_new_users_token_works_and_is_stored_only_as_a_hash(world: World) -> None:
    r = world.post(
        "adam",
        "/users",
        {"name": "fritz", "display_name": "Fritz", "role": "dispatcher"},
        **{"Idempotency-Key": "new-user"},
    )
    assert r.status_code == 201
    token = r.json()["token"]
    assert token and len(token) >= 32
    me = world.client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["user"]["name"] == "fritz"
    # A replay must not hand out (or have stored) the secret.
    again = world.post(
        "adam",
        "/users",
        {"name": "fritz", "display_name": "Fritz", "role": "dispatcher"},
        **{"Idempotency-Key": "new-user"},
    )
    assert again.status_code == 201
    assert again.json()["token"] is None
    assert again.json()["user"] == r.json()["user"]
    with Session(world.engine) as s:
        hashes = s.exec(select(ApiToken.token_hash)).all()
        assert hashlib.sha256(token.encode()).hexdigest() in hashes
        assert token not in hashes
        stored = " ".join(rec.body for rec in s.exec(select(IdempotencyRecord)).all())
        assert token not in stored
    for name, role in PEOPLE.items():
        assert world.tokens[name] not in str(world.changes("adam")), role


def test_user_management_input_is_checked(world: World) -> None:
    body = {"name": "dana", "display_name": "Again", "role": "dispatcher"}
    assert world.post("adam", "/users", body).status_code == 409
    for bad in [
        {"name": "Has Spaces", "display_name": "x", "role": "dispatcher"},
        {"name": "ok", "display_name": "x", "role": "overlord"},
        {"name": "ok", "display_name": "x", "role": "dispatcher", "active": False},
    ]:
        r = world.post("adam", "/users", bad)
        assert r.status_code == 422, bad
    assert world.post("adam", f"/users/{NO_SUCH_ID}/revoke").status_code == 404
    assert world.post("adam", f"/users/{NO_SUCH_ID}/tokens").status_code == 404


def test_a_technician_user_without_a_profile_cannot_create_invisible_tickets(
    world: World,
) -> None:
    made = world.post("adam", "/users", {"name": "nova", "display_name": "N", "role": "technician"})
    token = made.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    body = {"title": "x", "customer_id": world.customer_id}
    r = world.client.post(f"{API}/tickets", json=body, headers=headers)
    assert r.status_code == 403
    assert "technician profile" in r.json()["detail"]
    assert world.client.get(f"{API}/tickets", headers=headers).json()["items"] == []
