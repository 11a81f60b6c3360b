"""What the console's tables show, in one place: each table's columns and the builder that
turns the service's dicts into its rows (pre-formatted text, search text, sort keys).

The queue and my work (tickets), pane 2 (escalations) and the calendar's grid (technicians by
branch, a day's load per cell). The widgets draw these rows; the screens choose which.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from rich.cells import cell_len

from dispatch.display import clock, labels
from dispatch.display.clock import clock_text
from dispatch.display.labels import PRIORITY, STATUS
from dispatch.display.safe import one_line
from dispatch.domain.countdown import ClockState, age_text, clock_of, urgency
from dispatch.i18n import N_, _
from dispatch.widgets.fast_table import Column, Row, fold
from dispatch.widgets.ticket_filter import marks

if TYPE_CHECKING:
    from dispatch.client.shapes import (
        AppointmentShape,
        EscalationShape,
        StoreTicket,
        TechnicianShape,
    )

# tickets: the queue and my work ----------------------------------------------------------

SLA_SHRINK = 7  # `23h10m ` and `-2h05m`: the time left without its support window


def fit_language(columns: Sequence[Column]) -> tuple[Column, ...]:
    """`columns` measured in the language shown (so a longer translation needs no number of
    its own here): the SLA column shrinks no narrower than the words of a stopped clock, and
    the status column, before it goes, to the widest word of an open ticket's status where
    that is narrower than the column (German's "Eingeplant": the one cell "VERLETZT" needs
    beyond "BREACH" at 80x24 must not cost the whole status column)."""
    widest = max(SLA_SHRINK, clock.widest_clock_word())
    status = max(cell_len(_(_STATUS_TEXT[s])) for s in _OPEN_STATUSES)
    return tuple(
        replace(c, shrink_to=widest)
        if c.key == "sla"
        else replace(c, shrink_to=status)
        if c.key == "status" and c.width and status < c.width
        else c
        for c in columns
    )


# Customer and title are what a row is read by: on a narrow screen age goes first, the
# assignee shrinks to a first name's width, the SLA column to the time left (it names the
# next support window only outside support hours), then status shrinks to its words and goes
# (see `Column` and `fit_language`).
QUEUE_COLUMNS = (
    Column("priority", N_("Pri"), width=3),
    # `23h10m ▸Mo 08:00` outside support hours (16 cells): the time left first, so a narrow
    # screen that shrinks the column still shows it (7 cells; `fit_language` widens that
    # to the longest word of a stopped clock in the language shown, "VERLETZT" in German).
    Column("sla", N_("SLA"), width=16, give_way=3, shrink_to=SLA_SHRINK),
    Column("number", N_("No."), width=6),
    Column("customer", N_("Customer"), width=None, min_width=10, want=16),
    Column("title", N_("Title"), width=None, min_width=12, want=20),
    Column("status", N_("Status"), width=11, give_way=4),
    Column("assignee", N_("Assignee"), width=14, give_way=2, shrink_to=9),
    Column("age", N_("Age"), width=4, align="right", give_way=1),
)
# A technician's own work: the assignee is always themselves, so that column is not shown.
MY_WORK_COLUMNS = tuple(replace(c, width=0) if c.key == "assignee" else c for c in QUEUE_COLUMNS)

NEW_NUMBER = N_("(new)")  # a queued new ticket, until the service gives it its number

_CLOCK_STYLE = {
    ClockState.OK: "",
    ClockState.SOON: "yellow",
    ClockState.LATE: "bold red",
    ClockState.BREACH: "bold red reverse",
    ClockState.PAUSED: "dim",
    ClockState.DONE: "dim",
}
# the status column's short words (11 cells), translated where a row is made
_STATUS_TEXT = {
    "new": N_("new"),
    "triaged": N_("triaged"),
    "scheduled": N_("scheduled"),
    "in_progress": N_("in progress"),
    "waiting_customer": N_("wait cust."),
    "waiting_vendor": N_("wait vendor"),
    "resolved": N_("resolved"),
    "closed": N_("closed"),
}
_OPEN_STATUSES = (
    "new",
    "triaged",
    "scheduled",
    "in_progress",
    "waiting_customer",
    "waiting_vendor",
)


def _time(value: str | None) -> datetime | None:
    # The store keeps ISO strings (a parsed copy of four times per ticket costs memory for
    # every ticket); parsing them here when a row is made is cheap.
    return datetime.fromisoformat(value) if value else None


def ticket_row(t: StoreTicket, now: datetime) -> Row:
    """One queue row; escalated tickets carry a `!` before the priority."""
    sla = clock_of(t, now)
    received = _time(t.get("received_at")) or now
    assignee = t.get("assignee_name") or "-"
    prio = ("!" if t.get("escalated") else "") + t["priority"]
    cells = (
        prio,
        clock_text(sla.text, sla.state),
        str(t["number"]) if t["number"] else _(NEW_NUMBER),
        t.get("customer_name") or "",
        t["title"],
        _(_STATUS_TEXT[t["status"]]) if t["status"] in _STATUS_TEXT else t["status"],
        assignee,
        age_text(received, now),
    )
    search = _ticket_search(t, cells[2], assignee)
    urgent = (0 if t.get("escalated") else 1, *urgency(sla, t["priority"]), t["number"])
    sort_keys = (
        t["priority"],
        urgent,
        t["number"],
        cells[3].lower(),
        t["title"].lower(),
        t["status"],
        assignee.lower(),
        -received.timestamp(),
    )
    style = "bold" if t.get("escalated") else ""
    cell_styles = (
        "bold red" if t["priority"] == "P1" else "",
        _CLOCK_STYLE[sla.state],
        "",
        "",
        "",
        "",
        "",
        "",
    )
    return Row(
        key=t["id"],
        cells=cells,
        search=search,
        style=style,
        cell_styles=cell_styles,
        sort_keys=sort_keys,
    )


def _ticket_search(t: StoreTicket, number: str, assignee: str) -> str:
    """What the filter finds a ticket row by. Priority and status in words too, so `p1`,
    `in progress` or `waiting` find tickets; kind, source and priority as markers for the
    words `kind:alert`, `src:mail` and `P1` (`ticket_filter`)."""
    words = [
        number,
        t.get("customer_name") or "",
        t["title"],
        assignee,
        PRIORITY.get(t["priority"], t["priority"]),
        STATUS.get(t["status"], t["status"]),
        *t.get("tags", []),
    ]
    return fold(" ".join(words)) + marks(t.get("kind"), t.get("source"), t["priority"])


def clock_state(t: StoreTicket, now: datetime) -> ClockState:
    return clock_of(t, now).state


# escalations: pane 2 -------------------------------------------------------------------
ESCALATION_COLUMNS = (
    Column("level", N_("Lvl"), width=3),
    Column("status", N_("State"), width=5),
    Column("age", N_("Age"), width=4, align="right"),
    Column("number", N_("No."), width=6),
    Column("customer", N_("Customer"), width=None, min_width=8),
    Column("title", N_("Title"), width=None, min_width=10),
    Column("raised", N_("Raised by"), width=11),
    Column("owner", N_("Owner"), width=11),
)

STATE_TEXT = {"open": N_("open"), "acknowledged": N_("ACK"), "resolved": N_("done")}


def escalation_row(esc: EscalationShape, now: datetime) -> Row:
    """One row; the level and state read as text (`L2`, `open`/`ACK`), colour is an extra."""
    raised = datetime.fromisoformat(esc["raised_at"])
    is_open = esc["status"] == "open"
    owner = one_line(esc.get("acknowledged_by_name") or "-")
    cells = (
        f"L{esc['level']}",
        _(STATE_TEXT[esc["status"]]) if esc["status"] in STATE_TEXT else one_line(esc["status"]),
        age_text(raised, now),
        str(esc["ticket_number"]),
        esc.get("customer_name") or "",
        esc.get("ticket_title") or "",
        esc.get("raised_by_name") or "",
        owner,
    )
    search = " ".join(
        [
            cells[0],
            cells[1],
            cells[3],
            cells[4],
            cells[5],
            cells[6],
            owner,
            labels.ESCALATION_REASON.get(str(esc["reason"]), str(esc["reason"])),
            str(esc.get("note") or ""),
        ]
    ).lower()
    search = fold(search)  # as the filter folds what is typed: `baeckerei` finds `Bäckerei`
    return Row(
        key=esc["id"],
        cells=cells,
        search=search,
        style="bold" if is_open else "",
        cell_styles=(
            "bold red" if esc["level"] == 2 else "red",
            "bold yellow" if is_open else "green",
            "",
            "",
            "",
            "",
            "",
            "",
        ),
    )


def escalation_order(esc: EscalationShape) -> tuple[int, int, str, int]:
    """Level 2 first, unacknowledged before acknowledged, then the oldest."""
    return (-int(esc["level"]), 0 if esc["status"] == "open" else 1, esc["raised_at"], esc["id"])


# the calendar: technicians by branch, a day's load per cell ------------------------------
FULL_DAY_MINUTES = 8 * 60


@dataclass(frozen=True, slots=True)
class GridLine:
    """One line of the grid: a technician, or a branch header when `technician_id` is None."""

    technician_id: int | None
    label: str


@dataclass(frozen=True, slots=True)
class DayLoad:
    """What one technician has on one day."""

    minutes: int = 0  # ticket and project work
    absent: bool = False
    on_call: bool = False
    holiday: str = ""  # the public holiday's name in the technician's state
    off: bool = False  # a day the technician does not work (their hours, see the API)

    @property
    def text(self) -> str:
        """Eight cells at most: the day's main state (`2:45 h`, `absent`, `on call`,
        `holiday`, `·` when free), and `+` when there is more (the line under the grid
        says what)."""
        states = [
            _("absent") if self.absent else "",
            clock.duration(self.minutes) if self.minutes else "",
            labels.APPOINTMENT_KIND["on_call"] if self.on_call else "",
            _("holiday") if self.holiday else "",
            _("off") if self.off and not self.holiday else "",
        ]
        shown = [s for s in states if s]
        if not shown:
            return "·"
        return shown[0] + ("+" if len(shown) > 1 else "")

    @property
    def words(self) -> str:
        """Everything about the day, in words: `2:45 h booked · on call · Christmas Day`."""
        parts = []
        if self.absent:
            parts.append(_("absent"))
        if self.minutes:
            parts.append(_("{duration} booked").format(duration=clock.duration(self.minutes)))
        if self.on_call:
            parts.append(labels.APPOINTMENT_KIND["on_call"])
        if self.holiday:
            parts.append(_("public holiday: {name}").format(name=self.holiday))
        if self.off:
            parts.append(_("not working"))
        return " · ".join(parts) or _("free")

    @property
    def state(self) -> str:
        """free, busy, full, absent, oncall or holiday: picks the (extra) colour."""
        if self.absent:
            return "absent"
        if self.minutes >= FULL_DAY_MINUTES:
            return "full"
        if self.minutes:
            return "busy"
        if self.on_call:
            return "oncall"
        return "holiday" if self.holiday else "free"


def week_of(day: date) -> list[date]:
    """Monday to Sunday of the week that holds `day`."""
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(7)]


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Midnight to midnight in Berlin (23 or 25 hours on DST days)."""
    start = datetime.combine(day, time(), tzinfo=clock.zone())
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=clock.zone())
    return start, end


def appointment_span(appointment: AppointmentShape) -> tuple[datetime, datetime]:
    """Start and end of an appointment, in the display zone (Berlin)."""
    return clock.local(appointment["start"]), clock.local(appointment["end"])


def on_day(appointment: AppointmentShape, day: date) -> bool:
    lo, hi = day_bounds(day)
    start, end = appointment_span(appointment)
    return start < hi and end > lo


def day_loads(
    appointments: Iterable[AppointmentShape], days: Sequence[date]
) -> dict[tuple[int, int], DayLoad]:
    """Each (technician id, day index) with anything on it; absent keys are free days."""
    bounds = [day_bounds(d) for d in days]
    minutes: dict[tuple[int, int], int] = {}
    absent: set[tuple[int, int]] = set()
    on_call: set[tuple[int, int]] = set()
    for appt in appointments:
        start, end = appointment_span(appt)
        for index, (lo, hi) in enumerate(bounds):
            overlap = (min(end, hi) - max(start, lo)).total_seconds()
            if overlap <= 0:
                continue
            key = (int(appt["technician_id"]), index)
            kind = appt["kind"]
            if kind == "absence":
                absent.add(key)
            elif kind == "on_call":
                on_call.add(key)
            else:
                minutes[key] = minutes.get(key, 0) + int(overlap // 60)
    keys = set(minutes) | absent | on_call
    return {k: DayLoad(minutes.get(k, 0), k in absent, k in on_call) for k in keys}


def grid_lines(technicians: Iterable[TechnicianShape], only: int | None = None) -> list[GridLine]:
    """A header line per branch, then its technicians: by branch, then by name, as the service
    lists them (the cache hands them back in another order)."""
    lines: list[GridLine] = []
    branch: str | None = None
    ordered = sorted(technicians, key=lambda t: (int(t["branch_id"]), str(t["name"])))
    for tech in ordered:
        if only is not None and tech["id"] != only:
            continue
        name = str(tech.get("branch_name") or _("branch {id}").format(id=tech["branch_id"]))
        if name != branch:
            branch = name
            lines.append(GridLine(None, name))
        lines.append(GridLine(int(tech["id"]), str(tech["name"])))
    return lines
