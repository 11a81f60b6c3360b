"""The status dialog: the next statuses, and under them who a change to the highlighted one
would mail (`GET /tickets/{id}/mail-preview`), so the person knows before pressing enter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from dispatch.client.errors import ApiError, Unreachable
from dispatch.screens.context import door
from dispatch.screens.dialogs import ChoiceDialog, choice_hint
from dispatch.screens.mail_text import preview_line

if TYPE_CHECKING:
    from dispatch.client.shapes import MailPreviewShape


class StatusDialog(ChoiceDialog):
    """Pick the next status; the line under the options names whom it mails."""

    def __init__(self, title: str, options: list[tuple[str, str]], ticket_id: int) -> None:
        super().__init__(title, options)
        self.ticket_id = ticket_id
        self.previews: dict[str, str] = {}  # status -> its line, asked once per dialog

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(*[Option(label, id=value) for value, label in self.options])
            # the line is recipients' names and addresses: text, never markup
            yield Label("", id="mail-preview", markup=False)
            yield Label(choice_hint(self), classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None and self.options:
            options.highlighted = 0
        self._show(options.highlighted)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(event.option_index)

    def _show(self, index: int | None) -> None:
        if index is None or index >= len(self.options):
            return
        status = self.options[index][0]
        line = self.previews.get(status)
        if line is not None:
            self._line(line)
        elif not door(self.app).online:
            self._line(preview_line(None, "offline"))  # no wait for a service that is away
        else:
            self._line(preview_line(None, "loading"))
            self.ask(status)

    @work(exclusive=True, group="mail-preview")
    async def ask(self, status: str) -> None:
        preview: MailPreviewShape | None = None
        problem: str | None = None
        try:
            preview = await door(self.app).client.mail_preview(self.ticket_id, status)
        except Unreachable:
            problem = "offline"
        except ApiError as exc:
            problem = exc.detail or exc.title
        line = preview_line(preview, problem)
        if problem != "offline":  # offline may end: ask again when highlighted again
            self.previews[status] = line
        options = self.query_one(OptionList)
        if options.highlighted is not None and self.options[options.highlighted][0] == status:
            self._line(line)

    def _line(self, text: str) -> None:
        self.query_one("#mail-preview", Label).update(text)
