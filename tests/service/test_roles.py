"""Who may do what: every cell of the DESIGN.md role table, generated from permissions.TABLE.

Forbidden is 403; another user's object a role may not see is 404. For technicians each
ticket action is tried on their own ticket and on a colleague's.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from httpx import Response
from service.world import API, PROBLEM, Json, World
from sqlmodel import Session, select

from dispatch.domain.permissions import TABLE, Action, allowed, sees_all
from dispatch.domain.types import Role
from dispatch.models import ApiToken, Customer, IdempotencyRecord

PEOPLE: dict[str, Role] = {
    "tina": Role.TECHNICIAN,
    "dana": Role.DISPATCHER,
    "lea": Role.TEAM_LEAD,
    "adam": Role.ADMIN,
}


_days = itertools.count(1)


def _slot() -> dict[str, str]:
    """A slot on a day no other case uses, so bookings never clash by accident."""
    day = date(2030, 3, 4) + timedelta(days=next(_days))
    return {"start": f"{day}T13:00:00+01:00", "end": f"{day}T14:00:00+01:00"}


def _tech(world: World, own: bool) -> int:
    return world.tech_id if own else world.other_tech_id


def _ticket(world: World, own: bool) -> Json:
    """A ticket assigned to tina (own for the technician) or to otto (someone else's)."""
    return world.assigned_ticket("tina" if own else "otto")


@dataclass(frozen=True)
class Case:
    """One kind of request that needs `action`; `run` prepares its objects and sends it."""

    name: str
    action: Action
    ok: int
    run: Callable[[World, str, bool], Response]
    scoped: bool = True  # concerns a ticket or calendar that may be the caller's own


def _view(w: World, who: str, own: bool) -> Response:
    return w.get(who, f"/tickets/{_ticket(w, own)['id']}")


def _intake(w: World, who: str, own: bool) -> Response:
    return w.post(who, "/tickets", {"title": "from the field", "customer_id": w.customer_id})


def _comment(w: World, who: str, own: bool) -> Response:
    return w.post(who, f"/tickets/{_ticket(w, own)['id']}/comments", {"body": "note"})


def _status(w: World, who: str, own: bool) -> Response:
    t = _ticket(w, own)
    return w.patch(who, t, status="in_progress")


def _assign(w: World, who: str, own: bool) -> Response:
    t = _ticket(w, own)
    return w.post(who, f"/tickets/{t['id']}/assignment", {"technician_id": w.tech_id})


def _assign_with_slot(w: World, who: str, own: bool) -> Response:
    t = _ticket(w, own)
    body = {"technician_id": _tech(w, own), "slot": _slot()}
    return w.post(who, f"/tickets/{t['id']}/assignment", body)


def _prioritise(w: World, who: str, own: bool) -> Response:
    return w.patch(who, _ticket(w, own), priority="P1")


def _reassign(w: World, who: str, own: bool) -> Response:
    return w.patch(who, _ticket(w, own), assignee_id=w.other_tech_id)


def _retitle(w: World, who: str, own: bool) -> Response:
    return w.patch(who, _ticket(w, own), title="renamed")


def _book(w: World, who: str, own: bool) -> Response:
    return w.book(who, technician_id=_tech(w, own), **_slot())


def _move(w: World, who: str, own: bool) -> Response:
    appt = w.book("dana", technician_id=_tech(w, own), **_slot()).json()
    r: Response = w.client.patch(
        f"{API}/appointments/{appt['id']}", json={"note": "moved"}, headers=w.hm(who, 1)
    )
    return r


def _cancel(w: World, who: str, own: bool) -> Response:
    appt = w.book("dana", technician_id=_tech(w, own), **_slot()).json()
    r: Response = w.client.delete(f"{API}/appointments/{appt['id']}", headers=w.hm(who, 1))
    return r


def _flag(w: World, who: str, own: bool) -> Response:
    t = _ticket(w, own)
    return w.post(who, f"/tickets/{t['id']}/escalations", {"reason": "vendor_stuck"})


def _acknowledge(w: World, who: str, own: bool) -> Response:
    esc = w.escalate(_ticket(w, own))
    r: Response = w.client.patch(
        f"{API}/escalations/{esc['id']}", json={"status": "acknowledged"}, headers=w.hm(who, 1)
    )
    return r


def _relevel(w: World, who: str, own: bool) -> Response:
    esc = w.escalate(_ticket(w, own))
    r: Response = w.client.patch(
        f"{API}/escalations/{esc['id']}",
        json={"level": 2, "note": "vendor silent"},
        headers=w.hm(who, 1),
    )
    return r


def _list_users(w: World, who: str, own: bool) -> Response:
    return w.get(who, "/users")


def _add_user(w: World, who: str, own: bool) -> Response:
    return w.post(
        who, "/users", {"name": f"new-{who}", "display_name": "New", "role": "technician"}
    )


def _someone(w: World) -> int:
    name = f"user{next(_days)}"
    made = w.post("adam", "/users", {"name": name, "display_name": name, "role": "dispatcher"})
    assert made.status_code == 201, made.text
    return int(made.json()["user"]["id"])


def _revoke(w: World, who: str, own: bool) -> Response:
    return w.post(who, f"/users/{_someone(w)}/revoke")


def _issue(w: World, who: str, own: bool) -> Response:
    return w.post(who, f"/users/{_someone(w)}/tokens")


def _read_customer(w: World, who: str, own: bool) -> Response:
    """The full record of a customer of tina's ticket (own) or of otto's only."""
    with Session(w.engine) as s:
        customer = Customer(number=f"K-R{next(_days)}", name="Kanzlei")
        s.add(customer)
        s.commit()
        customer_id = customer.id
    w.assigned_ticket("tina" if own else "otto", customer_id=customer_id, site_id=None)
    return w.get(who, f"/customers/{customer_id}")


def _directory(w: World, who: str, own: bool) -> Response:
    return w.get(who, "/customers/directory", q="K-")


CASES = [
    Case("view a ticket", Action.SEE_ALL_TICKETS, 200, _view),
    Case("intake", Action.INTAKE, 201, _intake, scoped=False),
    Case("comment", Action.COMMENT, 201, _comment),
    Case("set the status", Action.SET_STATUS, 200, _status),
    Case("assign", Action.ASSIGN, 200, _assign),
    Case("assign and book", Action.ASSIGN, 200, _assign_with_slot),
    Case("prioritise", Action.ASSIGN, 200, _prioritise),
    Case("reassign by patch", Action.ASSIGN, 200, _reassign),
    Case("retitle", Action.ASSIGN, 200, _retitle),
    Case("book a calendar", Action.ASSIGN, 201, _book, scoped=False),
    Case("move an appointment", Action.ASSIGN, 200, _move),
    Case("cancel an appointment", Action.ASSIGN, 204, _cancel),
    Case("flag an escalation", Action.FLAG_ESCALATION, 201, _flag),
    Case("acknowledge an escalation", Action.MANAGE_ESCALATION, 200, _acknowledge),
    Case("re-level an escalation", Action.MANAGE_ESCALATION, 200, _relevel),
    Case("list users", Action.MANAGE_USERS, 200, _list_users, scoped=False),
    Case("add a user", Action.MANAGE_USERS, 201, _add_user, scoped=False),
    Case("revoke tokens", Action.MANAGE_USERS, 200, _revoke, scoped=False),
    Case("issue a token", Action.MANAGE_USERS, 201, _issue, scoped=False),
    Case("read a customer", Action.READ_CUSTOMERS, 200, _read_customer),
    Case("search the customer directory", Action.CUSTOMER_DIRECTORY, 200, _directory, scoped=False),
]


def expected(case: Case, role: Role, own: bool) -> int:
    """The answer DESIGN.md's table prescribes for `role` trying `case`."""
    if case.scoped and not own and not sees_all(role):
        return 404  # not even visible to this role
    mine = own if case.scoped else case.action is Action.INTAKE
    return case.ok if allowed(role, case.action, own=mine) else 403


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
    assert world.post("adam", "/users/999/revoke").status_code == 404
    assert world.post("adam", "/users/999/tokens").status_code == 404


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
