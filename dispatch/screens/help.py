"""`?`: every binding of the pane you came from, with its id for remapping."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from dispatch.i18n import N_, _
from dispatch.screens.read_only import ReadOnlyDialog


class HelpScreen(ReadOnlyDialog):
    """Lists the active bindings of `screen` (and the app's), as a person reads them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", N_("Close"), id="help.close"),
        Binding("j", "down", N_("Down"), show=False, id="help.down"),
        Binding("k", "up", N_("Up"), show=False, id="help.up"),
    ]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__(classes="dialog")
        self.target = screen

    def compose(self) -> ComposeResult:
        table = Table(
            title=_("Keys (remap by id in the config file's \\[keymap] table)"), expand=True
        )
        table.add_column(_("key"), style="bold", no_wrap=True)
        table.add_column(_("does"))
        table.add_column("id", style="dim", no_wrap=True)  # the config file's word: not translated
        # one row per binding with all its keys (`down,j` reads `↓ j`: the letter keys are
        # the ones a person cannot guess); two bindings for the same action (ctrl+q and q)
        # both show, so every id stays findable
        rows: dict[tuple[str, str | None], tuple[list[str], str]] = {}
        for active in self.target.active_bindings.values():
            binding = active.binding
            if not active.enabled:
                continue
            keys, _does = rows.setdefault(
                # (`_("")` would be the catalog's header: an empty description is not looked up)
                (binding.action, binding.id),
                ([], _(binding.description) if binding.description else binding.action),
            )
            label = self.app.get_key_display(binding)
            if label not in keys:
                keys.append(label)
        for (_action, binding_id), (keys, does) in rows.items():
            table.add_row(" ".join(keys), does, binding_id or "")
        with VerticalScroll(classes="dialog-box wide"):
            yield Static(table)
            yield Static(
                _("ctrl+p: command palette (find tickets by number or title, run actions)")
            )
