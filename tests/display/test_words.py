"""History lines, escalation people, bookings and durations as a person reads them."""

from __future__ import annotations

from typing import Any

from dispatch.client.shapes import AppointmentShape
from dispatch.display.history import Names, describe_event, event_line, names_for, value_text
from dispatch.screens.mywork import appointment_line
from dispatch.screens.ticket_text import booking_text, escalation_lines

NAMES = Names(
    technicians={1: "Andreas Beck"},
    users={7: "Anna Becker", 8: "Tom Lehmann"},
    actors={"anna.becker": "Anna Becker"},
    tickets={301: 100301},
)


def test_a_change_reads_as_words() -> None:
    event = {
        "entity": "ticket",
        "op": "update",
        "actor": "anna.becker",
        "at": "2026-12-06T13:52:03.126005+00:00",
        "fields": {
            "responded_at": [None, "2026-12-07T08:00:00+00:00"],
            "assignee_id": [None, 1],
            "status": ["in_progress", "waiting_customer"],
            "source": ["phone", "vip_hotline"],
            "version": [2, 3],
        },
    }
    assert event_line(event, NAMES) == (
        "Sun 06 Dec 14:52  Anna Becker: first response: - → Mon 07 Dec 09:00; "
        "assignee: - → Andreas Beck; status: in progress → waiting for customer; "
        "source: phone hotline → VIP hotline"
    )


def test_a_booking_and_an_escalation_read_as_words() -> None:
    booked = {
        "entity": "appointment",
        "op": "create",
        "fields": {
            "technician_id": [None, 1],
            "ticket_id": [None, 301],
            "start": [None, "2026-12-07T08:00:00+00:00"],
            "end": [None, "2026-12-07T10:45:00+00:00"],
            "kind": [None, "ticket_work"],
            "mode": [None, "onsite"],
        },
    }
    assert describe_event(booked, NAMES) == (
        "booked job on site for Andreas Beck, Mon 07 Dec 09:00-11:45"
    )
    raised = {
        "entity": "escalation",
        "op": "create",
        "fields": {"level": [None, 2], "reason": [None, "vendor_stuck"], "note": [None, "x"]},
    }
    assert describe_event(raised, NAMES) == "escalated: level 2, vendor ticket stuck: x"
    resolved = {
        "entity": "escalation",
        "op": "update",
        "fields": {"status": ["acknowledged", "resolved"], "resolved_by": [None, 8]},
    }
    assert describe_event(resolved, NAMES) == (
        "escalation: status: acknowledged → resolved; resolved by: - → Tom Lehmann"
    )


def test_escalation_people_with_the_fields_the_service_adds() -> None:
    esc: dict[str, Any] = {
        "level": 1,
        "reason": "sla_breach",
        "status": "resolved",
        "note": "P1 over time",
        "raised_by": 7,
        "raised_by_name": "Anna Becker",
        "raised_at": "2026-12-07T08:00:00Z",
        "acknowledged_by": 8,
        "acknowledged_by_name": "Tom Lehmann",
        "acknowledged_at": "2026-12-07T08:10:00Z",
        "resolved_by": 8,
        "resolved_at": "2026-12-07T09:30:00Z",
        "resolution_note": "vendor replaced the part",
    }
    lines = [line for _, line in escalation_lines(esc)]
    assert lines == [
        "L1 SLA breach, resolved: P1 over time",
        "raised by Anna Becker Mon 07 Dec 09:00",
        "acknowledged by Tom Lehmann Mon 07 Dec 09:10",
        "resolved by Tom Lehmann Mon 07 Dec 10:30: vendor replaced the part",
    ]
    esc["resolved_by"] = 9  # someone the answer does not name: never the raiser's name
    assert "resolved by someone" in [line for _, line in escalation_lines(esc)][-1]
    esc["resolved_by_name"] = "Eva Roth"
    assert [line for _, line in escalation_lines(esc)][-1].startswith("resolved by Eva Roth")


def test_entries_over_several_days_show_their_real_start_and_end() -> None:
    on_call: AppointmentShape = {
        "id": 1,
        "technician_id": 1,
        "kind": "on_call",
        "start": "2026-12-07T16:00:00Z",
        "end": "2026-12-14T07:00:00Z",
    }
    assert appointment_line(on_call) == "  Mon 07 Dec 17:00 - Mon 14 Dec 08:00  on call\n"
    job: AppointmentShape = {
        "id": 2,
        "technician_id": 1,
        "kind": "ticket_work",
        "ticket_number": 100301,
        "mode": "remote",
        "start": "2026-12-07T08:00:00Z",
        "end": "2026-12-07T10:45:00Z",
        "note": "VPN \x1b[2J",
    }
    assert appointment_line(job) == "  Mon 07 Dec 09:00-11:45  ticket 100301 remote  VPN [2J\n"
    assert booking_text({**job, "technician_id": 1}, {1: "Andreas Beck"}) == (
        "Mon 07 Dec 09:00-11:45  job remote  Andreas Beck"
    )


def test_names_come_with_the_detail() -> None:
    detail = {
        "id": 301,
        "number": 100301,
        "comments": [{"author_id": 7, "author_name": "Anna Becker"}],
        "escalations": [{"raised_by": 8, "raised_by_name": "Tom Lehmann"}],
        "actor_names": {"tom.lehmann": "Tom Lehmann"},
    }
    names = names_for(detail, [{"id": 1, "user_id": 5, "name": "Andreas Beck"}])
    assert names.user(7) == "Anna Becker" and names.user(8) == "Tom Lehmann"
    assert names.user(5) == "Andreas Beck" and names.technician(1) == "Andreas Beck"
    assert names.actor("tom.lehmann") == "Tom Lehmann" and names.ticket(301) == "100301"
    assert names.technician(99) == "#99"


def test_values_of_appointments_and_escalations_read_as_words() -> None:
    assert value_text("kind", "on_call", NAMES) == "on call"
    assert value_text("kind", "pick_pack", NAMES) == "pick & pack"
    assert value_text("status", "acknowledged", NAMES) == "acknowledged"
    assert value_text("status", "waiting_vendor", NAMES) == "waiting for vendor"
    assert value_text("escalated", True, NAMES) == "yes"
    assert value_text("tags", ["vpn", "x\x1b[2J"], NAMES) == "vpn, x[2J"


def test_a_history_line_tells_the_persons_change_before_the_due_times_it_moved() -> None:
    from dispatch.display.history import changes_text

    fields = {
        "resolution_due": ["2026-12-09T09:00:00Z", "2026-12-08T07:00:00Z"],
        "priority": ["P3", "P2"],
        "first_response_due": ["2026-12-07T13:00:00Z", "2026-12-07T09:00:00Z"],
        "title": ["Printer", "Office offline"],
    }
    text = changes_text(fields, NAMES)
    order = [text.index(word) for word in ("priority", "title", "first response", "resolution")]
    assert max(order[:2]) < min(order[2:]), text
