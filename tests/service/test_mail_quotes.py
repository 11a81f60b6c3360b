"""A customer's reply becomes a comment (or, to a closed ticket, a follow-up ticket) of what
they wrote, not of the thread they quoted; the mail's whole text stays with its record."""

from __future__ import annotations

from mail.mailshapes import CONTACT, message
from service.mail_world import contact, mail_row, take
from service.world import Json, World
from sqlmodel import Session

from dispatch.models import Comment

QUOTED_THREAD = """Der Drucker geht wieder, danke!

Am 07.12.2026 um 09:12 schrieb Dispatch Support <support@provider.example>:
> Guten Tag Herr Lorenz,
>
> Ihre Anfrage ist eingegangen.
>
> Am 07.12.2026 um 08:12 schrieb Dirk Lorenz <d.lorenz@elektro-schaefer.de>:
>> Der Etikettendrucker im Lager druckt nicht.
"""


def _comment_of(world: World, body: str, subject: str = "AW: [#{n}] Ihre Anfrage") -> str:
    t = world.new_ticket()
    contact(world)
    r = take(world, message(subject=subject.format(n=t["number"]), body=body))
    assert (r.outcome, r.ticket_id) == ("reply", t["id"])
    with Session(world.engine) as s:
        comment = s.get(Comment, r.comment_id)
        assert comment is not None
        assert mail_row(world, r).body == body.strip()  # the whole mail is kept as it came
        return comment.body


def test_a_reply_comment_holds_only_the_new_text(world: World) -> None:
    body = _comment_of(world, QUOTED_THREAD)
    assert body.startswith(f"Mail from Dirk Lorenz <{CONTACT}>: AW: [#")
    assert body.endswith("\n\nDer Drucker geht wieder, danke!")
    assert "Ihre Anfrage ist eingegangen" not in body and "schrieb" not in body


def test_a_reply_that_is_only_a_quote_keeps_its_whole_text(world: World) -> None:
    only_quote = "> Ihre Anfrage ist eingegangen.\n> Viele Grüße"
    assert _comment_of(world, only_quote).endswith("\n\n" + only_quote)


def test_a_forward_into_the_ticket_keeps_the_mail_it_forwards(world: World) -> None:
    forwarded = (
        "Siehe unten, das schreibt der Hersteller.\n\n"
        "-----Ursprüngliche Nachricht-----\nVon: Zebra Support <support@zebra.example>\n"
        "Gesendet: Montag, 7. Dezember 2026 10:00\nBetreff: RMA 4711\n\nDer Druckkopf ist defekt."
    )
    body = _comment_of(world, forwarded, subject="WG: [#{n}] RMA 4711")
    assert body.endswith("Der Druckkopf ist defekt.")


def test_a_first_mail_is_never_cut(world: World) -> None:
    contact(world)
    text = (
        "Der Drucker druckt nicht, der Hersteller schreibt:\n\n"
        "-----Original Message-----\nFrom: Zebra <support@zebra.example>\n"
        "Sent: Monday, December 7, 2026 9:00 AM\nSubject: RMA\n\n> Druckkopf defekt\n--\nZebra"
    )
    r = take(world, message(subject="Drucker", body=text))
    assert r.outcome == "ticket"
    assert world.ticket(r.ticket_id or 0)["description"] == text


def _follow_up_of(world: World, body: str) -> tuple[Json, Json]:
    """The closed ticket a reply with `body` answers, and the follow-up ticket it made."""
    contact(world)
    t = world.new_ticket()
    assert world.patch("dana", t, status="resolved").status_code == 200
    assert world.patch("dana", world.ticket(t["id"]), status="closed").status_code == 200
    r = take(world, message(subject=f"AW: [#{t['number']}] Ihre Anfrage", body=body))
    assert (r.outcome, r.reason) == ("ticket", "follow_up")
    assert mail_row(world, r).body == body.strip()  # the whole mail is kept as it came
    return t, world.ticket(r.ticket_id or 0)


def test_a_follow_up_ticket_holds_only_the_new_text(world: World) -> None:
    old, new = _follow_up_of(world, QUOTED_THREAD)
    n = old["number"]
    assert new["description"] == (
        f"Follow-up to ticket #{n} (closed): {old['title']}\n"
        f"The thread the mail quoted is on ticket #{n}; this ticket's mails hold the whole mail."
        "\n\nDer Drucker geht wieder, danke!"
    )


def test_a_follow_up_that_is_only_a_quote_keeps_its_whole_text(world: World) -> None:
    only_quote = "> Ihre Anfrage ist eingegangen.\n> Viele Grüße"
    old, new = _follow_up_of(world, only_quote)
    assert new["description"] == (
        f"Follow-up to ticket #{old['number']} (closed): {old['title']}\n\n{only_quote}"
    )
