"""Every field a PATCH body may carry is applied or refused, never accepted and ignored.

The allow-lists of the write rules used to be spelled apart from the input models: a field
added to `TicketUpdate` but not to the list in `ticket_ops` passed validation and was dropped
with a 200. The lists now come from the models; these tests hold them together.
"""

from __future__ import annotations

from typing import Any

import pytest
from service.world import API, World

from dispatch.models.appointment import AppointmentUpdate
from dispatch.models.escalation import EscalationUpdate
from dispatch.models.ticket import Ticket, TicketUpdate
from dispatch.server.http.routes import escalations
from dispatch.server.rules import ticket_ops

# A value for each field of TicketUpdate that differs from a new ticket's, and what the
# answer shows for it. A field added to TicketUpdate needs a row here, or the test fails.
SAMPLES: dict[str, tuple[Any, Any]] = {
    "title": ("Scanner jams on every page", "Scanner jams on every page"),
    "description": ("since the update", "since the update"),
    "priority": ("P2", "P2"),
    "status": ("triaged", "triaged"),
    "tags": (["scanner"], ["scanner"]),
    "assignee_id": (None, None),  # filled in with the world's technician below
}


TICKET_FIELDS = sorted(ticket_ops.PATCH_FIELDS)
"""The fields of TicketUpdate that are ticket columns (`customer_note` is a comment and a
mail: `test_status_note.py` holds it)."""


def test_every_ticket_update_field_has_a_sample() -> None:
    assert set(SAMPLES) == set(TicketUpdate.model_fields) - ticket_ops.NOT_TICKET_FIELDS


def test_the_fields_that_are_no_columns_are_applied_not_ignored(world: World) -> None:
    assert {"customer_note"} == ticket_ops.NOT_TICKET_FIELDS
    assert not ticket_ops.NOT_TICKET_FIELDS & set(Ticket.model_fields)
    t = world.patch("dana", world.new_ticket(), status="triaged").json()
    r = world.patch("dana", t, status="waiting_customer", customer_note="Which model?")
    assert r.status_code == 200, r.text
    assert "customer_note" not in r.json()
    [comment] = world.ticket(t["id"])["comments"]
    assert (comment["kind"], comment["body"]) == ("customer_contact", "Which model?")


@pytest.mark.parametrize("field", TICKET_FIELDS)
def test_every_ticket_update_field_is_applied(world: World, field: str) -> None:
    sent, shown = SAMPLES[field]
    if field == "assignee_id":
        sent = shown = world.tech_id
    t = world.new_ticket()
    assert t[field] != shown
    r = world.patch("dana", t, **{field: sent})
    assert r.status_code == 200, r.text
    assert r.json()[field] == shown
    assert world.ticket(t["id"])[field] == shown


def test_a_field_outside_the_allow_list_is_refused_not_ignored(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As if `site_id` had been added to TicketUpdate and the rules knew nothing of it."""
    t = world.new_ticket()
    dump = TicketUpdate.model_dump

    def with_site(self: TicketUpdate, **kwargs: Any) -> dict[str, Any]:
        return {**dump(self, **kwargs), "site_id": 999}

    monkeypatch.setattr(TicketUpdate, "model_dump", with_site)
    r = world.patch("dana", t, title="moved")
    monkeypatch.undo()
    assert r.status_code == 422, r.text
    assert "site_id" in r.text
    after = world.ticket(t["id"])
    assert (after["title"], after["site_id"], after["version"]) == (t["title"], t["site_id"], 1)


def test_an_escalation_field_outside_the_allow_list_is_refused_not_ignored(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    esc = world.escalate(world.new_ticket())
    dump = EscalationUpdate.model_dump

    def with_reason(self: EscalationUpdate, **kwargs: Any) -> dict[str, Any]:
        return {**dump(self, **kwargs), "reason": "other"}

    monkeypatch.setattr(EscalationUpdate, "model_dump", with_reason)
    r = world.client.patch(
        f"{API}/escalations/{esc['id']}",
        json={"status": "acknowledged"},
        headers=world.hm("lea", esc["version"]),
    )
    monkeypatch.undo()
    assert r.status_code == 422, r.text
    assert "reason" in r.text
    after = world.get("lea", f"/escalations/{esc['id']}").json()
    assert (after["status"], after["version"]) == ("open", esc["version"])


# The same for a booking's PATCH, which applies whatever the model let through.
MOVES: dict[str, Any] = {
    "technician_id": None,  # the world's other technician, below
    "start": "2030-03-04T08:00:00+01:00",
    "end": "2030-03-04T12:00:00+01:00",
    "mode": "remote",
    "note": "bring the spare toner",
    # not a field of the booking: the reason a move past the technician's hours is allowed,
    # kept in the history (a Saturday, below)
    "override_reason": "the customer is only open on Saturday",
}


@pytest.mark.parametrize("field", sorted(AppointmentUpdate.model_fields))
def test_every_appointment_update_field_is_applied(world: World, field: str) -> None:
    assert set(MOVES) == set(AppointmentUpdate.model_fields)
    sent = world.other_tech_id if field == "technician_id" else MOVES[field]
    booked = world.book()
    assert booked.status_code == 201, booked.text
    appt = booked.json()
    body = {field: sent}
    if field == "override_reason":
        body.update(start="2030-03-09T09:00:00+01:00", end="2030-03-09T11:00:00+01:00")
    r = world.client.patch(
        f"{API}/appointments/{appt['id']}",
        json=body,
        headers=world.hm("dana", appt["version"]),
    )
    assert r.status_code == 200, r.text
    if field == "override_reason":
        [_, moved] = world.events_of("appointment", appt["id"])
        assert moved.fields["override_reason"][1].startswith(sent)
        return
    assert r.json()[field] != appt[field]
    shown = world.get("dana", f"/appointments/{appt['id']}").json()[field]
    assert shown == r.json()[field]


def test_the_ticket_rules_know_exactly_the_fields_of_ticket_update() -> None:
    fields = frozenset(TicketUpdate.model_fields)
    assert fields == ticket_ops.PATCH_FIELDS | ticket_ops.NOT_TICKET_FIELDS
    assert not ticket_ops.PATCH_FIELDS & ticket_ops.NOT_TICKET_FIELDS


def test_the_escalation_rules_know_exactly_the_fields_of_escalation_update() -> None:
    assert frozenset(EscalationUpdate.model_fields) == escalations.PATCH_FIELDS
