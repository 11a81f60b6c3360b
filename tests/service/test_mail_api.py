"""The mail endpoints on both databases: unmatched mail at the desk, a ticket's mails (one
received mail with its whole text), attachment downloads."""

from __future__ import annotations

from datetime import datetime

from mail.mailshapes import message
from service.mail_world import AT, contact, take
from service.world import API, NO_SUCH_ID, PROBLEM, Json, World

from dispatch.models import InboundMail, Ticket

STRANGER = "Fremd Firma <info@fremd.example>"


def unmatched(world: World) -> int:
    r = take(world, message(sender=STRANGER, subject="Angebot für Wartung", body="Hallo " * 100))
    assert r.outcome == "unmatched"
    return r.inbound_mail_id


def test_the_desk_lists_unmatched_mail(world: World) -> None:
    first = unmatched(world)
    second = unmatched(world)
    r = world.get("dana", "/mail/unmatched")
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [m["id"] for m in items] == [second, first]  # newest first (same time: by id)
    m = items[0]
    assert (m["from_address"], m["from_name"], m["subject"]) == (
        "info@fremd.example",
        "Fremd Firma",
        "Angebot für Wartung",
    )
    assert (m["reason"], m["state"], m["ticket_id"], m["version"]) == (
        "unknown_sender",
        "open",
        None,
        1,
    )
    assert len(m["snippet"]) <= 300 and m["snippet"].startswith("Hallo Hallo")
    assert world.get("dana", "/mail/unmatched", state="discarded").json()["items"] == []
    assert len(world.get("lea", "/mail/unmatched", state="all").json()["items"]) == 2
    assert world.get("dana", "/mail/unmatched", state="bogus").status_code == 422
    refused = world.get("tina", "/mail/unmatched")
    assert refused.status_code == 403 and refused.headers["content-type"] == PROBLEM


def test_make_a_ticket_of_unmatched_mail(world: World) -> None:
    mail_id = unmatched(world)
    body = {"customer_id": world.customer_id, "priority": "P2", "kind": "request"}
    since = world.changes()["last_seq"]
    r = world.post("dana", f"/mail/unmatched/{mail_id}/ticket", body)
    assert r.status_code == 201, r.text
    t = r.json()
    assert (t["title"], t["priority"], t["kind"], t["source"]) == (
        "Angebot für Wartung",
        "P2",
        "request",
        "email",
    )
    assert t["site_id"] == world.site_id
    assert datetime.fromisoformat(t["received_at"]) == AT  # when the mail came, not now
    listed = world.get("dana", "/mail/unmatched", state="ticket").json()["items"]
    assert [(m["id"], m["ticket_id"], m["version"]) for m in listed] == [(mail_id, t["id"], 2)]
    events = [c for c in world.changes("adam", since)["changes"] if c["entity"] == "mail"]
    assert [(e["op"], e["fields"]["state"]) for e in events] == [("update", ["open", "ticket"])]
    mails = world.get("dana", f"/tickets/{t['id']}/mails").json()["items"]
    assert [(m["id"], m["kind"], m["direction"]) for m in mails] == [(mail_id, "ticket", "in")]
    again = world.post("dana", f"/mail/unmatched/{mail_id}/ticket", body)
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM
    assert (
        world.post("dana", f"/mail/unmatched/{mail_id}/discard", {"reason": "x"}).status_code == 409
    )


def test_bad_requests_change_nothing(world: World) -> None:
    mail_id = unmatched(world)
    tickets, events = world.rows(Ticket), world.event_count()
    path = f"/mail/unmatched/{mail_id}"
    for who, url, body, status in [
        ("dana", f"{path}/ticket", {"customer_id": 999_999}, 422),
        ("dana", f"{path}/ticket", {"customer_id": world.customer_id, "bogus": 1}, 422),
        ("dana", f"{path}/ticket", {"customer_id": world.customer_id, "title": "a\x1bb"}, 422),
        ("dana", f"{path}/discard", {"reason": ""}, 422),
        ("dana", "/mail/unmatched/999999/discard", {"reason": "spam"}, 404),
        ("tina", f"{path}/ticket", {"customer_id": world.customer_id}, 403),
        ("tina", f"{path}/discard", {"reason": "spam"}, 403),
    ]:
        r = world.post(who, url, body)
        assert r.status_code == status, (url, body, r.text)
    assert (world.rows(Ticket), world.event_count()) == (tickets, events)
    assert world.get("dana", "/mail/unmatched").json()["items"][0]["state"] == "open"


def test_discard_with_a_reason(world: World) -> None:
    mail_id = unmatched(world)
    r = world.post("lea", f"/mail/unmatched/{mail_id}/discard", {"reason": "Werbung"})
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["discard_reason"], r.json()["version"]) == (
        "discarded",
        "Werbung",
        2,
    )
    assert world.get("dana", "/mail/unmatched").json()["items"] == []
    again = world.post("dana", f"/mail/unmatched/{mail_id}/discard", {"reason": "again"})
    assert again.status_code == 409
    made = world.post(
        "dana", f"/mail/unmatched/{mail_id}/ticket", {"customer_id": world.customer_id}
    )
    assert made.status_code == 409


def test_an_idempotency_key_replays_the_ticket(world: World) -> None:
    mail_id = unmatched(world)
    body = {"customer_id": world.customer_id}
    first = world.post(
        "dana", f"/mail/unmatched/{mail_id}/ticket", body, **{"Idempotency-Key": "k1"}
    )
    again = world.post(
        "dana", f"/mail/unmatched/{mail_id}/ticket", body, **{"Idempotency-Key": "k1"}
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert world.rows(Ticket) == 1


def _ticket_with_attachments(world: World, assignee: str | None = None) -> tuple[int, list[Json]]:
    contact(world)
    small = ("bild.png", "image/png", b"\x89PNG\r\n\x1a\n1234")
    html = ("seite.html", "text/html", b"<script>alert(1)</script>")
    big = ("gross.zip", "application/zip", b"\x00" * (10 * 1024 * 1024 + 1))
    r = take(world, message(attachments=[small, html, big]))
    assert r.ticket_id is not None
    if assignee is not None:
        tech = world.tech_id if assignee == "tina" else world.other_tech_id
        world.post("dana", f"/tickets/{r.ticket_id}/assignment", {"technician_id": tech})
    mails = world.get("dana", f"/tickets/{r.ticket_id}/mails")
    assert mails.status_code == 200, mails.text
    [mail] = mails.json()["items"]
    return r.ticket_id, mail["attachments"]


def test_a_tickets_mails_list_the_attachments(world: World) -> None:
    ticket_id, attachments = _ticket_with_attachments(world, "tina")
    assert [(a["filename"], a["content_type"], a["kept"]) for a in attachments] == [
        ("bild.png", "image/png", True),
        ("seite.html", "text/html", True),
        ("gross.zip", "application/zip", False),
    ]
    answer = world.get("tina", f"/tickets/{ticket_id}/mails").json()
    assert answer["outgoing_enabled"] is False
    [mail] = answer["items"]
    assert (mail["direction"], mail["kind"], mail["state"], mail["address"]) == (
        "in",
        "ticket",
        "received",
        "d.lorenz@elektro-schaefer.de",
    )
    assert world.get("otto", f"/tickets/{ticket_id}/mails").status_code == 404


def test_attachments_download_only_as_files(world: World) -> None:
    _, attachments = _ticket_with_attachments(world, "tina")
    png, html, big = attachments
    r = world.client.get(f"{API}/attachments/{png['id']}", headers=world.h("tina"))
    assert r.status_code == 200 and r.content == b"\x89PNG\r\n\x1a\n1234"
    assert r.headers["content-type"] == "image/png"
    assert r.headers["content-disposition"].startswith('attachment; filename="bild.png"')
    assert r.headers["x-content-type-options"] == "nosniff"
    page = world.client.get(f"{API}/attachments/{html['id']}", headers=world.h("dana"))
    assert page.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in page.headers["content-security-policy"]
    assert world.get("dana", f"/attachments/{big['id']}").status_code == 410
    assert world.get("otto", f"/attachments/{png['id']}").status_code == 404
    assert world.get("dana", "/attachments/999999").status_code == 404


def test_unmatched_attachments_are_the_desks(world: World) -> None:
    r = take(world, message(sender=STRANGER, attachments=[("a.txt", "text/plain", b"hi")]))
    [att_id] = _attachment_ids(world, r.inbound_mail_id)
    assert world.get("dana", f"/attachments/{att_id}").status_code == 200
    assert world.get("tina", f"/attachments/{att_id}").status_code == 404


def _attachment_ids(world: World, mail_id: int) -> list[int]:
    from sqlmodel import Session, select

    from dispatch.models import MailAttachment

    with Session(world.engine) as s:
        rows = s.exec(select(MailAttachment.id).where(MailAttachment.mail_id == mail_id)).all()
        return [i for i in rows if i is not None]


def test_a_reply_shows_in_the_tickets_mails(world: World) -> None:
    contact(world)
    first = take(world, message(subject="Drucker"))
    t = world.ticket(first.ticket_id or 0)
    take(world, message(subject=f"Re: [#{t['number']}] Drucker"))
    mails = world.get("dana", f"/tickets/{t['id']}/mails").json()["items"]
    assert [m["kind"] for m in mails] == ["ticket", "reply"]
    assert world.rows(InboundMail) == 2


QUOTING_REPLY = """Der Drucker geht wieder, danke!

Am 04.03.2030 um 09:12 schrieb Dispatch Support <support@provider.example>:
> Ihre Anfrage ist eingegangen.
"""


def _received(world: World, ticket_id: int, who: str = "dana") -> list[Json]:
    items = world.get(who, f"/tickets/{ticket_id}/mails").json()["items"]
    return [m for m in items if m["direction"] == "in"]


def test_a_received_mail_reads_whole_with_the_thread_it_quoted(world: World) -> None:
    contact(world)
    first = take(world, message(subject="Drucker"))
    t = world.ticket(first.ticket_id or 0)
    take(world, message(subject=f"AW: [#{t['number']}] Drucker", body=QUOTING_REPLY))
    ticket_mail, reply = _received(world, t["id"])
    r = world.get("dana", f"/tickets/{t['id']}/mails/in/{reply['id']}")
    assert r.status_code == 200, r.text
    read = r.json()
    assert read["text"] == QUOTING_REPLY.strip()  # the comment has only the first line
    assert {k: v for k, v in read.items() if k != "text"} == reply  # the list's fields
    first_text = world.get("dana", f"/tickets/{t['id']}/mails/in/{ticket_mail['id']}").json()
    assert first_text["text"] == "Der Drucker im Lager druckt nicht."


def test_a_follow_up_tickets_mail_keeps_the_quoted_thread(world: World) -> None:
    contact(world)
    t = world.new_ticket()
    assert world.patch("dana", t, status="resolved").status_code == 200
    assert world.patch("dana", world.ticket(t["id"]), status="closed").status_code == 200
    r = take(world, message(subject=f"AW: [#{t['number']}] Drucker", body=QUOTING_REPLY))
    assert r.reason == "follow_up" and r.ticket_id is not None
    assert "Ihre Anfrage ist eingegangen" not in world.ticket(r.ticket_id)["description"]
    path = f"/tickets/{r.ticket_id}/mails/in/{r.inbound_mail_id}"
    assert world.get("dana", path).json()["text"] == QUOTING_REPLY.strip()


def test_a_mail_of_another_ticket_or_none_is_not_found(world: World) -> None:
    contact(world)
    one = take(world, message(subject="Drucker")).ticket_id or 0
    other = take(world, message(subject="VPN")).ticket_id or 0
    [theirs] = _received(world, other)
    stray = unmatched(world)
    for mail_id in (theirs["id"], stray, NO_SUCH_ID):
        r = world.get("dana", f"/tickets/{one}/mails/in/{mail_id}")
        assert r.status_code == 404 and r.headers["content-type"] == PROBLEM, mail_id
    assert world.get("dana", f"/tickets/{NO_SUCH_ID}/mails/in/{theirs['id']}").status_code == 404
    assert world.get("dana", f"/tickets/{one}/mails/in/0").status_code == 422


def test_a_received_mail_has_its_tickets_read_rule(world: World) -> None:
    ticket_id, _ = _ticket_with_attachments(world, "tina")
    [mail] = _received(world, ticket_id)
    path = f"/tickets/{ticket_id}/mails/in/{mail['id']}"
    mine = world.get("tina", path)
    assert mine.status_code == 200 and len(mine.json()["attachments"]) == 3
    for who in ("dana", "lea", "adam", "bea"):
        assert world.get(who, path).status_code == 200, who
    ticket_read = world.get("otto", f"/tickets/{ticket_id}")
    refused = world.get("otto", path)
    assert (refused.status_code, ticket_read.status_code) == (404, 404)
    assert refused.headers["content-type"] == PROBLEM
