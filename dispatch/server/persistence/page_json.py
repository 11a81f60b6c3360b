"""Ticket list pages as JSON built by the database, one text value per row.

The list is the hot path of every desk (100 rows, 20 clients at once). Reading the rows
through SQLAlchemy's result processing (datetime parsing, enum lookup, JSON decoding) and
serialising them again was most of the service's CPU per page; the database writes
the same JSON in a fraction of that: SQLite with `json_object`, PostgreSQL with
`row_to_json`.

The JSON is TicketPublic's (tests/service/test_page_json.py compares it with TicketPublic
on both databases, over random times and every enum value): enums as their values, times in
UTC as pydantic writes them (`2026-11-27T07:53:14Z`, `...14.500000Z` with microseconds), tags
as a list, escalated as a boolean, plus the customer, site, serving branch and technician
names.
"""

from __future__ import annotations

import json
import types
from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Any, Union, get_args, get_origin

from sqlalchemy import Select, String, literal_column, true
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from dispatch.models.branch import Branch
from dispatch.models.customer import Customer, Site
from dispatch.models.ticket import Ticket, TicketPublic
from dispatch.models.user import Technician

_NAMES = {
    "customer_name": "customer.name",
    "site_name": "site.name",
    "assignee_name": "technician.name",
    # sla_terms.serving_branch: the site's branch, else the customer's first site's; a
    # subquery only for the few rows without a site
    "site_branch_name": "CASE WHEN site.id IS NOT NULL THEN branch.name ELSE (SELECT b.name "
    "FROM site AS s JOIN branch AS b ON b.id = s.branch_id "
    "WHERE s.customer_id = ticket.customer_id ORDER BY s.id LIMIT 1) END",
}


def _plain(annotation: Any) -> Any:
    """`X` of `X | None`."""
    if get_origin(annotation) in (Union, types.UnionType):
        (inner,) = [arg for arg in get_args(annotation) if arg is not type(None)]
        return inner
    return annotation


def _time(dialect: str, c: str) -> str:
    if dialect == "sqlite":
        # SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC, see models.base.UTCDateTime);
        # pydantic leaves out a zero fraction.
        return (
            f"CASE WHEN {c} IS NULL THEN NULL WHEN substr({c}, 21) = '000000' "
            f"THEN substr({c}, 1, 10) || 'T' || substr({c}, 12, 8) || 'Z' "
            f"ELSE substr({c}, 1, 10) || 'T' || substr({c}, 12, 15) || 'Z' END"
        )
    utc = f"({c} AT TIME ZONE 'UTC')"
    return (
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN date_trunc('second', {c}) "
        f"= {c} THEN '' ELSE to_char({utc}, '.US') END || 'Z'"
    )


def _enum(kind: type[Enum], c: str) -> str:
    """The enum's value for the name SQLAlchemy stores (both databases)."""
    whens = " ".join(f"WHEN '{m.name}' THEN '{m.value}'" for m in kind)
    return f"CASE CAST({c} AS TEXT) {whens} END"


def _value(dialect: str, name: str, annotation: Any) -> str:
    if name in _NAMES:
        return _NAMES[name]
    c = f"ticket.{name}"
    kind = _plain(annotation)
    if kind is datetime:
        return _time(dialect, c)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return _enum(kind, c)
    if dialect == "sqlite" and kind is bool:
        return f"json(CASE WHEN {c} THEN 'true' ELSE 'false' END)"
    if dialect == "sqlite" and get_origin(kind) is list:
        return f"json({c})"  # stored as JSON text; json() embeds it as JSON, not a string
    return c


@cache
def row_json() -> str:
    """SQL for one ticket row as TicketPublic's JSON text on SQLite (`json_object`)."""
    pairs = ", ".join(
        f"'{name}', {_value('sqlite', name, field.annotation)}"
        for name, field in TicketPublic.model_fields.items()
    )
    return f"json_object({pairs})"


_ROW = "ticket_json"


def _postgres_row() -> Any:
    """PostgreSQL: the row's fields as a LATERAL subquery `ticket_json`, for `row_to_json`.

    `json_build_object` looks up how to write each of its 30 arguments on every row (its
    arguments are of type "any"); `row_to_json` of a row with named, typed columns writes the
    same JSON faster, and without the blanks
    `json_build_object` puts around every colon. Outside the row, the page's ORDER BY can
    name the ticket's own columns without them showing in the JSON.
    """
    return sa_select(
        *(
            literal_column(_value("postgresql", name, field.annotation)).label(name)
            for name, field in TicketPublic.model_fields.items()
        )
    ).lateral(_ROW)


def page_ids() -> Select[Any]:
    """SELECT of ticket ids; add WHERE, ORDER BY and LIMIT for a page, then `page_rows`."""
    return sa_select(col(Ticket.id))


def page_rows(session: Session, page: Select[Any], order: Sequence[tuple[str, bool]]) -> list[str]:
    """The JSON of the tickets `page` (from `page_ids`) selects, in `order` ((column,
    descending) pairs: the page's own order), one text per ticket.

    The page picks ids only (often from the index alone), and the names are joined to those
    rows: joined before the LIMIT, a filter whose order needs a sort (several statuses)
    joined every match first.
    """
    stmt = (
        _rows_of(session.get_bind().dialect.name)
        .where(col(Ticket.id).in_(page.scalar_subquery()))
        .order_by(*_order(tuple(order)))
    )
    return list(session.connection().execute(stmt).scalars().all())


@cache
def _rows_of(dialect: str) -> Select[Any]:
    """SELECT of the rows' JSON with the names joined in; the same for every page."""
    postgres = dialect == "postgresql"
    json = f"CAST(row_to_json({_ROW}) AS TEXT)" if postgres else row_json()
    stmt = (
        sa_select(literal_column(json, String))
        .select_from(Ticket)
        .outerjoin(Customer, col(Customer.id) == Ticket.customer_id)
        .outerjoin(Site, col(Site.id) == Ticket.site_id)
        .outerjoin(Branch, col(Branch.id) == Site.branch_id)
        .outerjoin(Technician, col(Technician.id) == Ticket.assignee_id)
    )
    return stmt.join(_postgres_row(), true()) if postgres else stmt


@cache
def _order(order: tuple[tuple[str, bool], ...]) -> list[Any]:
    columns = Ticket.__table__.c  # type: ignore[attr-defined]
    return [columns[name].desc() if desc else columns[name].asc() for name, desc in order]


def page_body(rows: Sequence[str], next_cursor: str | None) -> bytes:
    """TicketPage's JSON around rows from `page_rows`."""
    return b'{"items":[%s],"next_cursor":%s}' % (
        ",".join(rows).encode(),
        json.dumps(next_cursor).encode(),
    )


def cursor_of(row: str, field: str) -> tuple[Any, int]:
    """`field` (typed as the model has it) and the id of a row from `page_rows`: where the
    next page starts."""
    parsed = json.loads(row)
    value = parsed[field]
    if _plain(TicketPublic.model_fields[field].annotation) is datetime and value is not None:
        value = datetime.fromisoformat(value)
    return value, parsed["id"]
