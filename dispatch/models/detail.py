"""The ticket view: a ticket with its history, comments and escalations."""

from __future__ import annotations

from datetime import datetime

from pydantic import model_validator
from sqlmodel import Field, SQLModel

from dispatch.domain.types import WorkMode
from dispatch.models.appointment import AppointmentPublic, as_utc, check_span, override_reason
from dispatch.models.base import MAX_ID, InputModel
from dispatch.models.comment import CommentPublic
from dispatch.models.escalation import EscalationPublic
from dispatch.models.event import ChangePublic
from dispatch.models.ticket import TicketPublic


class TicketDetail(TicketPublic):
    history: list[ChangePublic] = []
    comments: list[CommentPublic] = []
    escalations: list[EscalationPublic] = []
    appointments: list[AppointmentPublic] = []
    actor_names: dict[str, str] = {}
    """Display names of the history's actors by login (the history says `actor` by login)."""
    # Whom to call and where to go: the ticket's contact and site, for whoever may read the
    # ticket's customer (a technician: the customers of their own tickets, as /customers).
    contact_name: str | None = Field(default=None, description="The ticket's contact")
    contact_phone: str | None = Field(default=None, description="The contact's phone number")
    contact_email: str | None = Field(default=None, description="The contact's e-mail address")
    site_address: str | None = Field(default=None, description="The site's street address")
    site_city: str | None = Field(default=None, description="The site's city")
    branch_name: str | None = Field(default=None, description="The branch serving the site")


class TicketChanged(TicketPublic):
    """The answer to PATCH /tickets/{id}: the ticket, and the bookings a change freed."""

    freed_appointments: list[AppointmentPublic] = Field(
        default=[],
        description="ticket-work bookings resolving or closing freed: those ahead deleted, "
        "one running now ended now (each as it was booked)",
    )


class SlotRequest(InputModel):
    """The calendar slot an assignment books."""

    start: datetime
    end: datetime
    mode: WorkMode = WorkMode.ONSITE

    @model_validator(mode="after")
    def _span(self) -> SlotRequest:
        check_span(self.start, self.end)
        self.start, self.end = as_utc(self.start), as_utc(self.end)
        return self


class AssignmentCreate(InputModel):
    """Assign a technician and optionally book the slot, in one transaction."""

    technician_id: int = Field(ge=1, le=MAX_ID)
    slot: SlotRequest | None = None
    note: str = Field(default="", max_length=2000)
    override_reason: str | None = override_reason()


class Forecast(SQLModel):
    """Whether a booking keeps the ticket's SLA."""

    meets_first_response: bool | None
    first_response_miss_minutes: int | None
    meets_resolution: bool | None
    resolution_miss_minutes: int | None


class AppointmentBooked(AppointmentPublic):
    """The answer to booking or moving an entry: for ticket work, whether the SLA holds."""

    forecast: Forecast | None = Field(
        default=None,
        description="ticket work only: the SLA forecast of this booking (first contact at its "
        "start unless the customer was reached, resolution by its end)",
    )


class AssignmentResult(SQLModel):
    ticket: TicketPublic
    appointment: AppointmentPublic | None
    forecast: Forecast | None
    dry_run: bool = False
    cancelled_appointments: list[AppointmentPublic] = Field(
        default_factory=list,
        description="the previous assignee's ticket-work bookings for this ticket not yet "
        "begun, cancelled with the reassignment (as they were)",
    )
