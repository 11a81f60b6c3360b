"""What the ticket view says, in one place: its words, and its rows built from the API's JSON.

Everything here is stored text from other people (titles, descriptions, comments, names), so
every value passes `dispatch.display.safe` and is put into Rich `Text` (never markup): an ESC
or a `[bold red]` in a comment shows as what it is. Times come from `dispatch.display.clock`,
value words from `dispatch.display.labels`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text

from dispatch.display import clock, contingent_text, labels
from dispatch.display.history import Names, event_line
from dispatch.display.intake import contract_terms_of
from dispatch.display.safe import clean, one_line
from dispatch.display.whereabouts import address_line, contact_line
from dispatch.domain import sla
from dispatch.domain.countdown import Clock, ClockState, resume_text
from dispatch.domain.sla import response_targets
from dispatch.domain.types import Source, TicketKind
from dispatch.i18n import N_, _

if TYPE_CHECKING:
    from dispatch.client.shapes import AppointmentShape, TicketDetailShape

# A customer (no shape yet), and an escalation as `escalation_lines` reads it: by keys it
# composes (`raised_at`, `resolved_by_name`), which a TypedDict cannot name.
Json = Mapping[str, Any]

TEXT = {
    "priority": N_("Priority"),
    "status": N_("Status"),
    "sla": N_("SLA"),
    "hours": N_("Hours"),
    "hours_line": N_("{profile}, holidays of {state}"),
    "hours_by": N_(", set by the {kind}"),
    "hours_uncovered": N_(", no contract covers this ticket"),
    "assignee": N_("Assignee"),
    "customer": N_("Customer"),
    "site": N_("Site"),
    "contact_row": N_("Contact"),
    "address_row": N_("Address"),
    "kind_source": N_("Kind / source"),
    "received": N_("Received"),
    "responded": N_("Responded"),
    "tags": N_("Tags"),
    "booked": N_("Booked"),
    "escalation": N_("Escalation"),
    "unassigned": N_("unassigned"),
    "escalated": N_("  ESCALATED"),
    "offline": N_("  (offline: as last synced; history and comments need the service)"),
    "sla_due": N_("first response due {first}, resolution due {resolution}"),
    "sla_left": N_("{left} business time left"),
    "sla_stopped": N_(", clock stopped until {at}"),
    "sla_late": N_("{late} late"),
    "targets": N_("response {first}, resolution {resolution}"),
    "escalation_head": N_("L{level} {reason}, {status}"),
    "raised": N_("raised by {who} {when}"),
    "acknowledged": N_("acknowledged by {who} {when}"),
    "resolved": N_("resolved by {who} {when}"),
    "relevelled": N_("L{level} because: {note}"),
    "someone": N_("someone"),
    "comments": N_("\nComments\n"),
    "comments_offline": N_("  shown when the service is reachable again\n"),
    "no_comments": N_("  none yet ({key} adds one)\n"),
    "contact": N_(" (customer contacted)"),
    "history": N_("\nHistory\n"),
    "no_history": N_("  no changes yet\n"),
    "customer_head": N_("\nCustomer\n"),
    "customer_line": N_("  {name} ({number}), support profile: {profile}\n"),
    "contracts": N_("  contracts: {kinds}\n"),
    "account_manager": N_("  account manager: {name}\n"),
}


def sla_text(t: TicketDetailShape, sla: Clock) -> str:
    """The countdown as business time left (and until when a stopped clock waits), then the
    due times themselves as wall-clock times."""
    due = _(TEXT["sla_due"]).format(
        first=clock.moment(t.get("first_response_due")),
        resolution=clock.moment(t.get("resolution_due")),
    )
    if sla.state in (ClockState.OK, ClockState.SOON):
        left = _(TEXT["sla_left"]).format(left=clock.duration(sla.minutes_left))
        if sla.resumes is not None:
            left += _(TEXT["sla_stopped"]).format(at=resume_text(sla.resumes))
        return f"{left}  ({due})"
    if sla.state is ClockState.LATE:
        return (
            _(TEXT["sla_late"]).format(late=clock.duration(-sla.seconds_left / 60)) + f"  ({due})"
        )
    return f"{clock.clock_text(sla.text, sla.state)}  ({due})"


def head_rows(
    t: TicketDetailShape, sla: Clock, technicians: Mapping[int, str], customer: Json | None
) -> list[tuple[str, str]]:
    """The label/value rows under the title; values are cleaned, one line each."""
    rows = [
        (_(TEXT["priority"]), priority_text(t, customer)),
        (_(TEXT["status"]), labels.status(t.get("status"))),
        (_(TEXT["sla"]), sla_text(t, sla)),
        (_(TEXT["hours"]), hours_text(t, customer)),
        (_(TEXT["assignee"]), one_line(t.get("assignee_name") or _(TEXT["unassigned"]))),
        (_(TEXT["customer"]), one_line(t.get("customer_name") or "")),
        (_(TEXT["site"]), one_line(t.get("site_name") or clock.NONE)),
        (_(TEXT["contact_row"]), contact_line(t)),
        (_(TEXT["address_row"]), address_line(t)),
        (
            _(TEXT["kind_source"]),
            f"{labels.word(labels.KIND, t.get('kind'))} / "
            f"{labels.word(labels.SOURCE, t.get('source'))}",
        ),
        (_(TEXT["received"]), clock.moment(t.get("received_at"))),
        (_(TEXT["responded"]), clock.moment(t.get("responded_at"))),
        (_(TEXT["tags"]), ", ".join(one_line(x) for x in t.get("tags", [])) or clock.NONE),
    ]
    for appt in t.get("appointments", []):
        rows.append((_(TEXT["booked"]), booking_text(appt, technicians)))
    for esc in t.get("escalations", []):
        rows.extend(
            (_(TEXT["escalation"]) if i == 0 else "", line) for i, line in escalation_lines(esc)
        )
    return rows


def hours_text(t: TicketDetailShape, customer: Json | None) -> str:
    """Whose hours and holidays the clock counts in, and which contract set them."""
    text = _(TEXT["hours_line"]).format(
        profile=labels.word(labels.SUPPORT_PROFILE, t.get("sla_profile") or "standard"),
        state=one_line(t.get("sla_state") or sla.DEFAULT_STATE.value),
    )
    chosen = t.get("sla_contract_id")
    for contract in (customer or {}).get("contracts", []):
        if chosen is not None and contract.get("id") == chosen:
            return text + _(TEXT["hours_by"]).format(
                kind=labels.word(labels.CONTRACT_KIND, contract.get("kind"))
            )
    if "sla_contract_id" in t and chosen is None:
        return text + _(TEXT["hours_uncovered"])
    return text


def priority_text(t: TicketDetailShape, customer: Json | None) -> str:
    """`P1 critical`, with this ticket's targets when the contract is known."""
    word = labels.priority(t.get("priority"))
    if customer is None or t.get("priority") not in labels.PRIORITY:
        return word
    first, resolution = response_targets(contract_overrides(customer, t))[str(t["priority"])]
    targets = _(TEXT["targets"]).format(
        first=clock.duration(first), resolution=clock.duration(resolution)
    )
    return f"{word} · {targets}"


def contract_overrides(customer: Json | None, ticket: Json | None) -> Mapping[str, int] | None:
    """The response-time overrides of the contract that set the ticket's clock
    (`sla_contract_id`); for a ticket synced before the service named it, of the contract
    the service would choose (`sla.choose_terms` over the contracts' coverage)."""
    contracts = (customer or {}).get("contracts", [])
    if ticket is not None and "sla_contract_id" in ticket:
        chosen = ticket["sla_contract_id"]
    elif ticket is not None:
        terms = sla.choose_terms(
            [contract_terms_of(c) for c in contracts],
            TicketKind(ticket.get("kind") or TicketKind.INCIDENT),
            Source(ticket.get("source") or Source.EMAIL),
            None,
        )
        chosen = terms.contract_id
    else:
        return None
    for contract in contracts:
        if chosen is not None and contract.get("id") == chosen:
            return dict(contract.get("response_overrides") or {}) or None
    return None


def booking_text(appt: AppointmentShape, technicians: Mapping[int, str]) -> str:
    """`Mo 07.12. 08:00-10:00  job on site  Marco Wagner`."""
    what = labels.word(labels.APPOINTMENT_KIND, appt.get("kind"))
    if appt.get("mode"):
        what += f" {labels.word(labels.WORK_MODE, appt['mode'])}"
    who = technicians.get(appt.get("technician_id") or 0, "")
    parts = [clock.span(appt["start"], appt["end"]), what]
    if who:
        parts.append(one_line(who))
    return "  ".join(parts)


def escalation_lines(esc: Json) -> Iterable[tuple[int, str]]:
    """Who raised, acknowledged and resolved it, each with the time; the notes as written."""
    head = _(TEXT["escalation_head"]).format(
        level=esc.get("level", "?"),
        reason=labels.word(labels.ESCALATION_REASON, esc.get("reason")),
        status=labels.word(labels.ESCALATION_STATUS, esc.get("status")),
    )
    if esc.get("note"):
        head += f": {one_line(esc['note'])}"
    lines = [head]
    for step in ("raised", "acknowledged", "resolved"):
        when = esc.get(f"{step}_at")
        if not when:
            continue
        line = _(TEXT[step]).format(who=_person(esc, step), when=clock.moment(when))
        note = esc.get(f"{step}_note") or (esc.get("resolution_note") if step == "resolved" else "")
        if note:
            line += f": {one_line(note)}"
        lines.append(line)
    if esc.get("level_note"):
        note = one_line(esc["level_note"])
        lines.append(_(TEXT["relevelled"]).format(level=esc["level"], note=note))
    return enumerate(lines)


def _person(esc: Json, step: str) -> str:
    """The name of who took `step`; a service that sends only the id is matched against the
    other people of the same escalation rather than shown as a wrong or raw name."""
    name = esc.get(f"{step}_by_name")
    if name:
        return one_line(name)
    who = esc.get(f"{step}_by")
    for other in ("raised", "acknowledged", "resolved"):
        if who is not None and esc.get(f"{other}_by") == who and esc.get(f"{other}_by_name"):
            return one_line(esc[f"{other}_by_name"])
    return _(TEXT["someone"])


def description_text(t: TicketDetailShape) -> Text:
    return Text("\n" + clean(t.get("description") or ""))


def comments_text(t: TicketDetailShape, offline: bool, comment_key: str) -> Text:
    """The comments, oldest first; `comment_key` adds one (said when there is none)."""
    text = Text(_(TEXT["comments"]), style="bold")
    if offline:
        text.append(_(TEXT["comments_offline"]), style="dim")
    elif not t.get("comments"):
        text.append(_(TEXT["no_comments"]).format(key=comment_key), style="dim")
    for c in t.get("comments", []):
        author = one_line(c.get("author_name") or "")
        contact = _(TEXT["contact"]) if c.get("kind") == "customer_contact" else ""
        text.append(f"  {clock.moment(c.get('created_at'))} {author}{contact}: ", style="bold")
        text.append(clean(c.get("body") or "") + "\n")
    return text


def history_text(t: TicketDetailShape, names: Names) -> Text:
    text = Text(_(TEXT["history"]), style="bold")
    events = t.get("history", [])
    if not events:
        text.append(_(TEXT["no_history"]), style="dim")
    for ev in events:
        text.append(f"  {event_line(ev, names)}\n", style="dim")
    return text


def customer_text(c: Json | None, contingent: Json | None = None) -> Text:
    """The customer block; `contingent` is the answer of GET /customers/{id}/contingent."""
    text = Text(_(TEXT["customer_head"]), style="bold")
    if c is None:
        return text
    text.append(
        _(TEXT["customer_line"]).format(
            name=one_line(c.get("name")),
            number=one_line(c.get("number")),
            profile=labels.word(labels.SUPPORT_PROFILE, c.get("support_profile")),
        )
    )
    contracts = c.get("contracts", [])
    kinds = ", ".join(labels.word(labels.CONTRACT_KIND, k.get("kind")) for k in contracts)
    text.append(_(TEXT["contracts"]).format(kinds=kinds or clock.NONE))
    if c.get("account_manager"):
        text.append(_(TEXT["account_manager"]).format(name=one_line(c["account_manager"])))
    if any(k.get("kind") == "contingent" for k in contracts):
        text.append(_contingent_text(c, contingent))
    return text


def _contingent_text(c: Json, contingent: Json | None) -> Text:
    """The contingent line (the ledger's, or the record's balance until that is read), red
    when overdrawn, and the caption of the months' sparkline below it."""
    if contingent is None:
        minutes = int(c.get("contingent_balance_minutes") or 0)
        line, overdrawn, caption = clock.duration(minutes), minutes < 0, ""
    else:
        line = contingent_text.summary(contingent)
        overdrawn = bool(contingent.get("overdrawn"))
        caption = contingent_text.months_caption(contingent)
    text = Text(
        _("  contingent: {line}\n").format(line=line), style="bold red" if overdrawn else ""
    )
    if caption:  # the block's last line, no newline: the sparkline is right below it
        text.append(f"  {caption}", style="dim")
    return text


def parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
