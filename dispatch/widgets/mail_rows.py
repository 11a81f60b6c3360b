"""Pane 6's table: the unmatched mail (mail the intake could not put on a ticket), its
columns and the builder that turns the service's dicts into rows.

A sender and a subject are a stranger's text: cleaned by `one_line` before they are cells.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from dispatch.display import clock
from dispatch.display.safe import one_line
from dispatch.domain.countdown import age_text
from dispatch.i18n import N_, _
from dispatch.widgets.fast_table import Column, Row, fold

if TYPE_CHECKING:
    from dispatch.client.shapes import UnmatchedMailShape

UNMATCHED_COLUMNS = (
    Column("age", N_("Age"), width=4, align="right"),
    Column("received", N_("Received"), width=15, give_way=1),
    Column("sender", N_("From"), width=None, min_width=10, want=22),
    Column("subject", N_("Subject"), width=None, min_width=12, want=24),
    Column("reason", N_("Why held"), width=15, give_way=2, shrink_to=8),
    Column("state", N_("State"), width=13),
)
# Why the intake held a mail (an unknown reason shows as the service spells it).
REASON_WORDS = {
    "unknown_sender": N_("unknown sender"),
    "unparseable": N_("unreadable"),
    "closed_ticket_reply": N_("closed ticket"),
}
STATE_WORDS = {"open": N_("open"), "ticket": N_("ticket made"), "discarded": N_("discarded")}
# The user's own queued write on a mail, as the state column shows it until acknowledged.
PENDING_WORDS = {
    "ticket": N_("ticket…"),
    "discard": N_("discarding…"),
    "refused": N_("refused ({key})"),
}


def reason_word(reason: str | None) -> str:
    if not reason:
        return clock.NONE
    return _(REASON_WORDS[reason]) if reason in REASON_WORDS else one_line(reason).replace("_", " ")


def unmatched_row(
    mail: UnmatchedMailShape,
    now: datetime,
    pending: str | None = None,
    ticket_number: int | None = None,
    *,
    outbox_key: str,
) -> Row:
    """One row; `pending` names the user's own write on it still in the outbox (a refused
    one names `outbox_key`), `ticket_number` the ticket made of it (when the store holds it)."""
    received = datetime.fromisoformat(mail["received_at"])
    sender = one_line(mail.get("from_name") or mail.get("from_address") or clock.NONE)
    state = mail["state"]
    shown_state = (
        _(PENDING_WORDS[pending]).format(key=outbox_key)
        if pending
        else _(STATE_WORDS[state])
        if state in STATE_WORDS
        else one_line(state)
    )
    if not pending and state == "ticket" and ticket_number is not None:
        shown_state = _("ticket {number}").format(number=ticket_number)
    cells = (
        age_text(received, now),
        clock.moment(received),
        sender,
        one_line(mail.get("subject") or ""),
        reason_word(mail.get("reason")),
        shown_state,
    )
    search = " ".join(
        [*cells[2:], one_line(mail.get("from_address") or ""), one_line(mail.get("snippet") or "")]
    )
    style = "bold" if state == "open" and not pending else "dim" if state != "open" else ""
    return Row(
        key=mail["id"],
        cells=cells,
        search=fold(search),
        style=style,
        cell_styles=("", "", "", "", "", "yellow" if pending else ""),
        # newest first by default: the age sorts by the time itself
        sort_keys=(-received.timestamp(), received.timestamp(), None, None, None, None),
    )
