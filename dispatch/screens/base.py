"""What every pane shares: the status bar, the footer, the store subscriptions."""

from __future__ import annotations

import asyncio

from textual.screen import Screen
from textual.widgets import Input

from dispatch.domain.types import Role
from dispatch.i18n import _
from dispatch.screens.context import Console, door
from dispatch.screens.key_names import own_key
from dispatch.widgets.fast_table import FastTable
from dispatch.widgets.key_footer import KeyFooter
from dispatch.widgets.status_bar import StatusBar


class StatusScreen(Screen[None]):
    """A screen with a live status bar: the panes and the ticket view."""

    @property
    def dispatch(self) -> Console:
        """The app through the door screens use (see `context.py`)."""
        return door(self.app)

    def follow_status(self) -> None:
        """Keep the status bar current from now on (call once, when mounted)."""
        self.dispatch.status_changed.subscribe(self, lambda _: self.refresh_status())
        self.refresh_status()

    def refresh_status(self) -> None:
        """What every status bar shows, the panes' and the ticket view's: who, where, whether
        online, the writes still queued and the last sync; then what this screen adds."""
        app = self.dispatch
        for bar in self.query(StatusBar):
            bar.user = str(app.me["user"]["display_name"])
            bar.role = app.role
            bar.server = app.server_label
            bar.online = app.online
            bar.pending = app.pending_count()
            bar.last_update = app.last_update
        self.status_shown(app)

    def status_shown(self, app: Console) -> None:
        """What a screen does once its status bar is current (nothing, unless it says)."""


class PaneScreen(StatusScreen):
    """A top-level pane (queue, escalations, calendar, my work) with a status bar."""

    def compose_footer(self) -> tuple[StatusBar, KeyFooter]:
        return StatusBar(), KeyFooter()

    def on_mount(self) -> None:
        self.follow_status()

    def on_screen_resume(self) -> None:
        self.refresh_status()

    def status_shown(self, app: Console) -> None:
        # the panes' bars also count open escalations and what needs the user; the back
        # office bills work and acts on no escalation, so its bar does not count them
        counted = app.role != Role.BACKOFFICE
        for bar in self.query(StatusBar):
            bar.escalations = app.open_escalations() if counted else 0
            attention = app.attention_count()
            bar.note = (
                _("{n} need you (press {key})").format(n=attention, key=own_key(self, "app.outbox"))
                if attention
                else ""
            )


class FilterAsYouType(Screen[None]):
    """`/` shows the pane's filter line (an Input with id `filter`); typing filters the
    pane's table at once, enter goes back to the table, escape clears and hides it."""

    @property
    def table(self) -> FastTable:
        raise NotImplementedError

    def _update_title(self) -> None:
        raise NotImplementedError

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()
        self.table.prepare_filter()  # while the box opens, not in the first letter typed

    async def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.table.set_filter(event.value)
            self._update_title()
            # The table, its scrollbar and the title post their repaint to the screen from
            # their own message loops, and the screen paints as soon as its queue is empty.
            # Let them post before this handler ends, so the keystroke is one frame (box,
            # rows and count together) instead of the box first and the rows a frame later.
            await asyncio.sleep(0)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.table.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        box.display = False
        self.table.set_filter("")
        self.table.focus()
        self._update_title()
