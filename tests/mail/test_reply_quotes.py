"""A reply's own text without the quoted thread: real clients' replies, the edge cases, and
the promises (only input lines come back, never nothing for something)."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from mail.mailshapes import corpus

from dispatch.server.mail.attachments import Caps
from dispatch.server.mail.parse import FORWARDED, parse
from dispatch.server.mail.quotes import MAX_READ, new_text


def own_text(name: str) -> tuple[str, str]:
    """The reply's new text and its whole text, read as the intake reads it."""
    p = parse(corpus(name, NUMBER=100042), Caps())
    assert p.broken is None
    return new_text(p.text, p.subject), p.text


REPLIES = {
    "reply_outlook_en": (
        "Hi,\n\nthe label printer works again after the restart, thanks for the quick help.\n\n"
        "Best regards\nDirk Lorenz\nElektro Schäfer GmbH | IT\nTel. +49 6151 12345"
    ),
    "reply_outlook_de": (
        "Hallo zusammen,\n\nder Drucker geht wieder. Bitte noch die Tonerbestellung prüfen.\n\n"
        "Mit freundlichen Grüßen\nDirk Lorenz"
    ),
    "reply_gmail": "Tuesday morning suits us, the gate code is 4711.\n\nDirk",
    "reply_apple_mail": "Danke, der Drucker läuft wieder.\n\nVon meinem iPhone gesendet",
    "reply_thunderbird": "Der Drucker geht wieder, Sie können das Ticket schließen.",
    "reply_to_confirmation": "Der Drucker geht wieder, danke!",
}


@pytest.mark.parametrize("name", sorted(REPLIES))
def test_a_clients_reply_keeps_only_what_the_customer_wrote(name: str) -> None:
    new, whole = own_text(name)
    assert new == REPLIES[name]
    assert len(whole) > len(new)  # there was a thread to cut


def test_an_inline_reply_keeps_its_answers_with_the_questions_they_answer() -> None:
    new, _ = own_text("reply_inline")
    assert new == (
        "Hallo,\n\n"
        "> Welches Modell ist der Drucker?\n\nZebra ZT410.\n\n"
        "> Seit wann tritt der Fehler auf?\n\nSeit heute früh, nach dem Stromausfall."
    )  # the attribution and the quoted rest below the last answer are cut


def test_a_reply_that_is_only_a_quote_comes_back_whole() -> None:
    new, whole = own_text("reply_quote_only")
    assert new == whole and "Ihre Anfrage ist eingegangen." in new


def test_a_first_mail_without_quotes_comes_back_as_it_is() -> None:
    new, whole = own_text("plain")
    assert new == whole


def test_a_forward_keeps_the_mail_it_forwards() -> None:
    text = (
        "Siehe unten.\n\n-----Original Message-----\nFrom: Vendor <rma@vendor.example>\n"
        "Sent: Monday, December 7, 2026 9:00 AM\nSubject: RMA 4711\n\nThe print head is faulty."
    )
    assert new_text(text, "WG: [#100042] RMA") == text
    assert new_text(text, "AW: [#100042] RMA") == "Siehe unten."
    attached = "Siehe Anhang.\n\n" + FORWARDED + "\nFrom: Vendor\n\n> quoted in the vendor's mail"
    assert new_text(attached, "Re: [#100042]") == attached  # an attached message is content


@pytest.mark.parametrize(
    ("text", "new"),
    [
        # Outlook without separator: the header block alone marks the old mail
        (
            "Passt.\n\nFrom: Dispatch <support@provider.example>\nSent: Monday, 7 December\n"
            "To: Dirk\nSubject: Termin\n\nAlter Text",
            "Passt.",
        ),
        # Outlook for Mac in German: Von / Datum / An
        ("Passt.\n\nVon: Dispatch\nDatum: Montag, 7. Dezember 2026\nAn: Dirk\n\nAlt", "Passt."),
        # an HTML quote made text: no ">" below the attribution, all below it is old
        (
            "Passt, danke!\n  Am Mo., 7. Dez. 2026 um 09:12 Uhr schrieb Dispatch <s@p.example>:\n"
            "  Guten Tag,\n  Ihre Anfrage ist eingegangen.",
            "Passt, danke!",
        ),
        # a signature after "-- " (its trailing space already tidied away), above the quote
        (
            "Passt.\n--\nDirk Lorenz\nTel. 123\n\nOn Mon, 7 Dec 2026, Dispatch wrote:\n> Alt",
            "Passt.",
        ),
        # the customer's own sentence that only looks like an attribution stays
        (
            "On Monday your technician wrote:\nrestart the spooler\nIt did not help.",
            "On Monday your technician wrote:\nrestart the spooler\nIt did not help.",
        ),
        # a greeting above a one-line label is the customer's, the label goes with its quote
        ("Hallo,\nmein Kollege schrieb:\n> Drucker kaputt\n", "Hallo,"),
        # a list with hyphens is text, not a signature
        ("- Lager A\n- Lager B\n\n> alt", "- Lager A\n- Lager B"),
        # only a signature: nothing of one's own is left, so the whole text
        ("--\nDirk Lorenz", "--\nDirk Lorenz"),
    ],
)
def test_the_marks_of_a_quoted_mail(text: str, new: str) -> None:
    assert new_text(text) == new


def test_a_long_text_is_read_at_its_head_only() -> None:
    quoted = "Danke!\n\nOn Mon, 7 Dec 2026 at 09:12, Dispatch <s@p.example> wrote:\n"
    assert new_text(quoted + "> alt\n" * MAX_READ) == "Danke!"
    unquoted = "Ein Protokoll ohne Zitat.\n" * (MAX_READ // 10)
    assert new_text(unquoted) == unquoted  # nothing to cut in the head: the text whole


LINES = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\n"), max_size=30),
    st.sampled_from(
        [
            "> quoted",
            ">",
            "",
            "--",
            "-- ",
            FORWARDED,
            "-----Original Message-----",
            "-----Ursprüngliche Nachricht-----",
            "________________________________",
            "From: Dispatch <support@provider.example>",
            "Von: Dispatch",
            "Sent: Monday, 7 December 2026 09:12",
            "Gesendet: Montag, 7. Dezember 2026 09:12",
            "To: Dirk",
            "Betreff: Drucker",
            "On Mon, 7 Dec 2026 at 09:12, Dispatch <",
            "support@provider.example> wrote:",
            "Am 07.12.2026 um 09:12 schrieb Dispatch <support@provider.example>:",
            "mein Kollege schrieb:",
            "Danke!",
        ]
    ),
)


@settings(max_examples=300)
@example(["Danke!", FORWARDED, "From: Vendor", "", "> alt"], "Re: x")
@example(["Danke!", "", "> alt", "", "Dirk"], "Re: x")
@given(st.lists(LINES, max_size=25), st.sampled_from(["", "Re: x", "AW: x", "WG: x"]))
def test_stripping_returns_only_input_lines_and_never_nothing(
    lines: list[str], subject: str
) -> None:
    text = "\n".join(lines)
    new = new_text(text, subject)
    if text:
        assert new
    if text.strip():
        assert new.strip()
    # every line it returns is a line of the input, in the input's order
    given_lines = iter(text.split("\n"))
    for line in new.split("\n"):
        if line.strip():
            assert line in given_lines, (line, text)
