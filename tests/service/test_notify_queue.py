"""Notifications are rows of the transaction that causes them: intake and status changes
queue them, a refused or rolled-back write queues none; mail off queues nothing."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest
from service.notify_world import ANNA, JOHN, MailWorld, add_contacts, make_mail_world
from service.test_group_commit import _patch, in_one_batch
from service.world import MakeWorld, World
from sqlmodel import Session, col, select

from dispatch.domain import mail_ids
from dispatch.models import ChangeEvent, Comment, Notification


@pytest.fixture
def mail(make_world: MakeWorld, tmp_path: Path) -> Iterator[MailWorld]:
    yield from make_mail_world(make_world, tmp_path)


def _comment(world: World, ticket_id: int, body: str) -> None:
    r = world.post("dana", f"/tickets/{ticket_id}/comments", {"body": body})
    assert r.status_code == 201, r.text


def test_a_new_ticket_mails_the_contacts_flagged_for_it(mail: MailWorld) -> None:
    t = mail.world.new_ticket(title="Drucker im 2. OG druckt nicht")
    rows = mail.rows(t["id"])
    assert [(r.kind, r.to_address, r.language, r.state) for r in rows] == [
        ("new_ticket", ANNA, "de", "queued")
    ]
    row = rows[0]
    assert row.id is not None and row.contact_id == mail.anna
    assert row.message_id == mail_ids.message_id(row.id, t["number"], "provider.example")
    assert row.subject == f"[#{t['number']}] Neues Ticket: Drucker im 2. OG druckt nicht"
    assert "Guten Tag Anna Berger," in row.body
    assert f"  Ticket:    {t['number']}\n" in row.body and "Priorität: P3" in row.body
    # the feed says so, on the ticket, so an open ticket view lists it
    [event] = mail.world.events_of("notification", row.id)
    assert (event.op, event.ticket_id, event.fields["state"]) == (
        "create",
        t["id"],
        [None, "queued"],
    )


def test_status_changes_mail_the_contacts_flagged_for_them_in_their_language(
    mail: MailWorld,
) -> None:
    w = mail.world
    t = w.new_ticket(title="VPN bricht ab")
    t = w.patch("dana", t, status="triaged").json()
    assert len(mail.rows(t["id"])) == 1  # triaged is not mailed
    question = "Welche Version des VPN-Clients ist installiert?"
    t = w.patch("dana", t, status="waiting_customer", customer_note=question).json()
    rows = [r for r in mail.rows(t["id"]) if r.kind == "status_changed"]
    assert [(r.to_address, r.language) for r in rows] == [(ANNA, "de"), (JOHN, "en")]
    de, en = rows
    assert de.subject == f"[#{t['number']}] Rückfrage: VPN bricht ab"
    assert "Ihnen:\n\n  Welche Version des VPN-Clients ist installiert?\n" in de.body
    assert en.subject == f"[#{t['number']}] Question: VPN bricht ab"
    assert en.body.startswith("Hello John Smith,\n\nwe need an answer from you on your ticket")
    resolution = "Client neu installiert.\nDie Verbindung hält wieder."
    t = w.patch("dana", t, status="resolved", customer_note=resolution).json()
    last = mail.rows(t["id"])[-2:]
    assert [r.subject.split("]")[1] for r in last] == [
        " Gelöst: VPN bricht ab",
        " Resolved: VPN bricht ab",
    ]
    assert (
        "ist gelöst.\n\n  Client neu installiert.\n  Die Verbindung hält wieder.\n" in last[0].body
    )


def test_a_booking_mails_the_booked_time_in_berlin(mail: MailWorld) -> None:
    w = mail.world
    t = w.new_ticket()
    slot = {"start": "2030-03-06T12:00:00Z", "end": "2030-03-06T13:30:00Z"}
    r = w.post("dana", f"/tickets/{t['id']}/assignment", {"technician_id": w.tech_id, "slot": slot})
    assert r.status_code == 200, r.text
    de, en = [r for r in mail.rows(t["id"]) if r.kind == "status_changed"]
    assert "  Mittwoch, 06.03.2030, 13:00 bis 14:30 Uhr\n" in de.body
    assert "  Wednesday, 6 March 2030, 13:00 to 14:30 (Berlin time)\n" in en.body


def test_refused_writes_queue_nothing(mail: MailWorld) -> None:
    w = mail.world
    t = w.new_ticket()
    before = len(mail.rows())
    assert w.patch("dana", {**t, "version": 9}, status="resolved").status_code == 412
    assert w.patch("dana", t, status="closed").status_code == 409  # not from new
    assert w.patch("dana", t, status="resolved", priority="P9").status_code == 422
    assert w.patch("tina", t, status="resolved").status_code == 404  # not hers
    assert len(mail.rows()) == before


def test_a_write_refused_in_a_batch_leaves_only_the_others_mails(mail: MailWorld) -> None:
    """The writer runs a batch again in savepoints when one request fails: the failing
    request's mails roll back with it, the others' stay, each with its own Message-ID."""
    w = mail.world
    t = [w.new_ticket(title=f"t{i}") for i in range(3)]
    before = {r.id for r in mail.rows()}
    answers = in_one_batch(
        w,
        [
            functools.partial(_patch, w, t[0], status="resolved"),
            functools.partial(_patch, w, t[1], version=7, status="resolved"),
            functools.partial(_patch, w, t[2], status="resolved"),
        ],
    )
    assert [a.status_code for a in answers] == [200, 412, 200]
    new = [r for r in mail.rows() if r.id not in before]
    assert sorted({r.ticket_id or 0 for r in new}) == [t[0]["id"], t[2]["id"]]
    assert len(new) == 4  # Anna and John, twice
    for row in new:
        assert row.id is not None and row.message_id is not None
        assert row.message_id.startswith(f"<dispatch.{row.id}.t")
    with Session(w.engine) as s:  # every row has its event, none of the refused one
        ids = s.exec(
            select(ChangeEvent.entity_id).where(ChangeEvent.entity == "notification")
        ).all()
    assert {r.id for r in new} <= set(ids) and not set(ids) - {r.id for r in mail.rows()}


def test_the_preview_names_whom_a_status_change_would_mail(mail: MailWorld) -> None:
    w = mail.world
    t = w.assigned_ticket("tina")
    path = f"/tickets/{t['id']}/mail-preview"
    r = w.get("tina", path, status="resolved")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "outgoing_enabled": True,
        "recipients": [
            {"contact_id": mail.anna, "name": "Anna Berger", "address": ANNA},
            {"contact_id": mail.john, "name": "John Smith", "address": JOHN},
        ],
    }
    assert w.get("dana", path, status="in_progress").json()["recipients"] == []
    assert w.get("dana", path, status="bogus").status_code == 422
    assert w.get("dana", path).status_code == 422
    other = w.assigned_ticket("otto")
    assert (
        w.get("tina", f"/tickets/{other['id']}/mail-preview", status="resolved").status_code == 404
    )


def test_mail_off_queues_nothing_and_says_so(world: World) -> None:
    add_contacts(world)
    t = world.new_ticket()
    _comment(world, t["id"], "done")
    assert world.patch("dana", t, status="resolved").status_code == 200
    assert world.rows(Notification) == 0
    r = world.get("dana", f"/tickets/{t['id']}/mail-preview", status="resolved")
    assert r.json() == {"outgoing_enabled": False, "recipients": []}
    with Session(world.engine) as s:
        assert s.exec(select(Comment).order_by(col(Comment.id))).first() is not None
