"""/customers: sites, contacts, contracts, support profile and contingent balance."""

from __future__ import annotations

from datetime import UTC, datetime

from service.contingent_world import add_contingent, approve_work
from service.world import PROBLEM, Json, World
from sqlmodel import Session

from dispatch.domain.types import ContractKind, SupportProfile
from dispatch.models import Contact, Contract, Customer, Site


def _add_customers(world: World, names: list[str]) -> list[int]:
    ids = []
    with Session(world.engine) as s:
        for i, name in enumerate(names):
            c = Customer(number=f"K-{100 + i}", name=name)
            s.add(c)
            s.flush()
            assert c.id is not None
            ids.append(c.id)
        s.commit()
    return ids


def test_a_customer_with_sites_contacts_contracts_and_profile(world: World) -> None:
    with Session(world.engine) as s:
        s.add(Contact(customer_id=world.customer_id, name="Frau Sonne", notify_new=True))
        s.add(
            Contract(
                customer_id=world.customer_id,
                kind=ContractKind.MANAGED_SERVICES,
                support_profile=SupportProfile.EXTENDED,
                contingent_hours_per_month=10,
                # said explicitly: by default managed services cover monitoring alerts only
                coverage={"kinds": None, "sources": None},
            )
        )
        s.commit()
    world.assigned_ticket("tina")  # her customer now: she reads the full record too
    r = world.get("tina", f"/customers/{world.customer_id}")
    assert r.status_code == 200
    assert r.json() == world.get("dana", f"/customers/{world.customer_id}").json()
    c = r.json()
    assert (c["number"], c["name"]) == ("K-1", "Bäckerei Sonnenschein")
    assert c["support_profile"] == "extended"  # the widest profile covering a request
    assert [s["name"] for s in c["sites"]] == ["Hauptfiliale"]
    assert [k["name"] for k in c["contacts"]] == ["Frau Sonne"]
    assert {k["kind"] for k in c["contracts"]} == {"cooperation", "managed_services"}
    assert c["contingent_balance_minutes"] == 0
    assert r.headers["etag"].startswith('"')


def test_the_etag_follows_the_representation(world: World) -> None:
    url = f"/customers/{world.customer_id}"
    first = world.get("dana", url).headers["etag"]
    assert world.get("lea", url).headers["etag"] == first
    with Session(world.engine) as s:
        s.add(Site(customer_id=world.customer_id, name="Filiale Nord", branch_id=world.branch_id))
        s.commit()
    assert world.get("dana", url).headers["etag"] != first


def test_unknown_customer_is_404(world: World) -> None:
    r = world.get("dana", "/customers/4242")
    assert r.status_code == 404
    assert r.headers["content-type"] == PROBLEM


def test_list_search_and_pages(world: World) -> None:
    ids = _add_customers(world, ["Zahnarzt Dr. Weiß", "Autohaus Mertens", "100% Bio Markt"])
    for i, customer_id in enumerate(ids[1:], start=1):
        # a contingent of no hours, overdrawn by i half hours: the list shows the ledger
        add_contingent(world, customer_id, hours=0)
        ticket = world.new_ticket(customer_id=customer_id, site_id=None)["id"]
        approve_work(world, ticket, 30 * i, datetime.now(UTC))
    everyone = [world.customer_id, *ids]
    r = world.get("dana", "/customers")
    assert r.status_code == 200
    page: Json = r.json()
    assert [c["id"] for c in page["items"]] == everyone
    assert page["next_cursor"] is None
    assert [c["id"] for c in world.get("dana", "/customers", q="autohaus").json()["items"]] == [
        ids[1]
    ]
    assert [c["id"] for c in world.get("dana", "/customers", q="K-102").json()["items"]] == [ids[2]]
    assert [c["id"] for c in world.get("dana", "/customers", q="%").json()["items"]] == [ids[2]]
    seen: list[int] = []
    cursor: str | None = None
    while True:
        params: dict[str, object] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = world.get("dana", "/customers", **params).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everyone
    balances = {c["id"]: c["contingent_balance_minutes"] for c in page["items"]}
    assert balances[ids[2]] == -60
    listed = world.get("dana", "/customers").json()["items"]
    assert [c["contingent_balance_minutes"] for c in listed] == [0, 0, -30, -60]


def _with_contact(world: World, name: str) -> int:
    """A customer with a contact and a balance, and no ticket of anybody's yet."""
    with Session(world.engine) as s:
        c = Customer(number=f"K-{name[:6]}", name=name)
        s.add(c)
        s.flush()
        assert c.id is not None
        s.add(Contact(customer_id=c.id, name="Herr Geheim", email="g@example.com", phone="0251"))
        s.add(Site(customer_id=c.id, name="Zentrale", city="Münster", branch_id=world.branch_id))
        s.commit()
        return c.id


def test_a_technician_reads_only_the_customers_of_their_own_tickets(world: World) -> None:
    """Issue 16.7: no contacts, contracts or balances of customers that are not theirs."""
    other = _with_contact(world, "Steuerkanzlei Adler")
    mine = _with_contact(world, "Autohaus Mertens")
    booked = _with_contact(world, "Zahnarzt Dr. Weiss")
    assert [c["id"] for c in world.get("tina", "/customers").json()["items"]] == []
    for customer in (other, mine, booked, world.customer_id):
        assert world.get("tina", f"/customers/{customer}").status_code == 404
    world.assigned_ticket("tina", customer_id=mine, site_id=None)
    job = world.new_ticket(customer_id=booked, site_id=None)
    slot = {"start": "2030-03-04T09:00:00+01:00", "end": "2030-03-04T10:00:00+01:00"}
    assert world.book(ticket_id=job["id"], **slot).status_code == 201
    world.assigned_ticket("otto", customer_id=other, site_id=None)

    listed = world.get("tina", "/customers").json()["items"]
    assert [c["id"] for c in listed] == [mine, booked]
    assert listed[0]["contacts"][0]["email"] == "g@example.com"
    assert world.get("tina", f"/customers/{mine}").status_code == 200
    assert world.get("tina", f"/customers/{booked}").status_code == 200
    r = world.get("tina", f"/customers/{other}")
    assert r.status_code == 404
    assert "Herr Geheim" not in r.text
    # the office reads every full record as before
    assert len(world.get("dana", "/customers").json()["items"]) == 4
    assert world.get("otto", f"/customers/{other}").status_code == 200


def test_the_directory_finds_any_customer_without_contacts_or_money(world: World) -> None:
    """A VIP-hotline call goes straight to a technician: they find the caller's customer by
    name or number and take the ticket, seeing nothing more of it."""
    adler = _with_contact(world, "Steuerkanzlei Adler")
    for who in ("tina", "dana", "lea", "adam"):
        r = world.get(who, "/customers/directory", q="adler")
        assert r.status_code == 200, who
        assert r.json() == {
            "items": [
                {
                    "id": adler,
                    "number": "K-Steuer",
                    "name": "Steuerkanzlei Adler",
                    "sites": [
                        {
                            "id": r.json()["items"][0]["sites"][0]["id"],
                            "name": "Zentrale",
                            "city": "Münster",
                        }
                    ],
                    "vip_hotline": False,
                }
            ],
            "next_cursor": None,
        }
    assert "Herr Geheim" not in world.get("tina", "/customers/directory").text
    found = world.get("tina", "/customers/directory", q="K-1").json()["items"]
    assert [c["id"] for c in found] == [world.customer_id]
    first = world.get("tina", "/customers/directory", limit=1).json()
    assert first["next_cursor"] == str(world.customer_id)
    rest = world.get("tina", "/customers/directory", cursor=first["next_cursor"]).json()
    assert [c["id"] for c in rest["items"]] == [adler]
    # with it the technician takes the caller's ticket
    site = found[0]["sites"][0]["id"]
    t = world.new_ticket("tina", customer_id=world.customer_id, site_id=site)
    assert t["assignee_id"] == world.tech_id
    assert world.get("tina", f"/customers/{world.customer_id}").status_code == 200
