"""Every pane and dialog in German, at 80x24 and 120x40: no English word of the console's own
labels is left on the screen, each shows its German words, and each still works (the
footer keeps `?` and the panes, dialogs are centred with every field reachable)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from console.conflict import conflict_op, conflict_screen
from console.german import in_german
from console.harness import console, screen_text, settle, until
from console.test_small_terminal import assert_usable, footer_keys
from console.tickets import fresh_ticket, select
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.screen import ModalScreen

from dispatch.app import DispatchApp
from dispatch.client.shapes import MailTextShape
from dispatch.i18n import _
from dispatch.screens.appointment_dialog import AppointmentDialog
from dispatch.screens.assign import AssignDialog
from dispatch.screens.comment_dialog import ContactDialog
from dispatch.screens.confirm import ConfirmDialog
from dispatch.screens.customer_pick import CustomerPick
from dispatch.screens.dialogs import ChoiceDialog, EscalateDialog, TextDialog
from dispatch.screens.edit_dialog import EditDialog
from dispatch.screens.help import HelpScreen
from dispatch.screens.mail_read import MailReadScreen
from dispatch.screens.new_ticket import NewTicketDialog
from dispatch.screens.status_dialog import StatusDialog
from dispatch.screens.status_note import StatusNoteDialog
from dispatch.screens.ticket import TicketScreen
from dispatch.screens.time_dialog import TimeDialog

# a received mail as `GET /tickets/{id}/mails/in/{mail_id}` answers (the walk has no mail)
READ_MAIL: MailTextShape = {
    "id": 1,
    "direction": "in",
    "state": "received",
    "kind": "reply",
    "at": "2026-12-07T08:14:00+00:00",
    "address": "anna@kunde.example",
    "name": "Anna Kunde",
    "subject": "AW: Drucker",
    "attachments": [{"id": 1, "filename": "foto.jpg", "size": 2048, "kept": True}],
    "text": "Geht wieder, danke!\n\n> Ihre Anfrage ist eingegangen.\n" * 12,
}
SIZES = [(80, 24), (120, 40)]
IDS = ["80x24", "120x40"]

# The English console's own labels, none of them also a German word ("Status", "Filter",
# "Ticket" and "Mail" are both). Whole words and case-sensitive: the demo data and the
# display layer's words (lower-case field names, "P1 critical") are not the console's.
ENGLISH = [
    *[
        "Queue",
        "Calendar",
        "Escalations",
        "Escalation",
        "Outbox",
        "Comment",
        "Comments",
        "Assign",
        "Assignee",
        "Priority",
        "Help",
        "Cancel",
        "Save",
        "Refresh",
        "Quit",
        "Customer",
        "Title",
        "Subject",
        "Received",
        "Acknowledge",
        "Resolve",
        "Book",
        "Delete",
        "Loading",
        "Unassigned",
        "Escalate",
        "Panes",
        "Keys",
        "Close",
        "Edit",
        "Back",
        "Yes",
        "Mine",
        "History",
        "Contact",
        "Site",
        "Tags",
        "Booked",
        "Hours",
        "Responded",
        "Owner",
        "Discard",
        "Later",
        "Decide",
    ],
    *("My work", "Next week", "Open ticket", "Copy phone", "New ticket", "Raised by"),
    # the SLA clock's words (display/clock.py) and the command palette's (screens/palette.py)
    *("BREACH", "paused", "done", "No matches found"),
]
ENGLISH_WORD = re.compile(r"\b(" + "|".join(map(re.escape, ENGLISH)) + r")\b")


def assert_german(app: DispatchApp, *words: str, seen: str = "") -> None:
    """No English label on the screen, and the German `words` are (the catalog is in use);
    `seen` is what the screen showed before (a dialog scrolled since)."""
    text = screen_text(app)
    left = sorted(set(ENGLISH_WORD.findall(text)))
    assert not left, f"English left on {app.screen!r}: {left}\n{text}"
    for word in words:
        assert word in seen + text, f"{word!r} not on {app.screen!r}:\n{seen}\n{text}"


@pytest.fixture
def deutsch() -> Iterator[None]:
    with in_german():
        yield


async def show(pilot: Pilot[None], *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)
    await pilot.pause()


PANES = {
    "1": "Warteschlange",
    "2": "Eskalationen",
    "3": "Kalender",
    "4": "Meine Arbeit",
    "5": "Postausgang",
    "6": "Nicht zugeordnete Mails",
}


@pytest.mark.usefixtures("deutsch")
@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_every_pane_in_german(tmp_path: Path, size: tuple[int, int]) -> None:
    async with console(tmp_path, size=size) as (app, pilot):
        for key, title in PANES.items():
            await show(pilot, key)
            assert_german(app, title)
            if key == "1":  # the demo's breached tickets come first; the word whole at 80x24
                assert_german(app, "VERLETZT")
                assert "VERLETZ…" not in screen_text(app)
            keys = footer_keys(app.screen)
            assert "?" in keys, (key, keys)
            assert "1-6" in keys or {"1", "2", "3", "4", "5", "6"} <= set(keys), (key, keys)
        await show(pilot, "1")
        await show(pilot, "enter")
        assert isinstance(app.screen, TicketScreen)
        assert_german(app, "Priorität", "Kunde", "Eingang")
        assert "esc" in footer_keys(app.screen)


@pytest.mark.usefixtures("deutsch")
@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_a_technicians_work_in_german(tmp_path: Path, size: tuple[int, int]) -> None:
    async with console(tmp_path, size=size, as_user="marco.wagner") as (app, pilot):
        await settle(pilot)
        assert_german(app, "Meine Arbeit", "Mein Kalender")
        assert {"?", "s", "c"} <= set(footer_keys(app.screen))


async def open_dialog(
    app: DispatchApp, pilot: Pilot[None], kind: type[ModalScreen[Any]], *keys: str
) -> ModalScreen[Any]:
    await show(pilot, *keys)
    assert isinstance(app.screen, kind), f"{keys} opened {app.screen!r}"
    return app.screen


async def check_dialog(app: DispatchApp, pilot: Pilot[None], *words: str) -> None:
    """German at the top and, scrolled to its end, at the bottom; and usable."""
    dialog = app.screen
    try:
        assert_german(app)
        top = screen_text(app)
        await assert_usable(dialog, pilot)  # which scrolls to the last line
        assert_german(app, *words, seen=top)
    except AssertionError as exc:
        raise AssertionError(f"{dialog!r}: {exc}") from exc
    await show(pilot, "escape")


@pytest.mark.usefixtures("deutsch")
@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_every_dialog_in_german(tmp_path: Path, size: tuple[int, int]) -> None:
    async with console(tmp_path, size=size) as (app, pilot):
        ticket = await fresh_ticket(app, pilot)
        await select(pilot, app, ticket)
        number = str(ticket["number"])
        await open_dialog(app, pilot, AssignDialog, "a")
        await check_dialog(app, pilot, f"{number} zuweisen", "esc abbrechen")
        await open_dialog(app, pilot, ChoiceDialog, "p")
        await check_dialog(app, pilot, f"Priorität von {number}", "Enter wählen")
        await open_dialog(app, pilot, StatusDialog, "s")
        await check_dialog(app, pilot, f"{number} ist", "als Nächstes")
        await open_dialog(app, pilot, EscalateDialog, "e")
        await check_dialog(app, pilot, "Eskalieren: warum?", "Stufe 1: Teamleitung")
        await open_dialog(app, pilot, TextDialog, "c")
        await check_dialog(app, pilot, f"Kommentar zu {number}", "speichern")
        await open_dialog(app, pilot, ContactDialog, "K")
        await check_dialog(app, pilot, "Kunde kontaktiert")
        await open_dialog(app, pilot, NewTicketDialog, "n")
        await check_dialog(app, pilot, "Neues Ticket", "Kunde: Name")
        await open_dialog(app, pilot, HelpScreen, "question_mark")
        await check_dialog(app, pilot, "Tasten", "Zuweisen", "Befehlspalette")
        # the ticket view's own dialogs, and its keys (`m` reads a received mail)
        await show(pilot, "enter")
        await open_dialog(app, pilot, EditDialog, "E")
        await check_dialog(app, pilot, f"{number} bearbeiten", "ctrl+s speichern")
        await open_dialog(app, pilot, HelpScreen, "question_mark")
        await check_dialog(app, pilot, "Mail lesen", "ticketview.read_mail")
        await show(pilot, "escape")
        # the calendar's
        await show(pilot, "3")
        await open_dialog(app, pilot, AppointmentDialog, "b")
        await check_dialog(app, pilot, "buchen", "Datum", "Dauer")
        # the ones a flow reaches only with the service's or another console's help
        for dialog, words in (
            (conflict_screen(conflict_op()), ("Konflikt", "deren (jetzt)")),
            (StatusNoteDialog(int(number), "waiting_customer"), ("Frage an den Kunden",)),
            (MailReadScreen(number, READ_MAIL), ("empfangene Mail", "Von", "Betreff")),
            (CustomerPick(_("Make a ticket of this mail: for which customer?")), ("Kunde",)),
            (
                ConfirmDialog(
                    _("Delete this entry of {name} on {day}?").format(
                        name="Marco Wagner", day="Mo 07.12."
                    ),
                    yes=_("delete"),
                ),
                ("löschen", "n/esc abbrechen"),
            ),
        ):
            await app.push_screen(dialog)
            await settle(pilot)
            await check_dialog(app, pilot, *words)


@pytest.mark.usefixtures("deutsch")
async def test_the_work_dialogs_names_keep_a_space_before_their_values(tmp_path: Path) -> None:
    """ "Abrechnung" filled the names' 10 cells and touched "abrechenbar" at 80x24."""
    async with console(tmp_path, size=(80, 24)) as (app, pilot):
        await show(pilot, "enter")
        await open_dialog(app, pilot, TimeDialog, "t")
        text = screen_text(app)
        assert re.search(r"Abrechnung +\S", text), text
        assert not re.search(r"Abrechnung\S", text), text
        await check_dialog(app, pilot, "Abrechnung", "Dauer")


@pytest.mark.usefixtures("deutsch")
async def test_the_palette_finds_nothing_in_german(tmp_path: Path) -> None:
    async with console(tmp_path, size=(80, 24)) as (app, pilot):
        await show(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"xqzvkjw")

        def none_found() -> bool:
            found = app.screen.query(CommandList)
            return bool(found) and found.first().option_count == 1 and "Keine" in screen_text(app)

        await until(pilot, none_found, "the palette's no-matches line")
        assert_german(app, "Keine Treffer")


async def test_english_is_the_default(tmp_path: Path) -> None:
    """Without a language set the console speaks English: the labels above are its own."""
    async with console(tmp_path, size=(120, 40)) as (app, _pilot):
        text = screen_text(app)
        # the pane's title, not the whole screen: a German demo title may hold
        # "Exchange-Warteschlange" on the day the demo puts it among the first rows
        title = text.lstrip().splitlines()[0]
        assert title.startswith("Queue ·") and "Warteschlange" not in title, title
        assert ENGLISH_WORD.search(text)


def test_every_german_text_keeps_the_placeholders_of_its_english() -> None:
    """A translation that drops or renames `{number}` would raise KeyError where it is shown;
    every catalog of the language is read (the screens', the display layer's, money's)."""
    from babel.messages.pofile import read_po

    from dispatch.i18n import LOCALE_DIR

    fields = re.compile(r"\{[^{}]*\}")
    seen = 0
    for path in sorted((LOCALE_DIR / "de" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po:
            catalog = read_po(po)
        for message in catalog:
            if not message.id or not message.string:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            texts = message.string if isinstance(message.string, tuple) else (message.string,)
            english = str(ids[-1])
            for german in map(str, texts):
                seen += 1
                # the day's shape too: which month it writes is a message of its own
                wanted = set(fields.findall(english))
                assert set(fields.findall(german)) == wanted, (path.name, english, german)
                # gettext keeps the shape: a text that starts or ends a line does so in German
                assert english.startswith("\n") == german.startswith("\n"), english
                assert english.endswith("\n") == german.endswith("\n"), english
    assert seen > 900, "every catalog is read"
