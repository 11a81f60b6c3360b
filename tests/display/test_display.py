"""The display layer: one sanitiser, one clock format, one word per value."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from dispatch.display import clock, labels
from dispatch.display.safe import clean, has_unsafe, one_line


def test_escape_sequences_lose_their_escape() -> None:
    hostile = "x \x1b]0;PWNED\x1b\\ y\x1b]52;c;cHduZWQ=\x07\x1b[2J\x9b31m\u202e"
    out = clean(hostile)
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "\u202e" not in out
    assert out.startswith("x ]0;PWNED\\ y")


def test_newlines_and_tabs_survive_clean_but_not_one_line() -> None:
    assert clean("a\nb\tc\r") == "a\nb\tc"
    assert one_line("a\n\nb\tc") == "a b c"


@given(st.text())
def test_nothing_clean_returns_is_unsafe(text: str) -> None:
    assert not has_unsafe(clean(text))
    assert all(ch.isprintable() or ch in "\n\t" for ch in clean(text) if ord(ch) < 0xA0)


def test_times_are_berlin_whatever_the_input_zone() -> None:
    assert clock.moment("2026-12-07T08:00:00+00:00") == "Mon 07 Dec 09:00"
    assert clock.moment(datetime(2026, 7, 6, 7, 30, tzinfo=UTC)) == "Mon 06 Jul 09:30"
    assert clock.moment(None) == "-"
    assert clock.day(date(2026, 12, 6)) == "Sun 06 Dec"


def test_spans_show_their_real_start_and_end() -> None:
    a = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert clock.span(a, datetime(2026, 12, 7, 10, 45, tzinfo=UTC)) == "Mon 07 Dec 09:00-11:45"
    assert (
        clock.span(datetime(2026, 12, 7, 16, tzinfo=UTC), datetime(2026, 12, 14, 7, tzinfo=UTC))
        == "Mon 07 Dec 17:00 - Mon 14 Dec 08:00"
    )


def test_durations_have_one_shape() -> None:
    assert [clock.duration(m) for m in (165, 90, 30, 0, -75)] == [
        "2:45 h",
        "1:30 h",
        "0:30 h",
        "0:00 h",
        "-1:15 h",
    ]


def test_labels_read_as_words_and_unknown_values_pass_cleaned() -> None:
    assert labels.status("waiting_customer") == "waiting for customer"
    assert labels.word(labels.SOURCE, "vip_hotline") == "VIP hotline"
    assert labels.field("first_response_due") == "first response due"
    assert labels.status("brand_new\x1b[2J") == "brand_new[2J"
