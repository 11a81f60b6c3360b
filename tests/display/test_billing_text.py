"""How billed time and the contingent read."""

from __future__ import annotations

from datetime import datetime

from dispatch.display import clock
from dispatch.display.billing_text import contingent_line, last_day_before, raw_and_billed
from dispatch.domain.contingent_lots import next_reset
from dispatch.domain.sla import BERLIN

RESET = next_reset(datetime(2027, 1, 15, tzinfo=BERLIN))


def test_raw_and_billed_side_by_side() -> None:
    assert raw_and_billed(35, 120) == "0:35 h → billed 2:00 h"
    assert raw_and_billed(185, 210) == "3:05 h → billed 3:30 h"


def test_non_billable_work_shows_its_reason_not_a_figure() -> None:
    assert raw_and_billed(35, 0, billable=False, reason="covered_by_rental") == (
        "0:35 h → not billed (covered by rental)"
    )
    hostile = "trade fair\x1b]0;PWNED\x07\ndemo"
    line = raw_and_billed(35, 0, billable=False, reason="other", reason_text=hostile)
    assert line == "0:35 h → not billed (other: trade fair]0;PWNED demo)"


def test_the_contingent_line() -> None:
    assert contingent_line(750, 180, RESET) == "12:30 h left, 3:00 h expire 31.03."
    assert contingent_line(750, 0, RESET) == "12:30 h left"
    assert contingent_line(-135, 0, RESET) == "2:15 h overdrawn, correction invoice due"


def test_the_reset_day_is_berlins_whatever_zone_the_console_shows() -> None:
    try:
        clock.set_zone("America/New_York")
        assert last_day_before(RESET) == "31.03."
    finally:
        clock.set_zone(clock.DEFAULT_ZONE)
