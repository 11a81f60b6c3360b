"""Mail intake on both databases: what each mail becomes, exactly once, through the rules."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from mail.mailshapes import CONTACT, corpus, message
from service.mail_world import AT, contact, mail_row, take
from service.world import World
from sqlalchemy import create_engine
from sqlmodel import Session, select

from dispatch.models import ChangeEvent, Comment, InboundMail, MailAttachment, Ticket
from dispatch.models.base import utcnow
from dispatch.server.mail import intake as intake_module
from dispatch.server.mail.intake import IntakeResult, IntakeUnavailable, take_in


def test_a_known_contact_mail_becomes_a_ticket(world: World) -> None:
    contact_id = contact(world, CONTACT.upper())  # the address compared without case
    r = take(world, corpus("plain"))
    assert (r.outcome, r.duplicate) == ("ticket", False)
    t = world.ticket(r.ticket_id or 0)
    assert t["number"] == r.ticket_number
    assert (t["kind"], t["source"], t["status"]) == ("incident", "email", "new")
    assert (t["customer_id"], t["contact_id"], t["site_id"]) == (
        world.customer_id,
        contact_id,
        world.site_id,  # the customer's only site
    )
    assert t["title"] == "Drucker im Lager druckt nicht"
    assert "druckt seit heute früh nichts mehr" in t["description"]
    assert datetime.fromisoformat(t["received_at"]) == AT  # the arrival, not the intake
    assert t["first_response_due"] is not None and t["resolution_due"] is not None
    [created] = [e for e in world.events_of("ticket", t["id"]) if e.op == "create"]
    assert created.actor == "mailbox"
    row = mail_row(world, r)
    assert (row.state, row.message_key) == ("taken", "<20261207081200.4711@elektro-schaefer.de>")


def test_the_same_message_twice_changes_nothing(world: World) -> None:
    contact(world)
    raw = corpus("plain")
    first = take(world, raw)
    tickets, events, mails = world.rows(Ticket), world.event_count(), world.rows(InboundMail)
    again = take(world, raw, at=AT + timedelta(hours=1))
    assert again.duplicate and not first.duplicate
    assert (again.inbound_mail_id, again.ticket_id) == (first.inbound_mail_id, first.ticket_id)
    assert (world.rows(Ticket), world.event_count(), world.rows(InboundMail)) == (
        tickets,
        events,
        mails,
    )


def test_without_message_id_the_raw_bytes_are_the_key(world: World) -> None:
    contact(world)
    raw = corpus("no_message_id")
    first = take(world, raw)
    assert first.message_key.startswith("sha256:") and first.outcome == "ticket"
    assert take(world, raw).duplicate
    assert not take(world, raw + b"\n").duplicate  # other bytes: another message


def test_racing_intakes_of_one_message_make_one_ticket(world: World) -> None:
    contact(world)
    raw = message()
    gate = threading.Barrier(4)
    results: list[IntakeResult] = []

    def run() -> None:
        gate.wait()
        results.append(take(world, raw))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 4
    assert len({r.ticket_id for r in results}) == 1
    assert sorted(r.duplicate for r in results) == [False, True, True, True]
    assert world.rows(Ticket) == 1


def test_the_date_header_counts_when_no_arrival_time_is_given(world: World) -> None:
    contact(world)
    sent = (utcnow() - timedelta(hours=3)).replace(microsecond=0)
    raw = message(headers={}).replace(b"Date: ", b"X-Old-Date: ", 1)
    raw = b"Date: " + sent.strftime("%a, %d %b %Y %H:%M:%S +0000").encode() + b"\n" + raw
    r = take_in(world.engine, raw)
    assert datetime.fromisoformat(world.ticket(r.ticket_id or 0)["received_at"]) == sent
    # a Date from last year is the sender's clock, not the arrival: now counts
    old = raw.replace(str(sent.year).encode(), str(sent.year - 1).encode(), 1)
    before = utcnow()
    r = take_in(world.engine, old.replace(b"<test-", b"<old-"))
    assert datetime.fromisoformat(world.ticket(r.ticket_id or 0)["received_at"]) >= before


def _reply(number: int, **kw: object) -> bytes:
    return message(
        subject=f"AW: [#{number}] Ihre Anfrage",
        headers={"In-Reply-To": f"<dispatch.3.t{number}@provider.example>"},
        **kw,  # type: ignore[arg-type]
    )


def test_a_reply_to_our_mail_is_a_customer_contact_comment(world: World) -> None:
    t = world.new_ticket()
    r = take(world, corpus("reply_to_confirmation", NUMBER=t["number"]))
    assert (r.outcome, r.ticket_id) == ("reply", t["id"])
    with Session(world.engine) as s:
        comment = s.get(Comment, r.comment_id)
        assert comment is not None and comment.kind == "customer_contact"
        assert "Der Drucker geht wieder, danke!" in comment.body
        assert comment.body.startswith(f"Mail from Dirk Lorenz <{CONTACT}>: AW: [#")
    after = world.ticket(t["id"])
    assert after["responded_at"] is None  # the customer reaching us is no first response
    assert after["status"] == "new"
    [event] = world.events_of("comment", r.comment_id or 0)
    assert event.actor == "mailbox"


def test_a_reply_naming_the_tickets_own_mail_finds_it(world: World) -> None:
    contact(world)
    first = take(world, corpus("plain"))
    # a colleague in CC answers the customer's own mail: no subject tag, no mail of ours
    reply = message(
        sender="kollege@elektro-schaefer.de",
        subject="Re: Drucker im Lager druckt nicht",
        headers={"References": "<20261207081200.4711@elektro-schaefer.de>"},
    )
    r = take(world, reply)
    assert (r.outcome, r.ticket_id) == ("reply", first.ticket_id)


def test_a_subject_tag_counts_only_from_the_customers_people(world: World) -> None:
    t = world.new_ticket()
    tagged = f"Re: [#{t['number']}] Drucker"
    stranger = take(world, message(sender="x@stranger.example", subject=tagged))
    assert (stranger.outcome, stranger.reason) == ("unmatched", "unknown_sender")
    contact(world)
    known = take(world, message(subject=tagged))
    assert (known.outcome, known.ticket_id) == ("reply", t["id"])


def test_a_reply_reopens_a_ticket_resolved_within_14_days(world: World) -> None:
    t = world.new_ticket()
    assert world.patch("dana", t, status="resolved").status_code == 200
    resolved = datetime.fromisoformat(world.ticket(t["id"])["resolved_at"])
    r = take(world, _reply(t["number"]), at=resolved + timedelta(days=13))
    assert r.outcome == "reply"
    assert world.ticket(t["id"])["status"] == "in_progress"


@pytest.mark.parametrize("status", ["closed", "resolved long ago"])
def test_a_reply_to_a_closed_ticket_makes_a_new_one_naming_it(world: World, status: str) -> None:
    contact_id = contact(world)
    t = world.new_ticket()
    assert world.patch("dana", t, status="resolved").status_code == 200
    at = datetime.fromisoformat(world.ticket(t["id"])["resolved_at"]) + timedelta(days=15)
    if status == "closed":
        assert world.patch("dana", world.ticket(t["id"]), status="closed").status_code == 200
        at = AT + timedelta(days=1)
    r = take(world, _reply(t["number"]), at=at)
    assert (r.outcome, r.reason) == ("ticket", "follow_up")
    assert r.ticket_id != t["id"]
    new = world.ticket(r.ticket_id or 0)
    assert new["description"].startswith(f"Follow-up to ticket #{t['number']}")
    assert (new["customer_id"], new["contact_id"]) == (t["customer_id"], contact_id)
    old = "closed" if status == "closed" else "resolved"
    assert world.ticket(t["id"])["status"] == old  # the old ticket stays as it was


@pytest.mark.parametrize("name", ["bounce", "out_of_office"])
def test_automatic_mail_is_ignored_and_makes_nothing(world: World, name: str) -> None:
    contact(world)
    tickets, events = world.rows(Ticket), world.event_count()
    r = take(world, corpus(name))
    assert (r.outcome, r.reason, r.ticket_id) == ("ignored", "auto_submitted", None)
    assert (world.rows(Ticket), world.event_count()) == (tickets, events)
    assert mail_row(world, r).state == "ignored"


def test_an_unknown_sender_is_unmatched_and_only_the_desk_hears_of_it(world: World) -> None:
    since = world.changes()["last_seq"]
    r = take(world, message(sender="Fremd <fremd@stranger.example>"))
    assert (r.outcome, r.reason, r.ticket_id) == ("unmatched", "unknown_sender", None)
    [event] = [c for c in world.changes("dana", since)["changes"] if c["entity"] == "mail"]
    assert (event["id"], event["op"], event["fields"]["state"]) == (
        r.inbound_mail_id,
        "create",
        [None, "open"],
    )
    assert not [c for c in world.changes("tina", since)["changes"] if c["entity"] == "mail"]


def test_an_address_of_two_customers_is_left_to_the_desk(world: World) -> None:
    contact(world)
    with Session(world.engine) as s:
        from dispatch.models import Customer

        other = Customer(number="K-2", name="Zweite GmbH")
        s.add(other)
        s.commit()
        other_id = other.id
    contact(world, CONTACT, customer_id=other_id)
    r = take(world, message())
    assert (r.outcome, r.reason) == ("unmatched", "ambiguous_sender")


def test_unparseable_mail_is_kept_raw(world: World) -> None:
    raw = b"\x00\xff garbage without headers \x1b[2J"
    r = take(world, raw)
    assert (r.outcome, r.reason) == ("unmatched", "unparseable")
    assert mail_row(world, r).raw == raw


def test_attachments_are_kept_within_the_caps(world: World) -> None:
    contact(world)
    big = b"\x00" * (11 * 1024 * 1024)
    raw = message(attachments=[("big.iso", "application/x-iso9660-image", big),
                               ("note.txt", "text/plain", b"hello")])  # fmt: skip
    r = take(world, raw)
    with Session(world.engine) as s:
        rows = s.exec(select(MailAttachment).where(MailAttachment.mail_id == r.inbound_mail_id))
        got = {a.filename: (a.size, a.kept, a.data) for a in rows}
    assert got == {"big.iso": (len(big), False, None), "note.txt": (5, True, b"hello")}


def test_a_database_outage_is_unavailable_not_lost(world: World) -> None:
    dead = create_engine("postgresql+psycopg://nobody@127.0.0.1:9/none")
    with pytest.raises(IntakeUnavailable):
        take_in(dead, message())


def test_random_bytes_never_raise_out_of_take_in(world: World) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.binary(max_size=2000))
    def run(raw: bytes) -> None:
        r = take(world, raw)
        assert r.outcome in ("unmatched", "ignored", "ticket", "reply")

    run()
    with Session(world.engine) as s:
        events = s.exec(select(ChangeEvent).where(ChangeEvent.entity == "mail")).all()
    assert len(events) <= world.rows(InboundMail)


def test_a_rule_failing_keeps_the_mail_for_the_desk(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    contact(world)
    real = getattr(intake_module, "become")  # noqa: B009  (patched below)

    def half_then_fail(session: Session, caller: object, mail: object) -> object:
        real(session, caller, mail)  # makes a ticket, then:
        raise RuntimeError("a rule broke")

    monkeypatch.setattr(intake_module, "become", half_then_fail)
    raw = message()
    r = take(world, raw)
    assert (r.outcome, r.reason, r.ticket_id) == ("unmatched", "intake_error", None)
    assert world.rows(Ticket) == 0  # the half-made ticket went with the rollback
    row = mail_row(world, r)
    assert row.raw == raw and row.detail == "RuntimeError: a rule broke"
    monkeypatch.setattr(intake_module, "become", real)
    assert take(world, raw).duplicate  # kept once; the desk decides now
