"""Technician availability, travel between branches and the one booking forecast."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch.domain.availability import (
    DEFAULT_HOURS,
    WorkingHours,
    available,
    is_holiday,
    parse_hours,
    unavailable_reason,
)
from dispatch.domain.sla import BERLIN, business_windows
from dispatch.domain.sla_forecast import booking_forecast
from dispatch.domain.suggest import HORIZON, Busy, TechnicianInfo, TicketInfo, forecast, rank
from dispatch.domain.travel import TRAVEL, travel_time
from dispatch.domain.types import (
    AppointmentKind,
    Priority,
    ServiceRole,
    StateCode,
    SupportProfile,
    TicketKind,
    WorkMode,
)

NW, HE = StateCode.NW, StateCode.HE
BRANCHES = {1: ("Warendorf", NW), 3: ("Siegen", NW), 5: ("Mittenaar", HE), 6: ("Butzbach", HE)}


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def ticket(**changes: object) -> TicketInfo:
    base = TicketInfo(
        id=1,
        kind=TicketKind.INCIDENT,
        priority=Priority.P3,
        tags=(),
        site_branch_id=5,
        profile=SupportProfile.STANDARD,
        state=HE,
        first_response_due=None,
        resolution_due=None,
        mode=WorkMode.REMOTE,
        site_branch_name="Mittenaar",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def tech(id: int, branch: int, **changes: object) -> TechnicianInfo:
    name, state = BRANCHES[branch]
    base = TechnicianInfo(
        id=id,
        name=f"T{id}",
        branch_id=branch,
        branch_name=name,
        service_role=ServiceRole.TECHNICIAN,
        skills=(),
        open_load={},
        state=state,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- worked examples -------------------------------------------------------------------------


def test_nw_technician_is_never_offered_all_saints_day_a_he_technician_may_be() -> None:
    # Thu 31.10.2024 16:45: the next working day is Fri 01.11., All Saints' Day in NRW only.
    now = berlin(2024, 10, 31, 16, 45)
    warendorf, mittenaar = tech(1, 1), tech(2, 5)
    by_id = {s.technician_id: s for s in rank(ticket(), [warendorf, mittenaar], [], now)}
    assert by_id[2].slot is not None and by_id[2].slot.start == berlin(2024, 11, 1, 8)
    assert by_id[1].slot is not None and by_id[1].slot.start == berlin(2024, 11, 4, 8)
    assert by_id[1].slot.start.astimezone(BERLIN).date() != datetime(2024, 11, 1).date()


def test_saturday_night_24_7_job_waits_for_working_hours_or_on_call() -> None:
    saturday_night = berlin(2024, 6, 15, 22, 5)
    t = ticket(profile=SupportProfile.ALWAYS, mode=WorkMode.ONSITE)
    [off] = rank(t, [tech(1, 5)], [], saturday_night)
    assert off.slot is not None and off.slot.start == berlin(2024, 6, 17, 8)
    duty = Busy(1, berlin(2024, 6, 15, 17), berlin(2024, 6, 17, 8), AppointmentKind.ON_CALL)
    [on_call] = rank(t, [tech(1, 5)], [duty], saturday_night)
    assert on_call.slot is not None and on_call.slot.start == berlin(2024, 6, 15, 22, 15)
    # on call does not open a standard customer's closed hours
    [standard] = rank(
        replace(t, profile=SupportProfile.STANDARD), [tech(1, 5)], [duty], saturday_night
    )
    assert standard.slot is not None and standard.slot.start == berlin(2024, 6, 17, 8)


def test_own_hours_are_kept() -> None:
    early = parse_hours(["mon-fri", "06:00-14:00"])
    [s] = rank(ticket(), [tech(1, 5, hours=early)], [], berlin(2024, 6, 10, 13, 50))
    assert s.slot is not None and s.slot.start == berlin(2024, 6, 11, 8)  # customer opens 08:00
    [late] = rank(ticket(), [tech(1, 5, hours=early)], [], berlin(2024, 6, 10, 13))
    assert late.slot is not None and late.slot.start == berlin(2024, 6, 10, 13)


def test_travel_is_booked_both_ways_and_named() -> None:
    t = ticket(mode=WorkMode.ONSITE, site_branch_id=5, site_branch_name="Mittenaar")
    monday = berlin(2024, 6, 10, 9)
    home, siegen = rank(t, [tech(1, 5), tech(2, 3)], [], monday)
    assert home.technician_id == 1
    assert "home branch Mittenaar serves this site" in home.reasons
    assert home.slot is not None and home.slot.end - home.slot.start == timedelta(hours=2)
    trip = TRAVEL[("Siegen", "Mittenaar")]
    assert f"travel {trip.seconds // 3600}:{trip.seconds % 3600 // 60:02d} h from Siegen" in (
        siegen.reasons
    )
    assert siegen.slot is not None and siegen.slot.travel == trip
    assert siegen.slot.end - siegen.slot.start == timedelta(hours=2) + 2 * trip


def test_he_technicians_do_not_rank_first_for_nrw_sites() -> None:
    t = ticket(mode=WorkMode.ONSITE, site_branch_id=1, site_branch_name="Warendorf", state=NW)
    order = [
        s.technician_id
        for s in rank(t, [tech(5, 5), tech(6, 6), tech(9, 3)], [], berlin(2024, 6, 10, 9))
    ]
    assert order.index(9) < order.index(5) < order.index(6)


def test_travel_table() -> None:
    assert travel_time("Siegen", "Siegen") == timedelta(0)
    assert travel_time("Siegen", "Mittenaar") == travel_time("Mittenaar", "Siegen")
    assert travel_time("Siegen", None) is None and travel_time("Berlin", "Siegen") is None
    # Warendorf-Butzbach is the longest pair: about 170 km as the crow flies
    assert max(TRAVEL.values()) == TRAVEL[("Warendorf", "Butzbach")]
    assert timedelta(hours=3) < TRAVEL[("Warendorf", "Butzbach")] < timedelta(hours=3, minutes=30)


def test_hours_parse_and_refuse() -> None:
    assert DEFAULT_HOURS.describe() == "mon-fri 08:00-17:00"
    hours = parse_hours(["mon-thu", "07:00-15:30", "fri", "07:00-12:00"])
    assert hours.as_mapping()["fri"] == "07:00-12:00" and "sat" not in hours.as_mapping()
    assert WorkingHours.from_mapping(hours.as_mapping()) == hours
    for bad in (
        ["mon-fri"],
        ["mo", "08:00-17:00"],
        ["fri-mon", "08:00-17:00"],
        ["mon", "17:00-08:00"],
        ["mon", "8-17"],
    ):
        with pytest.raises(ValueError):
            parse_hours(bad)
    with pytest.raises(ValueError, match="at least one day"):
        WorkingHours.from_mapping({"mon": "off"})


def test_unavailable_reason_names_the_holiday_or_the_hours() -> None:
    friday = berlin(2024, 11, 1, 9)
    reason = unavailable_reason(friday, friday + timedelta(hours=2), DEFAULT_HOURS, NW)
    assert reason is not None and "public holiday in NW" in reason and "All Saints" in reason
    assert unavailable_reason(friday, friday + timedelta(hours=2), DEFAULT_HOURS, HE) is None
    evening = berlin(2024, 11, 4, 18)
    assert "working hours" in (
        unavailable_reason(evening, evening + timedelta(hours=1), DEFAULT_HOURS, HE) or ""
    )
    duty = [(evening - timedelta(hours=2), evening + timedelta(hours=4))]
    assert (
        unavailable_reason(evening, evening + timedelta(hours=1), DEFAULT_HOURS, HE, duty) is None
    )


def test_booking_forecast_takes_the_first_contact_at_the_start_unless_reached() -> None:
    due = berlin(2024, 6, 10, 10)
    late = booking_forecast(
        first_response_due=due,
        resolution_due=None,
        responded_at=None,
        start=due + timedelta(minutes=30),
        end=due + timedelta(hours=2),
    )
    assert (late.meets_first_response, late.first_response_miss, late.breach) == (
        False,
        timedelta(minutes=30),
        True,
    )
    reached = booking_forecast(
        first_response_due=due,
        resolution_due=None,
        responded_at=due - timedelta(hours=1),
        start=due + timedelta(minutes=30),
        end=due + timedelta(hours=2),
    )
    assert (reached.meets_first_response, reached.breach) == (True, False)


# --- properties ------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)
hour_sets = st.sampled_from(
    [
        DEFAULT_HOURS,
        parse_hours(["mon-fri", "06:00-14:00"]),
        parse_hours(["tue-sat", "10:00-19:00"]),
        parse_hours(["mon-sun", "00:00-24:00"]),
    ]
)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[TicketInfo, list[TechnicianInfo], list[Busy], datetime]:
    now = draw(instants)
    branch = draw(st.sampled_from(sorted(BRANCHES)))
    t = ticket(
        site_branch_id=branch,
        site_branch_name=BRANCHES[branch][0],
        state=BRANCHES[branch][1],
        profile=draw(st.sampled_from(list(SupportProfile))),
        mode=draw(st.sampled_from(list(WorkMode))),
        first_response_due=draw(
            st.none() | st.just(now + timedelta(hours=draw(st.integers(0, 60))))
        ),
        resolution_due=draw(st.none() | st.just(now + timedelta(hours=draw(st.integers(1, 240))))),
        responded_at=draw(st.none() | st.just(now - timedelta(hours=draw(st.integers(0, 10))))),
    )
    people = [
        tech(i, draw(st.sampled_from(sorted(BRANCHES))), hours=draw(hour_sets))
        for i in range(1, draw(st.integers(1, 4)) + 1)
    ]
    busy = []
    for person in people:
        for _ in range(draw(st.integers(0, 4))):
            start = now + timedelta(minutes=draw(st.integers(-24 * 60, 6 * 24 * 60)))
            length = timedelta(minutes=draw(st.integers(15, 3 * 24 * 60)))
            kind = draw(st.sampled_from(list(AppointmentKind)))
            busy.append(Busy(person.id, start, start + length, kind))
    return t, people, busy, now


@given(worlds())
def test_a_slot_lies_inside_both_windows_and_never_on_the_technicians_holiday(
    world: tuple[TicketInfo, list[TechnicianInfo], list[Busy], datetime],
) -> None:
    t, people, busy, now = world
    by_id = {p.id: p for p in people}
    for s in rank(t, people, busy, now):
        if s.slot is None:
            continue
        person = by_id[s.technician_id]
        assert person.state is not None
        span = (s.slot.start, s.slot.end)
        support = business_windows(now, now + HORIZON, t.profile, t.state)
        assert any(o <= span[0] and span[1] <= c for o, c in support)
        duty = [
            (b.start, b.end)
            for b in busy
            if b.technician_id == person.id and b.kind is AppointmentKind.ON_CALL
        ]
        assert unavailable_reason(*span, person.hours, person.state, duty) is None
        mine = available(now - timedelta(days=1), now + HORIZON, person.hours, person.state, duty)
        assert any(o <= span[0] and span[1] <= c for o, c in mine)
        if not duty:
            day, last = span[0].astimezone(BERLIN).date(), span[1].astimezone(BERLIN).date()
            while day <= last:
                assert not is_holiday(day, person.state)
                day += timedelta(days=1)


@given(worlds())
def test_ranking_and_booking_forecasts_agree_for_every_slot(
    world: tuple[TicketInfo, list[TechnicianInfo], list[Busy], datetime],
) -> None:
    t, people, busy, now = world
    for s in rank(t, people, busy, now):
        if s.slot is None:
            continue
        booked = booking_forecast(
            first_response_due=t.first_response_due,
            resolution_due=t.resolution_due,
            responded_at=t.responded_at,
            start=s.slot.start,
            end=s.slot.end,
            travel=s.slot.travel,
        )
        assert (s.meets_first_response, s.first_response_miss) == (
            booked.meets_first_response,
            booked.first_response_miss,
        )
        assert (s.meets_resolution, s.resolution_miss) == (
            booked.meets_resolution,
            booked.resolution_miss,
        )
        assert s.breach == booked.breach
        assert forecast(t, s.slot.start, s.slot.end, s.slot.travel)[2] == booked.meets_resolution
