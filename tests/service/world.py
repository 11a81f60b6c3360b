"""A small known data set and one token per role, on the real app."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from dispatch.domain.types import (
    ContractKind,
    Role,
    ServiceRole,
    StateCode,
    SupportProfile,
)
from dispatch.models import Branch, Contract, Customer, Site, Technician
from dispatch.server.accounts import create_user
from dispatch.server.app import create_app
from dispatch.settings import Settings

PG_URL = os.environ.get("DISPATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


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

    def new_ticket(self, who: str = "dana", **fields: Any) -> dict[str, Any]:
        body = {
            "title": "Printer on reception prints nothing",
            "customer_id": self.customer_id,
            "site_id": self.site_id,
            **fields,
        }
        r = self.client.post("/api/v1/tickets", json=body, headers=self.h(who))
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def patch(self, who: str, ticket: dict[str, Any], **changes: Any) -> Any:
        return self.client.patch(
            f"/api/v1/tickets/{ticket['id']}",
            json=changes,
            headers=self.h(who, **{"If-Match": f'"{ticket["version"]}"'}),
        )


def build_world(engine: Engine, settings: Settings) -> World:
    app = create_app(settings, engine=engine)
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
    return World(TestClient(app), engine, tokens, *ids)  # type: ignore[arg-type]
