"""A hint names the key the user's keymap binds, not the default one.

With `[keymap]` in the config file moving a binding, "ctrl+s save" or "press 5" would send
the user to a key that does nothing. Every binding a hint names is remapped here to a key
of its own, and every dialog and message that names a key is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from console.conflict import conflict_op, conflict_screen
from console.harness import console, notes, settle, until
from console.offline import new_ticket
from console.offline import select as offline_select
from console.test_desk_view import PHONE, TECHNICIAN, my_work_contact
from console.test_german import READ_MAIL, open_dialog, show
from console.test_outbox_pane import status_line
from console.tickets import fresh_ticket, select
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from dispatch.app import DispatchApp
from dispatch.client.cache import FAILED
from dispatch.screens.appointment_dialog import AppointmentDialog
from dispatch.screens.assign import AssignDialog
from dispatch.screens.comment_dialog import ContactDialog
from dispatch.screens.confirm import ConfirmDialog
from dispatch.screens.customer_pick import CustomerPick
from dispatch.screens.dialogs import ChoiceDialog, EscalateDialog, TextDialog
from dispatch.screens.edit_dialog import EditDialog
from dispatch.screens.key_names import spelled
from dispatch.screens.mail_read import MailReadScreen
from dispatch.screens.new_ticket import NewTicketDialog
from dispatch.screens.refusals import refusal_keys
from dispatch.screens.status_dialog import StatusDialog
from dispatch.screens.status_note import StatusNoteDialog
from dispatch.screens.time_dialog import TimeDialog

# every binding some hint names, each to a key of its own (none of them bound by default)
MOVED = [
    "app.queue",
    "app.escalations",
    "app.outbox",
    "confirm.yes",
    "confirm.no",
    "dialog.cancel",
    "text.save",
    "text.contact",
    "text.cancel",
    "escalate.save",
    "escalate.cancel",
    "customer.list",
    "customer.cancel",
    "new_ticket.previous_match",
    "new_ticket.next_match",
    "new_ticket.save",
    "new_ticket.cancel",
    "assign.confirm",
    "assign.mode",
    "assign.cancel",
    "note.save",
    "note.cancel",
    "appointment.save",
    "appointment.save_enter",
    "appointment.cancel",
    "choice.previous",
    "choice.next",
    "time.save",
    "time.cancel",
    "contact.cancel",
    "edit.save",
    "edit.cancel",
    "mailread.down",
    "mailread.up",
    "mailread.close",
    "conflict.theirs",
    "conflict.mine",
    "conflict.edit",
    "conflict.toggle",
    "conflict.apply",
    "conflict.cancel",
    "outbox.override",
    "outbox.dismiss",
    "ticketview.retry_mail",
    "ticketview.read_mail",
    "ticket.copy_phone",
    "ticket.status",
    "ticket.comment",
    "ticket.log_time",
    "queue.open",
]
KEYMAP = {
    binding: f"f{n}" if n <= 24 else f"ctrl+f{n - 24}" if n <= 48 else f"shift+f{n - 48}"
    for n, binding in enumerate(MOVED, 1)
}


def key(binding: str) -> str:
    return KEYMAP[binding]


def hints(app: DispatchApp) -> list[str]:
    return [str(label.render()) for label in app.screen.query(".dialog-hint").results(Label)]


def work_text(app: DispatchApp) -> str:
    return str(app.screen.query_one("#ticket-time", Static).content)


def test_a_key_is_spelled_as_the_hints_always_wrote_it() -> None:
    assert [spelled(k) for k in ("ctrl+s", "escape", "enter", "5", "question_mark", "f5")] == [
        "ctrl+s",
        "esc",
        "enter",
        "5",
        "?",
        "f5",
    ]


async def test_every_dialog_names_the_remapped_keys(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        app.set_keymap(KEYMAP)
        ticket = await fresh_ticket(app, pilot)
        await select(pilot, app, ticket)
        k = key
        choose = [f"enter choose · {k('dialog.cancel')} cancel"]
        opened: list[tuple[type[ModalScreen[Any]], str, str, list[str]]] = [
            (AssignDialog, "a", "assign.cancel", [f"enter/{k('assign.confirm')} assign · "
             f"{k('assign.mode')} on-site/remote · tab fields · {k('assign.cancel')} cancel"]),
            (ChoiceDialog, "p", "dialog.cancel", choose),
            (StatusDialog, k("ticket.status"), "dialog.cancel", choose),
            (EscalateDialog, "e", "escalate.cancel",
             [f"tab next field · {k('escalate.save')} raise · {k('escalate.cancel')} cancel"]),
            (TextDialog, k("ticket.comment"), "text.cancel", [f"{k('text.save')} save · "
             f"{k('text.contact')} customer contacted · {k('text.cancel')} cancel"]),
            (ContactDialog, "K", "contact.cancel",
             [f"enter save · {k('contact.cancel')} cancel (the text is yours to change)"]),
            (NewTicketDialog, "n", "new_ticket.cancel", [f"{k('new_ticket.previous_match')}"
             f"{k('new_ticket.next_match')} matches · enter pick · tab next field · "
             f"{k('new_ticket.save')} save · {k('new_ticket.cancel')} cancel"]),
        ]  # fmt: skip
        for kind, opener, cancel, expected in opened:
            await open_dialog(app, pilot, kind, opener)
            assert hints(app) == expected, kind
            await show(pilot, key(cancel))
            assert not isinstance(app.screen, kind), f"{key(cancel)} did not close {kind}"

        await show(pilot, key("queue.open"))  # the ticket view, and its own dialogs
        comments = str(app.screen.query_one("#ticket-comments", Static).content)
        assert f"none yet ({key('ticket.comment')} adds one)" in comments, comments
        await until(pilot, lambda: "none yet;" in work_text(app), "the logged work was read")
        assert f"none yet; {key('ticket.log_time')} logs work" in work_text(app)
        await open_dialog(app, pilot, EditDialog, "E")
        assert hints(app) == [
            f"tab next field · {key('edit.save')} save · {key('edit.cancel')} cancel"
        ]
        await show(pilot, key("edit.save"))  # nothing changed
        assert f"Nothing changed ({key('edit.cancel')} closes)." in str(
            app.screen.query_one("#error", Label).render()
        )
        await show(pilot, key("edit.cancel"))
        await open_dialog(app, pilot, TimeDialog, key("ticket.log_time"))
        assert hints(app) == [
            f"tab next field · {key('time.save')} save · {key('time.cancel')} cancel"
        ]
        await show(pilot, key("time.cancel"))
        await show(pilot, "escape", "3")
        await open_dialog(app, pilot, AppointmentDialog, "b")
        assert hints(app)[-1] == (
            f"tab next · {key('choice.previous')}/{key('choice.next')} pick · "
            f"{key('appointment.save')}/{key('appointment.save_enter')} save · "
            f"{key('appointment.cancel')} cancel"
        )
        await show(pilot, key("appointment.cancel"))

        pushed: list[tuple[ModalScreen[Any], list[str]]] = [
            (StatusNoteDialog(int(ticket["number"]), "waiting_customer"),
             [f"{key('note.save')} change status · {key('note.cancel')} cancel · empty: no note"]),
            (MailReadScreen(ticket["number"], READ_MAIL),
             [f"{key('mailread.down')}/{key('mailread.up')}/↑/↓ scroll · "
              f"{key('mailread.close')} close"]),
            (CustomerPick("For which customer?"),
             [f"type to search · {key('customer.list')}: list · enter choose · "
              f"{key('customer.cancel')} cancel"]),
            (ConfirmDialog("Delete?", yes="delete"),
             [f"{key('confirm.yes')} delete · {key('confirm.no')} cancel"]),
            (conflict_screen(conflict_op()),
             [f"{key('conflict.theirs')} keep theirs · {key('conflict.mine')} re-apply mine on "
              f"top · {key('conflict.edit')} edit field by field · {key('conflict.cancel')} "
              "decide later"]),
        ]  # fmt: skip
        for dialog, expected in pushed:
            await app.push_screen(dialog)
            await settle(pilot)
            assert hints(app) == expected, dialog
        await show(pilot, key("conflict.edit"))
        assert hints(app) == [
            f"{key('conflict.toggle')}: take mine or theirs for the field · "
            f"{key('conflict.apply')} apply · {key('conflict.cancel')} decide later"
        ]


async def test_messages_name_the_remapped_keys(tmp_path: Path) -> None:
    async with console(tmp_path, tickets=12) as (app, pilot):
        app.set_keymap(KEYMAP)
        assert refusal_keys(app) == {
            "outbox": key("app.outbox"),
            "override": key("outbox.override"),
            "dismiss": key("outbox.dismiss"),
            "no": key("confirm.no"),
        }
        ticket = await new_ticket(app, pilot, escalated=True)
        await offline_select(pilot, app, ticket["id"])
        await show(pilot, "minus")  # held at P1: the escalations' key
        assert notes(app)[-1].endswith(f"(press {key('app.escalations')})."), notes(app)
        # as if queued offline before the escalation was known: the service refuses it
        app.sync.patch_ticket(ticket, {"priority": "P2"})
        await until(pilot, lambda: bool(app.cache.ops(FAILED)), "the write was refused")
        assert notes(app)[-1].endswith(f"(press {key('app.outbox')})"), notes(app)
        assert f"1 need you (press {key('app.outbox')})" in status_line(app)
        await show(pilot, key("app.outbox"))
        await show(pilot, "enter")
        assert notes(app)[-1] == (
            f"Refused by the service: read why, then press {key('outbox.dismiss')} to dismiss it."
        )
        await show(pilot, key("outbox.dismiss"))
        assert app.cache.ops() == []
        await show(pilot, "4")  # a dispatcher has no work of her own: sent to the queue
        title = str(app.screen.query_one("#queue-title", Label).render())
        assert title.endswith(f"Press {key('app.queue')} for the queue."), title


async def test_my_work_names_the_remapped_copy_key(tmp_path: Path) -> None:
    async with console(tmp_path, as_user=TECHNICIAN, tickets=12) as (app, pilot):
        app.set_keymap(KEYMAP)
        block, _site = await my_work_contact(app, pilot)
        assert f"erika@example.de  ({key('ticket.copy_phone')} copies the phone)" in block, block
        await show(pilot, key("ticket.copy_phone"))
        assert app.clipboard == PHONE
        title = str(app.screen.query_one("#queue-title", Label).render())
        assert title.endswith(
            f"({key('ticket.status')} status · {key('ticket.comment')} comment · "
            f"{key('queue.open')} open)"
        ), title
