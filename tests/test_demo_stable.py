"""The demo data stays put: the same inputs give the same rows in every table, asking for more
tickets leaves the people, customers and time off as they were, and the logins the docs and
the tests name are there with their roles."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session, SQLModel

from dispatch.demo import DemoSize, seed_demo
from dispatch.domain.types import Role
from dispatch.models import User
from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.schema import create_schema

NOW = datetime(2026, 12, 5, 22, 47, 13, tzinfo=UTC)  # a Saturday night: no one is sick today
FRESH = {("apitoken", "token_hash"), ("apitoken", "created_at"), ("user", "created_at")}
"""What a new seed makes anew every time: tokens and the moment the users were created."""


def _rows(path: Path, *, seed: int, size: DemoSize) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of a freshly seeded database, its rows sorted, fresh columns left out."""
    engine: Engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    with Session(engine) as session:
        seed_demo(session, now=NOW, seed=seed, size=size)
        session.commit()
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if (table.name, c.name) not in FRESH]
            rows = conn.execute(select(*columns)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    engine.dispose()
    return out


def test_the_same_seed_size_and_now_give_the_same_rows_in_every_table(tmp_path: Path) -> None:
    size = DemoSize(technicians=9, customers=12, tickets=150, escalations=4)
    first = _rows(tmp_path / "a.db", seed=5, size=size)
    again = _rows(tmp_path / "b.db", seed=5, size=size)
    assert first == again
    for table in ("branch", "technician", "customer", "site", "contact", "contract"):
        assert first[table], table
    for table in ("ticket", "appointment", "comment", "escalation"):
        assert first[table], table
    other = _rows(tmp_path / "c.db", seed=6, size=size)
    assert other["ticket"] != first["ticket"] and other["customer"] != first["customer"]


def test_more_tickets_leave_people_customers_and_time_off_as_they_are(tmp_path: Path) -> None:
    """The tickets are drawn last, so the names a user has learnt survive a bigger demo."""
    none = _rows(tmp_path / "none.db", seed=7, size=DemoSize(tickets=0, escalations=0))
    many = _rows(tmp_path / "many.db", seed=7, size=DemoSize(tickets=400, escalations=3))
    for table in ("branch", "user", "technician", "customer", "site", "contact", "contract"):
        assert none[table] == many[table], table
    assert many["ticket"] and not none["ticket"]
    ticket_col = [c.name for c in SQLModel.metadata.tables["appointment"].columns].index(
        "ticket_id"
    )
    not_work = [a for a in many["appointment"] if a[ticket_col] is None]
    assert none["appointment"] == not_work
    assert len(not_work) < len(many["appointment"])


def test_the_logins_the_docs_and_tests_name_exist_with_their_roles(tmp_path: Path) -> None:
    """README and `dispatch demo --help` name these; the console tests log in as them."""
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    create_schema(engine)
    with Session(engine) as session:
        logins = seed_demo(session, now=NOW)
        session.commit()
        roles = {u.name: u.role for u in session.scalars(select(User))}
    engine.dispose()
    assert set(logins.tokens) == set(roles)
    expected = {
        "admin": Role.ADMIN,
        "anna.becker": Role.DISPATCHER,
        "lukas.schneider": Role.DISPATCHER,
        "tom.lehmann": Role.TEAM_LEAD,
        "marco.wagner": Role.TECHNICIAN,
    }
    assert {name: roles.get(name) for name in expected} == expected
