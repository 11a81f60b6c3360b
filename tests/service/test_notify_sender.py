"""The sender against a real SMTP server: what goes out, retries with backoff, permanent
failures with the server's reply, a person's retry, TLS and AUTH, and the service's loop."""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from service.notify_world import ANNA, JOHN, MailWorld, make_mail_world
from service.world import API, MakeWorld
from sqlmodel import Session

from dispatch.models.base import utcnow
from dispatch.server.notify.listing import outbound_mails
from dispatch.server.notify.sender import pause


@pytest.fixture
def mail(make_world: MakeWorld, tmp_path: Path) -> Iterator[MailWorld]:
    yield from make_mail_world(make_world, tmp_path)


def test_what_goes_out_is_what_was_queued(mail: MailWorld) -> None:
    w = mail.world
    t = w.new_ticket(title="Drucker im 2. OG druckt nicht")
    assert w.post("dana", f"/tickets/{t['id']}/comments", {"body": "Toner getauscht."}).is_success
    assert w.patch("dana", t, status="resolved").status_code == 200
    assert mail.sender().run_once() == 3
    got = mail.server.recorder.received
    assert [m.rcpt_tos for m in got] == [[ANNA], [ANNA], [JOHN]]
    for row, received in zip(mail.rows(t["id"]), got, strict=True):
        msg = received.message
        assert (row.state, row.attempts, row.last_error) == ("sent", 1, None)
        assert row.sent_at is not None and row.smtp_reply is not None
        assert row.smtp_reply.startswith("250 2.0.0 Ok: queued as T")
        assert received.mail_from == "support@provider.example"
        assert msg["From"] == "support@provider.example"
        assert msg["To"] == f"{row.to_name} <{row.to_address}>"
        assert msg["Reply-To"] == "helpdesk@provider.example"
        assert msg["Subject"] == row.subject and msg["Message-ID"] == row.message_id
        assert msg["Auto-Submitted"] == "auto-generated"
        assert msg["Date"] is not None and msg["In-Reply-To"] is None
        assert msg.get_content_type() == "text/plain"
        assert msg.get_content().replace("\r\n", "\n") == row.body  # type: ignore[attr-defined]
        assert row.id is not None
        event = w.events_of("notification", row.id)[-1]
        assert (event.op, event.fields["state"], event.actor) == (
            "update",
            ["queued", "sent"],
            "mail-sender",
        )
    john = got[2].message
    assert john["Subject"] == f"[#{t['number']}] Resolved: Drucker im 2. OG druckt nicht"
    assert "your ticket" in john.get_content()  # type: ignore[attr-defined]
    with Session(w.engine) as s:
        listed = outbound_mails(s, t["id"])
    assert [(m.kind, m.state, m.direction, m.address) for m in listed] == [
        ("new_ticket", "sent", "out", ANNA),
        ("status_changed", "sent", "out", ANNA),
        ("status_changed", "sent", "out", JOHN),
    ]


def test_a_temporary_refusal_is_tried_again_after_a_pause(mail: MailWorld) -> None:
    assert [pause(n) for n in (1, 2, 3, 7, 8, 30)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 60, 60, 60)
    ]
    t = mail.world.new_ticket()
    other = mail.world.new_ticket()
    mail.server.recorder.mode = "temporary"
    assert mail.sender().run_once() == 1  # the server is busy: the rest wait for a pass
    assert [r.attempts for r in mail.rows(other["id"])] == [0]
    [row] = mail.rows(t["id"])
    assert (row.state, row.attempts) == ("queued", 1)
    assert row.last_error == "451 4.3.0 Mailbox busy, try again later"
    assert timedelta(seconds=50) < row.next_attempt_at - utcnow() <= timedelta(minutes=1)
    mail.server.recorder.mode = "accept"
    assert mail.sender().run_once() == 1  # the other; the first is not due yet
    assert mail.sender(later=timedelta(minutes=2)).run_once() == 1
    [row] = mail.rows(t["id"])
    assert (row.state, row.attempts) == ("sent", 2)
    assert len(mail.server.recorder.received) == 2


def test_a_permanent_refusal_fails_at_once_with_the_reply_until_a_person_retries(
    mail: MailWorld,
) -> None:
    w = mail.world
    t = w.new_ticket()
    mail.server.recorder.mode = "permanent"
    mail.sender().run_once()
    [row] = mail.rows(t["id"])
    reply = "550 5.1.1 <nobody@example.com>: Recipient address rejected"
    assert (row.state, row.attempts, row.last_error) == ("failed", 1, reply)
    with Session(w.engine) as s:
        [listed] = outbound_mails(s, t["id"])
    assert (listed.state, listed.error, listed.attempts) == ("failed", reply, 1)
    assert mail.sender(later=timedelta(days=1)).run_once() == 0  # failed stays failed
    path = f"{API}/notifications/{row.id}/retry"
    assert w.client.post(path, headers=w.h("tina")).status_code == 403
    assert (
        w.client.post(f"{API}/notifications/999999/retry", headers=w.h("dana")).status_code == 404
    )
    r = w.client.post(path, headers=w.h("dana"))
    assert r.status_code == 202, r.text
    body = r.json()
    assert (body["id"], body["state"], body["attempts"], body["error"]) == (
        row.id,
        "queued",
        0,
        None,
    )
    again = w.client.post(path, headers=w.h("dana"))
    assert again.status_code == 409 and "queued, not failed" in again.json()["detail"]
    mail.server.recorder.mode = "accept"
    assert mail.sender().run_once() == 1
    [row] = mail.rows(t["id"])
    assert (row.state, row.attempts) == ("sent", 1)
    assert row.id is not None
    states = [e.fields.get("state") for e in w.events_of("notification", row.id)]
    assert states == [
        [None, "queued"],
        ["queued", "failed"],
        ["failed", "queued"],
        ["queued", "sent"],
    ]


def test_a_dropped_connection_is_tried_again_until_the_last_attempt_fails(
    mail: MailWorld,
) -> None:
    t = mail.world.new_ticket()
    mail.server.recorder.mode = "drop"
    mail.sender(max_attempts=2).run_once()
    [row] = mail.rows(t["id"])
    assert (row.state, row.attempts) == ("queued", 1)
    assert row.last_error is not None and row.last_error.startswith("SMTPServerDisconnected")
    mail.sender(later=timedelta(minutes=5), max_attempts=2).run_once()
    [row] = mail.rows(t["id"])
    assert (row.state, row.attempts) == ("failed", 2)
    assert mail.server.recorder.datas == 2 and not mail.server.recorder.received


def test_a_server_that_stalls_past_the_timeout_is_tried_again(mail: MailWorld) -> None:
    t = mail.world.new_ticket()
    mail.server.recorder.mode = "stall"
    mail.server.recorder.stall_seconds = 2
    mail.sender(timeout=0.5).run_once()
    [row] = mail.rows(t["id"])
    assert (row.state, row.attempts) == ("queued", 1)
    assert row.last_error is not None and "timed out" in row.last_error


def test_two_senders_never_send_one_mail_twice(mail: MailWorld) -> None:
    w = mail.world
    tickets = [w.new_ticket(title=f"t{i}") for i in range(6)]
    senders = [mail.sender(), mail.sender()]
    threads = [threading.Thread(target=s.run_once) for s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    ids = [m.message["Message-ID"] for m in mail.server.recorder.received]
    assert len(ids) == len(set(ids)) == len(tickets)
    assert {r.state for r in mail.rows()} == {"sent"}


@pytest.mark.parametrize("variant", ["starttls", "ssl"])
def test_tls_and_auth(make_world: MakeWorld, tmp_path: Path, variant: str) -> None:
    named = {"mail_from": "Service-Desk <support@provider.example>"}
    for mail in make_mail_world(make_world, tmp_path, variant, **named):  # type: ignore[arg-type]
        t = mail.world.new_ticket()
        if variant == "starttls":  # AUTH is required there; a wrong password is retried
            mail.sender(password="wrong").run_once()
            [row] = mail.rows(t["id"])
            assert row.state == "queued" and row.last_error is not None
            assert row.last_error.startswith("535")
            mail.sender(later=timedelta(minutes=2)).run_once()
        else:
            mail.sender().run_once()
        [row] = mail.rows(t["id"])
        assert row.state == "sent", row.last_error
        [received] = mail.server.recorder.received
        assert received.rcpt_tos == [ANNA] and received.mail_from == "support@provider.example"
        assert received.message["From"] == "Service-Desk <support@provider.example>"
        assert received.message["Message-ID"].endswith("@provider.example>")


def test_the_service_sends_on_its_own_when_mail_is_on(
    make_world: MakeWorld, tmp_path: Path
) -> None:
    for mail in make_mail_world(make_world, tmp_path, smtp_poll_seconds=0.1):
        t = mail.world.new_ticket()
        deadline = time.monotonic() + 15
        while not mail.server.recorder.received:
            assert time.monotonic() < deadline, "the service's sender never sent"
            time.sleep(0.05)
        [row] = mail.rows(t["id"])
        while row.state != "sent" and time.monotonic() < deadline:
            time.sleep(0.05)
            [row] = mail.rows(t["id"])
        assert row.state == "sent"


ENCODED_WORD = re.compile(rb"=\?([^?]*)\?([bBqQ])\?([^?]*)\?=")


def test_a_long_german_subject_folds_into_whole_encoded_words(mail: MailWorld) -> None:
    """Umlauts and an en dash in a long subject: CPython's folder wrote an empty encoded
    word (`=?utf-8?q??=`) for the first title and dropped the space before "nicht"
    ("drucktnicht") of the second. On the wire every word is whole and at most 75
    characters, and the subject reads back as it was written."""
    w = mail.world
    dash = "\N{EN DASH}"
    titles = [
        f"Drucker im Lager mit Papierstau {dash} Störung seit Montag, Lieferscheine fehlen"
        " für Müller & Söhne",
        f"Kassel {dash} Büro druckt nicht {dash} Papierstau in der Fächerkassette, Störung bei"
        " Müller",
    ]
    tickets = [w.new_ticket(title=title) for title in titles]
    assert mail.sender().run_once() == 2  # Anna's "new ticket" mails
    got = mail.server.recorder.received
    for ticket, title, received in zip(tickets, titles, got, strict=True):
        head = received.data.split(b"\r\n\r\n", 1)[0]
        lines = head.split(b"\r\n")
        start = next(i for i, line in enumerate(lines) if line.startswith(b"Subject:"))
        folded = [lines[start]]
        folded += itertools.takewhile(lambda line: line[:1] in (b" ", b"\t"), lines[start + 1 :])
        words = ENCODED_WORD.findall(b"".join(folded))
        assert words, folded
        for charset, _, text in words:
            assert charset.lower() == b"utf-8" and text, folded
        assert all(len(m.group()) <= 75 for m in ENCODED_WORD.finditer(b"".join(folded)))
        assert all(len(line) <= 78 for line in folded), folded
        subject = f"[#{ticket['number']}] Neues Ticket: {title}"
        assert received.message["Subject"] == subject
        # read back from the bytes alone, as well as by the parser
        raw = b"".join(folded)[len(b"Subject:") :].decode("ascii").strip()
        assert str(make_header(decode_header(raw))) == subject
