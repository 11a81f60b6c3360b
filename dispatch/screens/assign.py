"""The assign dialog: ranked technicians with their next free slot and the reasons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, OptionList
from textual.widgets.option_list import Option

from dispatch.client.errors import ApiError, NotFound, Unreachable
from dispatch.display import clock, labels
from dispatch.display.contingent_text import overdrawn_warning
from dispatch.display.safe import one_line
from dispatch.i18n import N_, _
from dispatch.screens.context import door, technicians_of
from dispatch.screens.key_names import own_key

if TYPE_CHECKING:
    from dispatch.client.shapes import TicketShape


@dataclass(frozen=True, slots=True)
class AssignChoice:
    technician_id: int
    slot: dict[str, str] | None  # {"start", "end", "mode"} ISO times with offset


def parse_slot(day: str, start: str, minutes: str, mode: str) -> dict[str, str]:
    """A slot from what the user typed; ValueError with a sentence when it is not right."""
    try:
        date = datetime.strptime(day.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValueError(_("date must look like 2026-11-30")) from None
    try:
        at = datetime.strptime(start.strip(), "%H:%M").time()
    except ValueError:
        raise ValueError(_("start must look like 09:30")) from None
    try:
        length = int(minutes.strip())
    except ValueError:
        raise ValueError(_("duration is a number of minutes")) from None
    if not 15 <= length <= 12 * 60:
        raise ValueError(_("duration is 15 to 720 minutes"))
    begin = datetime.combine(date, at, tzinfo=clock.zone())  # typed in the shown zone
    return {
        "start": begin.isoformat(),
        "end": (begin + timedelta(minutes=length)).isoformat(),
        "mode": mode,
    }


class AssignDialog(ModalScreen[AssignChoice | None]):
    """enter or ctrl+s assigns the highlighted technician (booking the slot if ticked)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="assign.cancel"),
        Binding("ctrl+s", "confirm", N_("Assign"), id="assign.confirm", priority=True),
        Binding("ctrl+r", "toggle_mode", N_("On-site/remote"), id="assign.mode"),
    ]

    def __init__(self, ticket: TicketShape) -> None:
        super().__init__(classes="dialog")
        self.ticket = ticket
        self.suggestions: list[dict[str, Any]] = []
        self.mode = "onsite"

    def compose(self) -> ComposeResult:
        t = self.ticket
        with VerticalScroll(classes="dialog-box wide"):
            yield Label(
                Text(
                    _("Assign {number}: {title}").format(
                        number=t["number"], title=one_line(t["title"])
                    )
                ),
                classes="dialog-title",
            )
            yield Label(_("Loading suggestions…"), id="assign-status")
            yield Label("", id="contingent-warning", classes="dialog-warning")
            yield OptionList(id="candidates")
            yield Checkbox(_("Book a slot"), value=True, id="book")
            with Horizontal(id="slot"):
                yield Input(placeholder="YYYY-MM-DD", id="day")
                yield Input(placeholder="HH:MM", id="start")
                yield Input(placeholder=_("minutes"), id="minutes", value="120")
                yield Label(labels.WORK_MODE["onsite"], id="mode")
            yield Label("", id="error", classes="dialog-error")
            yield Label(
                _(
                    "enter/{confirm} assign · {mode} on-site/remote · tab fields · {cancel} cancel"
                ).format(
                    **{k: own_key(self, f"assign.{k}") for k in ("confirm", "mode", "cancel")}
                ),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#candidates", OptionList).focus()
        self.query_one("#contingent-warning", Label).display = False
        self.load()
        self.warn_overdrawn()

    @work(group="contingent")
    async def warn_overdrawn(self) -> None:
        """Work for a customer whose contingent is overdrawn is billed beyond it: say so
        before it is booked (no contingent, or no answer: nothing to say)."""
        try:
            found = await door(self.app).client.contingent(self.ticket["customer_id"])
        except (Unreachable, ApiError, KeyError):
            return
        warning = overdrawn_warning(cast("dict[str, Any]", found))
        if warning:
            label = self.query_one("#contingent-warning", Label)
            label.update(Text(warning))
            label.display = True

    @work(exclusive=True)
    async def load(self) -> None:
        try:
            result = await door(self.app).client.suggestions(self.ticket["id"])
            self.suggestions = list(result["items"])
            label = _("Ranked for this ticket (best first):")
        except NotFound:
            self.suggestions = self._cached_technicians()
            label = _("Technicians (no ranking available):")
        except (Unreachable, ApiError) as exc:
            # The ranking needs the service; the assignment itself waits in the outbox.
            self.suggestions = self._cached_technicians()
            why = _("offline") if isinstance(exc, Unreachable) else _("no ranking from the service")
            label = _(
                "Technicians from the cache ({why}); the assignment is sent when possible:"
            ).format(why=why)
        self.query_one("#assign-status", Label).update(label)
        options = self.query_one("#candidates", OptionList)
        options.clear_options()
        options.add_options([Option(self._describe(s)) for s in self.suggestions])
        if self.suggestions:
            options.highlighted = 0
            self._fill_slot(self.suggestions[0])

    def _cached_technicians(self) -> list[dict[str, Any]]:
        """Every technician the cache knows, unranked and without a suggested slot."""
        technicians = technicians_of(door(self.app).store).values()
        return [
            {
                "technician_id": t["id"],
                "name": t["name"],
                "branch": t.get("branch_name", ""),
                "reasons": [],
                "slot": None,
            }
            for t in technicians
        ]

    def _describe(self, s: dict[str, Any]) -> Text:
        """One candidate; names and reasons come from the service, so they are cleaned and
        kept out of markup."""
        parts = [one_line(s["name"])]
        if s.get("branch"):
            parts[0] += f" ({one_line(s['branch'])})"
        if s.get("score") is not None:
            parts.append(_("score {score:.0f}").format(score=s["score"]))
        slot = s.get("slot")
        if slot:
            parts.append(_("next slot {span}").format(span=clock.span(slot["start"], slot["end"])))
        elif "score" in s:
            parts.append(_("no free slot in 14 days"))
        if s.get("breach"):
            parts.append(_("BREACH"))
        parts.extend(one_line(r) for r in s.get("reasons", []) if not r.startswith("free "))
        return Text(" · ".join(parts))

    def _fill_slot(self, s: dict[str, Any]) -> None:
        slot = s.get("slot")
        # nothing offered (the fallback list): assign without booking unless the user types one
        self.query_one("#book", Checkbox).value = bool(slot)
        if not slot:
            return
        start, end = clock.local(slot["start"]), clock.local(slot["end"])
        self.query_one("#day", Input).value = f"{start:%Y-%m-%d}"
        self.query_one("#start", Input).value = f"{start:%H:%M}"
        self.query_one("#minutes", Input).value = str(int((end - start).total_seconds() // 60))
        self.mode = slot.get("mode", "onsite")
        self.query_one("#mode", Label).update(labels.word(labels.WORK_MODE, self.mode))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index is not None and event.option_index < len(self.suggestions):
            self._fill_slot(self.suggestions[event.option_index])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_confirm()

    def on_input_submitted(self) -> None:
        self.action_confirm()

    def action_toggle_mode(self) -> None:
        self.mode = "remote" if self.mode == "onsite" else "onsite"
        self.query_one("#mode", Label).update(labels.word(labels.WORK_MODE, self.mode))

    def action_confirm(self) -> None:
        index = self.query_one("#candidates", OptionList).highlighted
        if index is None or index >= len(self.suggestions):
            self.query_one("#error", Label).update(_("Pick a technician first."))
            return
        slot = None
        if self.query_one("#book", Checkbox).value:
            try:
                slot = parse_slot(
                    self.query_one("#day", Input).value,
                    self.query_one("#start", Input).value,
                    self.query_one("#minutes", Input).value,
                    self.mode,
                )
            except ValueError as exc:
                self.query_one("#error", Label).update(str(exc))
                return
        self.dismiss(
            AssignChoice(technician_id=self.suggestions[index]["technician_id"], slot=slot)
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
