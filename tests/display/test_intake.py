"""What the desk is told while it takes a ticket in (issue 19.1): main site, VIP check,
targets and due times as the service computes them, stored text cleaned."""

from __future__ import annotations

from datetime import UTC, datetime

from dispatch.display import intake
from dispatch.domain import sla
from dispatch.domain.types import Priority, Source, StateCode, SupportProfile, TicketKind

MONDAY_9 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # 09:00 in Berlin


def customer(**extra: object) -> dict[str, object]:
    return {
        "id": 7,
        "number": "K10007",
        "name": "Bäckerei Schulz",
        "contingent_balance_minutes": 0,
        "sites": [{"id": 12, "name": "Filiale", "city": "Hamm"}, {"id": 3, "name": "Hauptsitz"}],
        "contacts": [],
        "contracts": [],
        **extra,
    }


def test_the_main_site_is_the_only_or_the_first() -> None:
    assert intake.main_site(customer())["id"] == 3  # type: ignore[index]
    assert intake.main_site(customer(sites=[{"id": 9, "name": "x"}]))["id"] == 9  # type: ignore[index]
    assert intake.main_site(customer(sites=[])) is None


def test_the_vip_hotline_is_offered_for_contingent_customers_only() -> None:
    """Issue 21.6: the contingent contract decides, not the balance (an overdrawn one still
    has the hotline; hours left on a cancelled contract do not buy it)."""
    plain = customer(contingent_balance_minutes=90)
    assert intake.has_contingent(plain) is False
    assert intake.vip_warning(plain, Source.VIP_HOTLINE) == intake.NO_CONTINGENT
    assert intake.vip_warning(plain, Source.PHONE) is None
    assert Source.VIP_HOTLINE not in intake.sources_for(plain)
    assert Source.PHONE in intake.sources_for(plain)
    contingent = {"id": 1, "kind": "contingent", "contingent_hours_per_month": 4}
    overdrawn = customer(contracts=[contingent], contingent_balance_minutes=-30)
    assert intake.has_contingent(overdrawn) is True
    assert intake.vip_warning(overdrawn, Source.VIP_HOTLINE) is None
    assert intake.sources_for(overdrawn) == [s.value for s in Source]
    managed = customer(contracts=[{"id": 2, "kind": "managed_services"}])
    assert Source.VIP_HOTLINE not in intake.sources_for(managed)
    listing = {"id": 7, "number": "K10007", "name": "x", "sites": []}  # an old directory's
    assert intake.has_contingent(listing) is None
    assert intake.vip_warning(listing, Source.VIP_HOTLINE) is None, "not known: not claimed"
    assert Source.VIP_HOTLINE in intake.sources_for(listing), "not known: the service decides"
    assert intake.sources_for({**listing, "vip_hotline": False}) == intake.sources_for(plain)
    assert intake.has_contingent({**listing, "vip_hotline": True}) is True
    assert Source.VIP_HOTLINE in intake.sources_for(None)


def test_the_customer_line_shows_the_contingent_of_a_contingent_customer() -> None:
    contingent = {"id": 1, "kind": "contingent", "contingent_hours_per_month": 4}
    left = customer(contracts=[contingent], contingent_balance_minutes=750)
    assert intake.customer_line(left) == "K10007 Bäckerei Schulz · contingent 12:30 h left"
    assert intake.customer_line(customer()) == "K10007 Bäckerei Schulz"


def test_targets_follow_the_contract_that_covers_the_ticket() -> None:
    contract = {
        "id": 5,
        "kind": "managed_services",
        "support_profile": "24_7",
        "response_overrides": {"P1": 30},
        "coverage": {"kinds": ["monitoring"], "sources": None},
    }
    record = customer(contracts=[contract])
    alert = intake.targets(record, TicketKind.MONITORING, Source.MONITORING, None, MONDAY_9)
    assert alert.terms.profile is SupportProfile.ALWAYS and alert.terms.contract_id == 5
    p1 = alert.by_priority[Priority.P1]
    assert (p1.first_minutes, p1.resolution_minutes) == (30, 120)
    assert (p1.first_due, p1.resolution_due) == sla.due_times_for(
        alert.terms, MONDAY_9, Priority.P1
    )
    call = intake.targets(record, TicketKind.INCIDENT, Source.PHONE, StateCode.HE, MONDAY_9)
    assert call.terms.profile is SupportProfile.STANDARD and call.terms.contract_id is None
    assert call.terms.state is StateCode.HE
    assert call.by_priority[Priority.P1].first_minutes == 60
    assert call.known is True
    fields = intake.provisional_fields(call, "P1")
    assert fields["sla_profile"] == "standard" and fields["sla_state"] == "HE"
    assert datetime.fromisoformat(fields["first_response_due"]) == call.by_priority["P1"].first_due


def test_the_branch_state_comes_from_its_technicians() -> None:
    states = intake.branch_states(
        [{"id": 1, "name": "a", "branch_id": 2, "branch_state": "HE"}, {"id": 2, "name": "b"}]
    )
    assert states == {2: "HE"}
    assert intake.site_state({"id": 1, "branch_id": 2}, states) is StateCode.HE
    assert intake.site_state({"id": 1, "branch_id": 9}, states) is None
    assert intake.site_state(None, states) is None


def test_stored_text_is_cleaned() -> None:
    hostile = customer(name="Evil\x1b]52;c;eA==\x07 GmbH", number="K1\x9b2J")
    line = intake.customer_line(hostile)
    assert "\x1b" not in line and "\x07" not in line and "\x9b" not in line
    contact = {"id": 1, "name": "Jana\x1b[2J Kurz", "phone": "0251 1", "email": None}
    assert "\x1b" not in intake.contact_line(contact)
    assert intake.contact_line(contact).endswith("· 0251 1")
