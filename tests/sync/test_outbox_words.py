"""Outbox rows read as the rest of the console: times in the display zone and format."""

from __future__ import annotations

from dispatch.client.cache import PENDING, Op


def booking(start: str) -> Op:
    return Op(1, "key", "booking", None, "POST", "/appointments", {"start": start}, None, None,
              PENDING, None, 0, "2026-12-06T10:00:00+00:00")  # fmt: skip


def test_a_queued_booking_names_its_start_in_berlin_time() -> None:
    assert booking("2026-12-07T08:00:00+00:00").label == "booking at Mon 07 Dec 09:00"


def test_a_start_that_is_no_time_is_shown_cleaned_not_raised() -> None:
    assert booking("soon\x1b[2J").label == "booking at soon[2J"
