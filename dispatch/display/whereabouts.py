"""Whom to call and where to go, as the ticket view, my work and `dispatch tickets show` say it.

The ticket detail's contact and site fields (`TicketDetail.contact_name`, ...) are the
customer's stored records: every value passes `safe.one_line`. A ticket without them (the
console's stored, list-shaped copy, offline) says that the service has them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dispatch.display import clock
from dispatch.display.labels import Words
from dispatch.display.safe import one_line
from dispatch.i18n import N_

TEXT = Words(
    {
        "no_contact": N_("none named"),
        "not_here": N_("shown when the service is reachable again"),
        "branch": N_("branch {name}"),
    }
)


def _parts(values: list[Any]) -> list[str]:
    return [p for p in (one_line(v).strip() for v in values if v) if p]


def contact_line(t: Mapping[str, Any]) -> str:
    """`Anna Sommer · +49 2581 123456 · anna@example.de`."""
    if "contact_name" not in t:
        return TEXT["not_here"]
    parts = _parts([t.get("contact_name"), t.get("contact_phone"), t.get("contact_email")])
    return " · ".join(parts) or TEXT["no_contact"]


def address_line(t: Mapping[str, Any]) -> str:
    """`Kirchstraße 4, Warendorf · branch Warendorf`."""
    if "site_address" not in t:
        return TEXT["not_here"]
    place = ", ".join(_parts([t.get("site_address"), t.get("site_city")]))
    parts = [place] if place else []
    branch = one_line(t.get("branch_name") or "").strip()
    if branch:
        parts.append(TEXT["branch"].format(name=branch))
    return " · ".join(parts) or clock.NONE


def phone_of(t: Mapping[str, Any] | None) -> str | None:
    """The contact's phone number as it may be copied (cleaned, one line), or None."""
    phone = one_line(t.get("contact_phone") if t is not None else "").strip()
    return phone or None
