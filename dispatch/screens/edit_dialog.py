"""`E` in the ticket view: the ticket's title, description and tags in one dialog.

The dialog checks what it would send with the service's own input model (`TicketUpdate`):
an empty title, a tag with a space or a control character is said in the dialog, which
stays open, instead of becoming a refusal in the outbox later.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, TextArea

from dispatch.display.safe import clean, one_line
from dispatch.i18n import N_, _
from dispatch.screens.key_names import own_key

if TYPE_CHECKING:  # pydantic when the dialog checks, not with the keymap's check at start
    from pydantic import ValidationError

TEXT = {
    "title": N_("Edit {number}: title, description, tags"),
    "title_placeholder": N_("title"),
    "tags_placeholder": N_("tags, comma-separated (e.g. printer, vpn)"),
    "hint": N_("tab next field · {save} save · {cancel} cancel"),
    "unchanged": N_("Nothing changed ({cancel} closes)."),
    "meanwhile": N_(
        "Changed meanwhile by someone else: {fields}. {save} again overwrites "
        "theirs with yours; {cancel} keeps theirs."
    ),
}


@dataclass(frozen=True, slots=True)
class TicketEdit:
    """What the person changed: only the fields that differ from what the dialog showed."""

    changes: dict[str, Any]


def split_tags(text: str) -> list[str]:
    """`printer, VPN ,` → `["printer", "VPN"]` (the model lower-cases and checks them)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def _problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if not isinstance(p, int))
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    return one_line(f"{where}: {message}" if where else message)


class EditDialog(ModalScreen[TicketEdit | None]):
    """Title, description and tags of one ticket; ctrl+s saves what changed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="edit.cancel"),
        Binding("ctrl+s", "save", N_("Save"), id="edit.save", priority=True),
    ]

    def __init__(
        self,
        number: object,
        title: str,
        description: str,
        tags: list[str],
        meanwhile: Callable[[Collection[str]], list[str]] | None = None,
    ) -> None:
        super().__init__(classes="dialog")
        self.number = number
        # which of the fields someone else changed since the dialog opened: asked once,
        # a second ctrl+s overwrites
        self.meanwhile = meanwhile
        self._warned = False
        # Shown (and compared) as the sanitiser leaves them: stored text may be hostile.
        self.title_shown = one_line(title)
        self.description_shown = clean(description)
        self.tags_shown = [one_line(t) for t in tags]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box"):
            yield Label(_(TEXT["title"]).format(number=self.number), classes="dialog-title")
            # editing, not replacing: focus leaves the text unselected, the cursor at its end
            yield Input(
                self.title_shown,
                placeholder=_(TEXT["title_placeholder"]),
                id="title",
                select_on_focus=False,
            )
            yield TextArea(self.description_shown, id="description", soft_wrap=True)
            yield Input(
                ", ".join(self.tags_shown),
                placeholder=_(TEXT["tags_placeholder"]),
                id="tags",
                select_on_focus=False,
            )
            yield Label("", id="error", classes="dialog-error")
            yield Label(_(TEXT["hint"]).format(**self._keys()), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "tags":
            self.action_save()
        else:
            self.focus_next()

    def changes(self) -> dict[str, Any]:
        """What differs from what the dialog showed, checked by the service's input model
        (ValueError with the first problem)."""
        wanted: dict[str, Any] = {
            "title": self.query_one("#title", Input).value.strip(),
            "description": self.query_one("#description", TextArea).text.strip(),
            "tags": split_tags(self.query_one("#tags", Input).value),
        }
        try:
            # Imported here, not at the top: the models bring SQLModel and SQLAlchemy, which a
            # console (and every SSH session) should load only when someone uses this dialog.
            from pydantic import ValidationError

            from dispatch.models.ticket import TicketUpdate

            checked = TicketUpdate.model_validate(wanted).model_dump(exclude_unset=True)
        except ValidationError as exc:
            raise ValueError(_problem(exc)) from None
        shown = {
            "title": self.title_shown,
            "description": self.description_shown.strip(),
            "tags": self.tags_shown,
        }
        return {k: v for k, v in checked.items() if v != shown[k]}

    def action_save(self) -> None:
        try:
            changes = self.changes()
        except ValueError as exc:
            self.query_one("#error", Label).update(Text(str(exc)))
            return
        if not changes:
            self.query_one("#error", Label).update(
                Text(_(TEXT["unchanged"]).format(**self._keys()))
            )
            return
        theirs = self.meanwhile(changes.keys()) if self.meanwhile is not None else []
        if theirs and not self._warned:
            self._warned = True
            fields = ", ".join(theirs)
            self.query_one("#error", Label).update(
                Text(_(TEXT["meanwhile"]).format(fields=fields, **self._keys()))
            )
            return
        self.dismiss(TicketEdit(changes))

    def _keys(self) -> dict[str, str]:
        return {"save": own_key(self, "edit.save"), "cancel": own_key(self, "edit.cancel")}

    def action_cancel(self) -> None:
        self.dismiss(None)
