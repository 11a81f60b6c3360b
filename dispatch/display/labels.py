"""Words for the values and field names of the REST contract, as a person reads them.

The API speaks `waiting_customer`, `vip_hotline` and `first_response_due`; people read
"waiting for customer", "VIP hotline" and "first response due". Every screen takes its
words from here, never from `.replace("_", " ")`, so the German catalogue has one source.
An unknown value (a newer service) is shown as it came, cleaned, rather than failing.
"""

from __future__ import annotations

from dispatch.display.safe import one_line

STATUS = {
    "new": "new",
    "triaged": "triaged",
    "scheduled": "scheduled",
    "in_progress": "in progress",
    "waiting_customer": "waiting for customer",
    "waiting_vendor": "waiting for vendor",
    "resolved": "resolved",
    "closed": "closed",
}
PRIORITY = {
    "P1": "P1 critical",
    "P2": "P2 high",
    "P3": "P3 normal",
    "P4": "P4 low",
}
KIND = {
    "incident": "incident",
    "request": "service request",
    "maintenance": "maintenance",
    "pick_pack": "pick & pack",
    "monitoring": "monitoring alert",
}
SOURCE = {
    "email": "e-mail",
    "portal": "portal",
    "phone": "phone hotline",
    "vip_hotline": "VIP hotline",
    "monitoring": "monitoring",
    "schedule": "schedule",
    "goods_receipt": "goods receipt",
}
SUPPORT_PROFILE = {
    "standard": "standard hours (Mo-Fr 08-17)",
    "extended": "extended hours (Mo-Fr 06-20, Sa 08-14)",
    "24_7": "around the clock (24/7)",
}
SERVICE_ROLE = {
    "it_technician": "IT technician",
    "system_engineer": "system engineer",
    "consultant": "consultant",
    "architect": "architect",
}
CONTRACT_KIND = {
    "cooperation": "cooperation agreement",
    "needs_analysis": "needs analysis",
    "contingent": "hour contingent",
    "rental": "rental",
    "asp": "ASP",
    "managed_services": "managed services",
    "extended_support": "extended support",
}
ESCALATION_REASON = {
    "total_outage": "total outage",
    "vendor_stuck": "vendor ticket stuck",
    "sla_breach": "SLA breach",
    "customer_complaint": "customer complaint",
    "other": "other",
}
ESCALATION_STATUS = {
    "open": "open",
    "acknowledged": "acknowledged",
    "resolved": "resolved",
}
APPOINTMENT_KIND = {
    "ticket_work": "job",
    "absence": "absence",
    "on_call": "on call",
    "project": "project",
}
WORK_MODE = {"onsite": "on site", "remote": "remote"}
NON_BILLABLE_REASON = {
    "warranty": "warranty",
    "rework": "rework",
    "goodwill": "goodwill",
    "covered_by_rental": "covered by rental",
    "internal": "internal",
    "other": "other",
}
ROLE = {
    "technician": "technician",
    "dispatcher": "dispatcher",
    "team_lead": "team lead",
    "admin": "admin",
    "back_office": "back office",
}
# Field names as they appear in history lines, conflict rows and error messages.
FIELD = {
    "title": "title",
    "description": "description",
    "priority": "priority",
    "status": "status",
    "kind": "kind",
    "source": "source",
    "tags": "tags",
    "assignee_id": "assignee",
    "customer_id": "customer",
    "site_id": "site",
    "contact_id": "contact",
    "contact_name": "contact",
    "contact_phone": "contact's phone",
    "contact_email": "contact's e-mail",
    "site_address": "address",
    "site_city": "city",
    "branch_name": "branch",
    "received_at": "received",
    "first_response_due": "first response due",
    "resolution_due": "resolution due",
    "responded_at": "first response",
    "customer_note": "note for the customer",
    "resolved_at": "resolved",
    "sla_paused_at": "SLA paused since",
    "sla_paused_minutes": "SLA paused (minutes)",
    "escalated": "escalated",
    "level": "level",
    "reason": "reason",
    "note": "note",
    "technician_id": "technician",
    "ticket_id": "ticket",
    "start": "start",
    "end": "end",
    "mode": "mode",
    "body": "text",
    "raised_by": "raised by",
    "raised_at": "raised",
    "acknowledged_by": "acknowledged by",
    "acknowledged_at": "acknowledged",
    "resolved_by": "resolved by",
    "resolution_note": "resolution note",
    "author_id": "author",
    "priority_before": "priority before",
    "priority_changed": "priority set by a person",
    "version": "version",
}
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


def word(table: dict[str, str], value: object) -> str:
    """`value` read through `table`; an unknown value as it came, cleaned."""
    if value is None:
        return "-"
    return table.get(str(value), one_line(value))


def status(value: object) -> str:
    return word(STATUS, value)


def priority(value: object) -> str:
    return word(PRIORITY, value)


def field(name: str) -> str:
    """A field's name for people: `first_response_due` → "first response due"."""
    return FIELD.get(name, one_line(name).replace("_", " "))
