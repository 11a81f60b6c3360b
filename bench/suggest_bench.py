"""Benchmark smart assignment: rank one ticket over 200 technicians and 20,000 appointments.

Run: uv run python bench/suggest_bench.py [RUNS]

The calendar fills the 14-day horizon densely (about 100 appointments per technician, in
business hours, some overlapping, some on-call), so most technicians' first gap is days away
and the slot search has to walk their calendars. Prints figures, asserts none; the target is
under 50 ms per ticket.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial

from dispatch.domain.sla import BERLIN
from dispatch.domain.suggest import Busy, TechnicianInfo, TicketInfo, rank
from dispatch.domain.types import (
    AppointmentKind,
    Priority,
    ServiceRole,
    StateCode,
    SupportProfile,
    TicketKind,
    WorkMode,
)

NOW = datetime(2025, 3, 10, 9, 7, tzinfo=BERLIN).astimezone(UTC)  # a Monday morning
SKILLS = ["firewall", "vpn", "exchange", "m365", "backup", "printer", "datev", "network", "linux"]
BRANCHES = ["Warendorf", "Rheda-Wiedenbrück", "Siegen", "Kamen", "Mittenaar", "Butzbach"]
KINDS = [AppointmentKind.TICKET_WORK] * 7 + [
    AppointmentKind.PROJECT,
    AppointmentKind.ABSENCE,
    AppointmentKind.ON_CALL,
]


def world(
    technicians: int = 200, appointments: int = 20_000, seed: int = 11
) -> tuple[TicketInfo, list[TechnicianInfo], list[Busy]]:
    rnd = random.Random(seed)
    techs = [
        TechnicianInfo(
            id=i,
            name=f"Tech {i}",
            branch_id=i % len(BRANCHES),
            branch_name=BRANCHES[i % len(BRANCHES)],
            service_role=rnd.choice(list(ServiceRole)),
            skills=tuple(rnd.sample(SKILLS, 3)),
            open_load={p: rnd.randint(0, 3) for p in Priority},
        )
        for i in range(1, technicians + 1)
    ]
    busy = []
    for _ in range(appointments):
        day = NOW.astimezone(BERLIN).date() + timedelta(days=rnd.randrange(14))
        start = datetime(day.year, day.month, day.day, rnd.randint(7, 16), rnd.choice([0, 30]))
        length = timedelta(minutes=rnd.choice([30, 60, 90, 120, 180]))
        aware = start.replace(tzinfo=BERLIN).astimezone(UTC)
        busy.append(Busy(rnd.randint(1, technicians), aware, aware + length, rnd.choice(KINDS)))
    ticket = TicketInfo(
        id=1,
        kind=TicketKind.INCIDENT,
        priority=Priority.P3,
        tags=("firewall", "VPN"),
        site_branch_id=2,
        profile=SupportProfile.STANDARD,
        state=StateCode.NW,
        first_response_due=NOW + timedelta(hours=8),
        resolution_due=NOW + timedelta(days=4),
        mode=WorkMode.ONSITE,
    )
    return ticket, techs, busy


def timed(runs: int, call: Callable[[], object]) -> tuple[float, float, float]:
    """(median, p95, max) wall milliseconds of `call` over `runs` runs, after one warm-up."""
    call()  # warm the holiday and window caches
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, times[-1]


def main(runs: int = 30) -> None:
    ticket, techs, busy = world()
    local = [
        replace(b, start=b.start.astimezone(BERLIN), end=b.end.astimezone(BERLIN)) for b in busy
    ]
    print(f"rank: {len(techs)} technicians, {len(busy)} appointments, {runs} runs")
    for label, calendar in (("UTC appointments", busy), ("Berlin-time appointments", local)):
        median, p95, worst = timed(runs, partial(rank, ticket, techs, calendar, NOW))
        print(f"  {label:<25} median {median:5.1f} ms   p95 {p95:5.1f} ms   max {worst:5.1f} ms")
    result = rank(ticket, techs, busy, NOW)
    with_slot = sum(s.slot is not None for s in result)
    breaching = sum(s.breach for s in result)
    print(f"  {with_slot} with a slot, {breaching} breaching; top: {result[0].name}")
    print("  " + "; ".join(result[0].reasons))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
