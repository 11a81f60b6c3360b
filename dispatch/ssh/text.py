"""`ssh dispatch@host today|week|ticket N`: plain text for phones and scripts.

Read through the service with the session's token, so a technician sees what the console
would show them and nothing more. Every stored word passes `display.safe`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta
from typing import Any

from dispatch.display import clock, labels
from dispatch.display.safe import one_line
from dispatch.i18n import N_, _
from dispatch.ssh.commands import Request

Json = Mapping[str, Any]
NOTHING = N_("no appointments")


def window(kind: str, now: datetime) -> tuple[datetime, datetime]:
    """Today, or today and the six days after it, in the provider's zone."""
    start = datetime.combine(clock.local(now).date(), time(0), tzinfo=clock.zone())
    return start, start + timedelta(days=1 if kind == "today" else 7)


def appointment_line(a: Json, tickets: Mapping[int, Json], names: Mapping[int, str]) -> str:
    """`Mo 07.12. 09:00-11:00  on site  100301 Printer jammed (Bäckerei Schulz)`."""
    what = labels.word(labels.WORK_MODE, a.get("mode")) if a.get("mode") else ""
    parts = [clock.span(a["start"], a["end"]), what]
    ticket = tickets.get(a.get("ticket_id") or 0)
    if ticket is not None:
        customer = one_line(ticket.get("customer_name") or "")
        parts.append(f"{ticket['number']} {one_line(ticket.get('title'))} ({customer})")
    elif a.get("note"):
        parts.append(one_line(a["note"]))
    else:
        parts.append(labels.word(labels.APPOINTMENT_KIND, a.get("kind")))
    if names:
        parts.append(f"- {one_line(names.get(a['technician_id'], ''))}")
    return "  ".join(p for p in parts if p)


def appointment_lines(
    items: Iterable[Json], tickets: Mapping[int, Json], names: Mapping[int, str]
) -> list[str]:
    ordered = sorted(items, key=lambda a: (a["start"], a["technician_id"]))
    return [appointment_line(a, tickets, names) for a in ordered] or [_(NOTHING)]


async def _appointments(client: Any, request: Request, technician_id: int | None) -> list[str]:
    start, end = window(request.kind, datetime.now(clock.zone()))
    if technician_id is not None:
        items = await client.calendar(technician_id, start, end)
        names: dict[int, str] = {}
    else:
        items = await client.appointments(start, end)
        names = {t["id"]: t["name"] for t in await client.technicians()}
    ids = sorted({a["ticket_id"] for a in items if a.get("ticket_id")})
    tickets: dict[int, Json] = {}
    for part in (ids[i : i + 200] for i in range(0, len(ids), 200)):
        page = await client.list_tickets(ids=",".join(map(str, part)), limit=len(part))
        tickets.update({t["id"]: t for t in page["items"]})
    return appointment_lines(items, tickets, names)


async def lines(client: Any, request: Request, technician_id: int | None) -> list[str]:
    """What the command prints, line by line."""
    if request.kind == "ticket":
        from dispatch.display.cli_text import show_lines

        assert request.number is not None
        found = await client.find_ticket(request.number)
        detail = await client.ticket_detail(found["id"])
        return list(show_lines(detail, await client.technicians()))
    return await _appointments(client, request, technician_id)
