"""Demo data for technician availability: a few technicians with their own working hours.

On-call duty is in the demo calendar already (one technician per state and week, Monday
17:00 to the next Monday 08:00, see demo/schedule.py). Every shift here still covers 08:00-17:00 on
weekdays, where the demo books work and the console tests book demo technicians. The demo's
two weeks hold a holiday of one state and not the other only at some times of the year
(e.g. 01.11. All Saints' Day: NRW yes, Hesse no); tests/domain/test_availability.py shows it
on 31.10./01.11.2024.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update
from sqlmodel import Session, col

from dispatch.domain.availability import parse_hours
from dispatch.models.user import Technician

SHIFTS: tuple[tuple[str, ...], ...] = (
    ("mon-fri", "07:00-17:00"),  # starts early
    ("mon-fri", "08:00-19:00"),  # stays late
    ("mon-fri", "08:00-17:00", "sat", "08:00-12:00"),  # Saturday mornings too
    ("mon-fri", "06:00-17:00", "sat", "08:00-14:00"),  # the extended-support early bird
)

FIRST_WITH_SHIFT = 4
"""The technicians with the lowest ids keep the default hours (tests pick them)."""


def seed_hours(session: Session, technician_ids: Sequence[int]) -> None:
    """Every third technician from the fifth on gets one of the shifts, in turn."""
    chosen = sorted(technician_ids)[FIRST_WITH_SHIFT::3]
    for n, tech_id in enumerate(chosen):
        hours = parse_hours(SHIFTS[n % len(SHIFTS)]).as_mapping()
        session.execute(
            update(Technician).where(col(Technician.id) == tech_id).values(working_hours=hours)
        )
