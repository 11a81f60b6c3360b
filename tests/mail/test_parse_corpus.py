"""Reading real-world message shapes: charsets, HTML-only, inline images, forwards, broken
MIME, header injection, automatic mail, attachments over the caps, 10,000 recipients."""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mail.mailshapes import CONTACT, corpus, message

from dispatch.display.safe import has_unsafe
from dispatch.server.mail.attachments import Caps, safe_filename, safe_type
from dispatch.server.mail.parse import FORWARDED, ParsedMail, parse
from dispatch.server.mail.text import TRUNCATED, decode, fit, line

MB = 1024 * 1024


def read(name: str, **values: object) -> ParsedMail:
    return parse(corpus(name, **values), Caps())


def storable(p: ParsedMail) -> None:
    """What the service's text rule demands of everything the intake stores."""
    for text in (p.subject, p.text, p.from_address, p.from_name or ""):
        assert not has_unsafe(text), repr(text)
        text.encode("utf-8")  # no lone surrogates
    assert "\n" not in p.subject and "\r" not in p.subject


def test_plain_mail() -> None:
    p = read("plain")
    assert p.from_address == CONTACT and p.from_name == "Dirk Lorenz"
    assert p.subject == "Drucker im Lager druckt nicht"
    assert p.message_id == "<20261207081200.4711@elektro-schaefer.de>"
    assert "druckt seit heute früh nichts mehr" in p.text
    assert p.automatic is None and p.broken is None and p.attachments == []
    assert p.date is not None and p.date.utcoffset() is not None


def test_html_only_mail_becomes_readable_text() -> None:
    p = read("html_only")
    assert "seit dem Update verbindet sich das VPN nicht mehr." in p.text
    assert "Kabel geprüft" in p.text and "FortiClient 7.2" in p.text
    assert "<" not in p.text and "alert(1)" not in p.text and "color: red" not in p.text
    storable(p)


def test_alternative_with_inline_image_takes_the_plain_part_and_lists_the_image() -> None:
    p = read("alternative_inline_image")
    assert p.text == "Die Kasse zeigt die Meldung im Bild. Bitte zurueckrufen."
    [image] = p.attachments
    assert image.content_type == "image/png" and image.filename.endswith(".png")
    assert image.data is not None and image.data.startswith(b"\x89PNG")


def test_forwarded_message_is_part_of_the_text() -> None:
    p = read("forwarded")
    assert p.text.startswith("Bitte kümmern Sie sich darum")
    assert FORWARDED in p.text
    assert "Subject: Ihr Zertifikat für shop.elektro-schaefer.de läuft in 7 Tagen ab" in p.text
    assert "läuft am 14.12.2026 ab" in p.text


def test_latin1_body() -> None:
    p = read("iso8859_1")
    assert "läuft nicht, 31 °C gemessen" in p.text and "Thomas Böhm" in p.text
    assert p.from_name == "Thomas Böhm"


def test_windows_1252_labelled_latin1_keeps_quotes_dashes_and_euro() -> None:
    p = read("windows1252")
    assert p.text == "Das Angebot „Wartung 2027“ kostet 1.200 € \u2013 bitte prüfen."
    assert p.subject == "Angebot “Wartung” fehlt"  # raw 8-bit header bytes
    storable(p)


def test_encoded_word_subject_with_umlauts_across_charsets() -> None:
    p = read("umlaut_subject")
    assert p.subject == "Schnell! Drucker im Büro geht nicht üöäß"
    assert p.from_name == "Jürgen Müller"


@pytest.mark.parametrize(
    ("name", "reason"),
    [("bounce", "auto_submitted"), ("out_of_office", "auto_submitted")],
)
def test_automatic_mail_is_recognised(name: str, reason: str) -> None:
    assert read(name).automatic == reason


@pytest.mark.parametrize(
    ("headers", "sender", "reason"),
    [
        ({"Auto-Submitted": "auto-generated"}, CONTACT, "auto_submitted"),
        ({"Auto-Submitted": "no"}, CONTACT, None),
        ({"Precedence": "bulk"}, CONTACT, "precedence_bulk"),
        ({"Precedence": "junk"}, CONTACT, "precedence_junk"),
        ({"Precedence": "list"}, CONTACT, "precedence_list"),
        ({"X-Autoreply": "yes"}, CONTACT, "autoreply_header"),
        ({"X-Autorespond": "yes"}, CONTACT, "autoreply_header"),
        ({"Return-Path": "<>"}, CONTACT, "null_sender"),
        ({}, "MAILER-DAEMON@mx.example", "mailer_daemon"),
        ({}, CONTACT, None),
    ],
)
def test_each_automatic_sign(headers: dict[str, str], sender: str, reason: str | None) -> None:
    assert parse(message(sender=sender, headers=headers), Caps()).automatic == reason


def test_mail_without_message_id() -> None:
    p = read("no_message_id")
    assert p.message_id is None and p.broken is None
    assert p.text == "Nebenstelle 23 hat kein Freizeichen."


def test_reply_to_a_confirmation_names_our_message() -> None:
    p = read("reply_to_confirmation", NUMBER=100042)
    assert "<dispatch.7.t100042@provider.example>" in p.referenced_ids()
    assert p.subject == "AW: [#100042] Ihre Anfrage ist eingegangen"


def test_broken_mime_keeps_the_text_it_has() -> None:
    p = read("broken_mime")
    assert p.broken is None
    assert "Dieser Text steht ohne Grenze im Multipart." in p.text
    storable(p)


def test_header_injection_and_terminal_escapes_are_cleaned() -> None:
    p = read("header_injection")
    assert p.subject.startswith("Hallo Bcc: victim@example.org")
    assert "\x1b" not in p.subject and "\x07" not in p.subject
    assert "\x1b" not in p.text and "\u202e" not in p.text
    storable(p)


def test_unknown_charset_falls_back() -> None:
    raw = (
        b"From: a@b.example\nSubject: x\nContent-Type: text/plain; charset=x-klingon\n\n"
        b"Gr\xc3\xbc\xc3\x9fe \xe2\x82\xac"
    )
    assert parse(raw, Caps()).text == "Grüße €"  # valid UTF-8 read as UTF-8
    assert decode(b"Gr\xfc\xdfe", "x-klingon") == "Grüße"  # else Windows-1252
    assert decode(b"\x81\x8d", "utf-8") == "\x81\x8d"  # bytes cp1252 lacks: Latin-1


def test_attachment_over_the_cap_is_listed_not_kept() -> None:
    big = os.urandom(15 * MB)
    raw = message(
        attachments=[("scan.pdf", "application/pdf", big), ("log.txt", "text/plain", b"ok")]
    )
    p = parse(raw, Caps())
    pdf, log = p.attachments
    assert (pdf.filename, pdf.size, pdf.data) == ("scan.pdf", len(big), None)
    assert (log.filename, log.data) == ("log.txt", b"ok")


def test_the_total_cap_per_message() -> None:
    one = os.urandom(MB)
    raw = message(attachments=[(f"{n}.bin", "application/octet-stream", one) for n in range(3)])
    kept = [a.data is not None for a in parse(raw, Caps(2 * MB, 2 * MB + 10)).attachments]
    assert kept == [True, True, False]


def test_ten_thousand_recipients() -> None:
    to = ",\n ".join(f"User {n} <user{n}@example.org>" for n in range(10_000))
    raw = b"Cc: " + to.encode() + b"\n" + message()
    start = time.monotonic()
    p = parse(raw, Caps())
    assert time.monotonic() - start < 10
    assert p.from_address == CONTACT and p.broken is None


def test_unreadable_input_is_broken_not_an_error() -> None:
    assert parse(b"", Caps()).broken == "the message has no headers"
    assert parse(b"Subject: no sender\n\nhi", Caps()).broken == (
        "the message names no sender address"
    )
    assert parse(b"From: not an address\n\nhi", Caps()).broken is not None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_never_raise(raw: bytes) -> None:
    storable(parse(raw, Caps()))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.text(max_size=2000))
def test_any_subject_and_body_come_out_storable(subject: str, body: str) -> None:
    raw = b"From: a@b.example\r\nSubject: " + subject.encode("utf-8", "surrogatepass")
    raw += b"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    raw += body.encode("utf-8", "surrogatepass")
    storable(parse(raw, Caps()))


def test_text_fits_the_limits_with_a_marker() -> None:
    long = "x" * 30_000
    cut = fit(long, 20_000)
    assert len(cut) <= 20_000 and cut.endswith(" more characters in the mail, cut here]")
    assert TRUNCATED.split("{n}")[0] in cut
    assert fit("short", 20_000) == "short"
    title = line("Ü" * 500, 200)
    assert len(title) == 200 and title.endswith("…")


def test_attachment_names_and_types_are_made_safe() -> None:
    assert safe_filename("../../etc/passwd", "text/plain", 1) == "passwd"
    assert safe_filename('a"b\x1b[31m.pdf', "application/pdf", 1) == "a_b[31m.pdf"
    assert safe_filename("", "image/png", 3) == "attachment-3.png"
    assert len(safe_filename("n" * 400 + ".pdf", "application/pdf", 1)) <= 255
    assert safe_type("text/html") == "text/html"
    assert safe_type('text/html"; x=<script>') == "application/octet-stream"
    assert safe_type("") == "application/octet-stream"
