"""The ticket view's mails (received and sent, their states, attachments, "mail is off"),
read again live when a notification of the ticket is queued; `M` sends a failed notification
again through the outbox; the status dialog names who a change would mail."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from console.harness import other_client, settle, until
from console.mail_world import (
    contact_with_mail,
    engine_of,
    fail_notifications,
    mail_console,
    message,
    take,
)
from console.offline import cut_in
from rich.console import Console
from sqlmodel import Session, col, select
from textual.widgets import OptionList, Static

from dispatch.app import DispatchApp
from dispatch.models.event import ChangeEvent
from dispatch.screens.dialogs import ChoiceDialog
from dispatch.screens.status_dialog import StatusDialog
from dispatch.screens.ticket import TicketScreen

OTHER = "lukas.schneider"
SMTP_REFUSAL = "550 5.1.1 <x@kunde.example>: no such user"


def mails_text(view: TicketScreen) -> str:
    out = Console(width=240, record=True, file=io.StringIO())
    out.print(view.query_one("#ticket-mails", Static).content)
    return out.export_text()


async def open_view(app: DispatchApp, pilot: Any, ticket_id: int) -> TicketScreen:
    await app.reload_and_publish(ticket_id)
    await settle(pilot)
    view = TicketScreen(ticket_id)
    await app.push_screen(view)
    await settle(pilot)
    await until(pilot, lambda: view.mails_problem is None, "the mails are read")
    return view


async def mail_ticket(app: DispatchApp, **flags: bool) -> tuple[int, str]:
    """A ticket a contact's mail made (with an attachment); its id and the contact's address."""
    contact = contact_with_mail(app, **flags)
    assert contact.email is not None
    raw = message(
        contact.email,
        "Netzwerk im Lager ausgefallen",
        key=f"contact-{contact.id}",
        attachment=("bericht.pdf", b"%PDF-1.4\n" + b"x" * 2048),
    )
    taken = await take(app, raw)
    assert taken.outcome == "ticket" and taken.ticket_id is not None
    return taken.ticket_id, contact.email


async def test_the_view_lists_the_mail_received_and_the_receipt_sent(tmp_path: Path) -> None:
    async with mail_console(tmp_path) as (app, pilot):
        ticket_id, address = await mail_ticket(app)
        view = await open_view(app, pilot, ticket_id)
        text = mails_text(view)
        assert "Mails" in text
        lines = text.splitlines()
        first = next(i for i, line in enumerate(lines) if "←" in line)
        assert "received · new ticket" in lines[first]
        assert lines[first + 1].strip() == f"{address}: Netzwerk im Lager ausgefallen"
        assert lines[first + 2].strip() == "attachment: bericht.pdf, 2 KB"
        # the receipt to the sender (and the "new ticket" notice to the contacts asking for it)
        receipt = next(i for i, line in enumerate(lines) if "→" in line and "receipt" in line)
        assert any(word in lines[receipt] for word in ("queued", "sent", "FAILED"))
        assert lines[receipt + 1].strip().startswith(f"{address}: [#")
        assert "mail is off" not in text


async def test_mail_off_is_said_in_the_view(tmp_path: Path) -> None:
    async with mail_console(tmp_path, mail_on=False) as (app, pilot):
        ticket_id, _ = await mail_ticket(app)
        view = await open_view(app, pilot, ticket_id)
        text = mails_text(view)
        assert "mail is off" in text
        assert "←" in text and "→" not in text, "received, and nothing queued to go out"


async def test_a_failed_mail_shows_why_and_M_sends_it_again(tmp_path: Path) -> None:
    async with mail_console(tmp_path) as (app, pilot):
        ticket_id, address = await mail_ticket(app)
        failed_ids = fail_notifications(app, ticket_id, SMTP_REFUSAL)
        assert failed_ids
        view = await open_view(app, pilot, ticket_id)
        text = mails_text(view)
        assert text.count("FAILED (3 tries)") == len(failed_ids)
        assert text.count(SMTP_REFUSAL) == len(failed_ids)
        assert "M sends it again" in text
        assert view.check_action("retry_mail", ()) is True
        await pilot.press("M")
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        options = dialog.query_one(OptionList)
        # every failed mail is offered by its address (the sender's receipt among them; the
        # order among mails of the same moment is not the point here)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any(address in p for p in prompts), prompts
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is view
        assert not app.sync.ops() and not app.sync.attention()
        with Session(engine_of(app)) as session:
            events = session.exec(
                select(ChangeEvent)
                .where(ChangeEvent.entity == "notification")
                .where(col(ChangeEvent.entity_id).in_(failed_ids))
                .where(ChangeEvent.op == "update")
            ).all()
        assert any(e.fields.get("state", [None])[0] == "failed" for e in events)
        await until(
            pilot,
            lambda: mails_text(view).count(SMTP_REFUSAL) == len(failed_ids) - 1,
            "the view reads the mails again: that one is no longer failed",
        )


async def test_technicians_read_the_mails_but_get_no_retry(tmp_path: Path) -> None:
    async with mail_console(tmp_path) as (app, pilot):
        ticket_id, _ = await mail_ticket(app)
        fail_notifications(app, ticket_id, SMTP_REFUSAL)
        view = await open_view(app, pilot, ticket_id)
        assert view.check_action("retry_mail", ()) is True
        app.role = "technician"  # the same view for a technician (whose ticket it is)
        assert view.check_action("retry_mail", ()) is False
        view.render_mails()
        assert "M sends it again" not in mails_text(view)


async def test_a_notice_queued_by_someone_elses_change_shows_at_once(tmp_path: Path) -> None:
    async with mail_console(tmp_path) as (app, pilot):
        contact = contact_with_mail(app, notify_status=True)
        other = other_client(app, OTHER)
        ticket = await other.create_ticket(
            {
                "title": "Telefonanlage ohne Freizeichen",
                "kind": "incident",
                "source": "phone",
                "customer_id": contact.customer_id,
                "contact_id": contact.id,
                "priority": "P3",
            }
        )
        view = await open_view(app, pilot, ticket["id"])
        before = mails_text(view).count("→")
        ticket = await other.patch_ticket(ticket["id"], {"status": "triaged"}, ticket["version"])
        await other.patch_ticket(ticket["id"], {"status": "waiting_customer"}, ticket["version"])
        await until(pilot, lambda: "status notice" in mails_text(view), "the notice is listed live")
        assert mails_text(view).count("→") > before


async def test_the_status_dialog_names_who_is_mailed(tmp_path: Path) -> None:
    async with mail_console(tmp_path) as (app, pilot):
        contact = contact_with_mail(app, notify_status=True)
        other = other_client(app, OTHER)
        ticket = await other.create_ticket(
            {
                "title": "Kassensystem startet nicht",
                "kind": "incident",
                "source": "phone",
                "customer_id": contact.customer_id,
                "contact_id": contact.id,
                "priority": "P3",
            }
        )
        ticket = await other.patch_ticket(ticket["id"], {"status": "triaged"}, ticket["version"])
        await open_view(app, pilot, ticket["id"])
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, StatusDialog)
        statuses = [value for value, _ in dialog.options]
        options = dialog.query_one(OptionList)
        options.highlighted = statuses.index("waiting_customer")
        await settle(pilot)
        line = str(dialog.query_one("#mail-preview").render())
        assert line.startswith("Mails: ") and str(contact.email) in line
        options.highlighted = statuses.index("in_progress")
        await settle(pilot)
        assert str(dialog.query_one("#mail-preview").render()) == "Mail: nobody is mailed"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)

        network = cut_in(app)
        network.offline = True
        app.online = False
        await pilot.press("s")
        offline_dialog = app.screen
        assert isinstance(offline_dialog, StatusDialog)
        await settle(pilot)
        assert str(offline_dialog.query_one("#mail-preview").render()) == (
            "Mail: recipients unknown offline"
        )
