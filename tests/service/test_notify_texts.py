"""Every mail renders in German and English, with the subject tag, and nothing a database
text holds reaches a mail unclean or unbounded."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from dispatch.domain.mail_ids import ticket_number_in_subject
from dispatch.server.notify.texts import MAILED_STATUSES, MAX_QUOTE, Facts, render

FACTS = Facts(
    number=100123,
    title="Drucker\x1b[2J im 2. OG",
    customer="Bäckerei Sonnenschein",
    to_name="Anna\r\nBerger",
    at=datetime(2030, 7, 1, 6, 5, tzinfo=UTC),  # summer time: 08:05 in Berlin
    priority="P2",
    source="vip_hotline",
    booked=(datetime(2030, 7, 3, 7, 0, tzinfo=UTC), datetime(2030, 7, 3, 9, 0, tzinfo=UTC)),
    comment="Bitte\x07 neu starten.\n\nDanke!",
)


@pytest.mark.parametrize("what", ["receipt", "new_ticket", *MAILED_STATUSES])
@pytest.mark.parametrize("language", ["de", "en"])
def test_every_mail_renders_clean_in_both_languages(what: str, language: str) -> None:
    text = render(what, language, FACTS)
    assert ticket_number_in_subject(text.subject) == 100123
    assert text.subject.endswith("Drucker[2J im 2. OG") and "\n" not in text.subject
    assert not any(c in text.subject + text.body for c in "\x1b\x07\r")
    greeting = "Hello Anna Berger," if language == "en" else "Guten Tag Anna Berger,"
    assert text.body.startswith(greeting + "\n\n")
    assert "[#100123]" in text.body
    if what in ("receipt", "new_ticket"):
        assert ("08:05 (Berlin time)" if language == "en" else "08:05 Uhr") in text.body


def test_the_details_of_each_mail() -> None:
    assert "  Eingang:   VIP-Hotline\n" in render("new_ticket", "de", FACTS).body
    assert "  Channel:  VIP hotline\n" in render("new_ticket", "en", FACTS).body
    slot = render("scheduled", "de", FACTS).body
    assert "  Mittwoch, 03.07.2030, 09:00 bis 11:00 Uhr\n" in slot
    assert "  Bitte neu starten.\n\n  Danke!\n" in render("waiting_customer", "de", FACTS).body
    bare = replace(FACTS, booked=None, comment=None, to_name=None)
    assert render("scheduled", "en", bare).body.startswith("Hello,\n\n")
    assert "we will send the time" in render("scheduled", "en", bare).body
    assert "(Die Arbeiten sind abgeschlossen.)" in render("resolved", "de", bare).body


def test_long_texts_are_bounded() -> None:
    long = replace(FACTS, title="x" * 500, comment="y" * 30_000)
    text = render("resolved", "de", long)
    assert len(text.subject) == 300 and text.subject.endswith("…")
    assert len(text.body) < 20_000
    assert "y" * MAX_QUOTE not in text.body and "y" * (MAX_QUOTE - 1) + "…" in text.body
