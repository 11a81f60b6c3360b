"""The booking forecast: one function for the ranking (every suggested slot) and the booking's
answer alike, so the two can never disagree about a slot. Part of the SLA rules (`domain.sla`
counts the due times this judges against); a module of its own to keep each file readable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dispatch.domain.sla import aware_utc


@dataclass(frozen=True, slots=True)
class SlaForecast:
    """Whether work booked for [start, end) keeps a ticket's due times.

    `meets_*` is None where the ticket has no such due time; `*_miss` is how late, None when
    met (or not due)."""

    meets_first_response: bool | None
    first_response_miss: timedelta | None
    meets_resolution: bool | None
    resolution_miss: timedelta | None

    @property
    def breach(self) -> bool:
        return self.meets_first_response is False or self.meets_resolution is False


def _judge(at: datetime, due: datetime | None) -> tuple[bool | None, timedelta | None]:
    if due is None:
        return None, None
    late = aware_utc(at, "at") - aware_utc(due, "due")
    return (True, None) if late <= timedelta(0) else (False, late)


def booking_forecast(
    *,
    first_response_due: datetime | None,
    resolution_due: datetime | None,
    responded_at: datetime | None,
    start: datetime,
    end: datetime,
    travel: timedelta = timedelta(0),
) -> SlaForecast:
    """The SLA forecast of booking work for [start, end), used by the ranking (every
    suggested slot) and by the booking's answer alike, so the two can never disagree.

    First contact is assumed at the slot's start (the technician calls the customer before
    setting out) unless the customer was already reached (`responded_at`), which then
    decides; resolution is due when the work ends, before the `travel` back to the home
    branch that ends the booking.
    """
    meets_first, first_miss = _judge(responded_at or start, first_response_due)
    meets_resolution, resolution_miss = _judge(end - travel, resolution_due)
    return SlaForecast(meets_first, first_miss, meets_resolution, resolution_miss)
