"""Pane 5: writes waiting to be sent, conflicts to decide, refusals to read and dismiss."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from dispatch.client.cache import CONFLICT, FAILED, Op
from dispatch.client.conflicts import ConflictField
from dispatch.client.overrides import unavailable_reason
from dispatch.display import clock, labels
from dispatch.display.history import TECHNICIAN_FIELDS, TIME_FIELDS
from dispatch.display.safe import one_line
from dispatch.i18n import N_, _
from dispatch.screens.base import PaneScreen
from dispatch.screens.key_names import own_key
from dispatch.screens.refusals import DISMISS, OVERRIDE, ask_reason, may_override, refusal_keys


class OutboxScreen(PaneScreen):
    """Every write not yet acknowledged, oldest first; enter decides a conflict."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "decide", N_("Decide"), id="outbox.decide"),
        DISMISS,
        OVERRIDE,
        Binding("j", "down", N_("Down"), show=False, id="outbox.down"),
        Binding("k", "up", N_("Up"), show=False, id="outbox.up"),
    ]

    def compose(self) -> ComposeResult:
        yield Label(_("Outbox: writes not yet acknowledged by the service"), id="outbox-title")
        yield OptionList(id="outbox")
        yield Static("", id="outbox-detail")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.dispatch.status_changed.subscribe(self, lambda _: self.rebuild())
        self.rebuild()
        self.query_one(OptionList).focus()

    def on_screen_resume(self) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        ops = self.dispatch.sync.ops()
        self.ops = ops
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        if not ops:
            options.add_option(
                Option(_("Nothing pending: every write is acknowledged."), disabled=True)
            )
            return
        blocked: set[int] = set()  # tickets with a conflict: their later writes wait for it
        for op in ops:
            state = {CONFLICT: _("CONFLICT"), FAILED: _("REFUSED")}.get(op.state, _("pending"))
            extra = ""
            if op.error:
                extra = f": {op.error.get('detail', '')}"
            elif op.ticket_id in blocked:
                state, extra = _("waiting"), " " + _("(waits for the conflict above)")
            elif op.attempts:
                extra = " " + _("(tried {n}x)").format(n=op.attempts)
            if op.state == CONFLICT and op.ticket_id is not None:
                blocked.add(op.ticket_id)
            if may_override(self.dispatch, op):
                extra = ": " + _("not available, {why} (o: book anyway)").format(
                    why=unavailable_reason(op)
                )
            options.add_option(Option(one_line(f"{state:<8} {op.label}{extra}")))
        # Keep the cursor where it was (on the last row when rows went away); start on the
        # first row, so enter and d work at once without moving first.
        options.highlighted = min(highlighted or 0, len(ops) - 1)
        self.refresh_bindings()

    def _selected(self) -> Op | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not self.ops or index >= len(self.ops):
            return None
        return self.ops[index]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`o` only shows (and works) on a refusal this user may book anyway."""
        if action != "override":
            return True
        if not getattr(self, "ops", None):  # asked before the first rebuild
            return False
        op = self._selected()
        return op is not None and may_override(self.dispatch, op)

    def on_option_list_option_highlighted(self) -> None:
        self.refresh_bindings()

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def on_option_list_option_selected(self) -> None:
        self.action_decide()

    def action_decide(self) -> None:
        op = self._selected()
        if op is None:
            return
        if op.state == CONFLICT:
            sync = self.dispatch.sync
            group = sync.conflict_group(op.id)
            fields = sync.conflict_view(op.id)
            name_of = self.dispatch.store.technician_name
            self.app.push_screen(ConflictScreen(op, fields, name_of, len(group)), self._decided)
        elif may_override(self.dispatch, op):
            words = _(
                "Not available then: {override} books anyway with a reason, {dismiss} dismisses it."
            )
            self.notify(words.format(**refusal_keys(self.app)))
        elif op.state == FAILED:
            words = _("Refused by the service: read why, then press {dismiss} to dismiss it.")
            self.notify(words.format(**refusal_keys(self.app)))
        else:
            self.notify(_("Pending: it is sent as soon as the service answers."))

    def _decided(self, result: tuple[str, list[str] | None] | None) -> None:
        if result is None:
            return
        choice, theirs_fields = result
        op = self._selected()
        if op is None:
            return
        sync = self.dispatch.sync
        if choice == "theirs":
            sync.keep_theirs(op.id)
            self.notify(_("Kept their version; your change was dropped."))
        elif choice == "mine":
            sync.apply_mine(op.id)
            self.notify(_("Your change is sent again on top of theirs."))
        elif choice == "edit" and theirs_fields is not None:
            sync.resolve(op.id, theirs_fields)
            self.notify(_("Your choice per field is sent on top of theirs."))
        self.rebuild()

    def action_override(self) -> None:
        """Book the refused write anyway: the reason dialog, then the sync engine sends it."""
        op = self._selected()
        if op is not None and may_override(self.dispatch, op):
            ask_reason(self.app, op)

    def action_dismiss_failed(self) -> None:
        op = self._selected()
        if op is None or op.state != FAILED:
            self.notify(_("Only a refused write can be dismissed."), severity="warning")
            return
        self.dispatch.sync.dismiss(op.id)
        self.rebuild()


class ConflictScreen(ModalScreen[tuple[str, list[str] | None] | None]):
    """Base, theirs and mine, field by field, for the stale write and every stale write queued
    behind it on the ticket: nothing is sent on top of theirs unless the user saw it here."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "theirs", N_("Keep theirs"), id="conflict.theirs"),
        Binding("m", "mine", N_("Mine on top"), id="conflict.mine"),
        Binding("e", "edit", N_("Edit"), id="conflict.edit"),
        Binding("space", "toggle_field", N_("Toggle field"), show=False, id="conflict.toggle"),
        Binding("ctrl+s", "apply_edit", N_("Apply edit"), show=False, id="conflict.apply"),
        Binding("escape", "cancel", N_("Later"), id="conflict.cancel"),
    ]

    def __init__(
        self, op: Op, fields: list[ConflictField], name_of: Callable[[int], str], writes: int = 1
    ) -> None:
        super().__init__(classes="dialog")
        self.op = op
        self.rows = fields
        self.name_of = name_of
        self.writes = writes  # how many queued writes the decision covers
        self.fields = [f.name for f in fields if f.decidable]
        self.pick = {f: "mine" for f in self.fields}
        self.editing = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box wide"):
            title = _(TEXT["title"]).format(what=self.op.label)
            if self.writes > 1:
                title += _(TEXT["and_more"]).format(count=self.writes - 1)
            yield Label(Text(one_line(title)), classes="dialog-title")
            yield Static(self._table(), id="conflict-table")
            yield OptionList(id="conflict-fields")
            yield Label(
                _(TEXT["hint"]).format(**self._keys()), classes="dialog-hint", id="conflict-hint"
            )

    def _keys(self) -> dict[str, str]:
        names = ("theirs", "mine", "edit", "toggle", "apply", "cancel")
        return {k: own_key(self, f"conflict.{k}") for k in names}

    def on_mount(self) -> None:
        self.query_one("#conflict-fields", OptionList).display = False

    def show(self, name: str, value: Any) -> str:
        """A value as a person reads it: words for enums, names for people, Berlin times."""
        if value is None:
            return "-"
        if name in TECHNICIAN_FIELDS and isinstance(value, int):
            return one_line(self.name_of(value))
        if name in TIME_FIELDS and isinstance(value, str):
            try:
                return clock.moment(value)
            except ValueError:
                return one_line(value)
        if isinstance(value, bool):
            return _(TEXT["yes"]) if value else _(TEXT["no"])
        if isinstance(value, list):
            return ", ".join(one_line(v) for v in value) or "-"
        table = labels.FIELD_VALUES.get(name)
        return labels.word(table, value) if table else one_line(value)

    def _table(self) -> Table:
        table = Table(expand=True)
        table.add_column(_(TEXT["field"]), style="bold")
        table.add_column(_(TEXT["base"]))
        table.add_column(_(TEXT["theirs"]))
        table.add_column(_(TEXT["mine"]))
        for row in self.rows:
            theirs = Text(self.show(row.name, row.theirs))
            if row.changed_by_them:
                theirs.stylize("bold")
            mine = self.show(row.name, row.mine) if row.decidable else ""
            table.add_row(labels.field(row.name), self.show(row.name, row.base), theirs, mine)
        return table

    def action_theirs(self) -> None:
        self.dismiss(("theirs", None))

    def action_mine(self) -> None:
        self.dismiss(("mine", None))

    def action_edit(self) -> None:
        self.editing = True
        options = self.query_one("#conflict-fields", OptionList)
        options.display = True
        self._refresh_fields()
        options.focus()
        self.query_one("#conflict-hint", Label).update(_(TEXT["edit_hint"]).format(**self._keys()))

    def _refresh_fields(self) -> None:
        options = self.query_one("#conflict-fields", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        by_name = {row.name: row for row in self.rows}
        for name in self.fields:
            row = by_name[name]
            value = row.mine if self.pick[name] == "mine" else row.theirs
            whose = _(TEXT["mine"]) if self.pick[name] == "mine" else _(TEXT["theirs_short"])
            options.add_option(Option(f"{labels.field(name)}: {whose} ({self.show(name, value)})"))
        options.highlighted = highlighted or 0

    def action_toggle_field(self) -> None:
        if not self.editing or not self.fields:
            return
        index = self.query_one("#conflict-fields", OptionList).highlighted or 0
        name = self.fields[index]
        self.pick[name] = "theirs" if self.pick[name] == "mine" else "mine"
        self._refresh_fields()

    def on_option_list_option_selected(self) -> None:
        self.action_toggle_field()

    def action_apply_edit(self) -> None:
        if not self.editing:
            return
        self.dismiss(("edit", [name for name in self.fields if self.pick[name] == "theirs"]))

    def action_cancel(self) -> None:
        self.dismiss(None)


# Every word of the conflict view, in one place for the translation.
TEXT = {
    "title": N_("Conflict: your {what}"),
    "and_more": N_(" + {count} more queued after it"),
    "hint": N_(
        "{theirs} keep theirs · {mine} re-apply mine on top · {edit} edit field by field · "
        "{cancel} decide later"
    ),
    "edit_hint": N_(
        "{toggle}: take mine or theirs for the field · {apply} apply · {cancel} decide later"
    ),
    "field": N_("field"),
    "base": N_("base (what you saw)"),
    "theirs": N_("theirs (now)"),
    "theirs_short": N_("theirs"),
    "mine": N_("mine"),
    "yes": N_("yes"),
    "no": N_("no"),
}
