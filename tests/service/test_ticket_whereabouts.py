"""Whom to call and where to go: the ticket detail's contact, site address and branch."""

from __future__ import annotations

from service.world import World
from sqlmodel import Session

from dispatch.models import Contact, Customer, Site

WHEREABOUTS = (
    "contact_name",
    "contact_phone",
    "contact_email",
    "site_address",
    "site_city",
    "branch_name",
)


def _contact(world: World, customer_id: int, name: str, phone: str | None) -> int:
    with Session(world.engine) as s:
        contact = Contact(
            customer_id=customer_id, name=name, phone=phone, email=f"{name[:4].lower()}@example.de"
        )
        s.add(contact)
        site = s.get(Site, world.site_id)
        assert site is not None
        site.address, site.city = "Kirchstraße 4", "Warendorf"
        s.add(site)
        s.commit()
        assert contact.id
        return contact.id


def test_the_detail_names_contact_site_address_and_branch(world: World) -> None:
    contact_id = _contact(world, world.customer_id, "Anna Sommer", "+49 2581 123456")
    mine = world.assigned_ticket("tina", contact_id=contact_id)
    want = {
        "contact_name": "Anna Sommer",
        "contact_phone": "+49 2581 123456",
        "contact_email": "anna@example.de",
        "site_address": "Kirchstraße 4",
        "site_city": "Warendorf",
        "branch_name": "Warendorf",
    }
    for who in ("tina", "dana", "lea", "adam"):  # tina: her own ticket
        got = world.ticket(mine["id"], who)
        assert {k: got[k] for k in WHEREABOUTS} == want, who
    # the list stays slim: the queue never carries them
    items = world.get("dana", "/tickets").json()["items"]
    assert all(k not in item for item in items for k in WHEREABOUTS)


def test_a_ticket_without_contact_or_site_says_none(world: World) -> None:
    bare = world.new_ticket(site_id=None)
    got = world.ticket(bare["id"])
    assert {k: got[k] for k in WHEREABOUTS} == dict.fromkeys(WHEREABOUTS)


def test_a_technician_still_cannot_read_other_customers_contacts(world: World) -> None:
    with Session(world.engine) as s:
        other = Customer(number="K-2", name="Kanzlei Berg")
        s.add(other)
        s.commit()
        other_id = other.id
    assert other_id
    theirs_contact = _contact(world, other_id, "Bernd Berg", "+49 6033 999")
    theirs = world.assigned_ticket(
        "otto", customer_id=other_id, site_id=None, contact_id=theirs_contact
    )
    # otto's ticket: not tina's to see, so neither are its contact nor its customer
    assert world.get("tina", f"/tickets/{theirs['id']}").status_code == 404
    assert world.get("tina", f"/customers/{other_id}").status_code == 404
    for item in world.get("tina", "/customers").json()["items"]:
        assert "Bernd Berg" not in str(item)
    # and her own ticket's detail names her customer's contact only
    mine = world.assigned_ticket("tina")
    assert "Bernd" not in str(world.ticket(mine["id"], "tina"))
    assert world.ticket(theirs["id"], "otto")["contact_name"] == "Bernd Berg"
