"""The Textual app: owns the client, settings and the shared store; wires panes and keys."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from dispatch.client.api import ApiClient
from dispatch.client.cache import LocalCache, Op
from dispatch.client.errors import ApiError, Unreachable
from dispatch.client.store import Store
from dispatch.client.sync import SyncEngine
from dispatch.commands import DispatchCommands
from dispatch.settings import Settings

STYLES = Path(__file__).parent / "styles"


@dataclass(frozen=True, slots=True)
class TicketsUpdate:
    """Which tickets changed in the store (None: everything was reloaded)."""

    ids: list[int] | None
    remote: bool = False


class DispatchApp(App[None]):
    """dispatch: triage, assign, escalate and schedule with the keyboard alone."""

    TITLE = "dispatch"
    CSS_PATH = [STYLES / "app.tcss"]
    COMMANDS = App.COMMANDS | {DispatchCommands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "pane('queue')", "Queue", id="app.queue"),
        Binding("2", "pane('escalations')", "Escalations", id="app.escalations"),
        Binding("3", "pane('calendar')", "Calendar", id="app.calendar"),
        Binding("4", "pane('mywork')", "My work", id="app.mywork"),
        Binding("5", "pane('outbox')", "Outbox", id="app.outbox"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("r", "refresh", "Refresh", id="app.refresh"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(
        self,
        *,
        settings: Settings,
        client_factory: Callable[[], ApiClient],
        me: dict[str, Any],
        server_label: str,
        cache_file: Path | None = None,
        follow_feed: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.client_factory = client_factory
        self.client: ApiClient = client_factory()
        self.me = me
        self.role: str = me["role"]
        self.technician_id: int | None = me.get("technician_id")
        self.server_label = server_label
        self.store = Store()
        self.cache = LocalCache(cache_file)
        self.sync = SyncEngine(self.client, self.cache, self.store, _Listener(self))
        self.painted_from_cache = False
        self.online = True
        self.last_update: datetime | None = None
        self.follow_feed = follow_feed
        # Screens subscribe to these; the app publishes after the store changed.
        self.tickets_changed: Signal[TicketsUpdate] = Signal(self, "tickets_changed")
        self.escalations_changed: Signal[None] = Signal(self, "escalations_changed")
        self.calendar_changed: Signal[None] = Signal(self, "calendar_changed")
        self.status_changed: Signal[None] = Signal(self, "status_changed")
        self.set_keymap(settings.keymap)

    @property
    def is_technician(self) -> bool:
        return self.role == "technician"

    @property
    def is_team_lead(self) -> bool:
        return self.role in ("team_lead", "admin")

    def on_mount(self) -> None:
        from dispatch.screens.calendar import CalendarScreen
        from dispatch.screens.escalations import EscalationsScreen
        from dispatch.screens.mywork import MyWorkScreen
        from dispatch.screens.outbox import OutboxScreen
        from dispatch.screens.queue import QueueScreen

        self.add_mode("queue", QueueScreen)
        self.add_mode("escalations", EscalationsScreen)
        self.add_mode("calendar", CalendarScreen)
        self.add_mode("mywork", MyWorkScreen)
        self.add_mode("outbox", OutboxScreen)
        self.painted_from_cache = self.sync.paint_from_cache()
        self.switch_mode("mywork" if self.is_technician else "queue")
        self.run_sync()

    def pending_count(self) -> int:
        """Writes in the outbox not yet acknowledged by the service."""
        return len(self.sync.pending())

    def attention_count(self) -> int:
        """Conflicts and refused writes waiting for the user's decision."""
        return len(self.sync.attention())

    def action_pane(self, name: str) -> None:
        if name == "queue" and self.is_technician:
            name = "mywork"
        self.switch_mode(name)

    def action_help(self) -> None:
        from dispatch.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    def action_refresh(self) -> None:
        self.load_everything()

    # sync: the engine keeps the store; the app turns its news into signals ------
    @work(exclusive=True, group="feed")
    async def run_sync(self) -> None:
        """Catch up (full sync on an empty cache), then follow the feed and drain the outbox."""
        import asyncio

        if not self.painted_from_cache:
            await self.sync.full_sync()
        # The loaded store is long-lived: keep it out of the cyclic collector's way, or a full
        # collection over 100k ticket dicts stalls the screen for about a second now and then.
        gc.freeze()
        self.sync.kick()
        if self.follow_feed:
            await asyncio.gather(self.sync.follow(), self.sync.send_loop())
        else:
            await self.sync.send_loop()

    @work(exclusive=True, group="load")
    async def load_everything(self) -> None:
        await self.sync.full_sync()

    async def reload_ticket(self, ticket_id: int) -> dict[str, Any] | None:
        """Fetch one ticket into the store; drop it when the user may no longer see it."""
        return await self.sync.refresh_ticket(ticket_id, notify=False)

    def store_ticket(self, ticket: dict[str, Any]) -> None:
        """Put a ticket the service returned into the store and tell the screens."""
        self.sync._server_ticket(ticket)
        self.tickets_changed.publish(TicketsUpdate([ticket["id"]]))

    async def reload_and_publish(self, ticket_id: int) -> None:
        await self.sync.refresh_ticket(ticket_id, notify=True)

    # SyncListener ---------------------------------------------------------------
    def tickets_changed_by_sync(self, ids: list[int] | None, remote: bool) -> None:
        self.tickets_changed.publish(TicketsUpdate(ids, remote=remote))

    def escalations_changed_by_sync(self) -> None:
        self.escalations_changed.publish(None)

    def calendar_changed_by_sync(self) -> None:
        self.calendar_changed.publish(None)

    def status_changed_by_sync(self) -> None:
        self.online = self.sync.online is not False
        if self.sync.last_sync is not None:
            self.last_update = self.sync.last_sync.astimezone()
        self.status_changed.publish(None)

    def op_needs_attention(self, op: Op) -> None:
        if op.state == "conflict":
            self.notify(
                f"Your {op.label} was not applied: it was changed by someone else meanwhile. "
                "Press 5 to see theirs and yours and decide.",
                severity="warning",
                timeout=10,
            )
        else:
            detail = (op.error or {}).get("detail", "")
            self.notify(
                f"The service refused your {op.label}: {detail} (press 5)",
                severity="error",
                timeout=10,
            )

    # errors from workers are shown in one place, never swallowed ---------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.show_error(event.worker.error)

    def show_error(self, error: BaseException) -> None:
        if isinstance(error, Unreachable):
            self.notify("The service cannot be reached. " + str(error), severity="error", timeout=8)
        elif isinstance(error, ApiError):
            self.notify(
                error.detail or error.title,
                title=f"{error.status} {error.title}",
                severity="error",
                timeout=8,
            )
        else:
            self.notify(f"{error.__class__.__name__}: {error}", severity="error", timeout=8)

    async def on_unmount(self) -> None:
        await self.client.aclose()
        self.cache.close()


class _Listener:
    """Adapts the sync engine's callbacks to the app's signals."""

    def __init__(self, app: DispatchApp) -> None:
        self.app = app

    def tickets_changed(self, ids: list[int] | None, remote: bool) -> None:
        self.app.tickets_changed_by_sync(ids, remote)

    def escalations_changed(self) -> None:
        self.app.escalations_changed_by_sync()

    def calendar_changed(self) -> None:
        self.app.calendar_changed_by_sync()

    def status_changed(self) -> None:
        self.app.status_changed_by_sync()

    def op_needs_attention(self, op: Op) -> None:
        self.app.op_needs_attention(op)
