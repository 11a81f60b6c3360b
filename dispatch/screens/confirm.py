"""A yes/no question before something that cannot be undone; dismisses with a bool."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from dispatch.i18n import N_, _
from dispatch.screens.key_names import own_key


class ConfirmDialog(ModalScreen[bool]):
    """`y` or enter confirms, `n` or escape cancels; the question says what will happen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", N_("Yes"), id="confirm.yes"),
        Binding("n,escape", "answer(False)", N_("No"), id="confirm.no"),
    ]

    def __init__(self, question: str, detail: str = "", *, yes: str = N_("yes")) -> None:
        super().__init__(classes="dialog")
        self.question = question
        self.detail = detail
        self.yes = yes

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box"):
            yield Static(self.question, classes="dialog-title", markup=False)
            if self.detail:
                yield Static(self.detail, classes="confirm-detail", markup=False)
            yield Label(
                _("{yes_key} {yes} · {no_key} cancel").format(
                    yes_key=own_key(self, "confirm.yes"),
                    yes=_(self.yes),
                    no_key=own_key(self, "confirm.no"),
                ),
                classes="dialog-hint",
            )

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
