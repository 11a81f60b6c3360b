"""Small modal dialogs; each returns a typed result through dismiss()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from dispatch.i18n import N_, _
from dispatch.screens.key_names import own_key


def choice_hint(dialog: ChoiceDialog) -> str:
    """Enter is the option list's own key; escape is the dialog's, and may be remapped."""
    return _("enter choose · {cancel} cancel").format(cancel=own_key(dialog, "dialog.cancel"))


class ChoiceDialog(ModalScreen[str | None]):
    """Pick one of a few options with j/k/arrows and enter; escape cancels.

    The labels show as plain text, never as markup: some hold a stranger's words (a mail's
    subject), where `[#100301]` would vanish as a colour and `[link=…]` plant a link.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel"),
        Binding("j", "down", N_("Down"), show=False, id="dialog.down"),
        Binding("k", "up", N_("Up"), show=False, id="dialog.up"),
    ]

    def __init__(self, title: str, options: list[tuple[str, str]], current: str | None = None):
        super().__init__(classes="dialog")
        self.title_text = title
        self.options = options
        self.current = current

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(*[Option(Text(label), id=value) for value, label in self.options])
            yield Label(choice_hint(self), classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        values = [v for v, _label in self.options]
        if self.current in values:
            options.highlighted = values.index(self.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()


CONTACT_TOGGLE = N_("customer contacted (a call or mail that reached them: the first response)")


class TextDialog(ModalScreen[str | None]):
    """Write a text (a comment); ctrl+s saves, escape cancels.

    With `contact` (a comment on a ticket) it also asks whether the text records reaching the
    customer: a checkbox, ctrl+t toggles it, and `customer_contact` says how it was left.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="text.cancel"),
        Binding("ctrl+s", "save", N_("Save"), id="text.save", priority=True),
        Binding("ctrl+t", "toggle_contact", N_("Customer contacted"), id="text.contact"),
    ]

    def __init__(
        self,
        title: str,
        placeholder: str = "",
        *,
        contact: bool | None = None,
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.placeholder = placeholder
        self.contact = contact
        self.check = check  # what is wrong with the text (None: fine); the dialog stays open

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box"):
            yield Label(self.title_text, classes="dialog-title")
            yield TextArea(id="text", soft_wrap=True)
            if self.contact is not None:
                yield Checkbox(_(CONTACT_TOGGLE), self.contact, id="contact")
            yield Label("", id="error", classes="dialog-error")
            keys = {k: own_key(self, f"text.{k}") for k in ("save", "contact", "cancel")}
            hint = (
                _("{save} save · {contact} customer contacted · {cancel} cancel")
                if self.contact is not None
                else _("{save} save · {cancel} cancel")
            )
            yield Label(hint.format(**keys), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "toggle_contact" or self.contact is not None

    def action_toggle_contact(self) -> None:
        self.query_one("#contact", Checkbox).toggle()

    @property
    def customer_contact(self) -> bool:
        """Whether the text is marked as reaching the customer (False without the toggle)."""
        found = self.query("#contact")
        return bool(found) and self.query_one("#contact", Checkbox).value

    def action_save(self) -> None:
        text = self.query_one(TextArea).text.strip()
        problem = self.check(text) if self.check is not None else None
        if not text and problem is None:
            problem = _("Write something first (or {cancel} to cancel).").format(
                cancel=own_key(self, "text.cancel")
            )
        if problem is not None:
            self.query_one("#error", Label).update(problem)
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class EscalationRequest:
    reason: str
    level: int
    note: str


REASONS = [
    ("total_outage", N_("Total outage at the customer")),
    ("vendor_stuck", N_("Vendor ticket is stuck")),
    ("sla_breach", N_("SLA breach")),
    ("customer_complaint", N_("Customer complaint")),
    ("other", N_("Other")),
]


class EscalateDialog(ModalScreen[EscalationRequest | None]):
    """Reason, level and a note for an internal escalation."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="escalate.cancel"),
        Binding("ctrl+s", "save", N_("Raise"), id="escalate.save", priority=True),
    ]

    max_level = 2
    """Technicians raise level 1 only (the service answers 403 to their level 2)."""

    def __init__(self) -> None:
        super().__init__(classes="dialog")  # the class that centres every dialog

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box"):
            yield Label(_("Escalate: why?"), classes="dialog-title")
            yield OptionList(*[Option(_(label), id=value) for value, label in REASONS], id="reason")
            yield OptionList(
                Option(_("Level 1: team lead"), id="1"),
                Option(_("Level 2: service area management"), id="2"),
                id="level",
            )
            yield Input(placeholder=_("note: what is going on (optional)"), id="note")
            hint = _("tab next field · {save} raise · {cancel} cancel")
            yield Label(
                hint.format(
                    save=own_key(self, "escalate.save"), cancel=own_key(self, "escalate.cancel")
                ),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#reason", OptionList).highlighted = 0
        self.query_one("#level", OptionList).highlighted = 0
        self.query_one("#reason", OptionList).focus()
        if self.max_level < 2:
            self.query_one("#level", OptionList).remove_option("2")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.focus_next()

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        reason = self.query_one("#reason", OptionList)
        level = self.query_one("#level", OptionList)
        reason_id = REASONS[reason.highlighted or 0][0]
        self.dismiss(
            EscalationRequest(
                reason=reason_id,
                level=2 if level.highlighted == 1 else 1,
                note=self.query_one("#note", Input).value.strip(),
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
