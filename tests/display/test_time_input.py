"""What a person types when logging work: durations and starts, read strictly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dispatch.display import clock
from dispatch.display.time_input import parse_duration, parse_start, start_text


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("35", 35), ("0:35", 35), ("1:20", 80), (" 2:10 ", 130), ("1", 1), ("24:00", 1440)],
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    "text", ["", "0", "0:00", "1.5", "1,5", "1h", "1:60", "24:01", "-5", "abc"]
)
def test_bad_durations_are_said(text: str) -> None:
    with pytest.raises(ValueError, match="Duration"):
        parse_duration(text)


NOW = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # 15:00 in Berlin


def test_starts_in_the_consoles_zone() -> None:
    clock.set_zone("Europe/Berlin")
    assert parse_start("08:15", NOW) == datetime(2026, 12, 7, 7, 15, tzinfo=UTC)
    assert parse_start("05.12. 08:15", NOW) == datetime(2026, 12, 5, 7, 15, tzinfo=UTC)
    assert parse_start("2026-07-01  08:15", NOW) == datetime(2026, 7, 1, 6, 15, tzinfo=UTC)
    start = datetime(2026, 12, 7, 13, 25, tzinfo=UTC)
    assert start_text(start) == "2026-12-07 14:25"
    assert parse_start(start_text(start), NOW) == start


@pytest.mark.parametrize("text", ["8", "8:15 am", "31.02. 08:15", "2026-13-01 08:15", "25:00", ""])
def test_bad_starts_are_said(text: str) -> None:
    clock.set_zone("Europe/Berlin")
    with pytest.raises(ValueError, match="Start"):
        parse_start(text, NOW)


def test_work_is_not_logged_ahead() -> None:
    clock.set_zone("Europe/Berlin")
    with pytest.raises(ValueError, match="not ahead"):
        parse_start("16:00", NOW)
