"""Pane 2: open internal escalations; team leads acknowledge, re-level and resolve them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Label

from dispatch.client.errors import ApiError, Unreachable
from dispatch.client.shapes import EscalationShape
from dispatch.display import labels
from dispatch.display.safe import one_line
from dispatch.i18n import N_, _
from dispatch.screens.base import FilterAsYouType, PaneScreen
from dispatch.screens.context import STYLES, engine_dict, escalations_of, shaped
from dispatch.screens.dialogs import TextDialog
from dispatch.screens.ticket_text import escalation_lines
from dispatch.widgets.fast_table import FastTable
from dispatch.widgets.rows import ESCALATION_COLUMNS, escalation_order, escalation_row

Json = dict[str, Any]

REASON_TEXT = labels.ESCALATION_REASON
# What only team leads (and admins) may do; for everybody else these are not offered at all.
LEAD_ACTIONS = frozenset({"acknowledge", "relevel", "resolve"})
# What the pane says (one place per screen, for the translation to come).
TEXT = {
    "relevel_ask": N_("Re-level {number} to L{level} ({who}): why?"),
    "relevel_done": N_("{number} is now L{level} ({who})."),
    "resolve_ask": N_("Resolve the escalation on {number}: how was it resolved?"),
    "resolve_done": N_("Resolved {number}."),
    "resolved_already": N_("The escalation on {number} is resolved already."),
    "with_resolved": N_(" · {n} resolved shown"),
    "showing_resolved": N_("Showing resolved escalations too."),
    "hiding_resolved": N_("Showing open escalations only."),
    "resolved_offline": N_(
        "Resolved escalations come from the service, which is not reachable now."
    ),
}


class EscalationsScreen(PaneScreen, FilterAsYouType):
    """Nothing escalated may go unnoticed: every open escalation, most pressing first."""

    CSS_PATH = [STYLES / "escalations.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_ticket", N_("Open ticket"), id="escalations.open"),
        Binding("A", "acknowledge", N_("Acknowledge"), id="escalations.acknowledge"),
        Binding("L", "relevel", N_("Re-level"), id="escalations.relevel"),
        Binding("R", "resolve", N_("Resolve"), id="escalations.resolve"),
        Binding("v", "toggle_resolved", N_("Show done"), id="escalations.resolved"),
        Binding("slash", "filter", N_("Filter"), id="escalations.filter"),
        Binding("escape", "clear_filter", N_("Clear filter"), show=False, id="escalations.clear"),
    ]

    def compose(self) -> ComposeResult:
        yield Label("", id="escalations-title")
        yield Input(placeholder=_("filter: number, customer, title, people, reason"), id="filter")
        yield Label(_("No open escalations."), id="escalations-empty")
        yield FastTable(empty_text=_("No escalation matches the filter."), id="escalations")
        yield Label("", id="escalations-detail")
        yield from self.compose_footer()

    show_resolved = False
    """`v` also lists resolved escalations, read from the service (they are not synced)."""

    def on_mount(self) -> None:
        self.resolved: dict[int, EscalationShape] = {}
        self.table.set_columns(ESCALATION_COLUMNS)
        self.query_one("#filter", Input).display = False
        self.dispatch.escalations_changed.subscribe(self, lambda _: self._changed())
        self.set_interval(60, self.rebuild)  # ages move on
        self.rebuild()
        self.table.focus()

    @property
    def table(self) -> FastTable:
        return self.query_one(FastTable)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in LEAD_ACTIONS:
            return self.dispatch.is_team_lead
        return True

    # rendering ------------------------------------------------------------------
    def shown(self) -> Mapping[int, EscalationShape]:
        """The open escalations, and with `v` the resolved ones too."""
        if not self.show_resolved:
            return escalations_of(self.dispatch.store)
        return {**self.resolved, **escalations_of(self.dispatch.store)}

    def rebuild(self) -> None:
        now = datetime.now().astimezone()
        open_ones = sorted(escalations_of(self.dispatch.store).values(), key=escalation_order)
        done = sorted(
            (e for k, e in self.shown().items() if k not in self.dispatch.store.escalations),
            key=lambda e: (e.get("resolved_at") or "", e["id"]),
            reverse=True,
        )
        escalations = open_ones + done  # resolved ones below the open, newest first
        self.table.set_rows(escalation_row(e, now) for e in escalations)
        empty = not escalations
        self.query_one("#escalations-empty").display = empty
        self.table.display = not empty
        self._update_title()
        self._update_detail()

    def _update_title(self) -> None:
        items = self.dispatch.store.escalations.values()
        unowned = sum(1 for e in items if e["status"] == "open")
        text = _("Escalations · {open} open · {unowned} not acknowledged").format(
            open=len(items), unowned=unowned
        )
        if not items:
            text = _("Escalations · none open")
        if self.show_resolved:
            text += _(TEXT["with_resolved"]).format(n=len(self.resolved))
        if self.table.visible_count != self.table.total_count:
            text += " · " + _("showing {n}").format(n=self.table.visible_count)
        self.query_one("#escalations-title", Label).update(text)

    def _update_detail(self) -> None:
        esc = self.selected()
        text = ""
        if esc is not None:
            # who raised, acknowledged and resolved it, each with the time (as the ticket view)
            steps = [line for i, line in escalation_lines(esc) if i > 0]
            if esc["status"] == "resolved":  # first: the line is cut at the pane's width
                steps.insert(0, steps.pop())
            text = " · ".join([labels.word(REASON_TEXT, esc["reason"]), *steps])
            if esc.get("note"):
                text += f" · {one_line(esc['note'])}"
        # Text, not markup: a note holding "[/]" must neither style the line nor raise.
        self.query_one("#escalations-detail", Label).update(Text(text))

    def on_fast_table_highlighted(self, event: FastTable.Highlighted) -> None:
        self._update_detail()

    def selected(self) -> EscalationShape | None:
        key = self.table.cursor_key
        return self.shown().get(key) if key is not None else None

    # actions ----------------------------------------------------------------------
    def on_fast_table_selected(self, event: FastTable.Selected) -> None:
        self.action_open_ticket()

    def action_open_ticket(self) -> None:
        esc = self.selected()
        if esc is None:
            return
        from dispatch.screens.ticket import TicketScreen

        self.app.push_screen(TicketScreen(esc["ticket_id"]))

    def _need_selected(self) -> EscalationShape | None:
        esc = self.selected()
        if esc is None:
            self.notify(_("No escalation selected."), severity="warning")
        elif esc["status"] == "resolved":
            self.notify(_(TEXT["resolved_already"]).format(number=esc["ticket_number"]))
            return None
        return esc

    def action_acknowledge(self) -> None:
        esc = self._need_selected()
        if esc is None:
            return
        if esc["status"] != "open":
            who = one_line(esc.get("acknowledged_by_name") or _("someone"))
            self.notify(
                _("Escalation on {number} is already owned by {who}.").format(
                    number=esc["ticket_number"], who=who
                ),
                markup=False,
            )
            return
        acknowledged = _("Acknowledged {number}.").format(number=esc["ticket_number"])
        self.write(esc, {"status": "acknowledged"}, acknowledged)

    def action_relevel(self) -> None:
        esc = self._need_selected()
        if esc is None:
            return
        level = 2 if esc["level"] == 1 else 1
        who = _("service area management") if level == 2 else _("team lead")
        number = esc["ticket_number"]

        def written(note: str | None) -> None:
            if note:
                done = _(TEXT["relevel_done"]).format(number=number, level=level, who=who)
                self.write(esc, {"level": level, "note": note}, done)

        ask = _(TEXT["relevel_ask"]).format(number=number, level=level, who=who)
        self.app.push_screen(TextDialog(ask), written)

    def action_resolve(self) -> None:
        esc = self._need_selected()
        if esc is None:
            return

        number = esc["ticket_number"]

        def written(note: str | None) -> None:
            if note:
                done = _(TEXT["resolve_done"]).format(number=number)
                self.write(esc, {"status": "resolved", "note": note}, done)

        # The title holds only the number: the dialog's title is markup, stored text is not.
        self.app.push_screen(TextDialog(_(TEXT["resolve_ask"]).format(number=number)), written)

    def action_toggle_resolved(self) -> None:
        self.show_resolved = not self.show_resolved
        if not self.show_resolved:
            self.resolved = {}
            self.rebuild()
            self.notify(_(TEXT["hiding_resolved"]))
            return
        self.run_worker(self._load_resolved(announce=True), group="resolved", exclusive=True)

    def _changed(self) -> None:
        self.rebuild()
        if self.show_resolved:  # one just resolved belongs in the list now
            self.run_worker(self._load_resolved(), group="resolved", exclusive=True)

    async def _load_resolved(self, *, announce: bool = False) -> None:
        try:
            every = shaped(
                await self.dispatch.client.escalations(include_resolved=True), EscalationShape
            )
        except (ApiError, Unreachable):
            self.show_resolved = False
            self.notify(_(TEXT["resolved_offline"]), severity="warning")
            return
        self.resolved = {e["id"]: e for e in every if e["status"] == "resolved"}
        self.rebuild()
        if announce:
            self.notify(_(TEXT["showing_resolved"]))

    def write(self, esc: EscalationShape, changes: Json, done: str) -> None:
        """Queue the PATCH (If-Match: the version we showed) in the outbox; a stale one
        becomes a conflict the user decides in pane 5, never an overwrite."""
        self.dispatch.sync.patch_escalation(engine_dict(esc), changes)
        self.notify(done)
