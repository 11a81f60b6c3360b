"""The one door between the app and its screens, widgets and commands.

Data flows one way: service → feed → sync engine → client store → screens → widgets. Screens
read the store and a few facts about the session through `Console`, ask the service only for
what the store does not hold (`ServiceReads`) and change anything only by sending an intent
to the sync engine (`Intents`), which queues it in the outbox and updates the store itself.
`DispatchApp` implements `Console`; screens never import `dispatch.app` (an import-linter
contract says so), which keeps the imports free of circles and the app replaceable in tests.

Protocols cost nothing at run time: `door()` is a cast, and the client types below are only
imported for the type checker, so importing a screen does not pull the client in earlier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from textual.app import App
    from textual.signal import Signal

    from dispatch.client.cache import Op
    from dispatch.client.conflicts import ConflictField
    from dispatch.client.shapes import (
        AppointmentShape,
        EscalationShape,
        MailPreviewShape,
        MeShape,
        StoreTicket,
        TechnicianShape,
        TicketDetailShape,
        TicketMailsShape,
        TicketShape,
        TimeEntryShape,
        UnmatchedMailShape,
    )
    from dispatch.client.shapes_contingent import ContingentShape
    from dispatch.client.store import Store
    from dispatch.console_settings import ConsoleSettings

# What the sync engine hands out and takes is untyped so far (its dicts are `Json`); what
# the screens ask the service directly comes in the shapes of `dispatch.client.shapes`.
Json = dict[str, Any]

T = TypeVar("T")

STYLES = Path(__file__).resolve().parent.parent / "styles"


@dataclass(frozen=True, slots=True)
class TicketsUpdate:
    """Which tickets changed in the store (None: everything was reloaded)."""

    ids: list[int] | None
    remote: bool = False


@dataclass(frozen=True, slots=True)
class MailsUpdate:
    """Mail and notification events of the feed, whole (a ticket view and pane 6 decide
    what concerns them); `changes` empty: one of my own mail writes was acknowledged. `live`:
    they arrived live, not with the catch-up at start."""

    changes: list[Json]
    live: bool = False


class ServiceReads(Protocol):
    """What a screen may ask the service directly: what the store does not hold."""

    async def ticket_detail(self, ticket_id: int) -> TicketDetailShape: ...
    async def find_ticket(self, number: int) -> TicketShape: ...
    async def customer(self, customer_id: int) -> Json: ...
    async def contingent(self, customer_id: int) -> ContingentShape: ...
    async def sla_forecast(self, ticket_id: int, priority: str) -> Json: ...
    async def suggestions(self, ticket_id: int, **params: Any) -> Json: ...
    async def escalations(self, *, include_resolved: bool = False) -> list[Json]: ...
    async def calendar(
        self, technician_id: int, start: datetime, end: datetime
    ) -> list[AppointmentShape]: ...
    async def ticket_mails(self, ticket_id: int) -> TicketMailsShape: ...
    async def mail_preview(self, ticket_id: int, status: str) -> MailPreviewShape: ...
    async def unmatched_mails(self, state: str = "open") -> list[UnmatchedMailShape]: ...
    async def ticket_time_entries(self, ticket_id: int) -> list[TimeEntryShape]: ...
    async def time_entries(self, **filters: str | int) -> list[TimeEntryShape]: ...


class Intents(Protocol):
    """What a screen may ask the sync engine: every write goes through its outbox, and what
    the engine keeps (outbox, cache, technicians) is read and loaded through it too."""

    def create_ticket(self, data: Json, shown: Json) -> Op: ...
    def patch_ticket(self, ticket: Json, changes: Json) -> Op: ...
    def assign(self, ticket: Json, technician_id: int, slot: Json | None) -> Op: ...
    def comment(self, ticket: Json, text: str, kind: str = "internal") -> Op: ...
    def escalate(self, ticket: Json, reason: str, level: int, note: str) -> Op: ...
    def patch_escalation(self, escalation: Json, changes: Json) -> Op: ...
    def create_appointment(self, data: Json) -> Op: ...
    def patch_appointment(self, appointment: Json, changes: Json) -> Op: ...
    def delete_appointment(self, appointment: Json) -> Op: ...
    def log_time(self, ticket: Json, body: Json) -> Op: ...
    def patch_time_entry(self, entry: Json, changes: Json) -> Op: ...
    def decide_time_entry(self, entry: Json, how: str, comment: str | None = None) -> Op: ...
    def mail_ticket(self, mail: Json, data: Json) -> Op: ...
    def discard_mail(self, mail: Json, reason: str) -> Op: ...
    def retry_notification(self, ticket: Json, mail: Json) -> Op: ...

    # the outbox and the user's decisions on its conflicts
    def ops(self) -> list[Op]: ...
    def unmatched_ops(self) -> list[Op]: ...
    def conflict_group(self, op_id: int) -> list[Op]: ...
    def conflict_view(self, op_id: int) -> list[ConflictField]: ...
    def keep_theirs(self, op_id: int) -> None: ...
    def apply_mine(self, op_id: int) -> None: ...
    def resolve(self, op_id: int, theirs_fields: Iterable[str]) -> None: ...
    def dismiss(self, op_id: int) -> None: ...
    def override(self, op_id: int, reason: str) -> None: ...

    # what the engine keeps for the screens
    def cached_ticket(self, ticket_id: int) -> Json | None: ...
    def cached_week(
        self, monday: date, start: datetime, end: datetime
    ) -> tuple[list[Json], datetime] | None: ...
    async def load_technicians(self) -> bool: ...
    def cached_customers(self) -> list[Json]: ...
    async def load_customers(self, *, directory: bool) -> list[Json]: ...
    async def load_week(
        self, monday: date, start: datetime, end: datetime
    ) -> tuple[list[Json], datetime]: ...


class Console(Protocol):
    """What screens, widgets and commands may know of the app (read-only) and ask of it."""

    # the session
    @property
    def settings(self) -> ConsoleSettings: ...
    @property
    def me(self) -> MeShape: ...
    @property
    def role(self) -> str: ...
    @property
    def technician_id(self) -> int | None: ...
    @property
    def is_technician(self) -> bool: ...
    @property
    def is_team_lead(self) -> bool: ...
    @property
    def server_label(self) -> str: ...

    # the state the status bar shows
    @property
    def online(self) -> bool: ...
    @property
    def loading(self) -> bool: ...
    @property
    def last_update(self) -> datetime | None: ...
    def pending_count(self) -> int: ...
    def attention_count(self) -> int: ...
    def open_escalations(self) -> int: ...

    # what the screens show, and the news that it changed
    @property
    def store(self) -> Store: ...
    @property
    def tickets_changed(self) -> Signal[TicketsUpdate]: ...
    @property
    def escalations_changed(self) -> Signal[None]: ...
    @property
    def calendar_changed(self) -> Signal[None]: ...
    @property
    def status_changed(self) -> Signal[None]: ...
    @property
    def mails_changed(self) -> Signal[MailsUpdate]: ...
    @property
    def time_changed(self) -> Signal[None]: ...

    # reads from the service, intents to the sync engine, errors said in one place
    @property
    def client(self) -> ServiceReads: ...
    @property
    def sync(self) -> Intents: ...
    def show_error(self, error: BaseException) -> None: ...


# The engine's dicts named by their shapes, where a screen hands them to a row or text
# builder: the sync engine and its store keep untyped dicts (so far), and these say once per
# collection what they hold. Casts: no copy, nothing per item.
def tickets_of(store: Store) -> Mapping[int, StoreTicket]:
    return cast("Mapping[int, StoreTicket]", store.tickets)


def escalations_of(store: Store) -> Mapping[int, EscalationShape]:
    return cast("Mapping[int, EscalationShape]", store.escalations)


def technicians_of(store: Store) -> Mapping[int, TechnicianShape]:
    return cast("Mapping[int, TechnicianShape]", store.technicians)


def shaped(items: list[Json], shape: type[T]) -> list[T]:
    """A list the engine or a read it shares with the engine hands out, as `shape`s."""
    return cast("list[T]", items)


def engine_dict(value: Mapping[str, Any]) -> Json:
    """A shape handed back to an intent: the engine takes its untyped dicts (so far)."""
    return cast("Json", value)


def door(app: App[Any]) -> Console:
    """The running app seen through the door (`DispatchApp` implements `Console`; mypy checks
    that in `dispatch.app`). A cast, not an isinstance check: asking a Protocol would touch
    every member, and `client` builds the client on first use."""
    return cast("Console", app)
