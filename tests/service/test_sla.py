"""SLA due times: computed at intake and on priority change, paused while waiting."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from service.world import Clock, Json, World
from sqlmodel import Session, select

from dispatch.domain import sla
from dispatch.domain.sla import BERLIN
from dispatch.domain.types import ContractKind, Priority, StateCode, SupportProfile
from dispatch.models import Branch, Contract, Customer, Site


def _t(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _due(t: Json) -> tuple[datetime, datetime]:
    return _t(t["first_response_due"]), _t(t["resolution_due"])


def _expected(
    received: datetime,
    priority: Priority,
    paused: float = 0,
    profile: SupportProfile = SupportProfile.STANDARD,
    state: StateCode = StateCode.NW,
) -> tuple[datetime, datetime]:
    first = sla.RESPONSE_MINUTES[priority]
    return (
        sla.add_business_minutes(received, first + paused, profile, state),
        sla.add_business_minutes(received, first * sla.RESOLUTION_FACTOR + paused, profile, state),
    )


def test_intake_computes_due_times_in_business_time(world: World, clock: Clock) -> None:
    t = world.new_ticket(priority="P3")
    assert _t(t["received_at"]) == clock()
    assert _due(t) == _expected(clock(), Priority.P3)
    # 8 business hours from Monday 09:00 in a 08:00-17:00 day: the end of Monday,
    # and resolution (32 h) Thursday 14:00 (8 + 9 + 9 + 6 hours).
    assert _due(t)[0] == datetime(2030, 3, 4, 17, 0, tzinfo=BERLIN)
    assert _due(t)[1] == datetime(2030, 3, 7, 14, 0, tzinfo=BERLIN)


def test_raising_priority_moves_due_times_earlier(world: World, clock: Clock) -> None:
    t = world.new_ticket(priority="P3")
    received = _t(t["received_at"])
    clock.at(datetime(2030, 3, 4, 9, 30, tzinfo=BERLIN))
    raised = world.patch("dana", t, priority="P2").json()
    assert _due(raised) == _expected(received, Priority.P2)
    assert _due(raised)[0] < _due(t)[0]
    assert _due(raised)[1] < _due(t)[1]
    lowered = world.patch("dana", raised, priority="P4").json()
    assert _due(lowered) == _expected(received, Priority.P4)
    assert _due(lowered)[0] > _due(t)[0]


def test_a_p2_raised_to_p1_is_due_sooner(world: World, clock: Clock) -> None:
    t = world.new_ticket(priority="P2")
    raised = world.patch("dana", t, priority="P1").json()
    assert _due(raised) == _expected(_t(t["received_at"]), Priority.P1)
    assert _due(raised)[0] < _due(t)[0]
    assert _due(raised)[1] < _due(t)[1]
    assert world.events_of("ticket", t["id"])[-1].fields["first_response_due"] == [
        _due(t)[0].isoformat(),
        _due(raised)[0].isoformat(),
    ]


def test_waiting_for_the_customer_pauses_the_clock(world: World, clock: Clock) -> None:
    t = world.new_ticket(priority="P2")
    received = _t(t["received_at"])
    before = _due(t)
    t = world.patch("dana", t, status="triaged").json()
    clock.at(datetime(2030, 3, 4, 10, 0, tzinfo=BERLIN))
    t = world.patch("dana", t, status="waiting_customer").json()
    assert t["sla_paused_at"] is not None
    assert _due(t) == before  # nothing moves while the wait is still open
    clock.at(datetime(2030, 3, 4, 12, 0, tzinfo=BERLIN))
    t = world.patch("dana", t, status="in_progress").json()
    assert t["sla_paused_at"] is None
    assert _due(t) == _expected(received, Priority.P2, paused=120)
    assert _due(t)[0] > before[0]
    assert _due(t)[1] > before[1]


def test_only_business_time_spent_waiting_pushes_due_times(world: World, clock: Clock) -> None:
    clock.at(datetime(2030, 3, 4, 16, 0, tzinfo=BERLIN))
    t = world.new_ticket(priority="P1")
    received = _t(t["received_at"])
    t = world.patch("dana", t, status="triaged").json()
    t = world.patch("dana", t, status="waiting_customer").json()
    # Waiting from Monday 16:00 to Tuesday 09:00 holds 60 + 60 business minutes.
    clock.at(datetime(2030, 3, 5, 9, 0, tzinfo=BERLIN))
    t = world.patch("dana", t, status="resolved").json()
    assert _due(t) == _expected(received, Priority.P1, paused=120)


def test_several_waits_add_up(world: World, clock: Clock) -> None:
    t = world.new_ticket(priority="P3")
    received = _t(t["received_at"])
    t = world.patch("dana", t, status="triaged").json()
    for start_hour in (10, 13):
        clock.at(datetime(2030, 3, 4, start_hour, 0, tzinfo=BERLIN))
        t = world.patch("dana", t, status="waiting_customer").json()
        clock.at(datetime(2030, 3, 4, start_hour + 1, 30, tzinfo=BERLIN))
        t = world.patch("dana", t, status="in_progress").json()
    assert _due(t) == _expected(received, Priority.P3, paused=180)


def test_waiting_for_a_vendor_does_not_pause(world: World, clock: Clock) -> None:
    t = world.new_ticket(priority="P3")
    before = _due(t)
    t = world.patch("dana", t, status="triaged").json()
    t = world.patch("dana", t, status="waiting_vendor").json()
    clock.at(clock.now + timedelta(hours=3))
    t = world.patch("dana", t, status="in_progress").json()
    assert _due(t) == before


def _customer(world: World, name: str, **contract: Any) -> int:
    """A customer with one cooperation agreement (which covers every ticket) and one site
    served by tina's branch (NW)."""
    with Session(world.engine) as s:
        c = Customer(number=f"K-{name}", name=name)
        s.add(c)
        s.flush()
        assert c.id is not None
        s.add(Contract(customer_id=c.id, kind=ContractKind.COOPERATION, **contract))
        s.add(Site(customer_id=c.id, name="Main", branch_id=world.branch_id))
        s.commit()
        return c.id


def test_contract_overrides_and_24_7_profiles_apply(world: World, clock: Clock) -> None:
    fast = _customer(world, "Fast GmbH", response_overrides={"P1": 30})
    always = _customer(world, "Always AG", support_profile=SupportProfile.ALWAYS)
    clock.at(datetime(2030, 3, 2, 22, 0, tzinfo=BERLIN))  # Saturday night
    t = world.new_ticket(customer_id=fast, site_id=None, priority="P1")
    assert _due(t)[0] == datetime(2030, 3, 4, 8, 30, tzinfo=BERLIN)
    t = world.new_ticket(customer_id=always, site_id=None, priority="P1")
    assert _due(t)[0] == datetime(2030, 3, 2, 23, 0, tzinfo=BERLIN)
    assert _due(t)[1] == datetime(2030, 3, 3, 2, 0, tzinfo=BERLIN)


def _hessian_site(world: World) -> int:
    """A site of the world's customer served by the Butzbach branch (Hessen)."""
    with Session(world.engine) as s:
        but = s.exec(select(Branch).where(Branch.code == "BUT")).one()
        assert but.id is not None
        hessian = Site(customer_id=world.customer_id, name="Butzbach shop", branch_id=but.id)
        s.add(hessian)
        s.commit()
        assert hessian.id is not None
        return hessian.id


def test_holidays_of_the_serving_branch_state_apply(world: World, clock: Clock) -> None:
    """1 November is a holiday in NW, not in HE: the site's branch decides."""
    hessian_id = _hessian_site(world)
    clock.at(datetime(2030, 10, 31, 16, 0, tzinfo=BERLIN))  # Thursday
    nw = world.new_ticket(priority="P2")
    he = world.new_ticket(priority="P2", site_id=hessian_id)
    # 60 minutes on Thursday, the other 180 on the next business day.
    assert _due(nw)[0] == datetime(2030, 11, 4, 11, 0, tzinfo=BERLIN)
    assert _due(he)[0] == datetime(2030, 11, 1, 11, 0, tzinfo=BERLIN)


def test_a_priority_change_uses_the_same_terms_as_intake(world: World, clock: Clock) -> None:
    """A PATCH reads the SLA terms with the ticket (one statement); intake reads them on
    their own. For every kind of customer both give the same due times: the widest of two
    contracts, overrides, no site (the customer's first site's branch), a Hessian site."""
    both = _customer(world, "Both KG", response_overrides={"P1": 45})
    with Session(world.engine) as s:
        s.add(
            Contract(
                customer_id=both,
                kind=ContractKind.MANAGED_SERVICES,
                support_profile=SupportProfile.EXTENDED,
            )
        )
        s.commit()
    hessian_id = _hessian_site(world)
    always = _customer(world, "Always OHG", support_profile=SupportProfile.ALWAYS)
    clock.at(datetime(2030, 10, 31, 19, 30, tzinfo=BERLIN))  # Thursday evening, NW holiday next
    cases: list[dict[str, Any]] = [
        {"customer_id": both, "site_id": None},
        {"customer_id": always, "site_id": None},
        {"customer_id": world.customer_id, "site_id": hessian_id},
        {"customer_id": world.customer_id},
    ]
    for case in cases:
        patched = world.patch("dana", world.new_ticket(priority="P4", **case), priority="P1")
        assert patched.status_code == 200, patched.text
        direct = world.new_ticket(priority="P1", **case)
        assert patched.json()["received_at"] == direct["received_at"]
        assert _due(patched.json()) == _due(direct), case
