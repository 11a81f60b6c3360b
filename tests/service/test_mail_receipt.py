"""Receipt confirmations from the intake (notify's `queue_receipt`): one for the sender of
every mail ticket, none for replies and never one for automatic mail, so two systems
cannot answer each other for ever."""

from __future__ import annotations

from typing import Any

from mail.mailshapes import CONTACT, corpus, message
from service.mail_world import AT, contact
from service.world import MakeWorld, World
from sqlmodel import Session, select

from dispatch.models import Notification
from dispatch.server.mail.intake import IntakeResult, take_in
from dispatch.settings import Settings

MAIL_ON: dict[str, Any] = {
    "smtp_host": "127.0.0.1",
    "mail_from": "support@provider.example",
    "smtp_poll_seconds": 0,  # queue only: no sender runs in these tests
}


def take(world: World, raw: bytes) -> IntakeResult:
    url = world.engine.url.render_as_string(hide_password=False)
    return take_in(
        world.engine, raw, received_at=AT, settings=Settings(database_url=url, **MAIL_ON)
    )


def receipts(world: World) -> list[Notification]:
    with Session(world.engine) as s:
        return list(s.exec(select(Notification).where(Notification.kind == "receipt")).all())


def test_a_mail_ticket_gets_one_receipt_threaded_to_the_mail(world: World) -> None:
    contact(world)
    r = take(world, corpus("plain"))
    [receipt] = receipts(world)
    assert (receipt.ticket_id, receipt.to_address) == (r.ticket_id, CONTACT)
    assert receipt.in_reply_to == "<20261207081200.4711@elektro-schaefer.de>"
    assert f"[#{r.ticket_number}]" in receipt.subject
    take(world, corpus("plain"))  # the same message again: nothing more
    assert len(receipts(world)) == 1


def test_replies_and_automatic_mail_get_none(world: World) -> None:
    contact(world)
    first = take(world, message(subject="Drucker"))
    reply = take(world, message(subject=f"Re: [#{first.ticket_number}] Drucker"))
    assert reply.outcome == "reply"
    for name in ("bounce", "out_of_office"):
        assert take(world, corpus(name)).outcome == "ignored"
    for headers in ({"Precedence": "list"}, {"Return-Path": "<>"}, {"X-Autorespond": "1"}):
        assert take(world, message(headers=headers)).outcome == "ignored"
    assert [n.ticket_id for n in receipts(world)] == [first.ticket_id]


def test_mail_off_queues_nothing(world: World) -> None:
    contact(world)
    assert take_in(world.engine, message(), received_at=AT).outcome == "ticket"
    assert receipts(world) == []


def test_the_desks_ticket_of_an_unmatched_mail_confirms_it(make_world: MakeWorld) -> None:
    world = make_world(**MAIL_ON, auth_failures_per_minute=0, rate_limit_per_minute=0)
    r = take(world, message(sender="Neu Kunde <neu@kunde.example>"))
    assert r.outcome == "unmatched" and receipts(world) == []
    made = world.post(
        "dana", f"/mail/unmatched/{r.inbound_mail_id}/ticket", {"customer_id": world.customer_id}
    )
    assert made.status_code == 201, made.text
    [receipt] = receipts(world)
    assert (receipt.ticket_id, receipt.to_address) == (made.json()["id"], "neu@kunde.example")


def test_the_mails_list_joins_received_and_sent(make_world: MakeWorld) -> None:
    world = make_world(**MAIL_ON, auth_failures_per_minute=0, rate_limit_per_minute=0)
    contact(world)
    url = world.engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, **MAIL_ON)
    r = take_in(world.engine, message(), settings=settings)  # arrived now (its Date)
    answer = world.get("dana", f"/tickets/{r.ticket_id}/mails").json()
    assert answer["outgoing_enabled"] is True
    assert [(m["direction"], m["kind"], m["state"]) for m in answer["items"]] == [
        ("in", "ticket", "received"),
        ("out", "receipt", "queued"),
    ]


def test_a_sent_mail_reads_whole_as_it_was_rendered(make_world: MakeWorld) -> None:
    world = make_world(**MAIL_ON, auth_failures_per_minute=0, rate_limit_per_minute=0)
    contact(world)
    r = take(world, corpus("plain"))
    other = take(world, message(subject="VPN"))
    [receipt, other_receipt] = receipts(world)
    listed = world.get("dana", f"/tickets/{r.ticket_id}/mails").json()["items"]
    [sent] = [m for m in listed if m["direction"] == "out"]
    answer = world.get("dana", f"/tickets/{r.ticket_id}/mails/out/{sent['id']}")
    assert answer.status_code == 200, answer.text
    read = answer.json()
    assert read["text"] == receipt.body and receipt.body.strip()
    assert {k: v for k, v in read.items() if k != "text"} == sent  # the list's fields
    # another ticket's mail, a received mail's id, none: not this ticket's sent mail
    received = next(m["id"] for m in listed if m["direction"] == "in")
    for mail_id in (other_receipt.id, received if received != sent["id"] else 10**6, 10**6):
        missing = world.get("dana", f"/tickets/{r.ticket_id}/mails/out/{mail_id}")
        assert missing.status_code == 404, (mail_id, missing.text)
    assert other.ticket_id != r.ticket_id
