"""Recording that the customer was reached, in one key (issue 18.2).

A comment marked as customer contact (a call or a mail that reached the customer) is the
ticket's first response; a plain one is a note for colleagues. `c` writes either (the
comment dialog's toggle, `dialogs.TextDialog`); `K` records a contact in one line whose
default text enter accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from dispatch.i18n import N_, _
from dispatch.screens.key_names import own_key

INTERNAL = "internal"
CUSTOMER_CONTACT = "customer_contact"

TEXT = {
    "empty": N_("Write something first (or {cancel} to cancel)."),
    "contact_title": N_("Customer contacted: {number}"),
    "contact_default": N_("Called the customer."),
    "contact_hint": N_("enter save · {cancel} cancel (the text is yours to change)"),
}


@dataclass(frozen=True, slots=True)
class CommentRequest:
    text: str
    kind: str  # INTERNAL or CUSTOMER_CONTACT


class ContactDialog(ModalScreen[CommentRequest | None]):
    """`k`: the customer was reached, in one line; enter accepts the default text."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="contact.cancel"),
    ]

    def __init__(self, number: object) -> None:
        super().__init__(classes="dialog")
        self.number = number

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box"):
            yield Label(_(TEXT["contact_title"]).format(number=self.number), classes="dialog-title")
            yield Input(_(TEXT["contact_default"]), id="text", select_on_focus=True)
            yield Label("", id="error", classes="dialog-error")
            cancel = own_key(self, "contact.cancel")
            yield Label(_(TEXT["contact_hint"]).format(cancel=cancel), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.query_one("#error", Label).update(
                _(TEXT["empty"]).format(cancel=own_key(self, "contact.cancel"))
            )
            return
        self.dismiss(CommentRequest(text, CUSTOMER_CONTACT))

    def action_cancel(self) -> None:
        self.dismiss(None)
