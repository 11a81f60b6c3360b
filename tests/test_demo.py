"""The demo data: shaped like DOMAIN.md, internally consistent and deterministic."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dispatch.demo import DemoLogins, DemoSize, seed_demo
from dispatch.domain.sla import BERLIN
from dispatch.domain.types import (
    AppointmentKind,
    ContractKind,
    EscalationReason,
    EscalationStatus,
    Priority,
    Role,
    ServiceRole,
    Source,
    StateCode,
    Status,
    SupportProfile,
    TicketKind,
    TimeEntryState,
)
from dispatch.models import (
    Appointment,
    Branch,
    Comment,
    Contract,
    Customer,
    Escalation,
    Site,
    Technician,
    Ticket,
    TimeEntry,
    User,
)
from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.schema import create_schema
from dispatch.server.rules.accounts import user_for_token

NOW = datetime(2026, 3, 11, 9, 30, tzinfo=UTC)  # a Wednesday
SIZE = DemoSize()


def _seeded(path: Path, *, seed: int = 7, size: DemoSize = SIZE) -> tuple[Engine, DemoLogins]:
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    with Session(engine) as session:
        logins = seed_demo(session, now=NOW, seed=seed, size=size)
        session.commit()
    return engine, logins


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Session, DemoLogins]]:
    engine, logins = _seeded(tmp_path_factory.mktemp("demo") / "demo.db")
    with Session(engine) as session:
        yield session, logins
    engine.dispose()


@pytest.fixture
def session(demo: tuple[Session, DemoLogins]) -> Session:
    return demo[0]


def test_six_branches_with_their_states(session: Session) -> None:
    branches = {b.code: (b.name, b.state) for b in session.exec(select(Branch)).all()}
    nw, he = StateCode.NW, StateCode.HE
    assert branches == {
        "WAF": ("Warendorf", nw),
        "RHW": ("Rheda-Wiedenbrück", nw),
        "SIE": ("Siegen", nw),
        "KAM": ("Kamen", nw),
        "MIT": ("Mittenaar", he),
        "BUT": ("Butzbach", he),
    }


def test_users_of_every_role_and_technicians_of_every_service_role(session: Session) -> None:
    users = session.exec(select(User)).all()
    assert {u.role for u in users} == set(Role)
    assert sum(u.role is Role.DISPATCHER for u in users) == 2
    techs = session.exec(select(Technician)).all()
    assert len(techs) == SIZE.technicians
    assert {t.service_role for t in techs} == set(ServiceRole)
    assert sum(t.service_role is ServiceRole.TECHNICIAN for t in techs) > len(techs) / 2
    assert all(t.skills for t in techs)
    assert len({t.branch_id for t in techs}) == 6
    tech_users = {u.id for u in users if u.role is Role.TECHNICIAN}
    assert {t.user_id for t in techs} == tech_users


def test_tokens_belong_to_their_users(demo: tuple[Session, DemoLogins]) -> None:
    session, logins = demo
    names = {u.name for u in session.exec(select(User)).all()}
    assert set(logins.tokens) == names
    assert {"admin", "anna.becker", "tom.lehmann"} <= names
    for name, token in logins.tokens.items():
        user = user_for_token(session, token)
        assert user is not None and user.name == name


def test_customers_have_sites_contacts_and_contracts(session: Session) -> None:
    customers = session.exec(select(Customer)).all()
    assert len(customers) == SIZE.customers
    assert len({c.name for c in customers}) == len(customers)
    contracts: dict[int, list[Contract]] = defaultdict(list)
    for contract in session.exec(select(Contract)).all():
        contracts[contract.customer_id].append(contract)
    kinds = {c.kind for cs in contracts.values() for c in cs}
    assert kinds == set(ContractKind)
    for customer in customers:
        assert customer.id is not None
        own = contracts[customer.id]
        assert ContractKind.COOPERATION in {c.kind for c in own}
        for contract in own:
            if contract.kind is ContractKind.MANAGED_SERVICES:
                assert contract.support_profile is SupportProfile.ALWAYS
            if contract.kind is ContractKind.CONTINGENT:
                assert contract.contingent_hours_per_month
        sites = session.exec(select(Site).where(Site.customer_id == customer.id)).all()
        assert 1 <= len(sites) <= 3
    profiles = {c.support_profile for cs in contracts.values() for c in cs}
    assert profiles == set(SupportProfile)
    assert any(c.response_overrides for cs in contracts.values() for c in cs)


def test_tickets_cover_every_kind_source_and_status(session: Session) -> None:
    tickets = session.exec(select(Ticket)).all()
    # the drawn tickets come first; the contingent work's own tickets follow (see below)
    assert len([t for t in tickets if t.id is not None and t.id <= SIZE.tickets]) == SIZE.tickets
    worked_on = {e.ticket_id for e in session.exec(select(TimeEntry)).all()}
    assert all(t.id in worked_on for t in tickets if t.id is not None and t.id > SIZE.tickets)
    assert {t.kind for t in tickets} == set(TicketKind)
    assert {t.source for t in tickets} == set(Source)
    assert {t.status for t in tickets} == set(Status)
    paired = {
        TicketKind.MONITORING: Source.MONITORING,
        TicketKind.MAINTENANCE: Source.SCHEDULE,
        TicketKind.PICK_PACK: Source.GOODS_RECEIPT,
    }
    for ticket in tickets:
        if ticket.kind in paired:
            assert ticket.source is paired[ticket.kind]
        else:
            assert ticket.source not in paired.values()
    by_priority = defaultdict(int, {p: 0 for p in Priority})
    for ticket in tickets:
        by_priority[ticket.priority] += 1
    assert by_priority[Priority.P2] + by_priority[Priority.P3] > len(tickets) / 2


def test_ticket_fields_are_consistent(session: Session) -> None:
    tickets = session.exec(select(Ticket)).all()
    customers = {c.id: c.name for c in session.exec(select(Customer)).all()}
    numbers = [t.number for t in tickets]
    assert len(set(numbers)) == len(numbers)
    for t in tickets:
        assert t.id is not None and t.number == 100_000 + t.id
        assert t.first_response_due is not None and t.resolution_due is not None
        assert t.received_at <= t.first_response_due <= t.resolution_due
        assert t.received_at <= NOW
        assert str(t.number) in t.search and customers[t.customer_id].lower() in t.search
        assert t.search == t.search.lower() and t.title.lower() in t.search
        assert all(tag in t.search for tag in t.tags)
        assert (t.responded_at is None) == (t.status is Status.NEW)
        if t.responded_at is not None:
            assert t.received_at <= t.responded_at <= NOW
        resolved = t.status in (Status.RESOLVED, Status.CLOSED)
        assert (t.resolved_at is not None) == resolved
        assert (t.sla_paused_at is not None) == (t.status is Status.WAITING_CUSTOMER)
        if t.status is Status.NEW:
            assert t.assignee_id is None
        if t.status in (Status.SCHEDULED, Status.IN_PROGRESS):
            assert t.assignee_id is not None
    open_ages = [(NOW - t.received_at).days for t in tickets if not t.resolved_at]
    assert max(open_ages) <= 10
    assert max((NOW - t.received_at).days for t in tickets) > 14


def test_logged_work_sits_on_a_ticket_of_its_customer_that_existed_then(
    session: Session,
) -> None:
    """A year of contingent work, and none of it on a ticket received after it began or
    resolved before: each entry's ticket is of a customer with a contingent contract."""
    contingent = {
        c.customer_id
        for c in session.exec(select(Contract).where(Contract.kind == ContractKind.CONTINGENT))
    }
    tickets = {t.id: t for t in session.exec(select(Ticket)).all()}
    entries = session.exec(select(TimeEntry)).all()
    assert {e.state for e in entries} == {TimeEntryState.APPROVED, TimeEntryState.SUBMITTED}
    for e in entries:
        ticket = tickets[e.ticket_id]
        assert ticket.customer_id in contingent, ticket.number
        assert ticket.received_at < e.started_at, ticket.number
        if ticket.resolved_at is not None:
            assert ticket.resolved_at >= e.started_at, ticket.number
    assert (NOW - min(e.started_at for e in entries)).days > 330, "work reaches a year back"


def test_appointments_never_overlap_and_stay_in_the_two_weeks(session: Session) -> None:
    appointments = session.exec(select(Appointment).order_by(col(Appointment.start))).all()
    assert {a.kind for a in appointments} >= {
        AppointmentKind.TICKET_WORK,
        AppointmentKind.ABSENCE,
        AppointmentKind.ON_CALL,
    }
    busy: dict[int, list[Appointment]] = defaultdict(list)
    for a in appointments:
        if a.kind is not AppointmentKind.ON_CALL:
            busy[a.technician_id].append(a)
    for own in busy.values():
        for before, after in pairwise(own):
            assert before.end <= after.start, (before, after)
    tickets = {t.id: t for t in session.exec(select(Ticket)).all()}
    work = [a for a in appointments if a.kind is AppointmentKind.TICKET_WORK]
    scheduled = [t for t in tickets.values() if t.status is Status.SCHEDULED]
    assert len(work) >= len(scheduled) * 0.8
    for a in work:
        assert a.ticket_id is not None and a.mode is not None
        ticket = tickets[a.ticket_id]
        assert ticket.assignee_id == a.technician_id
        if ticket.status is Status.SCHEDULED:
            assert a.start >= NOW
        start, end = a.start.astimezone(BERLIN), a.end.astimezone(BERLIN)
        assert start.date() == end.date() and start.weekday() < 5
        assert start.hour >= 8 and (end.hour, end.minute) <= (17, 0)
        assert datetime(2026, 3, 9, tzinfo=BERLIN) <= start < datetime(2026, 3, 21, tzinfo=BERLIN)


def test_open_escalations_on_escalated_p1_tickets(session: Session) -> None:
    escalations = session.exec(select(Escalation)).all()
    assert len(escalations) == SIZE.escalations
    assert {(e.level, e.reason) for e in escalations} == {
        (1, EscalationReason.TOTAL_OUTAGE),
        (2, EscalationReason.VENDOR_STUCK),
    }
    for e in escalations:
        assert e.status is EscalationStatus.OPEN
        ticket = session.get(Ticket, e.ticket_id)
        assert ticket is not None
        assert ticket.escalated and ticket.priority is Priority.P1
        assert ticket.status not in (Status.RESOLVED, Status.CLOSED)
        assert ticket.received_at <= e.raised_at <= NOW
    escalated = session.exec(select(Ticket).where(col(Ticket.escalated))).all()
    assert len(escalated) == SIZE.escalations


def test_comments_exist_and_follow_the_response(session: Session) -> None:
    comments = session.exec(select(Comment)).all()
    assert comments
    for comment in comments:
        ticket = session.get(Ticket, comment.ticket_id)
        assert ticket is not None and ticket.responded_at is not None
        assert ticket.responded_at <= comment.created_at <= NOW


def _fingerprint(engine: Engine) -> list[tuple[int | None, str, Priority]]:
    with Session(engine) as session:
        rows = session.exec(select(Ticket).order_by(col(Ticket.id))).all()
        return [(t.number, t.title, t.priority) for t in rows]


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path) -> None:
    size = DemoSize(technicians=6, customers=10, tickets=80, escalations=3)
    first, _ = _seeded(tmp_path / "a.db", seed=11, size=size)
    again, _ = _seeded(tmp_path / "b.db", seed=11, size=size)
    other, _ = _seeded(tmp_path / "c.db", seed=12, size=size)
    assert _fingerprint(first) == _fingerprint(again)
    assert _fingerprint(first) != _fingerprint(other)
    with Session(first) as session:
        assert len(session.exec(select(Escalation)).all()) == 3
    for engine in (first, again, other):
        engine.dispose()


def test_naive_now_is_refused(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    create_schema(engine)
    with Session(engine) as session, pytest.raises(ValueError, match="timezone"):
        seed_demo(session, now=datetime(2026, 3, 11, 9, 30))
    engine.dispose()
