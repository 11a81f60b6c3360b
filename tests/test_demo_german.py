"""The demo speaks German (issue 22, point 5): no English word in anything it writes, and the
text search finds its German words, umlauts and all, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from deploy.pgdb import drop_pg, fresh_pg_url
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, select

from dispatch.demo import DemoSize, seed_demo
from dispatch.demo.people import STAFF
from dispatch.demo.templates import ESCALATION_TITLES, TEMPLATES
from dispatch.demo.ticket_mix import COMMENTS, ESCALATION_NOTES
from dispatch.demo.vocabulary import BRANCHES, PROJECT_NOTES, SKILLS
from dispatch.models import (
    Appointment,
    Branch,
    Comment,
    Contact,
    Customer,
    Escalation,
    Site,
    Technician,
    Ticket,
)
from dispatch.server.http.app import create_app
from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.schema import create_schema
from dispatch.settings import Settings

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)  # a Monday morning
API = "/api/v1"

ENGLISH: frozenset[str] = frozenset((
    "the", "and", "of", "on", "for", "at", "after", "below", "above", "with", "from", "is", "not",
    "yet", "now", "no", "failed", "crashed", "down", "growing", "degraded", "threat",
    "quarantined", "load", "called", "customer", "before", "starting", "vendor", "escalated",
    "answer", "fixed", "sent", "new", "restore", "disk", "free", "blue", "screen",
    "queue", "replication", "critical", "printer", "network", "voip", "pick", "pack",
    "site", "file", "session", "please", "waiting", "done", "branch", "warehouse",
    "holiday", "sick", "training", "vacation",
))  # fmt: skip
"""Words of the English demo and of English admin speak that no German sentence holds. The
jargon a German admin writes as it is (Backup, Antivirus, Laptop, Office, Remote) is not here."""


def english_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[^\W\d_]+", text.lower()) if w in ENGLISH}


def test_the_word_list_catches_the_english_the_demo_had() -> None:
    """The check below is only as good as its list: the old demo's English is caught."""
    assert english_words("Disk C: on SRV-SQL01 below 10% free") == {"disk", "on", "below", "free"}
    assert english_words("Vendor case escalated, no answer yet.") >= {"vendor", "escalated"}
    assert english_words("Pick & Pack: 3x Lenovo ThinkPad T14") == {"pick", "pack"}
    assert not english_words("Laufwerk C: auf SRV-SQL01 unter 10 % frei (Bad Nauheim)")


def _tables() -> Iterator[str]:
    """Every text of the demo's tables, placeholders and all."""
    for templates in (*TEMPLATES.values(), *ESCALATION_TITLES.values()):
        for t in templates:
            yield t.title
            yield t.description
            yield from t.tags
    for comments in COMMENTS.values():
        yield from comments
    yield from ESCALATION_NOTES.values()
    yield from PROJECT_NOTES
    yield from SKILLS
    for branch in BRANCHES:
        yield from branch.streets
    yield from (display for _, display, _ in STAFF)


def test_no_english_word_in_the_demo_tables() -> None:
    found = {text: english_words(text) for text in _tables()}
    assert {text: words for text, words in found.items() if words} == {}


def test_every_template_fills_in_to_german_with_known_skills() -> None:
    values = {
        "srv": "SRV-SQL01",
        "ws": "PC-EMPFANG01",
        "vm": "VM-ERP01",
        "person": "Frau Müller",
        "city": "Gießen",
        "n": 3,
        "date": "24.12.",
    }
    for templates in (*TEMPLATES.values(), *ESCALATION_TITLES.values()):
        for t in templates:
            for text in (t.title.format(**values), t.description.format(**values)):
                assert "{" not in text and "}" not in text, text
            assert set(t.tags) <= set(SKILLS), t.title


TEXT_COLUMNS: tuple[tuple[type[SQLModel], tuple[str, ...]], ...] = (
    (Branch, ("name",)),
    (Customer, ("name", "account_manager")),
    (Site, ("name", "address", "city")),
    (Contact, ("name",)),
    (Technician, ("name", "skills")),
    (Ticket, ("title", "description", "tags")),
    (Comment, ("body",)),
    (Escalation, ("note",)),
    (Appointment, ("note",)),
)
"""What a person reads of the demo (ids, numbers, mail addresses and enum values aside)."""


def _seeded(url: str, *, tickets: int) -> tuple[Engine, dict[str, str]]:
    engine = make_engine(url)
    create_schema(engine)
    with Session(engine) as session:
        logins = seed_demo(session, now=NOW, size=DemoSize(tickets=tickets, escalations=3))
        session.commit()
    return engine, logins.tokens


def test_no_english_word_in_what_the_demo_writes(tmp_path: Path) -> None:
    """The seeded rows too: the texts the seeders put together (site names, calendar notes,
    the description's contact and site) are German as well."""
    engine, _ = _seeded(f"sqlite:///{tmp_path / 'demo.db'}", tickets=1500)
    found: dict[str, set[str]] = {}
    seen = 0
    with Session(engine) as session:
        for model, fields in TEXT_COLUMNS:
            for row in session.exec(select(model)).all():
                for field in fields:
                    value: Any = getattr(row, field)
                    for text in value if isinstance(value, list) else [value or ""]:
                        seen += 1
                        if words := english_words(text):
                            found[text] = words
        titles = {t.title for t in session.exec(select(Ticket)).all()}
    engine.dispose()
    assert seen > 5000
    assert found == {}
    assert any(t.startswith("Kommissionierung:") for t in titles), "every kind is there"


def _ids(client: TestClient, token: str, q: str) -> set[int]:
    """Every ticket the service's `q` search finds, page after page."""
    found: set[int] = set()
    params: dict[str, Any] = {"q": q, "limit": 500}
    while True:
        r = client.get(
            f"{API}/tickets", params=params, headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 200, r.text
        body = r.json()
        found |= {t["id"] for t in body["items"]}
        if not body.get("next_cursor"):
            return found
        params["cursor"] = body["next_cursor"]


def _umlaut_words(engine: Engine) -> dict[str, set[int]]:
    """Each word with an umlaut or ß in the demo's titles, and the tickets whose text holds it."""
    with Session(engine) as session:
        rows = session.exec(select(Ticket.id, Ticket.title, Ticket.search)).all()
    words = {
        w.lower()
        for _, title, _ in rows
        for w in re.findall(r"[^\W\d_]+", title)
        if re.search("[äöüß]", w.lower())
    }
    return {w: {i for i, _, search in rows if i is not None and w in search} for w in sorted(words)}


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'demo.db'}"
        return
    url = fresh_pg_url("demo_german")
    try:
        yield url
    finally:
        drop_pg(url)


def test_the_search_finds_german_words_with_umlauts(demo_db: str) -> None:
    engine, tokens = _seeded(demo_db, tickets=400)
    wanted = _umlaut_words(engine)
    assert {"für", "abgestürzt", "wächst", "rücksicherungstest"} <= set(wanted)
    settings = Settings(database_url=demo_db, rate_limit_per_minute=0)
    with TestClient(create_app(settings, engine=engine, create=False)) as client:
        token = tokens["anna.becker"]
        for word, ids in wanted.items():
            assert ids, word
            assert _ids(client, token, word) == ids, word
            if word.upper().lower() == word:  # not "ß", whose capital is "SS"
                assert _ids(client, token, word.upper()) == ids, word.upper()
    engine.dispose()
