"""History lines as a person reads them: "assignee: - → Andreas Beck", never `assignee_id 1`.

The service's change feed names fields, enum values, ids and ISO times as the contract has
them. The ticket view and `dispatch tickets show` both turn one change into one line here,
so both read the same and the German UI later translates one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dispatch.display import clock, labels
from dispatch.display.labels import Words
from dispatch.display.safe import one_line
from dispatch.display.time_history import time_event_text
from dispatch.i18n import N_

ARROW = "→"
# Words of the history lines (one place for the translation).
TEXT = Words(
    {
        "created_ticket": N_("created the ticket"),
        "deleted": N_("removed"),
        "booked": N_("booked {what} for {who}, {when}"),
        "booked_override": N_("booked {what} for {who}, {when}; override: {reason}"),
        # Translators: an appointment's kind and where it is worked: "job on site"
        "kind_mode": N_("{kind} {mode}"),
        "moved_booking": N_("moved the booking of {who}: {changes}"),
        "removed_booking": N_("removed the booking of {who}"),
        "escalated": N_("escalated: level {level}, {reason}"),
        "escalated_note": N_("escalated: level {level}, {reason}: {note}"),
        "escalation": N_("escalation: {changes}"),
        "commented": N_("commented"),
        "contacted": N_("contacted the customer"),
        "changed": "{changes}",
        "other": "{entity} {op}",
        "mail_in": N_("mail received from {who}"),
        "mail_out": N_("mail ({kind}): {state}"),
        "mail": N_("mail: {changes}"),
        "yes": N_("yes"),
        "no": N_("no"),
        "someone": N_("someone"),
        # what resolving an escalation did with the P1 it gave (issue 18.4)
        "priority_back": N_("priority back to {new}, as before the escalation"),
        "priority_kept": N_("priority stays {new}: set by a person during the escalation"),
        "priority_changed": N_("a person set the priority: resolving gives nothing back"),
    }
)
# Fields of an event that read as a sentence of their own rather than "name: old → new".
_SENTENCES = frozenset({"priority_back", "priority_kept", "priority_changed"})
# Fields whose values are instants, people or tickets rather than words.
TIME_FIELDS = frozenset(
    {
        "received_at",
        "first_response_due",
        "resolution_due",
        "responded_at",
        "resolved_at",
        "sla_paused_at",
        "raised_at",
        "acknowledged_at",
        "start",
        "end",
        "created_at",
        "updated_at",
    }
)
TECHNICIAN_FIELDS = frozenset({"assignee_id", "technician_id"})
_USERS = frozenset({"raised_by", "acknowledged_by", "resolved_by", "author_id"})
# Shown elsewhere or meaningless to a person.
_HIDDEN = frozenset({"version", "updated_at", "ticket_id", "id"})
# Fields a history line leaves out when nothing a person sees changed with them.
_QUIET = frozenset({"sla_paused_minutes"})
# What the service works out from a person's change: told after what the person changed, so a
# line starts with the change itself ("priority: P3 → P2; ... first response due: ...").
_DERIVED = ("first_response_due", "resolution_due", "sla_profile", "sla_state", "sla_contract_id")


@dataclass(frozen=True, slots=True)
class Names:
    """Who and what the ids in a change stand for; unknown ids read as `#id`, never raw."""

    technicians: Mapping[int, str] = field(default_factory=dict)
    users: Mapping[int, str] = field(default_factory=dict)
    actors: Mapping[str, str] = field(default_factory=dict)  # login -> display name
    tickets: Mapping[int, int] = field(default_factory=dict)  # ticket id -> number

    def technician(self, value: object) -> str:
        return _named(self.technicians, value)

    def user(self, value: object) -> str:
        return _named(self.users, value)

    def actor(self, login: object) -> str:
        name = self.actors.get(str(login))
        return one_line(name if name else login)

    def ticket(self, value: object) -> str:
        if isinstance(value, int) and value in self.tickets:
            return str(self.tickets[value])
        return "-" if value is None else f"#{one_line(value)}"


def _named(table: Mapping[int, str], value: object) -> str:
    if value is None:
        return clock.NONE
    if isinstance(value, int) and value in table:
        return one_line(table[value])
    return f"#{one_line(value)}"


def value_text(name: str, value: object, names: Names) -> str:
    """One field's value in words: times in the display zone, people by name, enums as words."""
    if value is None or value == "":
        return clock.NONE
    if name in TIME_FIELDS and isinstance(value, str):
        try:
            return clock.moment(value)
        except ValueError:
            return one_line(value)
    if name in TECHNICIAN_FIELDS:
        return names.technician(value)
    if name in _USERS:
        return names.user(value)
    if name == "ticket_id":
        return names.ticket(value)
    if isinstance(value, bool):
        return TEXT["yes"] if value else TEXT["no"]
    if name == "kind" and str(value) in labels.APPOINTMENT_KIND:  # an appointment's kind
        return labels.APPOINTMENT_KIND[str(value)]
    if name == "status" and str(value) in labels.ESCALATION_STATUS:  # an escalation's
        return labels.ESCALATION_STATUS[str(value)]
    if name in labels.FIELD_VALUES:
        return labels.word(labels.FIELD_VALUES[name], value)
    if name == "sla_paused_minutes" and isinstance(value, int | float):
        return clock.duration(value)
    if isinstance(value, list):
        return ", ".join(one_line(v) for v in value) or clock.NONE
    return one_line(value)


def changes_text(fields: Mapping[str, Any], names: Names) -> str:
    """`priority: P3 normal → P1 critical; assignee: - → Andreas Beck`."""
    parts = []
    ordered = sorted(fields.items(), key=lambda item: item[0] in _DERIVED)
    for name, pair in ordered:
        if name in _HIDDEN or name in _QUIET:
            continue
        old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        if name in _SENTENCES:
            parts.append(TEXT[name].format(new=value_text("priority", new, names)))
            continue
        parts.append(
            f"{labels.field(name)}: {value_text(name, old, names)} {ARROW} "
            f"{value_text(name, new, names)}"
        )
    return "; ".join(parts)


def _new(fields: Mapping[str, Any], name: str) -> Any:
    pair = fields.get(name)
    return pair[1] if isinstance(pair, list | tuple) and len(pair) == 2 else pair


def describe_event(event: Mapping[str, Any], names: Names) -> str:
    """What one change did, without its time and actor (`event_line` adds those)."""
    entity, op = str(event.get("entity", "")), str(event.get("op", ""))
    fields: Mapping[str, Any] = event.get("fields") or {}
    if entity == "ticket" and op == "create":
        return TEXT["created_ticket"]
    if entity == "comment":
        contact = _new(fields, "kind") == "customer_contact"
        return TEXT["contacted"] if contact else TEXT["commented"]
    if entity == "appointment":
        return _appointment_text(op, fields, names)
    if entity == "escalation":
        if op == "create":
            note = _new(fields, "note")
            return TEXT["escalated_note" if note else "escalated"].format(
                level=value_text("level", _new(fields, "level"), names),
                reason=value_text("reason", _new(fields, "reason"), names),
                note=one_line(note),
            )
        return TEXT["escalation"].format(changes=changes_text(fields, names))
    if entity == "ticket":
        return TEXT["changed"].format(changes=changes_text(fields, names))
    if entity in ("mail", "notification"):
        return _mail_text(entity, op, fields, names)
    if entity == "time_entry":
        return time_event_text(op, fields)
    return TEXT["other"].format(entity=one_line(entity), op=one_line(op))


_MAIL_KINDS = Words(
    {"receipt": N_("receipt"), "new_ticket": N_("new ticket"), "status_changed": N_("status")}
)
_MAIL_STATES = Words(
    {"queued": N_("queued"), "sending": N_("sending"), "sent": N_("sent"), "failed": N_("failed")}
)


def _mail_text(entity: str, op: str, fields: Mapping[str, Any], names: Names) -> str:
    """A mail received, or a notification queued, sent or failed (the ticket view lists the
    mails themselves; the history says when)."""
    if entity == "mail" and op == "create":
        return TEXT["mail_in"].format(who=one_line(_new(fields, "from_address") or "?"))
    state = _new(fields, "state")
    if entity == "notification" and state is not None:
        kind = str(_new(fields, "kind") or "notice")
        return TEXT["mail_out"].format(
            kind=labels.word(_MAIL_KINDS, kind), state=labels.word(_MAIL_STATES, state)
        )
    return TEXT["mail"].format(changes=changes_text(fields, names))


def _appointment_text(op: str, fields: Mapping[str, Any], names: Names) -> str:
    who = value_text("technician_id", _new(fields, "technician_id"), names)
    if op == "create":
        kind = str(_new(fields, "kind") or "")
        what = labels.APPOINTMENT_KIND.get(kind, one_line(kind))
        mode = _new(fields, "mode")
        if mode:
            what = TEXT["kind_mode"].format(kind=what, mode=labels.word(labels.WORK_MODE, mode))
        start, end = _new(fields, "start"), _new(fields, "end")
        when = clock.span(start, end) if start and end else clock.NONE
        override = _new(fields, "override_reason")
        return TEXT["booked_override" if override else "booked"].format(
            what=what, who=who, when=when, reason=one_line(override)
        )
    if op == "delete":
        return TEXT["removed_booking"].format(who=who)
    return TEXT["moved_booking"].format(who=who, changes=changes_text(fields, names))


def event_line(event: Mapping[str, Any], names: Names) -> str:
    """`Mo 07.12. 09:00  Tom Lehmann: priority: P3 normal → P1 critical`."""
    return (
        f"{clock.moment(event.get('at'))}  {names.actor(event.get('actor'))}: "
        f"{describe_event(event, names)}"
    )


def names_for(detail: Mapping[str, Any], technicians: Iterable[Mapping[str, Any]] = ()) -> Names:
    """The names one ticket's detail brings with it (comment authors, escalation people,
    `actor_names` when the service sends them), plus the technicians the caller knows
    (GET /technicians: id, user_id, name)."""
    known = list(technicians)
    techs = {t["id"]: t["name"] for t in known if "id" in t and "name" in t}
    users = {t["user_id"]: t["name"] for t in known if t.get("user_id") is not None}
    for c in detail.get("comments", []):
        if c.get("author_id") is not None and c.get("author_name"):
            users[c["author_id"]] = c["author_name"]
    for e in detail.get("escalations", []):
        for who in ("raised_by", "acknowledged_by", "resolved_by"):
            if e.get(who) is not None and e.get(f"{who}_name"):
                users[e[who]] = e[f"{who}_name"]
    tickets = {detail["id"]: detail["number"]} if "id" in detail and "number" in detail else {}
    return Names(
        technicians=techs,
        users=users,
        actors=dict(detail.get("actor_names") or {}),
        tickets=tickets,
    )
