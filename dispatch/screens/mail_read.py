"""`m` in the ticket view: one mail read whole. A received one with the thread it quoted
(a comment or a follow-up ticket keeps only what the customer wrote anew), a sent one as it
went out.

Read-only: its sender or recipient, time and subject on top, the text under them, all in
one scrolling box; esc closes. What it shows comes from `mail_text` (cleaned, never markup).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Label, Static

from dispatch.i18n import N_, _
from dispatch.screens.key_names import own_key
from dispatch.screens.mail_text import TEXT, whole_head, whole_text, whole_title
from dispatch.screens.read_only import ReadOnlyDialog

if TYPE_CHECKING:
    from dispatch.client.shapes import MailTextShape


class MailReadScreen(ReadOnlyDialog):
    """A mail of ticket `number`, received or sent, as the service holds it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Close"), id="mailread.close"),
        Binding("j", "down", N_("Scroll down"), show=False, id="mailread.down"),
        Binding("k", "up", N_("Scroll up"), show=False, id="mailread.up"),
    ]

    def __init__(self, number: int | str, mail: MailTextShape) -> None:
        super().__init__(classes="dialog")
        self.number = number
        self.mail = mail

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box wide", id="mail-read"):
            title = whole_title(self.number, self.mail)
            yield Label(title, classes="dialog-title", markup=False)
            yield Static(whole_head(self.mail), id="mail-read-head")
            yield Static(whole_text(self.mail), id="mail-read-text")
            keys = {k: own_key(self, f"mailread.{k}") for k in ("down", "up", "close")}
            yield Label(_(TEXT["whole_hint"]).format(**keys), classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        # focused, the box takes ↑/↓, page up/down, home and end itself
        self.query_one(VerticalScroll).focus()
