"""The Textual app: owns the client, settings and the shared store; wires panes and keys."""

from __future__ import annotations

import contextlib
import gc
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import Worker, WorkerError, WorkerState

from dispatch import pane_roles
from dispatch.app_listener import SignalsOf
from dispatch.app_screenshots import ScreenshotPolicy
from dispatch.client.api import ApiClient
from dispatch.client.cache import LocalCache, Op
from dispatch.client.cache_repair import CACHE_DAMAGE
from dispatch.client.errors import ApiError, ServerError, Unauthorized, Unreachable
from dispatch.client.shapes import MeShape
from dispatch.client.store import Store
from dispatch.client.sync import Arrival, SyncEngine
from dispatch.commands import DispatchCommands
from dispatch.display.clock import set_zone
from dispatch.display.safe import one_line
from dispatch.i18n import N_, _
from dispatch.screens.context import STYLES, Console, MailsUpdate, TicketsUpdate
from dispatch.startup_trace import mark

if TYPE_CHECKING:
    from dispatch.console_settings import ConsoleSettings

# Tickets read for the first frame, before the rest of the cache: a tall terminal's queue.
HEAD_ROWS = 200


class DispatchApp(ScreenshotPolicy):
    """dispatch: triage, assign, escalate and schedule with the keyboard alone."""

    TITLE = "dispatch"
    CSS_PATH = [STYLES / "app.tcss"]
    COMMANDS = App.COMMANDS | {DispatchCommands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "pane('queue')", N_("Queue"), id="app.queue"),
        Binding("2", "pane('escalations')", N_("Escalations"), id="app.escalations"),
        Binding("3", "pane('calendar')", N_("Calendar"), id="app.calendar"),
        Binding("4", "pane('mywork')", N_("My work"), id="app.mywork"),
        Binding("5", "pane('outbox')", N_("Outbox"), id="app.outbox"),
        Binding("6", "pane('mail')", N_("Mail"), id="app.mail"),
        Binding("7", "pane('approvals')", N_("Approval"), id="app.approvals"),
        Binding("question_mark", "help", N_("Help"), id="app.help"),
        Binding("r", "refresh", N_("Refresh"), id="app.refresh"),
        Binding("q", "quit", N_("Quit"), id="app.quit"),
    ]

    def __init__(
        self,
        *,
        settings: ConsoleSettings,
        client_factory: Callable[[], ApiClient],
        me: MeShape,
        server_label: str,
        cache_file: Path | None = None,
        follow_feed: bool = True,
        verify_me: bool = False,
        screenshots: bool = True,
    ) -> None:
        super().__init__()
        self.screenshots = screenshots
        self.settings = settings
        self.client_factory = client_factory
        # `me` came from an earlier start: ask the service again once the queue is painted
        self.verify_me = verify_me
        self.refused = False  # the service refused the token (after verify_me)
        self.me = me
        self.role: str = me["role"]
        self.technician_id: int | None = me.get("technician_id")
        self.server_label = server_label
        self.store = Store()
        self.cache = LocalCache(cache_file)
        self.sync = SyncEngine(client_factory, self.cache, self.store, SignalsOf(self))
        self.sync.actor = me["user"]["name"]  # the feed names this console's writes by login
        self.painted_from_cache = False
        self.loading = False  # the first frame's few tickets are shown, the rest is coming
        self.online = True
        self.last_update: datetime | None = None
        self.follow_feed = follow_feed
        # Screens subscribe to these; the app publishes after the store changed.
        self.tickets_changed: Signal[TicketsUpdate] = Signal(self, "tickets_changed")
        self.escalations_changed: Signal[None] = Signal(self, "escalations_changed")
        self.calendar_changed: Signal[None] = Signal(self, "calendar_changed")
        self.status_changed: Signal[None] = Signal(self, "status_changed")
        self.mails_changed: Signal[MailsUpdate] = Signal(self, "mails_changed")
        self.time_changed: Signal[None] = Signal(self, "time_changed")
        self.set_keymap(settings.keymap)
        set_zone(settings.timezone)  # every time shown is the provider's, not the machine's

    @property
    def client(self) -> ApiClient:
        """Made on first use: the first frame is painted from the cache without it."""
        return self.sync.client

    @property
    def is_technician(self) -> bool:
        return self.role == "technician"

    @property
    def is_team_lead(self) -> bool:
        return self.role in ("team_lead", "admin")

    def on_mount(self) -> None:
        # Each pane's module is imported when the pane is first shown, not before the first frame.
        for name, module, screen in PANES:
            self.add_mode(name, _lazy(module, screen))
        if self.cache.path is None:  # nothing on disk: the whole (empty) store at once
            self.painted_from_cache = self.sync.paint_from_cache()
        else:  # first frame from the few tickets it shows; the rest is read in a thread after it
            try:
                self.painted_from_cache = self.sync.paint_head(
                    HEAD_ROWS,
                    datetime.now(UTC),
                    assignee_id=self.technician_id if self.is_technician else None,
                )
            except CACHE_DAMAGE as exc:  # only a cache: set aside, synced again
                self.cache.set_aside(exc)
                self.painted_from_cache = self.sync.paint_from_cache()
            self.loading = self.painted_from_cache
        self.switch_mode(pane_roles.first_pane(self.role))
        if self.cache.notice:
            self.notify(self.cache.notice, severity="warning", timeout=12)
        self.call_after_refresh(mark, "first frame")
        if self.loading:
            # Reading 100k tickets holds the GIL for a second: let the first frames out first.
            self.call_after_refresh(self.set_timer, 0.1, self.load_cache)
        else:
            self.run_sync()

    @work(exclusive=True, group="cache", thread=True)
    def load_cache(self) -> None:
        # The cyclic collector scanned the growing store again and again while it loaded (full
        # passes, each a stall of the painted screen): off
        # until the store is in and frozen (`_cache_loaded`).
        gc.disable()
        try:
            tickets = self.sync.read_cached_tickets()
        except CACHE_DAMAGE as exc:
            gc.enable()
            self.call_from_thread(self._cache_damaged, exc)
            return
        except BaseException:
            gc.enable()
            raise
        self.call_from_thread(self._cache_loaded, tickets)

    def _cache_damaged(self, error: BaseException) -> None:
        """Reading the cache failed past its first screen: set it aside, sync again."""
        self.notify(self.cache.set_aside(error), severity="warning", timeout=12)
        self.painted_from_cache = self.sync.paint_from_cache()
        self.loading = False
        self.tickets_changed.publish(TicketsUpdate(None))
        self.run_sync()

    def _cache_loaded(self, tickets: list[dict[str, Any]]) -> None:
        try:
            self.sync.install_cached(tickets)
        except CACHE_DAMAGE as exc:
            self._cache_damaged(exc)
            return
        finally:
            gc.freeze()  # the store lives as long as the console: out of the collector's way
            gc.enable()
        self.loading = False
        self.tickets_changed.publish(TicketsUpdate(None))
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
        if not pane_roles.offers(self.role, name):
            return  # unmatched mail is the desk's, approvals the back office's
        self.switch_mode(name)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pane" and parameters:
            return pane_roles.offers(self.role, str(parameters[0]))  # else not offered at all
        return True

    def action_help(self) -> None:
        from dispatch.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    def action_refresh(self) -> None:
        if self.loading:  # a full sync now would race the cache read that is still running
            self.notify(_("Still reading the cache; refresh in a moment."), timeout=3)
            return
        self.load_everything()

    # sync: the engine keeps the store; the app turns its news into signals ------
    @work(exclusive=True, group="feed")
    async def run_sync(self) -> None:
        """Catch up (full sync on an empty cache), then follow the feed and drain the outbox."""
        import asyncio

        # Embedded, the first use of the client imports and builds the whole service: in a
        # thread, so the painted console keeps answering keys meanwhile.
        await asyncio.to_thread(lambda: self.client)
        if self.verify_me and not await self._verify_me():
            return
        if not self.painted_from_cache:
            # Offline (the status bar says so) or a server answering wrong (said once): the
            # feed follower retries the sync.
            try:
                await self.sync.full_sync()
            except Unreachable:
                pass
            except ServerError as exc:
                self.show_error(exc)
            except sqlite3.DatabaseError as exc:  # damage only a write into the cache met
                self._cache_damaged(exc)
                return
        # The loaded store is long-lived: keep it out of the cyclic collector's way, or a full
        # collection over 100k ticket dicts stalls the screen for about a second now and then.
        gc.freeze()
        self.sync.kick()
        if self.follow_feed:
            await asyncio.gather(self.sync.follow(), self.sync.send_loop())
        else:
            await self.sync.send_loop()

    async def _verify_me(self) -> bool:
        """`me` was remembered from an earlier start: is the token still good?"""
        try:
            me = await self.client.me()
        except Unauthorized:
            self.refused = True
            self.exit(
                return_code=2,
                message=_(
                    "dispatch: the service refused the token. Check --token or DISPATCH_TOKEN."
                ),
            )
            return False
        except (Unreachable, ApiError):
            return True  # offline: the feed follower says so and retries
        if me != self.me:
            self.me, self.role, self.technician_id = me, me["role"], me.get("technician_id")
            self.sync.actor = me["user"]["name"]
            self.status_changed.publish(None)
        return True

    @work(exclusive=True, group="load")
    async def load_everything(self) -> None:
        try:
            await self.sync.full_sync()
        except Unreachable:
            # Offline is a state the status bar shows, not a failure: one line, the cache stays.
            self.notify(
                _("Offline: refresh needs the service; showing the cache until it is back."),
                severity="warning",
                timeout=5,
            )
        except ApiError as exc:
            self.show_error(exc)
        except sqlite3.DatabaseError as exc:  # damage only a write into the cache met
            self._cache_damaged(exc)

    async def reload_ticket(self, ticket_id: int) -> dict[str, Any] | None:
        """Fetch one ticket into the store; drop it when the user may no longer see it."""
        return await self.sync.refresh_ticket(ticket_id, notify=False)

    async def reload_and_publish(self, ticket_id: int) -> None:
        await self.sync.refresh_ticket(ticket_id, notify=True)

    # SyncListener ---------------------------------------------------------------
    def tickets_changed_by_sync(self, ids: list[int] | None, remote: bool) -> None:
        self.tickets_changed.publish(TicketsUpdate(ids, remote=remote))

    def escalations_changed_by_sync(self) -> None:
        self.escalations_changed.publish(None)
        self.status_changed.publish(None)  # the status bar counts unacknowledged ones

    def calendar_changed_by_sync(self) -> None:
        self.calendar_changed.publish(None)

    def time_changed_by_sync(self) -> None:
        self.time_changed.publish(None)

    def status_changed_by_sync(self) -> None:
        self.online = self.sync.online is not False
        if self.sync.last_sync is not None:
            mark("first sync answered")
            self.last_update = self.sync.last_sync.astimezone()
        self.status_changed.publish(None)

    def mails_changed_by_sync(self, changes: list[dict[str, Any]], live: bool) -> None:
        self.mails_changed.publish(MailsUpdate(changes, live))
        if live and changes:
            from dispatch.screens.arrivals import announce_mail

            announce_mail(self, changes)

    def arrived_by_sync(self, arrivals: list[Arrival]) -> None:
        from dispatch.screens.arrivals import announce

        announce(self, arrivals)

    def open_escalations(self) -> int:
        """Escalations nobody has acknowledged yet (the status bar counts them)."""
        return sum(1 for e in self.store.escalations.values() if e.get("status") == "open")

    def op_needs_attention(self, op: Op) -> None:
        from dispatch.screens.refusals import needs_you

        needs_you(self, op)

    # errors from workers are shown in one place, never swallowed ---------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.show_error(event.worker.error)

    def show_error(self, error: BaseException) -> None:
        if isinstance(error, Unreachable):
            self.notify(
                _("The service cannot be reached. {why}").format(why=one_line(error)),
                severity="error",
                timeout=8,
                markup=False,
            )
        elif isinstance(error, ApiError):  # a server's words, shown as text, never as markup
            self.notify(
                one_line(error.detail or error.title),
                title=one_line(f"{error.status} {error.title}"),
                severity="error",
                timeout=8,
                markup=False,
            )
        else:
            self.notify(
                one_line(f"{error.__class__.__name__}: {error}"),
                severity="error",
                timeout=8,
                markup=False,
            )

    async def on_unmount(self) -> None:
        # The feed's worker goes on probing an unreachable service until it is cancelled:
        # closing the client under it made its next probe fail ("the client has been
        # closed"), a failed worker at exit. So it is stopped, and waited for, first.
        for worker in self.workers.cancel_group(self, "feed"):
            with contextlib.suppress(WorkerError):
                await worker.wait()
        if self.sync.has_client:
            await self.client.aclose()
        self.cache.close()


def _implements_the_door(app: DispatchApp) -> Console:
    """Never called: mypy (strict, in CI) checks here that the app implements `Console`."""
    return app


PANES = (
    ("queue", "dispatch.screens.queue", "QueueScreen"),
    ("escalations", "dispatch.screens.escalations", "EscalationsScreen"),
    ("calendar", "dispatch.screens.calendar", "CalendarScreen"),
    ("mywork", "dispatch.screens.mywork", "MyWorkScreen"),
    ("outbox", "dispatch.screens.outbox", "OutboxScreen"),
    ("mail", "dispatch.screens.unmatched", "UnmatchedScreen"),
    ("approvals", "dispatch.screens.approvals", "ApprovalScreen"),
)


def _lazy(module: str, name: str) -> Callable[[], Screen[Any]]:
    def make() -> Screen[Any]:
        import importlib

        screen: Screen[Any] = getattr(importlib.import_module(module), name)()
        return screen

    return make
