"""The dialog that logs work on a ticket (`t`) or changes logged work (`T`): start, duration,
on site or remote, service role, billable or why not, note; raw and billed side by side as
it is typed ("0:35 h → billed 2:00 h"). Bad input is said in the dialog and nothing is sent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select

from dispatch.display import labels
from dispatch.display.billing_text import raw_and_billed
from dispatch.display.time_input import parse_duration, parse_start, start_text
from dispatch.domain.billing import NonBillableReason, billability_problem, billed_minutes
from dispatch.domain.types import ServiceRole
from dispatch.i18n import N_, _
from dispatch.screens.key_names import own_key

Json = dict[str, Any]
LABEL_WIDTH = 10
FIELDS = (
    N_("Start"),
    N_("Duration"),
    N_("Where"),
    N_("Role"),
    N_("Billing"),
    N_("Why"),
    N_("Note"),
)
BILLABLE = "billable"
DEFAULT_MINUTES = 30


def _role_options() -> list[tuple[str, str]]:
    return [(labels.word(labels.SERVICE_ROLE, r.value), r.value) for r in ServiceRole]


def _billing_options() -> list[tuple[str, str]]:
    reasons = [
        (_("not billed: {reason}").format(reason=labels.word(labels.NON_BILLABLE_REASON, r)), r)
        for r in NonBillableReason
    ]
    return [(_("billable"), BILLABLE), *reasons]


class TimeDialog(ModalScreen[Json | None]):
    """Answers the entry's fields as the service takes them, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="time.cancel"),
        Binding("ctrl+s", "save", N_("Save"), id="time.save", priority=True),
    ]

    def __init__(
        self,
        title: str,
        *,
        role: str = ServiceRole.TECHNICIAN.value,
        entry: Json | None = None,
        now: datetime | None = None,
    ) -> None:
        super().__init__(classes="dialog", id="time-dialog")
        self.title_text = title
        self.entry = entry
        self.now = now or datetime.now(UTC)
        self.role = str(entry["service_role"]) if entry else role

    def compose(self) -> ComposeResult:
        e = self.entry or {}
        minutes = int(e.get("raw_minutes") or DEFAULT_MINUTES)
        start = (
            datetime.fromisoformat(e["started_at"])
            if e.get("started_at")
            else self.now - timedelta(minutes=minutes)
        )
        billing = BILLABLE if e.get("billable", True) else str(e.get("nonbillable_reason"))
        with VerticalScroll(classes="dialog-box"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            with Horizontal(classes="time-row"):
                yield self._field(_("Start"))
                yield Input(start_text(start), id="start", compact=True)
            with Horizontal(classes="time-row"):
                yield self._field(_("Duration"))
                yield Input(_duration_text(minutes), id="duration", compact=True)
            with Horizontal(classes="time-row"):
                yield self._field(_("Where"))
                yield Select(
                    [(_("on site"), "on_site"), (_("remote"), "remote")],
                    value="on_site" if e.get("on_site", True) else "remote",
                    allow_blank=False,
                    compact=True,
                    id="where",
                )
            with Horizontal(classes="time-row"):
                yield self._field(_("Role"))
                yield Select(
                    _role_options(), value=self.role, allow_blank=False, compact=True, id="role"
                )
            with Horizontal(classes="time-row"):
                yield self._field(_("Billing"))
                yield Select(
                    _billing_options(), value=billing, allow_blank=False, compact=True, id="billing"
                )
            with Horizontal(classes="time-row"):
                yield self._field(_("Why"))
                yield Input(
                    e.get("nonbillable_text") or "",
                    placeholder=_("the reason, for “other”"),
                    max_length=200,
                    id="reason-text",
                    compact=True,
                )
            with Horizontal(classes="time-row"):
                yield self._field(_("Note"))
                yield Input(
                    e.get("note") or "",
                    placeholder=_("what was done, for the report"),
                    max_length=2000,
                    id="note",
                    compact=True,
                )
            yield Label("", id="time-billed")
            yield Label("", id="time-error", classes="dialog-error")
            keys = {k: own_key(self, f"time.{k}") for k in ("save", "cancel")}
            hint = _("tab next field · {save} save · {cancel} cancel").format(**keys)
            yield Label(hint, classes="dialog-hint")

    def _field(self, name: str) -> Label:
        """A field's name, in a column as wide as the longest name of the language shown and
        one cell more (10 at least): "Abrechnung" filled the fixed 10 cells and touched its
        value."""
        label = Label(name)
        label.styles.width = max(LABEL_WIDTH, *(cell_len(_(n)) + 1 for n in FIELDS))
        return label

    def on_mount(self) -> None:
        self.query_one("#duration", Input).focus()
        self._show_billed()

    def on_input_changed(self) -> None:
        self._show_billed()

    def on_select_changed(self) -> None:
        self._show_billed()

    def on_input_submitted(self) -> None:
        self.action_save()

    def _value(self, widget_id: str) -> str:
        if widget_id in ("where", "role", "billing"):
            return str(self.query_one(f"#{widget_id}", Select).value)
        return self.query_one(f"#{widget_id}", Input).value

    def _show_billed(self) -> None:
        """The billed figure for what is typed now, or what is wrong with the duration."""
        label = self.query_one("#time-billed", Label)
        try:
            minutes = parse_duration(self._value("duration"))
        except ValueError as exc:
            label.update(Text(str(exc)))
            return
        billing = self._value("billing")
        billable = billing == BILLABLE
        billed = billed_minutes(
            minutes, ServiceRole(self._value("role")), self._value("where") == "on_site", billable
        )
        reason = None if billable else billing
        line = raw_and_billed(
            minutes,
            billed,
            billable=billable,
            reason=reason,
            reason_text=self._value("reason-text"),
        )
        label.update(Text(line))

    def fields(self) -> Json:
        """The entry as typed, checked as the service checks it; ValueError says what is wrong."""
        minutes = parse_duration(self._value("duration"))
        start = parse_start(self._value("start"), self.now)
        billing = self._value("billing")
        billable = billing == BILLABLE
        text = self._value("reason-text").strip()
        reason = None if billable else billing
        problem = billability_problem(billable, reason, text or None)
        if problem is not None:
            if billable and text:
                raise ValueError(_("Why: billable work takes no reason; clear the field."))
            raise ValueError(_('Why: the reason "other" needs a text.'))
        return {
            "started_at": start.isoformat(),
            "raw_minutes": minutes,
            "on_site": self._value("where") == "on_site",
            "service_role": self._value("role"),
            "billable": billable,
            "nonbillable_reason": reason,
            "nonbillable_text": text or None,
            "note": self._value("note").strip(),
        }

    def action_save(self) -> None:
        try:
            fields = self.fields()
        except ValueError as exc:
            self.query_one("#time-error", Label).update(Text(str(exc)))
            return
        self.dismiss(fields)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _duration_text(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def changes_of(entry: Json, fields: Json) -> Json:
    """The PATCH of an edit: only what differs from the entry as shown."""
    out: Json = {}
    for key, value in fields.items():
        before = entry.get(key)
        if key == "started_at" and before:
            if datetime.fromisoformat(before) == datetime.fromisoformat(value):
                continue
        elif before == value or (key == "note" and (before or "") == value):
            continue
        out[key] = value
    return out
