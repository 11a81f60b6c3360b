"""Pane 5: writes waiting to be sent, conflicts to decide, refusals to read and dismiss."""

from __future__ import annotations

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
from dispatch.screens.base import PaneScreen


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "-"
    return str(value)


class OutboxScreen(PaneScreen):
    """Every write not yet acknowledged, oldest first; enter decides a conflict."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "decide", "Decide", id="outbox.decide"),
        Binding("d", "dismiss_failed", "Dismiss refused", id="outbox.dismiss"),
        Binding("j", "down", "Down", show=False, id="outbox.down"),
        Binding("k", "up", "Up", show=False, id="outbox.up"),
    ]

    def compose(self) -> ComposeResult:
        yield Label("Outbox: writes not yet acknowledged by the service", id="outbox-title")
        yield OptionList(id="outbox")
        yield Static("", id="outbox-detail")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.dispatch.status_changed.subscribe(self, lambda _: self.rebuild())
        self.rebuild()
        self.query_one(OptionList).focus()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self.rebuild()

    def rebuild(self) -> None:
        ops = self.dispatch.cache.ops()
        self.ops = ops
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        if not ops:
            options.add_option(
                Option("Nothing pending: every write is acknowledged.", disabled=True)
            )
            return
        for op in ops:
            state = {CONFLICT: "CONFLICT", FAILED: "REFUSED"}.get(op.state, "pending")
            extra = ""
            if op.error:
                extra = f": {op.error.get('detail', '')}"
            elif op.attempts:
                extra = f" (tried {op.attempts}x)"
            options.add_option(Option(f"{state:<8} {op.label}{extra}"))
        # Keep the cursor where it was (on the last row when rows went away); start on the
        # first row, so enter and d work at once without moving first.
        options.highlighted = min(highlighted or 0, len(ops) - 1)

    def _selected(self) -> Op | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not self.ops or index >= len(self.ops):
            return None
        return self.ops[index]

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
            self.app.push_screen(ConflictScreen(op), self._decided)
        elif op.state == FAILED:
            self.notify("Refused by the service: read why, then press d to dismiss it.")
        else:
            self.notify("Pending: it is sent as soon as the service answers.")

    def _decided(self, result: tuple[str, dict[str, Any] | None] | None) -> None:
        if result is None:
            return
        choice, body = result
        op = self._selected()
        if op is None:
            return
        sync = self.dispatch.sync
        if choice == "theirs":
            sync.keep_theirs(op.id)
            self.notify("Kept their version; your change was dropped.")
        elif choice == "mine":
            sync.apply_mine(op.id)
            self.notify("Your change is sent again on top of theirs.")
        elif choice == "edit" and body is not None:
            if body:
                sync.apply_mine(op.id, body)
                self.notify("Your edited change is sent on top of theirs.")
            else:
                sync.keep_theirs(op.id)
                self.notify("Nothing of yours kept; their version stands.")
        self.rebuild()

    def action_dismiss_failed(self) -> None:
        op = self._selected()
        if op is None or op.state != FAILED:
            self.notify("Only a refused write can be dismissed.", severity="warning")
            return
        self.dispatch.sync.dismiss(op.id)
        self.rebuild()


class ConflictScreen(ModalScreen[tuple[str, dict[str, Any] | None] | None]):
    """Base, theirs and mine, field by field; nothing is dropped without the user's word."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "theirs", "Keep theirs", id="conflict.theirs"),
        Binding("m", "mine", "Mine on top", id="conflict.mine"),
        Binding("e", "edit", "Edit", id="conflict.edit"),
        Binding("space", "toggle_field", "Toggle field", show=False, id="conflict.toggle"),
        Binding("ctrl+s", "apply_edit", "Apply edit", show=False, id="conflict.apply"),
        Binding("escape", "cancel", "Later", id="conflict.cancel"),
    ]

    def __init__(self, op: Op) -> None:
        super().__init__(classes="dialog")
        self.op = op
        self.base = op.base or {}
        self.theirs = (op.error or {}).get("current") or {}
        self.mine = op.body or {}
        self.fields = list(self.mine)
        self.pick = {f: "mine" for f in self.fields}
        self.editing = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box wide"):
            yield Label(f"Conflict: your {self.op.label}", classes="dialog-title")
            yield Static(self._table(), id="conflict-table")
            yield OptionList(id="conflict-fields")
            yield Label(
                "t keep theirs · m re-apply mine on top · e edit field by field · esc decide later",
                classes="dialog-hint",
                id="conflict-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#conflict-fields", OptionList).display = False

    def _table(self) -> Table:
        table = Table(expand=True)
        table.add_column("field", style="bold")
        table.add_column("base (what you saw)")
        table.add_column("theirs (now)")
        table.add_column("mine")
        names = sorted(
            set(self.fields)
            | {
                k
                for k in self.theirs
                if self.base.get(k) != self.theirs.get(k)
                and not k.startswith("_")
                and k in self.base
            }
        )
        for name in names:
            if name in ("version", "updated_at", "history"):
                continue
            mine = _show(self.mine[name]) if name in self.mine else ""
            changed = Text(_show(self.theirs.get(name)))
            if self.base.get(name) != self.theirs.get(name):
                changed.stylize("bold")
            table.add_row(name, _show(self.base.get(name)), changed, mine)
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
        self.query_one("#conflict-hint", Label).update(
            "space: take mine or theirs for the field · ctrl+s apply · esc decide later"
        )

    def _refresh_fields(self) -> None:
        options = self.query_one("#conflict-fields", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for name in self.fields:
            value = self.mine[name] if self.pick[name] == "mine" else self.theirs.get(name)
            options.add_option(Option(f"{name}: {self.pick[name]} ({_show(value)})"))
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
        body = {name: self.mine[name] for name in self.fields if self.pick[name] == "mine"}
        self.dismiss(("edit", body))

    def action_cancel(self) -> None:
        self.dismiss(None)
