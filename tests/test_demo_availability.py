"""The demo shows availability: technicians with their own hours, on-call duty this week."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from dispatch.demo import DemoSize, seed_demo
from dispatch.domain.availability import DEFAULT_HOURS
from dispatch.domain.types import AppointmentKind
from dispatch.models.appointment import Appointment
from dispatch.models.user import Technician
from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.schema import create_schema

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    create_schema(engine)
    with Session(engine) as s:
        seed_demo(s, now=NOW, size=DemoSize(tickets=60))
        s.commit()
        yield s
    engine.dispose()


def test_some_technicians_keep_other_hours(session: Session) -> None:
    techs = session.exec(select(Technician).order_by(col(Technician.id))).all()
    shifts = {t.hours().describe() for t in techs}
    assert DEFAULT_HOURS.describe() in shifts
    assert len(shifts) >= 4  # the default and at least three shifts
    # every shift still covers the usual weekday hours, where the demo and the tests book
    for t in techs:
        for day in t.hours().days[:5]:
            assert day is not None and day[0].hour <= 8 and day[1].hour >= 17
    assert all(t.working_hours is None for t in techs[:4])


def test_someone_is_on_call_this_week(session: Session) -> None:
    duty = session.exec(
        select(Appointment).where(
            Appointment.kind == AppointmentKind.ON_CALL,
            col(Appointment.start) <= NOW + timedelta(days=7),
            col(Appointment.end) >= NOW,
        )
    ).all()
    assert duty
