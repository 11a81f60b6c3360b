"""What `dispatch tickets list/show/suggest/assign/escalate` print, in one place.

The CLI prints stored text (titles, names, comments) into whatever terminal runs it, so
every value passes `safe` here; times are the display zone's, values read as words, and
history lines are the ticket view's (`history.event_line`). `--json` prints the data as it
came: JSON escapes control characters itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from dispatch.display import clock, labels
from dispatch.display.history import event_line, names_for
from dispatch.display.labels import Words
from dispatch.display.safe import clean, one_line
from dispatch.display.whereabouts import address_line, contact_line
from dispatch.i18n import N_, _

Json = Mapping[str, Any]

SHOW_FIELDS = (
    ("status", N_("status")),
    ("priority", N_("priority")),
    ("customer", N_("customer")),
    ("site", N_("site")),
    ("contact", N_("contact")),
    ("address", N_("address")),
    ("assignee", N_("assignee")),
    ("kind", N_("kind")),
    ("source", N_("source")),
    ("received", N_("received")),
    ("first_response_due", N_("first response due")),
    ("resolution_due", N_("resolution due")),
    ("responded", N_("first response")),
    ("escalated", N_("escalated")),
    ("tags", N_("tags")),
)
TEXT = Words(
    {
        "unassigned": "-",
        "description": N_("description:"),
        "comments": N_("comments:"),
        "history": N_("history:"),
        "yes": N_("yes"),
        "no": N_("no"),
        "no_slot": N_("no free slot"),
        "breach": N_("BREACH"),
        "assigned": N_("assigned {number} to {name} (status {status})"),
        "would_assign": N_("would assign {number} to {name} (status {status})"),
        "forecast": N_("first response: {first}; resolution: {resolution}"),
        "ok": N_("ok"),
        "missed": N_("MISSED"),
        "escalated": N_("escalation {id} raised on {number} (level {level}, {reason})"),
        # Translators: a ranked technician: "1. Marco Wagner (Bielefeld)  score 87  Mo 07.12. ..."
        "suggestion": N_("{rank}. {name} ({branch})  score {score}  {when}"),
        "mode_of": N_("{span} {mode}"),
    }
)


def list_line(t: Json) -> str:
    """`100301  P1  in progress       Marco Wagner       Bäckerei Schulz GmbH      Title`."""
    customer = one_line(t.get("customer_name") or "")[:24]
    return (
        f"{t['number']}  {one_line(t.get('priority'))}  {labels.status(t.get('status')):<20} "
        f"{one_line(t.get('assignee_name') or TEXT['unassigned']):<18} {customer:<24}  "
        f"{one_line(t.get('title'))}"
    )


def _show_values(t: Json) -> dict[str, str]:
    return {
        "status": labels.status(t.get("status")),
        "priority": labels.priority(t.get("priority")),
        "customer": one_line(t.get("customer_name") or ""),
        "site": one_line(t.get("site_name") or clock.NONE),
        "contact": contact_line(t),
        "address": address_line(t),
        "assignee": one_line(t.get("assignee_name") or TEXT["unassigned"]),
        "kind": labels.word(labels.KIND, t.get("kind")),
        "source": labels.word(labels.SOURCE, t.get("source")),
        "received": clock.moment(t.get("received_at")),
        "first_response_due": clock.moment(t.get("first_response_due")),
        "resolution_due": clock.moment(t.get("resolution_due")),
        "responded": clock.moment(t.get("responded_at")),
        "escalated": TEXT["yes"] if t.get("escalated") else TEXT["no"],
        "tags": ", ".join(one_line(x) for x in t.get("tags", [])) or clock.NONE,
    }


def show_lines(t: Json, technicians: Iterable[Json] = ()) -> Iterator[str]:
    """One ticket: its fields, description, comments and history, as a person reads them."""
    yield f"{t['number']} {one_line(t.get('title'))}"
    values = _show_values(t)
    for key, label in SHOW_FIELDS:
        yield f"  {_(label):<20} {values[key]}"
    if t.get("description"):
        yield f"  {TEXT['description']}"
        yield from (f"    {line}" for line in clean(t["description"]).splitlines())
    if t.get("comments"):
        yield f"  {TEXT['comments']}"
        for c in t["comments"]:
            body = clean(c.get("body") or "").splitlines() or [""]
            author = one_line(c.get("author_name") or "")
            yield f"    {clock.moment(c.get('created_at'))} {author}: {body[0]}"
            yield from (f"      {line}" for line in body[1:])
    if t.get("history"):
        yield f"  {TEXT['history']}"
        names = names_for(t, technicians)
        for ev in t["history"]:
            yield f"    {event_line(ev, names)}"


def suggestion_lines(result: Json) -> Iterator[str]:
    """Ranked technicians: `1. Marco Wagner (Bielefeld)  score 87  Mo 07.12. 09:00-11:00 on site`
    and their reasons."""
    for rank, s in enumerate(result.get("items", []), 1):
        slot = s.get("slot")
        when = TEXT["no_slot"]
        if slot:
            mode = labels.word(labels.WORK_MODE, slot.get("mode"))
            when = TEXT["mode_of"].format(span=clock.span(slot["start"], slot["end"]), mode=mode)
        flag = f"  {TEXT['breach']}" if s.get("breach") else ""
        line = TEXT["suggestion"].format(
            rank=rank,
            name=one_line(s.get("name")),
            branch=one_line(s.get("branch")),
            score=clock.number(s.get("score", 0)),
            when=when,
        )
        yield f"{line}{flag}"
        yield f"   {'; '.join(one_line(r) for r in s.get('reasons', []))}"


def assignment_lines(r: Json) -> Iterator[str]:
    t = r["ticket"]
    yield TEXT["would_assign" if r.get("dry_run") else "assigned"].format(
        number=t["number"],
        name=one_line(t.get("assignee_name")),
        status=labels.status(t.get("status")),
    )
    appt = r.get("appointment")
    if appt:
        mode = labels.word(labels.WORK_MODE, appt.get("mode"))
        span = clock.span(appt["start"], appt["end"])
        yield f"  {TEXT['mode_of'].format(span=span, mode=mode)}"
    f = r.get("forecast")
    if f:
        yield "  " + TEXT["forecast"].format(
            first=TEXT["ok"] if f.get("meets_first_response") else TEXT["missed"],
            resolution=TEXT["ok"] if f.get("meets_resolution") else TEXT["missed"],
        )


def escalation_line(e: Json) -> str:
    return TEXT["escalated"].format(
        id=e["id"],
        number=e.get("ticket_number"),
        level=e.get("level"),
        reason=labels.word(labels.ESCALATION_REASON, e.get("reason")),
    )
