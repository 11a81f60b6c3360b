"""The status dialog's second step: the words for the customer that a change to waiting for
the customer (the question) or to resolved (the resolution) carries. The status mail quotes
exactly these words and never another comment; the dialog says whether it will be mailed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from dispatch.client.errors import ApiError, Unreachable
from dispatch.client.shapes import MailPreviewShape
from dispatch.display import labels
from dispatch.display.safe import has_unsafe, one_line
from dispatch.i18n import N_, _, ngettext
from dispatch.screens.key_names import own_key

NOTE_STATUSES = ("waiting_customer", "resolved")
"""The statuses whose mail quotes a note (the service's `rules/customer_note.py`)."""
MAX_NOTE = 4000

TEXT = {
    "waiting_customer": N_("Question to the customer"),
    "resolved": N_("Resolution for the customer"),
    "title": N_("{number} to {status}: {what} (optional)"),
    "asking": N_("Asking the service whom this mails…"),
    "offline": N_(
        "Offline: the service mails the contacts flagged for status changes when it "
        "gets this change."
    ),
    "off": N_(
        "Mail is off: nothing is mailed; the note is kept on the ticket as customer contact."
    ),
    "nobody": N_(
        "No contact of this customer gets status mails: nothing is mailed; the note is "
        "kept on the ticket as customer contact."
    ),
    "hint": N_("{save} change status · {cancel} cancel · empty: no note"),
    "too_long": N_("At most {max} characters (now {n})."),
    "control": N_("The note may not hold control characters (newline and tab are fine)."),
}


@dataclass(frozen=True, slots=True)
class StatusNote:
    """The answer of the dialog: the note, or None for a status change without one."""

    text: str | None


def mailing_line(preview: MailPreviewShape | None) -> str:
    """What the dialog says about the mail, from the service's preview (None: offline)."""
    if preview is None:
        return _(TEXT["offline"])
    if not preview.get("outgoing_enabled"):
        return _(TEXT["off"])
    n = len(preview.get("recipients") or [])
    if n == 0:
        return _(TEXT["nobody"])
    return ngettext(
        "Mailed to {n} contact, quoting this note (without one: a neutral sentence).",
        "Mailed to {n} contacts, quoting this note (without one: a neutral sentence).",
        n,
    ).format(n=n)


class StatusNoteDialog(ModalScreen[StatusNote | None]):
    """Write the question or the resolution for the customer; ctrl+s changes the status
    (with the note, or without one when empty), escape cancels the status change."""

    # the mailing line is a sentence: wrapped in the box, not cut at its edge
    DEFAULT_CSS = """
    StatusNoteDialog Label { width: 100%; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="note.cancel"),
        Binding("ctrl+s", "save", N_("Change status"), id="note.save", priority=True),
    ]

    def __init__(
        self,
        number: int,
        status: str,
        preview: Callable[[], Awaitable[MailPreviewShape]] | None = None,
    ) -> None:
        super().__init__(classes="dialog")
        self.number = number
        self.status = status
        self.preview = preview

    def compose(self) -> ComposeResult:
        title = _(TEXT["title"]).format(
            what=_(TEXT[self.status]), number=self.number, status=labels.status(self.status)
        )
        with VerticalScroll(classes="dialog-box"):
            yield Label(title, classes="dialog-title")
            yield Label(_(TEXT["asking"]) if self.preview else _(TEXT["offline"]), id="mailed")
            yield TextArea(id="note", soft_wrap=True)
            yield Label("", id="error", classes="dialog-error")
            keys = {k: own_key(self, f"note.{k}") for k in ("save", "cancel")}
            yield Label(_(TEXT["hint"]).format(**keys), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()
        if self.preview is not None:
            self.run_worker(self._ask(self.preview), group="mail-preview")

    async def _ask(self, preview: Callable[[], Awaitable[MailPreviewShape]]) -> None:
        try:
            answer: MailPreviewShape | None = await preview()
        except (ApiError, Unreachable):
            answer = None
        self.query_one("#mailed", Label).update(one_line(mailing_line(answer)))

    def action_save(self) -> None:
        text = self.query_one(TextArea).text.strip()
        problem = None
        if len(text) > MAX_NOTE:
            problem = _(TEXT["too_long"]).format(max=MAX_NOTE, n=len(text))
        elif has_unsafe(text):
            problem = _(TEXT["control"])
        if problem is not None:
            self.query_one("#error", Label).update(problem)
            return
        self.dismiss(StatusNote(text or None))

    def action_cancel(self) -> None:
        self.dismiss(None)
