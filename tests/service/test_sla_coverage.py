"""Which contract sets a ticket's clock: coverage by kind and source, widest profile wins,
the targets of that contract; what tickets and customers say about it (both databases)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from service.world import Clock, Json, World
from sqlmodel import Session, select

from dispatch.domain.sla import BERLIN
from dispatch.domain.types import ContractKind, SupportProfile
from dispatch.models import Branch, Contract, Customer, Site

MONITORING_ALERT = {"kind": "monitoring", "source": "monitoring"}
SERVICE_REQUEST = {"kind": "request", "source": "email"}


def _customer(world: World, name: str, *contracts: dict[str, Any]) -> tuple[int, list[int]]:
    """A customer with `contracts` and one site served by tina's branch (NW)."""
    with Session(world.engine) as s:
        c = Customer(number=f"K-{name[:8]}", name=name)
        s.add(c)
        s.flush()
        assert c.id is not None
        made = [Contract(customer_id=c.id, **k) for k in contracts]
        s.add_all(made)
        s.add(Site(customer_id=c.id, name="Main", branch_id=world.branch_id))
        s.commit()
        return c.id, [k.id for k in made if k.id is not None]


def _cooperation(**more: Any) -> dict[str, Any]:
    return {"kind": ContractKind.COOPERATION, **more}


def _managed(**more: Any) -> dict[str, Any]:
    return {
        "kind": ContractKind.MANAGED_SERVICES,
        "support_profile": SupportProfile.ALWAYS,
        **more,
    }


def _first_due(t: Json) -> datetime:
    return datetime.fromisoformat(t["first_response_due"])


def test_monitoring_runs_24_7_and_a_service_request_keeps_standard_hours(
    world: World, clock: Clock
) -> None:
    """The guide's example: cooperation agreement plus 24/7 monitoring."""
    customer, (coop, managed) = _customer(world, "Druck GmbH", _cooperation(), _managed())
    clock.at(datetime(2030, 3, 2, 22, 0, tzinfo=BERLIN))  # Saturday night
    request = world.new_ticket(customer_id=customer, site_id=None, priority="P2", **SERVICE_REQUEST)
    alert = world.new_ticket(customer_id=customer, site_id=None, priority="P2", **MONITORING_ALERT)
    assert (request["sla_profile"], request["sla_contract_id"]) == ("standard", coop)
    assert (alert["sla_profile"], alert["sla_contract_id"]) == ("24_7", managed)
    assert request["sla_state"] == alert["sla_state"] == "NW"
    # standard: Monday 08:00 + 4 h; 24/7: four wall-clock hours
    assert _first_due(request) == datetime(2030, 3, 4, 12, 0, tzinfo=BERLIN)
    assert _first_due(alert) == datetime(2030, 3, 3, 2, 0, tzinfo=BERLIN)


def test_the_targets_come_from_the_contract_that_sets_the_clock(world: World, clock: Clock) -> None:
    customer, (coop, managed) = _customer(
        world,
        "Fast Monitor AG",
        _cooperation(response_overrides={"P1": 120}),
        _managed(response_overrides={"P1": 15}),
    )
    clock.at(datetime(2030, 3, 4, 9, 0, tzinfo=BERLIN))  # Monday
    request = world.new_ticket(customer_id=customer, site_id=None, priority="P1", **SERVICE_REQUEST)
    alert = world.new_ticket(customer_id=customer, site_id=None, priority="P1", **MONITORING_ALERT)
    assert request["sla_contract_id"] == coop
    assert _first_due(request) == datetime(2030, 3, 4, 11, 0, tzinfo=BERLIN)
    assert alert["sla_contract_id"] == managed
    assert _first_due(alert) == datetime(2030, 3, 4, 9, 15, tzinfo=BERLIN)


def test_booked_extended_support_widens_every_ticket(world: World, clock: Clock) -> None:
    extended = {"kind": ContractKind.EXTENDED_SUPPORT, "support_profile": SupportProfile.EXTENDED}
    customer, (_, ext) = _customer(world, "Früh KG", _cooperation(), extended)
    clock.at(datetime(2030, 3, 4, 18, 0, tzinfo=BERLIN))  # Monday evening
    t = world.new_ticket(customer_id=customer, site_id=None, priority="P2", **SERVICE_REQUEST)
    assert (t["sla_profile"], t["sla_contract_id"]) == ("extended", ext)
    # two hours until 20:00, two more from 06:00
    assert _first_due(t) == datetime(2030, 3, 5, 8, 0, tzinfo=BERLIN)


def test_a_ticket_no_contract_covers_counts_standard_hours(world: World, clock: Clock) -> None:
    customer, _ = _customer(world, "Nur Monitoring eG", _managed())
    clock.at(datetime(2030, 3, 2, 22, 0, tzinfo=BERLIN))
    t = world.new_ticket(customer_id=customer, site_id=None, priority="P2", **SERVICE_REQUEST)
    assert (t["sla_profile"], t["sla_contract_id"]) == ("standard", None)
    assert _first_due(t) == datetime(2030, 3, 4, 12, 0, tzinfo=BERLIN)


def test_a_contract_may_say_what_it_covers(world: World, clock: Clock) -> None:
    """A managed contract covering phone calls too: a phone incident runs 24/7, mail not."""
    phone = {"kinds": None, "sources": ["phone", "monitoring"]}
    customer, (_, managed) = _customer(
        world, "Hotline OHG", _cooperation(), _managed(coverage=phone)
    )
    by_phone = world.new_ticket(customer_id=customer, site_id=None, kind="incident", source="phone")
    by_mail = world.new_ticket(customer_id=customer, site_id=None, kind="incident", source="email")
    assert (by_phone["sla_profile"], by_phone["sla_contract_id"]) == ("24_7", managed)
    assert by_mail["sla_profile"] == "standard"
    contracts = world.get("dana", f"/customers/{customer}").json()["contracts"]
    coverage = {k["kind"]: k["coverage"] for k in contracts}
    assert coverage == {
        "cooperation": {"kinds": None, "sources": None},
        "managed_services": {"kinds": None, "sources": ["monitoring", "phone"]},
    }


def test_the_customer_shows_each_contracts_default_coverage(world: World) -> None:
    customer, _ = _customer(
        world,
        "Alles AG",
        _cooperation(),
        _managed(),
        {"kind": ContractKind.EXTENDED_SUPPORT, "support_profile": SupportProfile.EXTENDED},
        {"kind": ContractKind.RENTAL},
    )
    c = world.get("dana", f"/customers/{customer}").json()
    coverage = {k["kind"]: k["coverage"] for k in c["contracts"]}
    assert coverage == {
        "cooperation": {"kinds": None, "sources": None},
        "managed_services": {"kinds": ["monitoring"], "sources": None},
        "extended_support": {"kinds": None, "sources": None},
        "rental": {"kinds": [], "sources": []},
    }
    assert c["support_profile"] == "extended"  # what an everyday request gets


def test_detail_list_rows_and_changes_carry_the_terms(world: World, clock: Clock) -> None:
    with Session(world.engine) as s:
        but = s.exec(select(Branch).where(Branch.code == "BUT")).one()
        hessian = Site(customer_id=world.customer_id, name="Butzbach", branch_id=but.id or 0)
        s.add(hessian)
        s.commit()
        hessian_id = hessian.id
    coop = world.get("dana", f"/customers/{world.customer_id}").json()["contracts"][0]["id"]
    t = world.new_ticket(site_id=hessian_id, priority="P3")
    detail = world.ticket(t["id"])
    rows = world.get("dana", "/tickets", limit=50).json()["items"]
    (row,) = [r for r in rows if r["id"] == t["id"]]
    for shown in (t, detail, row):
        assert (shown["sla_profile"], shown["sla_state"], shown["sla_contract_id"]) == (
            "standard",
            "HE",
            coop,
        )
    patched = world.patch("dana", detail, priority="P1").json()
    assert (patched["sla_state"], patched["sla_contract_id"]) == ("HE", coop)
