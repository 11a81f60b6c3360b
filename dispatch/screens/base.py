"""What every pane shares: the status bar, the footer, the store subscriptions."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen
from textual.widgets import Footer

from dispatch.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from dispatch.app import DispatchApp


class PaneScreen(Screen[None]):
    """A top-level pane (queue, escalations, calendar, my work) with a status bar."""

    @property
    def dispatch(self) -> DispatchApp:
        """The app, typed (the app owns client, settings and store)."""
        from dispatch.app import DispatchApp

        return cast(DispatchApp, self.app)

    def compose_footer(self) -> tuple[StatusBar, Footer]:
        return StatusBar(), Footer()

    def on_mount(self) -> None:
        self.dispatch.status_changed.subscribe(self, lambda _: self.refresh_status())
        self.refresh_status()

    def on_screen_resume(self) -> None:
        self.refresh_status()

    def refresh_status(self) -> None:
        app = self.dispatch
        for bar in self.query(StatusBar):
            bar.user = str(app.me["user"]["display_name"])
            bar.role = app.role
            bar.server = app.server_label
            bar.online = app.online
            bar.pending = app.pending_count()
            attention = app.attention_count()
            bar.note = f"{attention} need you (press 5)" if attention else ""
            bar.last_update = app.last_update
