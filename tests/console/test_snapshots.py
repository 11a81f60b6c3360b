"""Screenshots of the console (pytest-textual-snapshot) on a frozen clock and fixed demo data.

The demo data and every countdown are relative to "now", so each test seeds the demo with a
fixed `now` and replaces the clock the console reads (each `dispatch` module's `datetime`, the
service's `utcnow`) and the local time zone. The feed follower is off: nothing changes while the
picture is taken. Update the baselines with `--snapshot-update` after a deliberate change.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, cast

import pytest
from console.conflict import conflict_op, conflict_screen
from console.demo_db import demo_copy
from console.harness import settle, until
from textual.pilot import Pilot

import dispatch.client
import dispatch.domain
import dispatch.screens
import dispatch.screens.assign
import dispatch.screens.calendar
import dispatch.screens.escalations
import dispatch.screens.mywork
import dispatch.screens.queue
import dispatch.screens.ticket
import dispatch.screens.unmatched
import dispatch.server.http.app
import dispatch.widgets
from dispatch.app import DispatchApp
from dispatch.client.shapes import MeShape
from dispatch.console import client_factory
from dispatch.models.base import utcnow
from dispatch.screens.assign import AssignDialog
from dispatch.screens.queue import QueueScreen
from dispatch.screens.ticket import TicketScreen

# A Wednesday morning in Berlin, in business hours (CET, so 10:30 local).
FIXED = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
SnapCompare = Callable[..., bool]
_REAL_DATETIME = datetime
_REAL_UTCNOW = utcnow
CONSOLE_MODULES = (
    "dispatch.app",
    "dispatch.screens.",
    "dispatch.widgets.",
    "dispatch.client.",
    "dispatch.domain.",
)


class FrozenDatetime(datetime):
    """`datetime` whose `now()` is always FIXED (naive local time when no zone is given)."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> FrozenDatetime:
        moment = FIXED.astimezone(tz)  # tz None: the local zone (TZ is fixed below)
        return cls(
            moment.year,
            moment.month,
            moment.day,
            moment.hour,
            moment.minute,
            moment.second,
            tzinfo=moment.tzinfo if tz is not None else None,
        )


def _frozen_utcnow() -> datetime:
    return FIXED


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Freeze the clock of every loaded `dispatch` module and fix the local time zone."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    # Dialogs are imported when they open (the first frame needs none of them): a module loaded
    # after this point would read the real clock (the work dialog's start did), so every
    # console module is loaded first and patched with the rest.
    for package in (dispatch.screens, dispatch.widgets, dispatch.client, dispatch.domain):
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            importlib.import_module(info.name)
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith("dispatch."):
            continue
        # the console's modules read the clock through `datetime.now` (models are left alone)
        if name.startswith(CONSOLE_MODULES) and getattr(module, "datetime", None) is _REAL_DATETIME:
            monkeypatch.setattr(module, "datetime", FrozenDatetime)
        # the service reads it through `utcnow`, imported by name into each module
        if getattr(module, "utcnow", None) is _REAL_UTCNOW:
            monkeypatch.setattr(module, "utcnow", _frozen_utcnow)
    yield
    monkeypatch.undo()
    time.tzset()


def build_app(tmp_path: Path, user: str = "anna.becker") -> DispatchApp:
    """A console on a fresh demo database seeded at FIXED (the same data every run)."""
    settings, tokens = demo_copy(tmp_path, tickets=60, seed=7, now=FIXED)
    factory = client_factory(settings, tokens[user])

    async def whoami() -> MeShape:
        async with factory() as probe:
            return cast("MeShape", await probe.me())  # the factory's client is untyped here

    me = asyncio.run(whoami())
    return DispatchApp(
        settings=settings,
        client_factory=factory,
        me=me,
        server_label="snapshot",
        follow_feed=False,
    )


async def ready(pilot: Pilot[None]) -> None:
    await settle(pilot)
    assert isinstance(pilot.app.screen, QueueScreen)  # my work is a kind of queue


def first_number(app: DispatchApp, **fields: Any) -> int:
    """The lowest open ticket number with `fields` (the same ticket every run)."""
    numbers = [
        t["number"]
        for t in app.store.tickets.values()
        if t["status"] not in ("resolved", "closed")
        and all(t.get(k) == v for k, v in fields.items())
    ]
    assert numbers
    return int(min(numbers))


async def select_number(pilot: Pilot[None], number: int) -> None:
    app = pilot.app
    assert isinstance(app, DispatchApp)
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    key = next(t["id"] for t in app.store.tickets.values() if t["number"] == number)
    screen.table.move_cursor_to_key(key)
    await pilot.pause()


@pytest.mark.usefixtures("frozen_clock")
def test_queue_120x40(snap_compare: SnapCompare, tmp_path: Path) -> None:
    assert snap_compare(build_app(tmp_path), terminal_size=(120, 40), run_before=ready)


@pytest.mark.usefixtures("frozen_clock")
def test_queue_80x24(snap_compare: SnapCompare, tmp_path: Path) -> None:
    assert snap_compare(build_app(tmp_path), terminal_size=(80, 24), run_before=ready)


@pytest.mark.usefixtures("frozen_clock")
def test_queue_filtered_unassigned(snap_compare: SnapCompare, tmp_path: Path) -> None:
    async def unassigned(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("u")
        await settle(pilot)

    assert snap_compare(build_app(tmp_path), terminal_size=(120, 40), run_before=unassigned)


@pytest.mark.usefixtures("frozen_clock")
def test_ticket_view(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = build_app(tmp_path)

    async def open_ticket(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await select_number(pilot, first_number(app, escalated=True))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)

    assert snap_compare(app, terminal_size=(120, 40), run_before=open_ticket)


@pytest.mark.usefixtures("frozen_clock")
def test_assign_dialog(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = build_app(tmp_path)

    async def open_assign(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await select_number(pilot, first_number(app, assignee_id=None))
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AssignDialog)

    assert snap_compare(app, terminal_size=(120, 40), run_before=open_assign)


@pytest.mark.usefixtures("frozen_clock")
def test_help(snap_compare: SnapCompare, tmp_path: Path) -> None:
    async def open_help(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(build_app(tmp_path), terminal_size=(120, 40), run_before=open_help)


@pytest.mark.usefixtures("frozen_clock")
def test_technician_my_work(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = build_app(tmp_path, user="marco.wagner")
    assert snap_compare(app, terminal_size=(120, 40), run_before=_my_work)


@pytest.mark.usefixtures("frozen_clock")
def test_escalations_pane(snap_compare: SnapCompare, tmp_path: Path) -> None:
    async def escalations(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(pilot.app.screen, dispatch.screens.escalations.EscalationsScreen)

    assert snap_compare(build_app(tmp_path), terminal_size=(120, 40), run_before=escalations)


@pytest.mark.usefixtures("frozen_clock")
def test_calendar_pane(snap_compare: SnapCompare, tmp_path: Path) -> None:
    async def calendar(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(pilot.app.screen, dispatch.screens.calendar.CalendarScreen)

    assert snap_compare(build_app(tmp_path), terminal_size=(120, 40), run_before=calendar)


# Every pane and every dialog at both sizes a person uses ------------------------------


async def _key_on_ticket(pilot: Pilot[None], key: str, **fields: Any) -> None:
    await ready(pilot)
    app = pilot.app
    assert isinstance(app, DispatchApp)
    await select_number(pilot, first_number(app, **fields))
    await pilot.press(key)
    await settle(pilot)


async def _pane(pilot: Pilot[None], key: str) -> None:
    await ready(pilot)
    await pilot.press(key)
    await settle(pilot)


async def _push(pilot: Pilot[None], screen: Any) -> None:
    await ready(pilot)
    await pilot.app.push_screen(screen)
    await settle(pilot)


def _confirm() -> Any:
    from dispatch.screens.confirm import ConfirmDialog

    return ConfirmDialog(
        "Resolve 100003: this frees 1 booked slot still ahead:",
        "Wed 25 Nov 13:00 Marco Wagner",
        yes="resolve",
    )


VIEWS: dict[str, tuple[str, Callable[[Pilot[None]], Any]]] = {
    "queue": ("anna.becker", ready),
    "escalations": ("tom.lehmann", lambda p: _pane(p, "2")),
    "calendar": ("anna.becker", lambda p: _pane(p, "3")),
    "my-work": ("marco.wagner", lambda p: _my_work(p)),
    "outbox": ("anna.becker", lambda p: _pane(p, "5")),
    "ticket": ("anna.becker", lambda p: _key_on_ticket(p, "enter", escalated=True)),
    "help": ("anna.becker", lambda p: _pane(p, "question_mark")),
    "assign": ("anna.becker", lambda p: _key_on_ticket(p, "a", assignee_id=None)),
    "priority": ("anna.becker", lambda p: _key_on_ticket(p, "p", escalated=False)),
    "status": ("anna.becker", lambda p: _key_on_ticket(p, "s", escalated=False)),
    "comment": ("anna.becker", lambda p: _key_on_ticket(p, "c", escalated=False)),
    "escalate": ("anna.becker", lambda p: _key_on_ticket(p, "e", escalated=False)),
    "booking": ("anna.becker", lambda p: _booking(p)),
    "confirm": ("anna.becker", lambda p: _push(p, _confirm())),
    "conflict": ("anna.becker", lambda p: _push(p, conflict_screen(conflict_op()))),
    "unmatched-mail": ("anna.becker", lambda p: _unmatched(p)),
    "customer-pick": ("anna.becker", lambda p: _unmatched(p, "t")),
    "approvals": ("sabine.krueger", lambda p: _approvals(p)),
    "log-work": ("marco.wagner", lambda p: _log_work(p)),
}


async def _approvals(pilot: Pilot[None]) -> None:
    """The back office's first screen, its queue read from the service."""
    from dispatch.screens.approvals import ApprovalScreen

    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ApprovalScreen)
    await until(pilot, lambda: bool(screen.entries), "the work awaiting approval")
    await settle(pilot)


async def _log_work(pilot: Pilot[None]) -> None:
    """`t` on a technician's first ticket in my work: the log-work dialog."""
    await _my_work(pilot)
    await pilot.press("t")
    await settle(pilot)


async def _my_work(pilot: Pilot[None]) -> None:
    """My work with the highlighted ticket's contact read (it comes a moment after the rows)."""
    from textual.widgets import Static

    await ready(pilot)
    block = pilot.app.screen.query_one("#mywork-contact", Static)
    await until(pilot, lambda: "reading" not in str(block.render()), "the contact read")
    # the calendar is read a moment after the first frame (a timer), so wait for it too
    calendar = pilot.app.screen.query_one("#mywork-calendar", Static)
    await until(pilot, lambda: bool(str(calendar.render()).strip()), "the calendar read")
    await settle(pilot)


async def _unmatched(pilot: Pilot[None], *keys: str) -> None:
    """Pane 6 with one stranger's mail held 25 minutes ago (then `keys` pressed)."""
    from datetime import timedelta
    from email.message import EmailMessage

    from dispatch.server.mail.intake import take_in
    from dispatch.server.persistence.db import make_engine

    await ready(pilot)
    app = pilot.app
    assert isinstance(app, DispatchApp)
    mail = EmailMessage()
    mail["From"] = "Frau Fremd <fremd@example.org>"
    mail["To"] = "support@provider.example"
    mail["Subject"] = "Drucker im 2. OG druckt nicht mehr"
    mail["Message-ID"] = "<snapshot-1@example.org>"
    mail.set_content("Guten Tag,\nunser Drucker im 2. OG druckt seit heute früh nicht mehr.\n")
    engine = make_engine(app.settings.database_url)
    try:
        take_in(engine, bytes(mail), received_at=FIXED - timedelta(minutes=25))
    finally:
        engine.dispose()
    await pilot.press("6", *keys)
    await settle(pilot)


async def _booking(pilot: Pilot[None]) -> None:
    await _pane(pilot, "3")
    await pilot.press("b")
    await settle(pilot)


# The quick loop (-m "not slow") takes every view at 80x24, the size where columns give way and
# dialogs are tightest; the same views at 120x40 are a second sweep for the full suite. The
# queue, ticket, assign, help, escalations and calendar pictures above stay at 120x40 in both.
BOTH_SIZES = [
    pytest.param((80, 24), id="80x24"),
    pytest.param((120, 40), id="120x40", marks=pytest.mark.slow),
]


@pytest.mark.usefixtures("frozen_clock")
@pytest.mark.parametrize("size", BOTH_SIZES)
@pytest.mark.parametrize("view", list(VIEWS))
def test_every_view_at_both_sizes(
    snap_compare: SnapCompare, tmp_path: Path, view: str, size: tuple[int, int]
) -> None:
    user, steps = VIEWS[view]
    assert snap_compare(build_app(tmp_path, user=user), terminal_size=size, run_before=steps)


# Issue 22: every view in German at both sizes (80x24 is where German's longer words are
# tightest; tests/console/test_german.py also walks every pane and dialog in German).
@pytest.mark.usefixtures("frozen_clock", "german")
@pytest.mark.parametrize("size", BOTH_SIZES)
@pytest.mark.parametrize("view", list(VIEWS))
def test_every_view_in_german(
    snap_compare: SnapCompare, tmp_path: Path, view: str, size: tuple[int, int]
) -> None:
    user, steps = VIEWS[view]
    assert snap_compare(build_app(tmp_path, user=user), terminal_size=size, run_before=steps)
