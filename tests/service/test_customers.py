"""/customers: sites, contacts, contracts, support profile and contingent balance."""

from __future__ import annotations

from service.world import PROBLEM, Json, World
from sqlmodel import Session

from dispatch.domain.types import ContractKind, SupportProfile
from dispatch.models import Contact, Contract, Customer, Site


def _add_customers(world: World, names: list[str]) -> list[int]:
    ids = []
    with Session(world.engine) as s:
        for i, name in enumerate(names):
            c = Customer(number=f"K-{100 + i}", name=name, contingent_balance_minutes=-30 * i)
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
            )
        )
        s.commit()
    r = world.get("tina", f"/customers/{world.customer_id}")
    assert r.status_code == 200
    c = r.json()
    assert (c["number"], c["name"]) == ("K-1", "Bäckerei Sonnenschein")
    assert c["support_profile"] == "extended"  # the widest profile bought
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
