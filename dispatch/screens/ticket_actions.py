"""Ticket actions shared by the queue, my work and the ticket view."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual.binding import Binding, BindingType
from textual.screen import Screen

from dispatch.client.errors import ApiError, Unreachable
from dispatch.client.shapes import MailPreviewShape
from dispatch.display import clock, labels, safe
from dispatch.display.safe import one_line
from dispatch.domain.sla import response_targets
from dispatch.domain.types import Priority, Status
from dispatch.domain.workflow import allowed_next
from dispatch.i18n import N_, _, ngettext
from dispatch.screens import priority_change, time_actions
from dispatch.screens.context import Console, door, engine_dict
from dispatch.screens.status_freeing import (
    ENDING,
    booked_ahead,
    frees_question,
    status_changes,
)
from dispatch.screens.ticket_text import contract_overrides

# The dialogs are imported when one opens: with TextArea and OptionList they were 14 ms of
# CPU at every start, before the first row of the queue or "my work" (an SSH login's path).
if TYPE_CHECKING:
    from dispatch.client.shapes import AppointmentShape, TicketShape
    from dispatch.screens.assign import AssignChoice
    from dispatch.screens.comment_dialog import CommentRequest
    from dispatch.screens.dialogs import EscalationRequest
    from dispatch.screens.status_note import StatusNote

# What the actions say, in one place (stored text in them passes `one_line`).
TEXT = {
    "priority_title": N_("Priority of {number}"),
    "priority_option": N_("{priority}: response {first}, resolution {resolution}"),
    "standard_targets": N_(" (standard targets: the contract is not known)"),
    "status_title": N_("{number} is {status}; next:"),
    "comment_title": N_("Comment on {number}"),
    "select_first": N_("Select a ticket first."),
    "still_queued": N_(
        "This new ticket is still queued: it gets its number when the service "
        "answers, then you can open and change it."
    ),
    "patched": N_("{number}: {changes}"),
    "comment_queued": N_("Comment on {number} queued"),
    "contact_queued": N_("{number}: customer contacted (first response), queued"),
    "contact_again_queued": N_("{number}: customer contacted, queued"),
    "escalated": N_("{number} escalated (level {level}, {reason})"),
    "assigned": N_("{number} assigned to {name}"),
    "with_note": N_(", with a note for the customer"),
}


def priority_options(
    customer: dict[str, Any] | None, ticket: Mapping[str, Any] | None = None
) -> list[tuple[str, str]]:
    """The priorities with the targets that apply to this ticket: the contract that sets its
    clock may shorten them (P1 in 30 min instead of 1 h), as the service computes its due
    times."""
    targets = response_targets(contract_overrides(customer, ticket))
    options = []
    for p in Priority:
        first, resolution = targets[p.value]
        label = _(TEXT["priority_option"]).format(
            priority=labels.priority(p.value),
            first=clock.duration(first),
            resolution=clock.duration(resolution),
        )
        options.append((p.value, label))
    return options


# Actions hidden from technicians (they may take the rest, on their own tickets).
TEAM_ACTIONS = frozenset({"assign", "priority", "raise_priority", "lower_priority"})

TICKET_BINDINGS: list[BindingType] = [
    Binding("a", "assign", N_("Assign"), id="ticket.assign"),
    Binding("p", "priority", N_("Priority"), id="ticket.priority"),
    Binding("plus", "raise_priority", N_("Raise priority"), show=False, id="ticket.raise"),
    Binding("minus", "lower_priority", N_("Lower priority"), show=False, id="ticket.lower"),
    Binding("s", "status", N_("Status"), id="ticket.status"),
    Binding("e", "escalate", N_("Escalate"), id="ticket.escalate"),
    Binding("c", "comment", N_("Comment"), id="ticket.comment"),
    # K, not k: k moves up in every list and in the ticket view (j/k, as documented)
    Binding("K", "contact", N_("Contacted"), id="ticket.contact"),
    Binding("t", "log_time", N_("Log work"), id="ticket.log_time"),
]


class TicketActions(Screen[None]):
    """Mixin-like base: subclasses say which ticket is selected."""

    BINDINGS: ClassVar[list[BindingType]] = []

    @property
    def dispatch(self) -> Console:
        return door(self.app)

    def selected_ticket(self) -> TicketShape | None:
        raise NotImplementedError

    def known_customer(self, ticket: TicketShape) -> dict[str, Any] | None:
        """The ticket's customer with its contracts when this screen already has it."""
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return time_actions.offered(self.dispatch, action, TEAM_ACTIONS)

    def action_log_time(self) -> None:
        if (ticket := self._need_ticket()) is not None:
            time_actions.log_time(self, self.dispatch, ticket)

    def _need_ticket(self) -> TicketShape | None:
        ticket = self.selected_ticket()
        if ticket is None:
            self.notify(_(TEXT["select_first"]), severity="warning")
        elif ticket["id"] < 0:  # a queued new ticket: the service has not named it yet
            self.notify(_(TEXT["still_queued"]), severity="warning")
            return None
        return ticket

    # priority ------------------------------------------------------------------
    def action_priority(self) -> None:
        ticket = self._need_ticket()
        if ticket is None:
            return
        customer = self.known_customer(ticket)
        if customer is None and not self.dispatch.online:  # no wait for a service that is away
            self._priority_dialog(ticket, None)
        elif customer is None:
            self.run_worker(self._priority_with_contract(ticket), group="priority", exclusive=True)
        else:
            self._priority_dialog(ticket, customer)

    async def _priority_with_contract(self, ticket: TicketShape) -> None:
        """The targets depend on the customer's contract: ask the service for it, and offer
        the standard targets (said as such) when it cannot tell."""
        customer: dict[str, Any] | None
        try:
            customer = await self.dispatch.client.customer(ticket["customer_id"])
        except (Unreachable, ApiError, KeyError):
            customer = None
        self._priority_dialog(ticket, customer)

    def _priority_dialog(self, ticket: TicketShape, customer: dict[str, Any] | None) -> None:
        from dispatch.screens.dialogs import ChoiceDialog

        def chosen(value: str | None) -> None:
            # P1 on an escalated ticket is a person's P1: a promise the escalation's is not
            if value and (value != ticket["priority"] or ticket.get("escalated")):
                self.change_priority(ticket, value)

        self.app.push_screen(
            ChoiceDialog(
                _(TEXT["priority_title"]).format(number=ticket["number"])
                + ("" if customer else _(TEXT["standard_targets"])),
                priority_options(customer, ticket),
                ticket["priority"],
            ),
            chosen,
        )

    def _step_priority(self, step: int) -> None:
        ticket = self._need_ticket()
        if ticket is None:
            return
        order = [p.value for p in Priority]
        index = order.index(ticket["priority"]) + step
        if 0 <= index < len(order) and not priority_change.said_held(self, ticket, order[index]):
            # the quick keys write at once (the row shows the new due times); `p` asks first
            self.write_patch(ticket, {"priority": order[index]})

    def change_priority(self, ticket: TicketShape, priority: str) -> None:
        """A person's priority recomputes the due times from receipt: show them first."""
        if not priority_change.said_held(self, ticket, priority):
            self.run_worker(self._confirm_priority(ticket, priority), group="priority-forecast")

    async def _confirm_priority(self, ticket: TicketShape, priority: str) -> None:
        from dispatch.screens.confirm import ConfirmDialog

        forecast: dict[str, Any] | None = None
        if self.dispatch.online:
            try:
                forecast = await self.dispatch.client.sla_forecast(ticket["id"], priority)
            except (Unreachable, ApiError):
                forecast = None  # said as offline: the service recomputes them when it can

        def answered(yes: bool | None) -> None:
            if yes:
                self.write_patch(ticket, {"priority": priority})

        self.app.push_screen(
            ConfirmDialog(
                priority_change.question(ticket, priority),
                priority_change.detail(ticket, forecast),
                yes=_(priority_change.TEXT["yes"]),
            ),
            answered,
        )

    def action_raise_priority(self) -> None:
        self._step_priority(-1)

    def action_lower_priority(self) -> None:
        self._step_priority(+1)

    # status --------------------------------------------------------------------
    def action_status(self) -> None:
        from dispatch.screens.status_dialog import StatusDialog
        from dispatch.screens.status_note import NOTE_STATUSES

        ticket = self._need_ticket()
        if ticket is None:
            return
        nexts = sorted(allowed_next(Status(ticket["status"])), key=list(Status).index)
        options = [(s.value, labels.status(s.value)) for s in nexts]

        def chosen(value: str | None) -> None:
            if value in NOTE_STATUSES:
                self._ask_note(ticket, value)
            else:
                self._change_status(ticket, value, None)

        self.app.push_screen(
            StatusDialog(
                _(TEXT["status_title"]).format(
                    number=ticket["number"], status=labels.status(ticket["status"])
                ),
                options,
                ticket["id"],
            ),
            chosen,
        )

    def _ask_note(self, ticket: TicketShape, status: str) -> None:
        """The question or resolution for the customer, the second step of the status dialog
        (optional; the status mail quotes only it)."""
        from dispatch.screens.status_note import StatusNoteDialog

        def preview() -> Awaitable[MailPreviewShape]:
            return self.dispatch.client.mail_preview(ticket["id"], status)

        def answered(note: StatusNote | None) -> None:
            if note is not None:
                self._change_status(ticket, status, note.text)

        self.app.push_screen(StatusNoteDialog(ticket["number"], status, preview), answered)

    def _change_status(self, ticket: TicketShape, status: str | None, note: str | None) -> None:
        if status in ENDING:
            # Resolving frees the ticket's bookings still ahead: say which before it does.
            self.run_worker(self._end_ticket(ticket, status, note), group="end-ticket")
        elif status:
            self.write_patch(ticket, status_changes(status, note))

    async def _end_ticket(self, ticket: TicketShape, status: str, note: str | None = None) -> None:
        """Ask before a status that frees booked slots, naming them; tell once it is done."""
        from dispatch.screens.confirm import ConfirmDialog

        changes = status_changes(status, note)
        try:
            detail = await self.dispatch.client.ticket_detail(ticket["id"])
        except (ApiError, Unreachable):
            detail = None  # offline: the service frees them when the change reaches it
        slots = None if detail is None else booked_ahead(detail, datetime.now(UTC))
        if slots == []:
            self.write_patch(ticket, changes)
            return
        verb = _(ENDING[status])
        question = frees_question(status, ticket["number"], None if slots is None else len(slots))
        lines = "" if slots is None else "\n".join(self._slot_line(a) for a in slots)

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            self.write_patch(ticket, changes)
            if slots:
                n = len(slots)
                freed = ngettext(
                    "{number}: freed {n} booked slot.", "{number}: freed {n} booked slots.", n
                )
                self.notify(freed.format(number=ticket["number"], n=n))

        self.app.push_screen(ConfirmDialog(question, lines, yes=verb), answered)

    def _slot_line(self, appt: AppointmentShape) -> str:
        name = self.dispatch.store.technician_name(appt.get("technician_id"))
        return f"{clock.moment(appt['start'])} {safe.one_line(name)}"

    # comment, escalate, assign -------------------------------------------------
    def action_comment(self) -> None:
        from dispatch.screens.comment_dialog import CUSTOMER_CONTACT, INTERNAL
        from dispatch.screens.dialogs import TextDialog

        ticket = self._need_ticket()
        if ticket is None:
            return

        dialog = TextDialog(_(TEXT["comment_title"]).format(number=ticket["number"]), contact=False)

        def chosen(text: str | None) -> None:
            if text:
                kind = CUSTOMER_CONTACT if dialog.customer_contact else INTERNAL
                self.write_comment(ticket, text, kind)

        self.app.push_screen(dialog, chosen)

    def action_contact(self) -> None:
        """The customer was reached (a call, a mail): the first response, in one key."""
        from dispatch.screens.comment_dialog import ContactDialog

        ticket = self._need_ticket()
        if ticket is None:
            return

        def chosen(request: CommentRequest | None) -> None:
            if request:
                self.write_comment(ticket, request.text, request.kind)

        self.app.push_screen(ContactDialog(ticket["number"]), chosen)

    def action_escalate(self) -> None:
        from dispatch.screens.dialogs import EscalateDialog

        ticket = self._need_ticket()
        if ticket is None:
            return

        def chosen(request: EscalationRequest | None) -> None:
            if request:
                self.write_escalation(ticket, request)

        dialog = EscalateDialog()
        if self.dispatch.is_technician:
            dialog.max_level = 1  # their level 2 is the service's 403
        self.app.push_screen(dialog, chosen)

    def action_assign(self) -> None:
        from dispatch.screens.assign import AssignDialog

        ticket = self._need_ticket()
        if ticket is None:
            return

        def chosen(choice: AssignChoice | None) -> None:
            if choice:
                self.write_assignment(ticket, choice)

        self.app.push_screen(AssignDialog(ticket), chosen)

    # writes: into the outbox first, shown at once, sent by the sync engine ----------
    def write_patch(self, ticket: TicketShape, changes: dict[str, Any]) -> None:
        self.dispatch.sync.patch_ticket(engine_dict(ticket), changes)
        what = ", ".join(
            f"{labels.field(k)} {labels.word(labels.FIELD_VALUES.get(k, {}), v)}"
            for k, v in changes.items()
            if k != "customer_note"  # words for the customer, not a value to echo here
        )
        if changes.get("customer_note"):
            what += _(TEXT["with_note"])
        self.notify(_(TEXT["patched"]).format(number=ticket["number"], changes=what), markup=False)

    def write_comment(self, ticket: TicketShape, text: str, kind: str = "internal") -> None:
        self.dispatch.sync.comment(engine_dict(ticket), text, kind)
        done = "comment_queued"
        if kind == "customer_contact":
            # only the first contact is the first response; later ones are just noted
            done = "contact_again_queued" if ticket.get("responded_at") else "contact_queued"
        self.notify(_(TEXT[done]).format(number=ticket["number"]))

    def write_escalation(self, ticket: TicketShape, request: EscalationRequest) -> None:
        self.dispatch.sync.escalate(
            engine_dict(ticket), request.reason, request.level, request.note
        )
        self.notify(
            _(TEXT["escalated"]).format(
                number=ticket["number"],
                level=request.level,
                reason=labels.word(labels.ESCALATION_REASON, request.reason),
            )
        )

    def write_assignment(self, ticket: TicketShape, choice: AssignChoice) -> None:
        self.dispatch.sync.assign(engine_dict(ticket), choice.technician_id, choice.slot)
        name = one_line(self.dispatch.store.technician_name(choice.technician_id))
        self.notify(_(TEXT["assigned"]).format(number=ticket["number"], name=name), markup=False)


__all__ = ["TICKET_BINDINGS", "TicketActions"]
