"""A status change carries the words for the customer (PATCH `customer_note`): the status
mail quotes exactly them, never another comment; they are kept as a customer-contact comment
of the caller, with its event, and count as the first response."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from service.notify_world import MailWorld, make_mail_world
from service.world import MakeWorld
from sqlmodel import Session, col, select

from dispatch.models import Comment, Notification, User

SECRET = "Kunde nervt, extra abrechnen"


@pytest.fixture
def mail(make_world: MakeWorld, tmp_path: Path) -> Iterator[MailWorld]:
    yield from make_mail_world(make_world, tmp_path)


def _comments(mail: MailWorld, ticket_id: int) -> list[Comment]:
    with Session(mail.world.engine) as s:
        stmt = select(Comment).where(Comment.ticket_id == ticket_id).order_by(col(Comment.id))
        return list(s.exec(stmt).all())


def _internal(mail: MailWorld, ticket_id: int) -> None:
    r = mail.world.post("dana", f"/tickets/{ticket_id}/comments", {"body": SECRET})
    assert r.status_code == 201, r.text


def _status_mails(mail: MailWorld, ticket_id: int) -> list[Notification]:
    return [r for r in mail.rows(ticket_id) if r.kind == "status_changed"]


def test_an_internal_note_is_never_mailed_the_customer_note_is(mail: MailWorld) -> None:
    w = mail.world
    t = w.patch("dana", w.new_ticket(), status="triaged").json()
    _internal(mail, t["id"])
    t = w.patch("dana", t, status="waiting_customer").json()  # no note: a neutral sentence
    _internal(mail, t["id"])
    r = w.patch("dana", t, status="in_progress")
    _internal(mail, t["id"])
    t = w.patch("dana", r.json(), status="resolved", customer_note="Toner getauscht.")
    assert t.status_code == 200, t.text
    rows = mail.rows(t.json()["id"])
    assert rows and all(SECRET not in row.body and SECRET not in row.subject for row in rows)
    waiting = [r for r in _status_mails(mail, t.json()["id"]) if "Rückfrage" in r.subject]
    assert "(Wir melden uns dazu telefonisch.)" in waiting[0].body
    de, en = _status_mails(mail, t.json()["id"])[-2:]
    assert "ist gelöst.\n\n  Toner getauscht.\n" in de.body
    assert "is resolved.\n\n  Toner getauscht.\n" in en.body


def test_the_note_is_a_customer_contact_comment_and_the_first_response(
    mail: MailWorld,
) -> None:
    w = mail.world
    t = w.patch("dana", w.new_ticket(), status="triaged").json()
    assert t["responded_at"] is None
    r = w.patch("dana", t, status="waiting_customer", customer_note="Welches Modell?\n\tDanke")
    assert r.status_code == 200, r.text
    changed = r.json()
    assert changed["status"] == "waiting_customer" and changed["responded_at"] is not None
    [note] = _comments(mail, t["id"])
    assert (note.kind, note.body) == ("customer_contact", "Welches Modell?\n\tDanke")
    with Session(w.engine) as s:
        assert s.exec(select(User.name).where(User.id == note.author_id)).one() == "dana"
    [event] = w.events_of("comment", note.id or 0)
    assert event.op == "create" and event.ticket_id == t["id"]
    assert event.fields["kind"] == [None, "customer_contact"]
    [ticket_event] = [e for e in w.events_of("ticket", t["id"]) if e.version == changed["version"]]
    assert set(ticket_event.fields) >= {"status", "responded_at"}
    assert "customer_note" not in ticket_event.fields
    detail = w.ticket(t["id"])
    assert "customer_note" not in detail
    assert [c["kind"] for c in detail["comments"]] == ["customer_contact"]
    # a later note is no first response again
    answer = w.patch("dana", changed, status="resolved", customer_note="Erledigt.").json()
    assert answer["responded_at"] == changed["responded_at"]


def test_a_technician_sends_the_note_with_a_status_change_of_their_own(
    mail: MailWorld,
) -> None:
    w = mail.world
    t = w.assigned_ticket("tina")
    t = w.patch("tina", t, status="in_progress").json()
    r = w.patch("tina", t, status="resolved", customer_note="Netzteil getauscht.")
    assert r.status_code == 200, r.text
    [note] = _comments(mail, t["id"])
    assert note.kind == "customer_contact" and note.body == "Netzteil getauscht."
    assert "Netzteil getauscht." in _status_mails(mail, t["id"])[-1].body


@pytest.mark.parametrize(
    ("changes", "status_code", "field"),
    [
        ({"customer_note": "Frage?"}, 422, "customer_note"),
        ({"status": "in_progress", "customer_note": "Frage?"}, 422, "customer_note"),
        ({"status": None, "customer_note": "Frage?"}, 422, "customer_note"),
        ({"status": "resolved", "customer_note": ""}, 422, "customer_note"),
        ({"status": "resolved", "customer_note": " \n "}, 422, "customer_note"),
        ({"status": "resolved", "customer_note": "x" * 4001}, 422, "customer_note"),
        ({"status": "resolved", "customer_note": "a\x1b]52;c;Zm9v\x07"}, 422, "customer_note"),
        ({"status": "triaged", "customer_note": "Frage?"}, 422, "customer_note"),
        ({"status": "waiting_customer", "customer_note": "Frage?"}, 409, None),
        ({"title": "neu", "customer_note": "Frage?"}, 422, "customer_note"),
    ],
)
def test_a_note_that_cannot_go_changes_nothing(
    mail: MailWorld, changes: dict[str, object], status_code: int, field: str | None
) -> None:
    w = mail.world
    t = w.patch("dana", w.new_ticket(), status="triaged").json()
    t = w.patch("dana", t, status="in_progress").json()
    t = w.patch("dana", t, status="waiting_customer").json()
    mails, events = len(mail.rows()), w.event_count()
    r = w.patch("dana", t, **changes)
    assert r.status_code == status_code, r.text
    if field is not None:
        assert field in r.text
    assert (len(mail.rows()), w.event_count()) == (mails, events)
    assert _comments(mail, t["id"]) == []
    assert w.ticket(t["id"])["version"] == t["version"]


def test_a_stale_change_keeps_no_note(mail: MailWorld) -> None:
    w = mail.world
    t = w.patch("dana", w.new_ticket(), status="triaged").json()
    r = w.patch("dana", {**t, "version": t["version"] - 1}, status="resolved", customer_note="x")
    assert r.status_code == 412
    assert _comments(mail, t["id"]) == [] and _status_mails(mail, t["id"]) == []
