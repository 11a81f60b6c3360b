"""What the demo seeders share: weighted draws, bulk inserts, Berlin times and the records
they hand each other (technicians, customers with their sites, the desk's staff)."""

from __future__ import annotations

import random
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, SQLModel

from dispatch.domain import sla
from dispatch.domain.sla import BERLIN
from dispatch.domain.types import ServiceRole, StateCode

CHUNK = 5_000
"""Rows per bulk insert."""

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


class Weighted:
    """`rng.choices` with cumulative weights computed once."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect_right(self.cum, rng.random() * self.total)]


def slug(text: str, sep: str = ".") -> str:
    text = text.lower()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = "".join(c if c.isalnum() else " " for c in text)
    return sep.join(out.split())


def bulk(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Insert `rows` in chunks; NULLs are rendered so every row shares one statement."""
    for start in range(0, len(rows), CHUNK):
        session.exec(
            insert(model),
            params=rows[start : start + CHUNK],
            execution_options={"render_nulls": True},
        )


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN).astimezone(UTC)


def ceil_quarter(at: datetime) -> datetime:
    at = at.replace(second=0, microsecond=0)
    extra = (-at.minute) % 15
    return at + timedelta(minutes=extra)


@dataclass
class Tech:
    id: int
    user_id: int
    name: str
    branch_id: int
    state: StateCode
    role: ServiceRole
    skills: frozenset[str]


@dataclass
class SiteInfo:
    id: int
    name: str
    city: str
    address: str
    branch_id: int
    state: StateCode


@dataclass
class CustomerInfo:
    id: int
    name: str
    terms: list[sla.ContractTerms]
    sites: list[SiteInfo]
    contact_ids: list[int]
    contact_names: list[str]
    contingent: bool
    managed: bool


@dataclass
class Staff:
    dispatchers: list[int]  # user ids
    team_leads: list[int]
    taken: set[str]
