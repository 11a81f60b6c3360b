"""The contact and address lines of the ticket view, my work and `dispatch tickets show`."""

from __future__ import annotations

from dispatch.display.whereabouts import address_line, contact_line, phone_of

FULL = {
    "contact_name": "Anna Sommer",
    "contact_phone": "+49 2581 123456",
    "contact_email": "anna@example.de",
    "site_address": "Kirchstraße 4",
    "site_city": "Warendorf",
    "branch_name": "Warendorf",
}


def test_the_lines_name_whom_to_call_and_where_to_go() -> None:
    assert contact_line(FULL) == "Anna Sommer · +49 2581 123456 · anna@example.de"
    assert address_line(FULL) == "Kirchstraße 4, Warendorf · branch Warendorf"
    assert phone_of(FULL) == "+49 2581 123456"


def test_what_is_missing_is_left_out_or_said() -> None:
    nothing = dict.fromkeys(FULL)
    assert contact_line(nothing) == "none named"
    assert address_line(nothing) == "-"
    assert phone_of(nothing) is None
    assert address_line({**nothing, "site_address": "", "branch_name": "Kamen"}) == "branch Kamen"
    assert contact_line({**nothing, "contact_name": "Bernd", "contact_phone": "  "}) == "Bernd"
    # the stored, list-shaped ticket has none of them: only the service does
    assert (
        contact_line({"title": "x"})
        == address_line({})
        == ("shown when the service is reachable again")
    )
    assert phone_of(None) is None


def test_stored_text_is_cleaned() -> None:
    hostile = {**FULL, "contact_name": "Eve\x1b]0;x\x07\nB", "contact_phone": "+49\u202e 1\t2"}
    assert contact_line(hostile) == "Eve]0;x B · +49 1 2 · anna@example.de"
    assert phone_of(hostile) == "+49 1 2"
