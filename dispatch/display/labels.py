"""Words for the values and field names of the REST contract, as a person reads them.

The API speaks `waiting_customer`, `vip_hotline` and `first_response_due`; people read
"waiting for customer", "VIP hotline" and "first response due". Every screen takes its
words from here, never from `.replace("_", " ")`, so the German catalogue has one source.
An unknown value (a newer service) is shown as it came, cleaned, rather than failing.
"""

from __future__ import annotations

from collections.abc import ItemsView, ValuesView
from typing import Any

from dispatch.display.safe import one_line
from dispatch.i18n import N_, _, translate


class Words(dict[str, str]):
    """A table of API values and their English words (marked with `N_`), read in the
    process's language: `STATUS["new"]` is "neu" in German. The screens index, `get` and
    iterate these tables at import and at draw time alike, so the table itself translates
    rather than every caller; `raw` gives the English word."""

    def raw(self, key: str) -> str:
        return super().__getitem__(key)

    def __getitem__(self, key: str) -> str:
        return _(super().__getitem__(key))

    # dict's own get/items/values read the stored English past __getitem__
    def get(self, key: str, default: Any = None) -> Any:
        if key in self:
            return self[key]
        return default

    def items(self) -> ItemsView[str, str]:  # type: ignore[override]
        return {key: self[key] for key in self}.items()

    def values(self) -> ValuesView[str]:  # type: ignore[override]
        return {key: self[key] for key in self}.values()


STATUS = Words(
    {
        "new": N_("new"),
        "triaged": N_("triaged"),
        "scheduled": N_("scheduled"),
        "in_progress": N_("in progress"),
        "waiting_customer": N_("waiting for customer"),
        "waiting_vendor": N_("waiting for vendor"),
        "resolved": N_("resolved"),
        "closed": N_("closed"),
    }
)
PRIORITY = Words(
    {
        "P1": N_("P1 critical"),
        "P2": N_("P2 high"),
        "P3": N_("P3 normal"),
        "P4": N_("P4 low"),
    }
)
KIND = Words(
    {
        "incident": N_("incident"),
        "request": N_("service request"),
        "maintenance": N_("maintenance"),
        "pick_pack": N_("pick & pack"),
        "monitoring": N_("monitoring alert"),
    }
)
SOURCE = Words(
    {
        "email": N_("e-mail"),
        "portal": N_("portal"),
        "phone": N_("phone hotline"),
        "vip_hotline": N_("VIP hotline"),
        "monitoring": N_("monitoring"),
        "schedule": N_("schedule"),
        "goods_receipt": N_("goods receipt"),
    }
)
SUPPORT_PROFILE = Words(
    {
        "standard": N_("standard hours (Mo-Fr 08-17)"),
        "extended": N_("extended hours (Mo-Fr 06-20, Sa 08-14)"),
        "24_7": N_("around the clock (24/7)"),
    }
)
SERVICE_ROLE = Words(
    {
        "it_technician": N_("IT technician"),
        "system_engineer": N_("system engineer"),
        "consultant": N_("consultant"),
        "architect": N_("architect"),
    }
)
CONTRACT_KIND = Words(
    {
        "cooperation": N_("cooperation agreement"),
        "needs_analysis": N_("needs analysis"),
        "contingent": N_("hour contingent"),
        "rental": N_("rental"),
        "asp": N_("ASP"),
        "managed_services": N_("managed services"),
        "extended_support": N_("extended support"),
    }
)
ESCALATION_REASON = Words(
    {
        "total_outage": N_("total outage"),
        "vendor_stuck": N_("vendor ticket stuck"),
        "sla_breach": N_("SLA breach"),
        "customer_complaint": N_("customer complaint"),
        "other": N_("other"),
    }
)
ESCALATION_STATUS = Words(
    {
        "open": N_("open"),
        "acknowledged": N_("acknowledged"),
        "resolved": N_("resolved"),
    }
)
APPOINTMENT_KIND = Words(
    {
        "ticket_work": N_("job"),
        "absence": N_("absence"),
        "on_call": N_("on call"),
        "project": N_("project"),
    }
)
WORK_MODE = Words({"onsite": N_("on site"), "remote": N_("remote")})
NON_BILLABLE_REASON = Words(
    {
        "warranty": N_("warranty"),
        "rework": N_("rework"),
        "goodwill": N_("goodwill"),
        "covered_by_rental": N_("covered by rental"),
        "internal": N_("internal"),
        "other": N_("other"),
    }
)
ROLE = Words(
    {
        "technician": N_("technician"),
        "dispatcher": N_("dispatcher"),
        "team_lead": N_("team lead"),
        "admin": N_("admin"),
        "back_office": N_("back office"),
    }
)
# Field names as they appear in history lines, conflict rows and error messages.
FIELD = Words(
    {
        "title": N_("title"),
        "description": N_("description"),
        "priority": N_("priority"),
        "status": N_("status"),
        "kind": N_("kind"),
        "source": N_("source"),
        "tags": N_("tags"),
        "assignee_id": N_("assignee"),
        "customer_id": N_("customer"),
        "site_id": N_("site"),
        "contact_id": N_("contact"),
        "contact_name": N_("contact"),
        "contact_phone": N_("contact's phone"),
        "contact_email": N_("contact's e-mail"),
        "site_address": N_("address"),
        "site_city": N_("city"),
        "branch_name": N_("branch"),
        "received_at": N_("received"),
        "first_response_due": N_("first response due"),
        "resolution_due": N_("resolution due"),
        "responded_at": N_("first response"),
        "customer_note": N_("note for the customer"),
        "resolved_at": N_("resolved"),
        "sla_paused_at": N_("SLA paused since"),
        "sla_paused_minutes": N_("SLA paused (minutes)"),
        "escalated": N_("escalated"),
        "level": N_("level"),
        "reason": N_("reason"),
        "note": N_("note"),
        "technician_id": N_("technician"),
        "ticket_id": N_("ticket"),
        "start": N_("start"),
        "end": N_("end"),
        "mode": N_("mode"),
        "body": N_("text"),
        "raised_by": N_("raised by"),
        "raised_at": N_("raised"),
        "acknowledged_by": N_("acknowledged by"),
        "acknowledged_at": N_("acknowledged"),
        "resolved_by": N_("resolved by"),
        "resolution_note": N_("resolution note"),
        "author_id": N_("author"),
        "priority_before": N_("priority before"),
        "priority_changed": N_("priority set by a person"),
        "version": N_("version"),
    }
)
# Which value table a field's values are read through.
FIELD_VALUES: dict[str, dict[str, str]] = {
    "status": STATUS,
    "priority": PRIORITY,
    "kind": KIND,
    "source": SOURCE,
    "reason": ESCALATION_REASON,
    "mode": WORK_MODE,
    "support_profile": SUPPORT_PROFILE,
    "service_role": SERVICE_ROLE,
    "role": ROLE,
}


def word(table: dict[str, str], value: object, language: str | None = None) -> str:
    """`value` read through `table`; an unknown value as it came, cleaned. `language` reads
    it in that language rather than the process's (the service's own text is English)."""
    if value is None:
        return "-"
    key = str(value)
    if key not in table:
        return one_line(value)
    if language is not None and isinstance(table, Words):
        return translate(table.raw(key), language)
    return table[key]


def status(value: object) -> str:
    return word(STATUS, value)


def priority(value: object) -> str:
    return word(PRIORITY, value)


def field(name: str) -> str:
    """A field's name for people: `first_response_due` → "first response due"."""
    return str(FIELD.get(name, one_line(name).replace("_", " ")))
