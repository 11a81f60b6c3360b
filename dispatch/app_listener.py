"""The sync engine's callbacks (`SyncListener`) turned into the app's signals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from dispatch.i18n import ngettext

if TYPE_CHECKING:
    from dispatch.client.cache import Op
    from dispatch.client.sync import Arrival


class SyncReceiver(Protocol):
    """What of the app the adapter calls (`DispatchApp` has it)."""

    def tickets_changed_by_sync(self, ids: list[int] | None, remote: bool) -> None: ...
    def escalations_changed_by_sync(self) -> None: ...
    def calendar_changed_by_sync(self) -> None: ...
    def time_changed_by_sync(self) -> None: ...
    def status_changed_by_sync(self) -> None: ...
    def op_needs_attention(self, op: Op) -> None: ...
    def arrived_by_sync(self, arrivals: list[Arrival]) -> None: ...
    def mails_changed_by_sync(self, changes: list[dict[str, Any]], live: bool) -> None: ...
    def notify(self, message: str, *, markup: bool = True) -> None: ...


class SignalsOf:
    """Adapts the sync engine's callbacks to the app's signals."""

    def __init__(self, app: SyncReceiver) -> None:
        self.app = app

    def tickets_changed(self, ids: list[int] | None, remote: bool) -> None:
        self.app.tickets_changed_by_sync(ids, remote)

    def escalations_changed(self) -> None:
        self.app.escalations_changed_by_sync()

    def calendar_changed(self) -> None:
        self.app.calendar_changed_by_sync()

    def time_changed(self) -> None:
        self.app.time_changed_by_sync()

    def status_changed(self) -> None:
        self.app.status_changed_by_sync()

    def op_needs_attention(self, op: Op) -> None:
        self.app.op_needs_attention(op)

    def arrived(self, arrivals: list[Arrival]) -> None:
        self.app.arrived_by_sync(arrivals)

    def mails_changed(self, changes: list[dict[str, Any]], live: bool) -> None:
        self.app.mails_changed_by_sync(changes, live)

    def bookings_cancelled(self, number: int, count: int) -> None:
        line = ngettext(
            "{number}: cancelled {n} booking of the technician it was taken from.",
            "{number}: cancelled {n} bookings of the technician it was taken from.",
            count,
        )
        self.app.notify(line.format(number=number, n=count), markup=False)
