"""Issue 16.7 and 16.8, kept fixed: customer records, technicians' intake priority and
escalation level, the last admin's token, and the admin named on tokens they issued."""

from __future__ import annotations

from collections.abc import Callable

from service.world import API, MakeWorld, World
from sqlmodel import Session, col, func, select

from dispatch.domain.types import ContractKind
from dispatch.models import Contact, Contract, Customer, Ticket


def _tickets(world: World) -> int:
    with Session(world.engine) as s:
        return int(s.exec(select(func.count()).select_from(Ticket)).one())


def test_a_technicians_intake_takes_the_default_priority(
    make_trust_world: MakeWorld, figure: Callable[[str], None]
) -> None:
    world = make_trust_world()
    body = {"title": "from the field", "customer_id": world.customer_id}
    before = _tickets(world)
    refused = 0
    for priority in ("P1", "P2", "P4"):
        r = world.post("tina", "/tickets", {**body, "priority": priority})
        assert r.status_code == 403, r.text
        assert "priority" in r.json()["detail"]
        refused += 1
    assert _tickets(world) == before  # nothing was taken in
    assert world.post("tina", "/tickets", body).json()["priority"] == "P3"
    assert world.post("tina", "/tickets", {**body, "priority": "P3"}).status_code == 201
    assert world.post("dana", "/tickets", {**body, "priority": "P1"}).json()["priority"] == "P1"
    # and their escalations are level 1: level 2 would make it a P1 and call in management
    own = world.post("tina", "/tickets", body).json()
    r = world.post("tina", f"/tickets/{own['id']}/escalations", {"reason": "other", "level": 2})
    assert r.status_code == 403
    assert "level" in r.json()["detail"]
    assert world.ticket(own["id"])["priority"] == "P3"
    raised = world.post("tina", f"/tickets/{own['id']}/escalations", {"reason": "other"})
    assert raised.json()["level"] == 1
    figure(
        f"technician prioritising: {refused} intakes with P1/P2/P4 and 1 level-2 escalation, "
        f"{refused + 1} refused (403), 0 tickets or escalations written"
    )


def test_the_last_admin_cannot_lock_every_admin_out(
    make_trust_world: MakeWorld, figure: Callable[[str], None]
) -> None:
    world = make_trust_world()
    adam = world.get("adam", "/me").json()["user"]["id"]
    r = world.post("adam", f"/users/{adam}/revoke")
    assert r.status_code == 409
    assert "only admin" in r.json()["detail"]
    assert world.get("adam", "/users").status_code == 200  # still works

    made = world.post("adam", "/users", {"name": "ada", "display_name": "Ada", "role": "admin"})
    ada = made.json()["user"]["id"]
    world.tokens["ada"] = made.json()["token"]
    assert world.post("adam", f"/users/{adam}/revoke").status_code == 200  # ada remains
    assert world.get("adam", "/users").status_code == 401
    assert world.post("ada", f"/users/{ada}/revoke").status_code == 409
    assert world.post("ada", f"/users/{adam}/revoke").status_code == 200  # nothing live: no harm
    assert world.get("ada", "/users").status_code == 200
    figure(
        "last admin: revoking the only live admin token 2 x 409 (the admin still works), "
        "with a second admin 200; always 1 admin with a live token"
    )


def test_events_written_with_an_issued_token_name_the_admin_too(
    make_trust_world: MakeWorld, figure: Callable[[str], None]
) -> None:
    world = make_trust_world()
    ticket = world.assigned_ticket("tina")
    tina = world.get("adam", "/users").json()["items"]
    tina_id = next(u["id"] for u in tina if u["name"] == "tina")
    issued = world.post("adam", f"/users/{tina_id}/tokens")
    assert issued.status_code == 201
    world.tokens["tina-by-adam"] = issued.json()["token"]
    made = world.post(
        "adam", "/users", {"name": "tom", "display_name": "Tom", "role": "dispatcher"}
    )
    world.tokens["tom"] = made.json()["token"]
    adam = world.get("adam", "/me").json()["user"]["id"]
    world.tokens["adam-own"] = world.post("adam", f"/users/{adam}/tokens").json()["token"]

    since = world.changes()["last_seq"]
    for who in ("tina", "tina-by-adam", "tom", "adam-own"):
        r = world.post(who, f"/tickets/{ticket['id']}/comments", {"body": f"from {who}"})
        assert r.status_code == 201, r.text
    events = world.changes(since=since)["changes"]
    assert [(e["actor"], e["issued_by"]) for e in events] == [
        ("tina", None),
        ("tina", "adam"),
        ("tom", "adam"),
        ("adam", None),  # his own token, issued by himself
    ]
    history = world.ticket(ticket["id"])["history"]
    assert ("tina", "adam") in {(e["actor"], e["issued_by"]) for e in history}
    named = sum(1 for e in events if e["issued_by"] == "adam")
    figure(
        f"issued tokens: {len(events)} writes with 4 tokens; the {named} made with tokens an "
        "admin issued for someone else name actor and issued_by, the 2 others issued_by null"
    )


def test_a_technician_reads_no_customer_but_their_own(
    make_trust_world: MakeWorld, figure: Callable[[str], None]
) -> None:
    world = make_trust_world()
    with Session(world.engine) as s:
        for i in range(20):
            c = Customer(number=f"K-9{i:02d}", name=f"Kunde {i}")
            s.add(c)
            s.flush()
            assert c.id is not None
            s.add(
                Contract(
                    customer_id=c.id, kind=ContractKind.CONTINGENT, contingent_hours_per_month=10
                )
            )
            s.add(Contact(customer_id=c.id, name=f"Kontakt {i}", email=f"k{i}@example.com"))
        s.commit()
        ids = list(s.exec(select(Customer.id).order_by(col(Customer.id))).all())
    world.assigned_ticket("tina", customer_id=ids[5], site_id=None)
    world.assigned_ticket("otto", customer_id=ids[6], site_id=None)
    top = max(i for i in ids if i is not None) + 5
    readable = [i for i in range(1, top) if world.get("tina", f"/customers/{i}").status_code == 200]
    assert readable == [ids[5]]
    listed = world.get("tina", "/customers", limit=500).json()["items"]
    assert [c["id"] for c in listed] == [ids[5]]
    directory = world.get("tina", "/customers/directory", limit=500)
    assert len(directory.json()["items"]) == len(ids)
    for secret in ("Kontakt", "@example.com", "contingent", "contracts"):
        assert secret not in directory.text
    r = world.client.get(
        f"{API}/customers/directory", params={"q": "Kunde 1"}, headers=world.h("tina")
    )
    assert {c["name"] for c in r.json()["items"]} >= {"Kunde 1", "Kunde 10"}
    figure(
        f"customer records: a technician tried ids 1-{top - 1}, read {len(readable)} "
        f"(their own ticket's customer) of {len(ids)}; the directory lists all {len(ids)} "
        "without contacts, contracts or balances"
    )
