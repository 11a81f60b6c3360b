"""Smart assignment: each score term, the reasons, the slot search and the ranking order."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.domain.sla import BERLIN, business_windows
from dispatch.domain.suggest import (
    HORIZON,
    Busy,
    Suggestion,
    TechnicianInfo,
    TicketInfo,
    find_slot,
    forecast,
    format_span,
    rank,
)
from dispatch.domain.types import (
    AppointmentKind,
    Priority,
    ServiceRole,
    StateCode,
    SupportProfile,
    TicketKind,
    WorkMode,
)

STD = SupportProfile.STANDARD
NW = StateCode.NW
HE = StateCode.HE
WORK = AppointmentKind.TICKET_WORK


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Berlin wall time as a UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


MONDAY_9 = berlin(2024, 6, 10, 9)  # an ordinary Monday in NRW


def ticket(**changes: object) -> TicketInfo:
    base = TicketInfo(
        id=1,
        kind=TicketKind.INCIDENT,
        priority=Priority.P3,
        tags=(),
        site_branch_id=3,
        profile=STD,
        state=NW,
        first_response_due=None,
        resolution_due=None,
        mode=WorkMode.REMOTE,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def tech(id: int = 1, **changes: object) -> TechnicianInfo:
    base = TechnicianInfo(
        id=id,
        name=f"Tech {id}",
        branch_id=3,
        branch_name="Siegen",
        service_role=ServiceRole.TECHNICIAN,
        skills=(),
        open_load={},
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def one(t: TicketInfo, person: TechnicianInfo, busy: Sequence[Busy] = ()) -> Suggestion:
    [suggestion] = rank(t, [person], busy, MONDAY_9)
    return suggestion


def term(t: TicketInfo, with_term: TechnicianInfo, without: TechnicianInfo) -> float:
    """Score difference that one changed attribute makes (the slot term cancels out)."""
    return one(t, with_term).score - one(t, without).score


# --- find_slot -------------------------------------------------------------------------------


def test_now_is_rounded_up_to_the_quarter_hour() -> None:
    assert find_slot([], berlin(2024, 6, 10, 9, 7), timedelta(minutes=30), STD, NW) == (
        berlin(2024, 6, 10, 9, 15),
        berlin(2024, 6, 10, 9, 45),
    )


def test_slot_waits_for_the_appointment_and_keeps_to_the_grid() -> None:
    busy = [(berlin(2024, 6, 10, 8), berlin(2024, 6, 10, 10, 10))]
    slot = find_slot(busy, MONDAY_9, timedelta(hours=1), STD, NW)
    assert slot == (berlin(2024, 6, 10, 10, 15), berlin(2024, 6, 10, 11, 15))


def test_nested_and_unsorted_appointments() -> None:
    busy = [
        (berlin(2024, 6, 10, 9, 30), berlin(2024, 6, 10, 10)),
        (berlin(2024, 6, 10, 9), berlin(2024, 6, 10, 12)),
        (berlin(2024, 6, 10, 13), berlin(2024, 6, 10, 14)),
    ]
    slot = find_slot(busy, MONDAY_9, timedelta(hours=1), STD, NW)
    assert slot == (berlin(2024, 6, 10, 12), berlin(2024, 6, 10, 13))


def test_work_does_not_straddle_closing_time() -> None:
    slot = find_slot([], berlin(2024, 6, 10, 15, 30), timedelta(hours=2), STD, NW)
    assert slot == (berlin(2024, 6, 11, 8), berlin(2024, 6, 11, 10))


def test_friday_afternoon_goes_to_monday() -> None:
    slot = find_slot([], berlin(2024, 6, 14, 16), timedelta(hours=2), STD, NW)
    assert slot == (berlin(2024, 6, 17, 8), berlin(2024, 6, 17, 10))


def test_public_holidays_of_the_state() -> None:
    # All Saints' Day (Fri 1 Nov 2024) is a holiday in NRW, not in Hesse.
    now = berlin(2024, 10, 31, 16, 30)
    assert find_slot([], now, timedelta(hours=2), STD, NW) == (
        berlin(2024, 11, 4, 8),
        berlin(2024, 11, 4, 10),
    )
    assert find_slot([], now, timedelta(hours=2), STD, HE) == (
        berlin(2024, 11, 1, 8),
        berlin(2024, 11, 1, 10),
    )


def test_extended_and_round_the_clock_profiles() -> None:
    saturday_night = berlin(2024, 6, 15, 22)
    assert find_slot([], saturday_night, timedelta(hours=1), SupportProfile.EXTENDED, NW) == (
        berlin(2024, 6, 17, 6),
        berlin(2024, 6, 17, 7),
    )
    assert find_slot([], saturday_night, timedelta(hours=1), SupportProfile.ALWAYS, NW) == (
        saturday_night,
        berlin(2024, 6, 15, 23),
    )


def test_no_slot_within_the_horizon() -> None:
    busy = [(MONDAY_9 - timedelta(days=1), MONDAY_9 + timedelta(days=20))]
    assert find_slot(busy, MONDAY_9, timedelta(minutes=30), STD, NW) is None
    # the whole work has to end inside the horizon
    assert find_slot([], MONDAY_9, timedelta(hours=2), STD, NW, timedelta(hours=1)) is None


def test_find_slot_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="positive"):
        find_slot([], MONDAY_9, timedelta(0), STD, NW)
    with pytest.raises(ValueError, match="timezone-aware"):
        find_slot([], datetime(2024, 6, 10, 9), timedelta(hours=1), STD, NW)


# --- forecast --------------------------------------------------------------------------------


def test_forecast_counts_first_response_from_start_and_resolution_from_end() -> None:
    t = ticket(
        first_response_due=berlin(2024, 6, 10, 10),
        resolution_due=berlin(2024, 6, 10, 12),
    )
    assert forecast(t, berlin(2024, 6, 10, 10), berlin(2024, 6, 10, 12)) == (
        True,
        None,
        True,
        None,
    )
    assert forecast(t, berlin(2024, 6, 10, 11, 30), berlin(2024, 6, 10, 13)) == (
        False,
        timedelta(hours=1, minutes=30),
        False,
        timedelta(hours=1),
    )
    assert forecast(ticket(), MONDAY_9, MONDAY_9 + timedelta(hours=1)) == (None, None, None, None)


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(0), "0:00 h"),
        (timedelta(minutes=45), "0:45 h"),
        (timedelta(seconds=61), "0:02 h"),
        (timedelta(hours=1, minutes=30), "1:30 h"),
        (timedelta(hours=2), "2:00 h"),
        (timedelta(days=1), "1 d"),
        (timedelta(days=2, hours=3, minutes=20), "2 d 3:20 h"),
    ],
)
def test_format_span(span: timedelta, text: str) -> None:
    assert format_span(span) == text


# --- score terms and reasons -----------------------------------------------------------------


def test_skill_match_is_case_insensitive_and_capped() -> None:
    t = ticket(tags=("Firewall", "vpn", "backup"))
    assert term(t, tech(skills=("firewall",)), tech()) == 30
    assert term(t, tech(skills=("FIREWALL", "VPN")), tech()) == 60
    assert term(t, tech(skills=("firewall", "vpn", "backup")), tech()) == 60
    assert one(t, tech(skills=("firewall",))).reasons[0] == "skill: firewall"
    assert one(t, tech(skills=("backup", " VPN "))).reasons[0] == "skills: vpn, backup"


@pytest.mark.parametrize(
    ("kind", "tags", "best", "ok"),
    [
        (TicketKind.INCIDENT, (), ServiceRole.TECHNICIAN, ServiceRole.SYSTEM_ENGINEER),
        (TicketKind.MONITORING, (), ServiceRole.TECHNICIAN, ServiceRole.SYSTEM_ENGINEER),
        (TicketKind.PICK_PACK, (), ServiceRole.TECHNICIAN, ServiceRole.SYSTEM_ENGINEER),
        (TicketKind.MAINTENANCE, (), ServiceRole.TECHNICIAN, ServiceRole.SYSTEM_ENGINEER),
        (TicketKind.REQUEST, (), ServiceRole.TECHNICIAN, ServiceRole.SYSTEM_ENGINEER),
        (TicketKind.REQUEST, ("Project",), ServiceRole.SYSTEM_ENGINEER, ServiceRole.CONSULTANT),
        (TicketKind.REQUEST, ("change",), ServiceRole.SYSTEM_ENGINEER, ServiceRole.CONSULTANT),
        (TicketKind.INCIDENT, ("change",), ServiceRole.TECHNICIAN, ServiceRole.SYSTEM_ENGINEER),
        (TicketKind.REQUEST, ("planning",), ServiceRole.CONSULTANT, ServiceRole.ARCHITECT),
        (TicketKind.REQUEST, ("consulting",), ServiceRole.CONSULTANT, ServiceRole.ARCHITECT),
        (
            TicketKind.REQUEST,
            ("project", "architecture"),
            ServiceRole.ARCHITECT,
            ServiceRole.CONSULTANT,
        ),
    ],
)
def test_role_fit_table(
    kind: TicketKind, tags: tuple[str, ...], best: ServiceRole, ok: ServiceRole
) -> None:
    t = ticket(kind=kind, tags=tags)
    scores = {role: one(t, tech(service_role=role)).score for role in ServiceRole}
    lowest = min(scores.values())
    assert scores[best] - lowest == 20
    assert scores[ok] - lowest == 10
    assert sorted(scores.values()).count(lowest) == 2


def test_role_reasons() -> None:
    t = ticket(kind=TicketKind.REQUEST, tags=("change",))
    assert (
        "role fit: System Engineer"
        in one(t, tech(service_role=ServiceRole.SYSTEM_ENGINEER)).reasons
    )
    assert "role ok: Consultant" in one(t, tech(service_role=ServiceRole.CONSULTANT)).reasons
    assert not any(r.startswith("role") for r in one(t, tech()).reasons)


def test_home_branch_counts_only_on_site() -> None:
    onsite = ticket(mode=WorkMode.ONSITE, site_branch_id=3)
    home, away = tech(branch_id=3, branch_name="Siegen"), tech(branch_id=1, branch_name="Kamen")
    assert term(onsite, home, away) == 20
    assert "home branch Siegen serves this site" in one(onsite, home).reasons
    assert "travels from Kamen" in one(onsite, away).reasons
    remote = ticket(mode=WorkMode.REMOTE, site_branch_id=3)
    assert term(remote, home, away) == 0
    assert not any("branch" in r or "travel" in r for r in one(remote, home).reasons)
    unknown_site = ticket(mode=WorkMode.ONSITE, site_branch_id=None)
    assert term(unknown_site, home, away) == 0


def test_load_penalty_is_weighted_and_capped() -> None:
    t = ticket()
    assert term(t, tech(open_load={Priority.P2: 3}), tech()) == -9
    assert term(t, tech(open_load={p: 1 for p in Priority}), tech()) == -10
    assert term(t, tech(open_load={Priority.P1: 20}), tech()) == -40
    assert "3 open P2" in one(t, tech(open_load={Priority.P2: 3})).reasons
    assert (
        "1 open P1, 2 open P4" in one(t, tech(open_load={Priority.P4: 2, Priority.P1: 1})).reasons
    )
    assert "no open tickets" in one(t, tech(open_load={Priority.P3: 0})).reasons


def test_earliest_slot_scales_with_the_wait() -> None:
    t = ticket()
    free = one(t, tech())
    assert free.slot is not None
    assert free.slot.start == MONDAY_9
    assert free.slot.end == MONDAY_9 + timedelta(minutes=30)
    assert free.slot.mode is WorkMode.REMOTE
    # all terms but the slot are zero for an IT Technician on an incident with no load
    assert free.score == 20 + 40
    day = [Busy(1, MONDAY_9 - timedelta(hours=1), MONDAY_9 + timedelta(days=1), WORK)]
    tomorrow = one(t, tech(), day)
    assert tomorrow.slot is not None
    assert tomorrow.slot.start == MONDAY_9 + timedelta(days=1)
    assert tomorrow.score == pytest.approx(20 + 40 * (1 - 1 / 14), abs=0.01)
    assert free.reasons[-1] == "free today 09:00"
    assert tomorrow.reasons[-1] == "free tomorrow 09:00"


def test_on_site_default_duration_is_two_hours() -> None:
    s = one(ticket(mode=WorkMode.ONSITE), tech())
    assert s.slot is not None
    assert s.slot.end - s.slot.start == timedelta(hours=2)
    custom = one(ticket(duration=timedelta(minutes=45)), tech())
    assert custom.slot is not None
    assert custom.slot.end - custom.slot.start == timedelta(minutes=45)


@pytest.mark.parametrize(
    ("now", "text"),
    [
        (berlin(2024, 6, 14, 16, 50), "free Mon 08:00"),
        (berlin(2024, 6, 10, 13, 55), "free today 14:00"),
    ],
)
def test_free_reason_in_berlin_time(now: datetime, text: str) -> None:
    [s] = rank(ticket(), [tech()], [], now)
    assert text in s.reasons


def test_free_reason_beyond_a_week_names_the_date() -> None:
    busy = [Busy(1, MONDAY_9, berlin(2024, 6, 24, 8), AppointmentKind.ABSENCE)]
    assert "free Mon 24 Jun 08:00" in one(ticket(), tech(), busy).reasons


def test_on_call_does_not_block_time() -> None:
    busy = [Busy(1, MONDAY_9, MONDAY_9 + timedelta(days=3), AppointmentKind.ON_CALL)]
    s = one(ticket(), tech(), busy)
    assert s.slot is not None
    assert s.slot.start == MONDAY_9


def test_missing_the_first_response_is_a_breach_and_sorts_after() -> None:
    t = ticket(first_response_due=berlin(2024, 6, 10, 10), resolution_due=berlin(2024, 6, 11, 9))
    busy = [Busy(1, MONDAY_9, berlin(2024, 6, 10, 12), WORK)]
    expert = tech(1, skills=("firewall",), service_role=ServiceRole.TECHNICIAN)
    novice = tech(2, open_load={Priority.P1: 10}, service_role=ServiceRole.ARCHITECT)
    late, on_time = rank(replace(t, tags=("firewall",)), [expert, novice], busy, MONDAY_9)[::-1]
    assert on_time.technician_id == 2
    assert on_time.breach is False
    assert on_time.meets_first_response is True
    assert on_time.meets_resolution is True
    assert late.technician_id == 1
    assert late.score > on_time.score  # better on points, still listed after
    assert late.breach is True
    assert late.meets_first_response is False
    assert late.first_response_miss == timedelta(hours=2)
    assert late.meets_resolution is True
    assert late.resolution_miss is None
    assert "misses first response by 2:00 h" in late.reasons


def test_missing_the_resolution_is_a_breach() -> None:
    t = ticket(resolution_due=berlin(2024, 6, 10, 9, 15))
    s = one(t, tech())
    assert s.meets_first_response is None
    assert s.meets_resolution is False
    assert s.resolution_miss == timedelta(minutes=15)
    assert s.breach is True
    assert "misses resolution by 0:15 h" in s.reasons


def test_fully_booked_is_last_without_slot() -> None:
    full = [Busy(1, MONDAY_9 - timedelta(days=1), MONDAY_9 + timedelta(days=30), WORK)]
    people = [tech(1, skills=("vpn",)), tech(2)]
    booked, free = rank(ticket(tags=("vpn",)), people, full, MONDAY_9)[::-1]
    assert free.technician_id == 2
    assert (booked.technician_id, booked.slot, booked.breach) == (1, None, True)
    assert booked.meets_first_response is None
    assert "no free slot within 14 d" in booked.reasons


def test_ties_go_to_more_skills_then_lower_id() -> None:
    people = [tech(7), tech(3), tech(5)]
    assert [s.technician_id for s in rank(ticket(), people, [], MONDAY_9)] == [3, 5, 7]


def test_capped_skills_still_prefer_the_fuller_match() -> None:
    t = ticket(tags=("firewall", "vpn", "backup"))
    people = [tech(1, skills=("firewall", "vpn")), tech(2, skills=("firewall", "vpn", "backup"))]
    first, second = rank(t, people, [], MONDAY_9)
    assert first.score == second.score
    assert [first.technician_id, second.technician_id] == [2, 1]


def test_appointments_late_in_the_horizon_still_block() -> None:
    busy = [
        Busy(1, MONDAY_9 - timedelta(days=1), MONDAY_9 + timedelta(days=12), WORK),
        Busy(1, MONDAY_9 + timedelta(days=12), MONDAY_9 + timedelta(days=20), WORK),
    ]
    assert one(ticket(), tech(), busy).slot is None


def test_limit_and_bad_input() -> None:
    people = [tech(i) for i in range(1, 6)]
    assert [s.technician_id for s in rank(ticket(), people, [], MONDAY_9, limit=2)] == [1, 2]
    assert rank(ticket(), people, [], MONDAY_9, limit=0) == []
    with pytest.raises(ValueError, match="limit"):
        rank(ticket(), people, [], MONDAY_9, limit=-1)
    with pytest.raises(ValueError, match="unique"):
        rank(ticket(), [tech(1), tech(1)], [], MONDAY_9)
    with pytest.raises(ValueError, match="timezone-aware"):
        rank(ticket(), people, [], datetime(2024, 6, 10, 9))


def test_appointments_of_others_and_outside_the_horizon_are_ignored() -> None:
    busy = [
        Busy(99, MONDAY_9, MONDAY_9 + timedelta(days=20), WORK),
        Busy(1, MONDAY_9 - timedelta(days=3), MONDAY_9 - timedelta(days=2), WORK),
        Busy(1, MONDAY_9 + timedelta(days=30), MONDAY_9 + timedelta(days=31), WORK),
    ]
    s = one(ticket(), tech(), busy)
    assert s.slot is not None
    assert s.slot.start == MONDAY_9


# --- properties ------------------------------------------------------------------------------

FEW = settings(max_examples=60, deadline=None)
profiles = st.sampled_from(list(SupportProfile))
states = st.sampled_from(list(StateCode))
instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)
zones = st.sampled_from([UTC, BERLIN])


@st.composite
def intervals(draw: st.DrawFn, now: datetime) -> tuple[datetime, datetime]:
    """An appointment near `now` (mostly in the first days, where slots are searched)."""
    offset = draw(st.integers(min_value=-24 * 60, max_value=6 * 24 * 60))
    length = draw(st.integers(min_value=1, max_value=3 * 24 * 60))
    zone = draw(zones)
    start = now + timedelta(minutes=offset)
    return start.astimezone(zone), (start + timedelta(minutes=length)).astimezone(zone)


def overlaps(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def fits(
    slot: tuple[datetime, datetime],
    busy: Sequence[tuple[datetime, datetime]],
    windows: Sequence[tuple[datetime, datetime]],
) -> bool:
    inside = any(opens <= slot[0] and slot[1] <= closes for opens, closes in windows)
    return inside and not any(overlaps(slot, b) for b in busy)


@FEW
@given(
    st.data(),
    instants,
    st.integers(min_value=1, max_value=10 * 60),
    profiles,
    states,
    st.integers(min_value=1, max_value=14),
)
def test_find_slot_is_the_earliest_valid_quarter_hour(
    data: st.DataObject,
    now: datetime,
    minutes: int,
    profile: SupportProfile,
    state: StateCode,
    days: int,
) -> None:
    busy = data.draw(st.lists(intervals(now), max_size=8))
    duration, horizon = timedelta(minutes=minutes), timedelta(days=days)
    windows = list(business_windows(now, now + horizon, profile, state))
    slot = find_slot(sorted(busy), now, duration, profile, state, horizon)
    # brute force over the 15-minute grid: the first candidate that fits is the answer
    quarter = timedelta(minutes=15)
    candidate = datetime(now.year, now.month, now.day, now.hour, tzinfo=UTC)
    while candidate < now:
        candidate += quarter
    expected = None
    while candidate + duration <= now + horizon:
        if fits((candidate, candidate + duration), busy, windows):
            expected = (candidate, candidate + duration)
            break
        candidate += quarter
    assert slot == expected
    if slot is not None:
        assert slot[0] >= now
        assert slot[1] - slot[0] == duration
        assert fits(slot, busy, windows)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[TicketInfo, list[TechnicianInfo], list[Busy], datetime]:
    now = draw(instants)
    vocab = ["firewall", "vpn", "backup", "Exchange", "project", "planning"]
    t = TicketInfo(
        id=1,
        kind=draw(st.sampled_from(list(TicketKind))),
        priority=draw(st.sampled_from(list(Priority))),
        tags=tuple(draw(st.lists(st.sampled_from(vocab), min_size=1, max_size=3))),
        site_branch_id=draw(st.sampled_from([None, 1, 2])),
        profile=draw(profiles),
        state=draw(states),
        first_response_due=draw(
            st.none() | st.just(now + timedelta(hours=draw(st.integers(1, 60))))
        ),
        resolution_due=draw(st.none() | st.just(now + timedelta(hours=draw(st.integers(1, 240))))),
        mode=draw(st.sampled_from(list(WorkMode))),
        duration=draw(st.none() | st.just(timedelta(minutes=draw(st.integers(15, 240))))),
    )
    ids = draw(st.lists(st.integers(1, 500), min_size=1, max_size=6, unique=True))
    people = [
        TechnicianInfo(
            id=i,
            name=f"T{i}",
            branch_id=draw(st.sampled_from([1, 2])),
            branch_name="B",
            service_role=draw(st.sampled_from(list(ServiceRole))),
            skills=tuple(draw(st.lists(st.sampled_from([v.upper() for v in vocab]), max_size=3))),
            open_load={p: draw(st.integers(0, 4)) for p in Priority},
        )
        for i in ids
    ]
    busy = [
        Busy(i, *draw(intervals(now)), draw(st.sampled_from(list(AppointmentKind))))
        for i in ids
        for _ in range(draw(st.integers(0, 5)))
    ]
    return t, people, busy, now


@FEW
@given(worlds())
def test_ranked_slots_avoid_every_blocking_appointment(
    world: tuple[TicketInfo, list[TechnicianInfo], list[Busy], datetime],
) -> None:
    t, people, busy, now = world
    for s in rank(t, people, busy, now):
        if s.slot is None:
            assert s.breach
            continue
        span = (s.slot.start, s.slot.end)
        assert s.slot.start >= now
        mine = [
            (b.start, b.end)
            for b in busy
            if b.technician_id == s.technician_id and b.kind is not AppointmentKind.ON_CALL
        ]
        assert not any(overlaps(span, b) for b in mine)
        windows = business_windows(now, now + HORIZON, t.profile, t.state)
        assert any(opens <= span[0] and span[1] <= closes for opens, closes in windows)


@FEW
@given(worlds(), st.randoms(use_true_random=False))
def test_ranking_is_deterministic_and_ignores_input_order(
    world: tuple[TicketInfo, list[TechnicianInfo], list[Busy], datetime], rnd: random.Random
) -> None:
    t, people, busy, now = world
    first = rank(t, people, busy, now)
    assert rank(t, people, busy, now) == first
    shuffled_people, shuffled_busy = people[:], busy[:]
    rnd.shuffle(shuffled_people)
    rnd.shuffle(shuffled_busy)
    assert rank(t, shuffled_people, shuffled_busy, now) == first


@FEW
@given(worlds(), st.data())
def test_missing_skill_never_outranks_having_it(
    world: tuple[TicketInfo, list[TechnicianInfo], list[Busy], datetime], data: st.DataObject
) -> None:
    t, people, busy, now = world
    base = people[0]
    tag = data.draw(st.sampled_from(t.tags))
    low, high = max(p.id for p in people) + 1, max(p.id for p in people) + 2
    skilled_id, unskilled_id = (low, high) if data.draw(st.booleans()) else (high, low)
    skilled = replace(base, id=skilled_id, skills=(*base.skills, tag.upper()))
    unskilled = replace(
        base,
        id=unskilled_id,
        skills=tuple(s for s in base.skills if s.casefold() != tag.casefold()),
    )
    theirs = [b for b in busy if b.technician_id == base.id]
    calendar = [
        *busy,
        *(replace(b, technician_id=skilled_id) for b in theirs),
        *(replace(b, technician_id=unskilled_id) for b in theirs),
    ]
    order = [s.technician_id for s in rank(t, [*people, unskilled, skilled], calendar, now)]
    assert order.index(skilled_id) < order.index(unskilled_id)


@FEW
@given(worlds())
def test_fully_booked_technician_is_listed_last(
    world: tuple[TicketInfo, list[TechnicianInfo], list[Busy], datetime],
) -> None:
    t, people, busy, now = world
    booked = replace(people[0], id=max(p.id for p in people) + 1, skills=t.tags, open_load={})
    wall = Busy(booked.id, now - timedelta(days=1), now + timedelta(days=15), WORK)
    result = rank(t, [booked, *people], [*busy, wall], now)
    at = [s.technician_id for s in result].index(booked.id)
    assert result[at].slot is None
    assert result[at].breach is True
    assert all(s.slot is not None for s in result[:at])  # everyone with a slot comes first
    assert all(s.slot is None for s in result[at:])
