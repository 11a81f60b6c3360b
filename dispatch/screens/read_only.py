"""Dialogs that only show something: one scrolling box, esc closes, j/k scroll."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.screen import ModalScreen


class ReadOnlyDialog(ModalScreen[None]):
    """The actions of a dialog that only shows (`?` help, a mail read whole). Each subclass
    names its own bindings to them: their ids are what a person remaps."""

    def action_close(self) -> None:
        self.dismiss()

    def action_down(self) -> None:
        self.query_one(VerticalScroll).scroll_down()

    def action_up(self) -> None:
        self.query_one(VerticalScroll).scroll_up()
