"""A small known data set and one token per role, on the real app."""

from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from dispatch.domain.types import (
    ContractKind,
    Role,
    ServiceRole,
    StateCode,
    SupportProfile,
)
from dispatch.models import Branch, ChangeEvent, Contract, Customer, Site, Technician, User
from dispatch.server.http.app import create_app
from dispatch.server.http.feedhub import FeedHub
from dispatch.server.rules.accounts import create_user
from dispatch.settings import Settings

PG_URL = os.environ.get("DISPATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def worker_tag() -> str:
    """This xdist worker in this checkout, for the names of its own PostgreSQL databases.

    xdist names its workers gw0, gw1, … in every checkout; the checkout's path is part of the
    tag so that two checkouts running the suite at once never drop each other's databases.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    checkout = zlib.crc32(str(Path(__file__).resolve().parents[2]).encode())
    return f"{worker}_{checkout:08x}"[:24]


API = "/api/v1"
PROBLEM = "application/problem+json"
# An id no row has: the PostgreSQL database is shared by every test of the run, so its id
# sequences reach the hundreds and a small number like 999 can be a real user or ticket.
NO_SUCH_ID = 2_147_483_647

Json = dict[str, Any]
MakeWorld = Callable[..., "World"]
"""The `make_world` fixture: builds the world with Settings(**overrides)."""


class Clock:
    """The service's notion of now for ticket writes and suggestions, moved by the test."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now.astimezone(UTC)

    def at(self, when: datetime) -> None:
        self.now = when


@dataclass
class World:
    """Tokens of one user per role and the ids of a small, known data set."""

    client: TestClient
    engine: Engine
    tokens: dict[str, str]
    tech_id: int  # technician of user "tina" (role technician)
    other_tech_id: int  # technician of user "otto"
    customer_id: int
    site_id: int
    branch_id: int

    def h(self, who: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **extra}

    def hm(self, who: str, version: int, **extra: str) -> dict[str, str]:
        """Headers with If-Match for `version`."""
        return self.h(who, **{"If-Match": f'"{version}"', **extra})

    # -- plain requests -------------------------------------------------------------------
    def get(self, who: str, path: str, **params: Any) -> Response:
        r: Response = self.client.get(API + path, params=params or None, headers=self.h(who))
        return r

    def post(self, who: str, path: str, body: Any = None, **headers: str) -> Response:
        r: Response = self.client.post(API + path, json=body, headers=self.h(who, **headers))
        return r

    # -- the data set ---------------------------------------------------------------------
    def new_ticket(self, who: str = "dana", **fields: Any) -> Json:
        body = {
            "title": "Printer on reception prints nothing",
            "customer_id": self.customer_id,
            "site_id": self.site_id,
            **fields,
        }
        r = self.client.post(f"{API}/tickets", json=body, headers=self.h(who))
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def assigned_ticket(self, tech: str = "tina", **fields: Any) -> Json:
        """A new ticket assigned (by dana) to `tech` ("tina" or "otto")."""
        t = self.new_ticket(**fields)
        tech_id = self.tech_id if tech == "tina" else self.other_tech_id
        r = self.post("dana", f"/tickets/{t['id']}/assignment", {"technician_id": tech_id})
        assert r.status_code == 200, r.text
        return r.json()["ticket"]  # type: ignore[no-any-return]

    def ticket(self, ticket_id: int, who: str = "dana") -> Json:
        r = self.get(who, f"/tickets/{ticket_id}")
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def patch(self, who: str, ticket: Json, **changes: Any) -> Response:
        r: Response = self.client.patch(
            f"{API}/tickets/{ticket['id']}",
            json=changes,
            headers=self.hm(who, ticket["version"]),
        )
        return r

    def escalate(self, ticket: Json, who: str = "dana", **fields: Any) -> Json:
        body = {"reason": "total_outage", **fields}
        r = self.post(who, f"/tickets/{ticket['id']}/escalations", body)
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def book(self, who: str = "dana", **fields: Any) -> Response:
        body = {
            "technician_id": self.tech_id,
            "start": "2030-03-04T09:00:00+01:00",
            "end": "2030-03-04T11:00:00+01:00",
            **fields,
        }
        return self.post(who, "/appointments", body)

    def waiting_long_poll(
        self, monkeypatch: pytest.MonkeyPatch, since: int, wait: int
    ) -> tuple[threading.Thread, list[Response]]:
        """Adam's `GET /changes` long-poll in a thread, returned once it waits for a write;
        its answer lands in the list."""
        waiting = threading.Event()  # long-polls wait in the app's FeedHub
        real_wait = FeedHub.wait

        async def spy(self: FeedHub, *args: Any) -> None:
            waiting.set()
            await real_wait(self, *args)

        monkeypatch.setattr(FeedHub, "wait", spy)
        answer: list[Response] = []
        poll = threading.Thread(
            target=lambda: answer.append(self.get("adam", "/changes", since=since, wait=wait))
        )
        poll.start()
        assert waiting.wait(10), "the long-poll never started waiting"
        return poll, answer

    def changes(self, who: str = "adam", since: int = 0, **params: Any) -> Json:
        r = self.get(who, "/changes", since=since, **params)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    # -- straight from the database ----------------------------------------------------------
    def event_count(self) -> int:
        with Session(self.engine) as s:
            return int(s.exec(select(func.count()).select_from(ChangeEvent)).one())

    def user_id(self, name: str) -> int:
        with Session(self.engine) as s:
            found = s.exec(select(User.id).where(User.name == name)).one()
            assert found is not None
            return int(found)

    def rows(self, model: type[Any]) -> int:
        with Session(self.engine) as s:
            return int(s.exec(select(func.count()).select_from(model)).one())

    def events_of(self, entity: str, entity_id: int) -> list[ChangeEvent]:
        with Session(self.engine) as s:
            return list(
                s.exec(
                    select(ChangeEvent)
                    .where(ChangeEvent.entity == entity, ChangeEvent.entity_id == entity_id)
                    .order_by(col(ChangeEvent.seq))
                ).all()
            )


def seed(engine: Engine) -> tuple[dict[str, str], tuple[int, int, int, int, int]]:
    """Two branches, one customer with a site and a contract, one user per role.

    Returns the tokens by user name and the ids (tina's and otto's technician,
    customer, site, tina's branch).
    """
    with Session(engine) as s:
        branch = Branch(code="WAF", name="Warendorf", state=StateCode.NW)
        other = Branch(code="BUT", name="Butzbach", state=StateCode.HE)
        s.add(branch)
        s.add(other)
        s.flush()
        customer = Customer(number="K-1", name="Bäckerei Sonnenschein")
        s.add(customer)
        s.flush()
        assert customer.id and branch.id and other.id
        site = Site(customer_id=customer.id, name="Hauptfiliale", branch_id=branch.id)
        s.add(site)
        s.add(
            Contract(
                customer_id=customer.id,
                kind=ContractKind.COOPERATION,
                support_profile=SupportProfile.STANDARD,
            )
        )
        tokens = {}
        for name, role in [
            ("tina", Role.TECHNICIAN),
            ("otto", Role.TECHNICIAN),
            ("dana", Role.DISPATCHER),
            ("lea", Role.TEAM_LEAD),
            ("adam", Role.ADMIN),
            ("bea", Role.BACKOFFICE),
        ]:
            user, token = create_user(s, name, name.title(), role)
            tokens[name] = token
            if role is Role.TECHNICIAN:
                assert user.id
                s.add(
                    Technician(
                        user_id=user.id,
                        name=name.title(),
                        branch_id=branch.id if name == "tina" else other.id,
                        service_role=ServiceRole.TECHNICIAN,
                        skills=["firewall"],
                    )
                )
        s.commit()
        techs = {t.name: t.id for t in s.exec(select(Technician)).all()}
        ids = (techs["Tina"], techs["Otto"], customer.id, site.id, branch.id)
    assert all(ids)
    return tokens, ids  # type: ignore[return-value]


def build_world(engine: Engine, settings: Settings) -> World:
    """A new app on `engine` (schema created) with the seed data."""
    app = create_app(settings, engine=engine)
    tokens, ids = seed(engine)
    return World(TestClient(app), engine, tokens, *ids)
