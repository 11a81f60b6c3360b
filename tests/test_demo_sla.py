"""The demo's contracts and clocks follow the SLA rules: extended support booked by some
customers, managed monitoring by some, every ticket's due times from the covering contract."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from dispatch.demo import DemoSize, seed_demo
from dispatch.demo import sla as demo_sla
from dispatch.domain import sla
from dispatch.domain.types import CommentKind, ContractKind, Status, SupportProfile, TicketKind
from dispatch.models import Branch, Comment, Contract, Site, Ticket
from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.schema import create_schema

NOW = datetime(2026, 3, 11, 9, 30, tzinfo=UTC)  # a Wednesday


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo_sla') / 'demo.db'}")
    create_schema(engine)
    with Session(engine) as s:
        seed_demo(s, now=NOW, seed=11, size=DemoSize(customers=12, tickets=200))
        s.commit()
        yield s
    engine.dispose()


def _contracts(session: Session) -> dict[int, list[Contract]]:
    mine: dict[int, list[Contract]] = defaultdict(list)
    for c in session.exec(select(Contract)).all():
        mine[c.customer_id].append(c)
    return mine


def test_some_customers_book_extended_support_and_some_managed_monitoring(
    session: Session,
) -> None:
    kinds = {cid: {c.kind for c in cs} for cid, cs in _contracts(session).items()}
    extended = [cid for cid, k in kinds.items() if ContractKind.EXTENDED_SUPPORT in k]
    managed = [cid for cid, k in kinds.items() if ContractKind.MANAGED_SERVICES in k]
    assert extended and len(extended) < len(kinds), "customers with and without it"
    assert managed and len(managed) < len(kinds)
    for cs in _contracts(session).values():
        for c in cs:
            # extended hours only where booked, 24/7 only with monitoring
            wide = {
                ContractKind.EXTENDED_SUPPORT: SupportProfile.EXTENDED,
                ContractKind.MANAGED_SERVICES: SupportProfile.ALWAYS,
            }
            assert c.support_profile is wide.get(c.kind, SupportProfile.STANDARD)


def test_every_demo_ticket_counts_in_the_terms_of_its_covering_contract(
    session: Session,
) -> None:
    contracts = _contracts(session)
    states = {
        s.id: b.state
        for s, b in session.exec(select(Site, Branch).where(Site.branch_id == Branch.id)).all()
    }
    tickets = session.exec(select(Ticket)).all()
    profiles = set()
    for t in tickets:
        terms = sla.choose_terms(
            demo_sla.contract_terms(contracts[t.customer_id]), t.kind, t.source, states[t.site_id]
        )
        assert (t.sla_profile, t.sla_state, t.sla_contract_id) == (
            terms.profile,
            terms.state,
            terms.contract_id,
        )
        assert (t.first_response_due, t.resolution_due) == sla.due_times_for(
            terms, t.received_at, t.priority
        )
        if t.sla_profile is SupportProfile.ALWAYS:
            assert t.kind is TicketKind.MONITORING  # monitoring alone runs around the clock
        profiles.add(t.sla_profile)
    assert profiles == set(SupportProfile)


def test_a_demo_ticket_was_answered_only_by_reaching_the_customer(session: Session) -> None:
    """Triage and scheduling never answer a ticket: where the demo says one in those states
    was answered, a customer-contact comment says when; a new ticket is not answered."""
    contacts: dict[int, list[Comment]] = {}
    for comment in session.exec(select(Comment)).all():
        if comment.kind == CommentKind.CUSTOMER_CONTACT.value:
            contacts.setdefault(comment.ticket_id, []).append(comment)
    desk = [
        t
        for t in session.exec(select(Ticket)).all()
        if t.status in (Status.TRIAGED, Status.SCHEDULED) and t.responded_at is not None
    ]
    assert desk, "the demo has answered tickets at the desk"
    for ticket in desk:
        assert ticket.id in contacts, ticket.number
        first = min(c.created_at for c in contacts[ticket.id])
        assert first == ticket.responded_at, ticket.number
    new = session.exec(select(Ticket).where(Ticket.status == Status.NEW)).all()
    assert new and all(t.responded_at is None for t in new)
