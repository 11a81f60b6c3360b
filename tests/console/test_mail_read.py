"""`m` in the ticket view reads a received mail whole (the thread it quoted included), from
the real in-process service: cleaned of control sequences, said so offline or on an error,
for a technician on their own ticket as for a dispatcher, and on another key when remapped."""

from __future__ import annotations

from pathlib import Path

import httpx
from console.harness import notes, other_client, screen_text, settle, until
from console.mail_world import engine_of, mail_console, message, take
from console.offline import cut_in
from console.test_ticket_mails import mail_ticket, mails_text, open_view
from sqlmodel import Session, select
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from dispatch.app import DispatchApp
from dispatch.keymap import keymap_problems
from dispatch.models import InboundMail, Notification
from dispatch.screens.dialogs import ChoiceDialog
from dispatch.screens.mail_read import MailReadScreen
from dispatch.screens.ticket import TicketScreen

OTHER = "lukas.schneider"
REFUSAL = "the mail store is being restored"
TECHNICIAN = "marco.wagner"
QUOTING_REPLY = """Der Drucker geht wieder, danke!

Am 04.03.2030 um 09:12 schrieb Dispatch Support <support@provider.example>:
> Ihre Anfrage ist eingegangen.
> Ticketnummer siehe Betreff.
"""


async def reply_to(app: DispatchApp, ticket_id: int, address: str) -> None:
    """The customer answers the receipt, quoting it (as a mail program does)."""
    number = (await app.client.ticket_detail(ticket_id))["number"]
    raw = message(
        address, f"AW: [#{number}] Netzwerk im Lager", QUOTING_REPLY, key=f"reply-{ticket_id}"
    )
    taken = await take(app, raw)
    assert taken.ticket_id == ticket_id, taken


async def read_mail(pilot: Pilot[None], app: DispatchApp, key: str = "m") -> None:
    """`m`, and enter when it asks which mail: the newest received one is highlighted."""
    await pilot.press(key)
    await settle(pilot)
    if isinstance(app.screen, ChoiceDialog):
        await pilot.press("enter")
        await settle(pilot)


def store_text(app: DispatchApp, ticket_id: int, text: str) -> None:
    """Put `text` in the ticket's received mail as stored before the intake cleaned its text
    (the service refuses control characters only since; this is the console's own gate)."""
    with Session(engine_of(app)) as session:
        [mail] = session.exec(select(InboundMail).where(InboundMail.ticket_id == ticket_id)).all()
        mail.body = text
        session.add(mail)
        session.commit()


async def test_a_reply_reads_whole_with_the_thread_it_quoted(tmp_path: Path) -> None:
    async with mail_console(tmp_path) as (app, pilot):
        ticket_id, address = await mail_ticket(app)
        await reply_to(app, ticket_id, address)
        view = await open_view(app, pilot, ticket_id)
        await until(pilot, lambda: view.mails is not None, "the mails are listed")
        listed = mails_text(view)
        assert listed.count("m reads a mail whole") == 1, listed
        await pilot.press("m")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog), dialog
        options = dialog.query_one(OptionList)
        assert view.mails is not None
        assert options.option_count == len(view.mails["items"]), "every mail, received and sent"
        items = view.mails["items"]
        reply = max(i for i, m in enumerate(items) if m["direction"] == "in")
        assert items[reply]["kind"] == "reply"
        assert options.highlighted == reply, "the newest received one, the reply, is highlighted"
        # the subject as written: its `[#…]` is no markup for a colour
        region = options.region
        lines = screen_text(app).splitlines()[region.y : region.bottom]
        drawn = "\n".join(line[region.x : region.right] for line in lines)
        assert "AW: [#" in drawn, drawn
        await pilot.press("enter")
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, MailReadScreen), reader
        shown = screen_text(app)
        assert "received mail" in shown
        assert address in shown and "AW: [#" in shown and "reply" in shown
        text = str(reader.query_one("#mail-read-text", Static).content)
        assert text == QUOTING_REPLY.strip(), "the whole text, the quoted thread included"
        assert "> Ihre Anfrage ist eingegangen." in shown
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is view


async def test_a_received_mails_escapes_are_removed(
    tmp_path: Path,
) -> None:
    async with mail_console(tmp_path) as (app, pilot):
        ticket_id, address = await mail_ticket(app)
        store_text(
            app,
            ticket_id,
            "Hallo,\n\x1b]52;c;ZXZpbA==\x07Drucker\x1b[2J kaputt\n\u202eFeld\u202c Ende\x9b31m",
        )
        view = await open_view(app, pilot, ticket_id)
        await read_mail(pilot, app)
        assert isinstance(app.screen, MailReadScreen), app.screen
        text = str(app.screen.query_one("#mail-read-text", Static).content)
        assert text == "Hallo,\n]52;c;ZXZpbA==Drucker[2J kaputt\nFeld Ende31m"
        shown = screen_text(app)
        assert "Drucker[2J kaputt" in shown and address in shown
        for control in ("\x1b", "\x07", "\x9b", "\u202e", "\u202c"):
            assert control not in shown
        await pilot.press("escape")
        await settle(pilot)
        assert view.is_current, "esc closes it"


async def test_offline_it_says_so_and_opens_nothing(tmp_path: Path) -> None:
    async with mail_console(tmp_path) as (app, pilot):
        ticket_id, _address = await mail_ticket(app)
        view = await open_view(app, pilot, ticket_id)
        network = cut_in(app)
        network.offline = True  # the console does not know yet: the request finds out
        await read_mail(pilot, app)
        assert app.screen is view
        assert any("offline, reading a mail needs the service" in n for n in notes(app)), notes(app)
        app.online = False  # known offline: said without asking
        app.clear_notifications()
        await pilot.press("m")
        await settle(pilot)
        assert app.screen is view
        assert view.detail is not None
        offline = f"{view.detail['number']}: offline, reading a mail needs the service."
        assert notes(app) == [offline]


class Refusing(httpx.AsyncBaseTransport):
    """The console's way to the service, where a mail's text is answered by a problem."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "/mails/in/" in request.url.path:
            problem = {"title": "Internal Server Error", "status": 500, "detail": REFUSAL}
            headers = {"content-type": "application/problem+json"}
            return httpx.Response(500, json=problem, headers=headers)
        return await self.inner.handle_async_request(request)


async def test_an_error_of_the_service_is_said_and_opens_nothing(tmp_path: Path) -> None:
    async with mail_console(tmp_path) as (app, pilot):
        ticket_id, _address = await mail_ticket(app)
        view = await open_view(app, pilot, ticket_id)
        http = app.client._http
        http._transport = Refusing(http._transport)
        await read_mail(pilot, app)
        assert app.screen is view
        [said] = notes(app)
        assert "the service did not give the mail" in said and REFUSAL in said, said


async def test_a_ticket_without_mail_says_so(tmp_path: Path) -> None:
    async with mail_console(tmp_path) as (app, pilot):
        other = other_client(app, OTHER)
        customer_id = min(t["customer_id"] for t in app.store.tickets.values())
        ticket = await other.create_ticket(
            {
                "title": "Telefonanlage ohne Freizeichen",
                "kind": "incident",
                "source": "phone",
                "customer_id": customer_id,
                "priority": "P3",
            }
        )
        with Session(engine_of(app)) as session:  # the new-ticket notices to its contacts
            for notice in session.exec(
                select(Notification).where(Notification.ticket_id == ticket["id"])
            ):
                session.delete(notice)
            session.commit()
        view = await open_view(app, pilot, ticket["id"])
        await pilot.press("m")
        await settle(pilot)
        assert app.screen is view
        assert notes(app) == [f"{ticket['number']}: no mail yet."]


async def test_a_technician_reads_the_mail_of_their_ticket(tmp_path: Path) -> None:
    async with mail_console(tmp_path, as_user=TECHNICIAN) as (app, pilot):
        technician_id = app.me.get("technician_id")
        assert technician_id is not None
        ticket_id, address = await mail_ticket(app)
        await other_client(app, OTHER).assign(ticket_id, technician_id)
        view = await open_view(app, pilot, ticket_id)
        assert isinstance(view, TicketScreen)
        await read_mail(pilot, app)
        assert isinstance(app.screen, MailReadScreen), notes(app)
        assert address in screen_text(app)


def test_the_key_is_remappable_and_checked() -> None:
    assert keymap_problems({"ticketview.read_mail": "R"}) == []
    assert keymap_problems({"ticketview.read_mail": "a"}) == [
        'dispatch: keymap: "ticketview.read_mail" = "a" collides with "ticket.assign" (a) '
        "in the ticket view"
    ]


async def test_a_remapped_key_opens_the_mail(tmp_path: Path) -> None:
    async with mail_console(tmp_path) as (app, pilot):
        app.set_keymap({"ticketview.read_mail": "R"})
        ticket_id, address = await mail_ticket(app)
        view = await open_view(app, pilot, ticket_id)
        assert "R reads a mail whole" in mails_text(view), "the hint names the key of now"
        await pilot.press("m")
        await settle(pilot)
        assert app.screen is view, "m is R's now"
        await read_mail(pilot, app, "R")
        assert isinstance(app.screen, MailReadScreen), notes(app)
        assert address in screen_text(app)


async def test_a_sent_mail_reads_whole_as_it_went_out(tmp_path: Path) -> None:
    async with mail_console(tmp_path) as (app, pilot):
        ticket_id, address = await mail_ticket(app)
        view = await open_view(app, pilot, ticket_id)
        await until(pilot, lambda: view.mails is not None, "the mails are listed")
        assert view.mails is not None
        items = view.mails["items"]
        receipt = next(m for m in items if m["kind"] == "receipt")
        await pilot.press("m")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog), dialog
        options = dialog.query_one(OptionList)
        options.highlighted = items.index(receipt)
        await pilot.press("enter")
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, MailReadScreen), notes(app)
        shown = screen_text(app)
        assert "sent mail" in shown and "To" in shown and "Queued" in shown, shown
        assert receipt["address"] == address and address in shown
        with Session(engine_of(app)) as session:
            body = session.exec(select(Notification.body).where(Notification.id == receipt["id"]))
            stored = body.one()
        text = str(reader.query_one("#mail-read-text", Static).content)
        assert text == stored.strip() and "wurde als Ticket" in text, text
