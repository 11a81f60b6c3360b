"""A booking made past a technician's availability says so in the history, with the reason."""

from __future__ import annotations

from dispatch.display.history import Names, describe_event


def test_an_overridden_booking_names_its_reason_in_one_safe_line() -> None:
    names = Names(technicians={7: "Tina Berg"})
    fields = {
        "technician_id": [None, 7],
        "kind": [None, "ticket_work"],
        "mode": [None, "onsite"],
        "start": [None, "2030-11-01T08:00:00Z"],
        "end": [None, "2030-11-01T10:00:00Z"],
        "override_reason": [None, "agreed\x1b[31m (overrode: 01.11. is a public holiday in NW)"],
    }
    text = describe_event({"entity": "appointment", "op": "create", "fields": fields}, names)
    assert text.startswith("booked job on site for Tina Berg, ")
    assert text.endswith("; override: agreed[31m (overrode: 01.11. is a public holiday in NW)")
    assert "\x1b" not in text
    plain = {k: v for k, v in fields.items() if k != "override_reason"}
    assert "override" not in describe_event(
        {"entity": "appointment", "op": "create", "fields": plain}, names
    )
