"""The Textual app: owns the client, settings and the shared store; wires panes and keys."""

from __future__ import annotations

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
from dispatch.client.errors import ApiError, Unreachable
from dispatch.client.live import follow
from dispatch.client.store import Store
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
        from dispatch.screens.queue import QueueScreen

        self.add_mode("queue", QueueScreen)
        self.add_mode("escalations", EscalationsScreen)
        self.add_mode("calendar", CalendarScreen)
        self.add_mode("mywork", MyWorkScreen)
        self.switch_mode("mywork" if self.is_technician else "queue")
        self.load_everything()

    def pending_count(self) -> int:
        """Writes not yet acknowledged by the service (the outbox, once there is one)."""
        return 0

    def action_pane(self, name: str) -> None:
        if name == "queue" and self.is_technician:
            name = "mywork"
        self.switch_mode(name)

    def action_help(self) -> None:
        from dispatch.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    def action_refresh(self) -> None:
        self.load_everything()

    # loading and live updates -------------------------------------------------
    @work(exclusive=True, group="load")
    async def load_everything(self) -> None:
        client = self.client
        position = (await client.changes(0, wait=0, limit=1))["last_seq"]
        self.store.technicians = {t["id"]: t for t in await client.technicians()}
        tickets: list[dict[str, Any]] = []
        async for page in client.iter_tickets(page_size=500):
            tickets.extend(page)
        self.store.tickets = {}
        self.store.put_tickets(tickets)
        self.store.escalations = {e["id"]: e for e in await client.escalations()}
        self.store.last_seq = position
        self._touched()
        self.tickets_changed.publish(TicketsUpdate(None))
        self.escalations_changed.publish(None)
        self.calendar_changed.publish(None)
        if self.follow_feed:
            self.follow_changes(position)

    async def _reload_position(self) -> int:
        self.load_everything()
        return self.store.last_seq

    @work(exclusive=True, group="feed")
    async def follow_changes(self, since: int) -> None:
        await follow(
            self.client, since, self._apply_changes, self._set_online, on_gone=self._reload_position
        )

    async def _set_online(self, online: bool) -> None:
        self.online = online
        self.status_changed.publish(None)

    async def _apply_changes(self, changes: list[dict[str, Any]], last_seq: int) -> None:
        ticket_ids: set[int] = set()
        escalations = calendar = False
        for change in changes:
            entity = change["entity"]
            if entity == "ticket":
                ticket_ids.add(change["id"])
            elif entity in ("comment",):
                continue
            elif entity == "escalation":
                escalations = True
            elif entity == "appointment":
                calendar = True
        for ticket_id in ticket_ids:
            await self.reload_ticket(ticket_id)
        if escalations:
            self.store.escalations = {e["id"]: e for e in await self.client.escalations()}
            self.escalations_changed.publish(None)
        if calendar:
            self.calendar_changed.publish(None)
        self.store.last_seq = last_seq
        self._touched()
        if ticket_ids:
            self.tickets_changed.publish(TicketsUpdate(sorted(ticket_ids), remote=True))

    async def reload_ticket(self, ticket_id: int) -> dict[str, Any] | None:
        """Fetch one ticket into the store; drop it when the user may no longer see it."""
        from dispatch.client.errors import NotFound

        try:
            detail = await self.client.get_ticket(ticket_id)
        except NotFound:
            self.store.drop_ticket(ticket_id)
            return None
        self.store.put_tickets([detail])
        return detail

    def store_ticket(self, ticket: dict[str, Any]) -> None:
        """Put a ticket the service returned into the store and tell the screens."""
        self.store.put_tickets([ticket])
        self.tickets_changed.publish(TicketsUpdate([ticket["id"]]))

    async def reload_and_publish(self, ticket_id: int) -> None:
        await self.reload_ticket(ticket_id)
        self.tickets_changed.publish(TicketsUpdate([ticket_id]))

    def _touched(self) -> None:
        self.last_update = datetime.now().astimezone()
        self.status_changed.publish(None)

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
